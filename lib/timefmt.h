/* timefmt.h: timestamps as text. */
#ifndef TIMEFMT_H
#define TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

/* "2026-11-21T10:00:00.123456789Z" and a NUL */
#define TIMEFMT_ISO_LEN 31

/* timefmt_iso: ISO 8601 UTC with nanoseconds into buf (TIMEFMT_ISO_LEN
 * bytes). Returns the length written (30). */
size_t timefmt_iso(char *buf, int64_t sec, uint32_t nsec);

#define TIMEFMT_TAI64N_LEN 26	/* "@" + 24 hex digits + NUL */

/* timefmt_tai64n: the TAI64N label daemontools' tai64n(8) writes, into buf
 * (TIMEFMT_TAI64N_LEN bytes). Returns the length written (25). */
size_t timefmt_tai64n(char *buf, int64_t sec, uint32_t nsec);

/*
 * timefmt_iso_parse: the other way: "2026-11-21T10:00:00Z", with an optional
 * fraction (up to nine digits) and a zone "Z", "+HH:MM" or "-HH:MM";
 * a space may stand for the "T". Returns 0 with *sec and *nsec (UTC),
 * -1 when s is not such a time.
 */
int timefmt_iso_parse(const char *s, int64_t *sec, uint32_t *nsec);

#endif
