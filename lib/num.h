/* num.h: the one checked parser for numbers, sizes and durations. */
#ifndef NUM_H
#define NUM_H

#include <stdint.h>

/*
 * Each parser works like OpenBSD strtonum(3): on success it returns the
 * value and sets *errstr to NULL; on failure it returns 0 and sets *errstr
 * to a short reason ("invalid", "too small", "too large", "unknown unit").
 * Leading or trailing white space, signs on sizes and durations, empty
 * strings and trailing garbage are all "invalid".
 */
long long num_parse(const char *s, long long min, long long max,
    const char **errstr);

/* Sizes in bytes: "512", "64k", "10M", "1G", "2T" (powers of 1024, the
 * unit letter in either case; an optional trailing "B" or "iB"). */
uint64_t size_parse(const char *s, uint64_t min, uint64_t max,
    const char **errstr);

/* Durations in nanoseconds: "250ns", "10us", "500ms", "30s", "5m", "1h",
 * "1d"; a bare number is seconds. Fractions are allowed ("1.5s"). */
uint64_t dur_parse(const char *s, uint64_t min, uint64_t max,
    const char **errstr);

/* Decimals in thousandths: "2", "0.5", "1.25" give 2000, 500, 1250 (a
 * fourth decimal is dropped); digits and dots only, no unit. min and max
 * are thousandths too, max at most UINT64_MAX / 1000000. */
uint64_t milli_parse(const char *s, uint64_t min, uint64_t max,
    const char **errstr);

/*
 * The same for command-line arguments: on failure they call arg_fail
 * (arg.h): "PROG: invalid WHAT 'S': REASON", the usage line, exit 100.
 */
long long num_arg(const char *what, const char *s, long long min,
    long long max);
/* num_arg_head: num_arg of what comes before the first sep in s ("5"
 * of "5:busy"); *rest gets what comes after it, NULL without sep. */
long long num_arg_head(const char *what, const char *s, int sep,
    long long min, long long max, const char **rest);
uint64_t size_arg(const char *what, const char *s, uint64_t min,
    uint64_t max);
uint64_t dur_arg(const char *what, const char *s, uint64_t min, uint64_t max);

/* milli_arg: milli_parse, the range given in the message's words: small
 * for "too small" ("below 0.001"), large for "too large" ("above 100"). */
uint64_t milli_arg(const char *what, const char *s, uint64_t min,
    uint64_t max, const char *small, const char *large);

#endif
