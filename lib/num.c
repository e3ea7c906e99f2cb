/* num.c: the one checked parser for numbers, sizes and durations. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arg.h"
#include "num.h"

#define MILLI	1000000ull	/* nanoseconds in a thousandth of a second */

static int
isdig(int c)
{
	return c >= '0' && c <= '9';
}

static int
isalph(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/*
 * digits: read decimal digits at *sp into *v, advancing *sp. Returns 0 on
 * success, -1 if there is no digit, 1 if the value passes UINT64_MAX (the
 * digits are still consumed, so the caller can tell "too large" from
 * trailing garbage).
 */
static int
digits(const char **sp, uint64_t *v)
{
	const char *s = *sp;
	uint64_t x = 0;
	int over = 0;

	if (!isdig(*s))
		return -1;
	for (; isdig(*s); s++) {
		unsigned d = *s - '0';

		if (x > (UINT64_MAX - d) / 10)
			over = 1;
		else
			x = x * 10 + d;
	}
	*sp = s;
	*v = x;
	return over;
}

long long
num_parse(const char *s, long long min, long long max, const char **errstr)
{
	uint64_t mag, lim;
	int neg = 0, r;
	long long v;

	*errstr = "invalid";
	if (min > max)
		return 0;
	if (*s == '-') {
		neg = 1;
		s++;
	}
	if ((r = digits(&s, &mag)) < 0 || *s != '\0')
		return 0;
	/* Magnitudes are compared unsigned so LLONG_MIN needs no special case. */
	lim = neg ? (uint64_t)LLONG_MAX + 1 : (uint64_t)LLONG_MAX;
	if (r > 0 || mag > lim) {
		*errstr = neg ? "too small" : "too large";
		return 0;
	}
	if (neg)
		v = mag == 0 ? 0 : -(long long)(mag - 1) - 1;
	else
		v = (long long)mag;
	if (v < min) {
		*errstr = "too small";
		return 0;
	}
	if (v > max) {
		*errstr = "too large";
		return 0;
	}
	*errstr = NULL;
	return v;
}

/*
 * scaled: the number at *sp ("12" or "1.25") times mult, rounded down,
 * into *v; *sp is left on the first byte after it. Returns NULL or a
 * reason. The fraction is folded in from its last digit with integer
 * arithmetic (t = (d * mult + t) / 10), which is the exact floor however
 * many digits there are: no floating point, no rounding surprises.
 */
static const char *
scaled(const char **sp, uint64_t mult, uint64_t *v)
{
	const char *s = *sp, *f, *e;
	uint64_t ip, t = 0;
	int r;

	if ((r = digits(&s, &ip)) < 0)
		return "invalid";
	if (*s == '.') {
		f = ++s;
		if (!isdig(*s))
			return "invalid";
		while (isdig(*s))
			s++;
		for (e = s; e > f; e--)
			t = ((uint64_t)(e[-1] - '0') * mult + t) / 10;
	}
	*sp = s;
	if (r > 0 || ip > (UINT64_MAX - t) / mult)
		return "too large";
	*v = ip * mult + t;
	return NULL;
}

static uint64_t
checkrange(uint64_t v, uint64_t min, uint64_t max, const char **errstr)
{
	*errstr = NULL;
	if (min > max)
		*errstr = "invalid";
	else if (v < min)
		*errstr = "too small";
	else if (v > max)
		*errstr = "too large";
	return *errstr ? 0 : v;
}

/* sizeunit: the multiplier for a unit word ("", "B", "k", "KB", "MiB"),
 * or 0 if the word is not a unit. */
static uint64_t
sizeunit(const char *u, size_t n)
{
	static const char letters[] = "kmgt";
	const char *p;
	uint64_t m;

	if (n == 0 || (n == 1 && u[0] == 'B'))
		return 1;
	if ((p = strchr(letters, u[0] | 0x20)) == NULL)
		return 0;
	if (!(n == 1 || (n == 2 && u[1] == 'B') ||
	    (n == 3 && u[1] == 'i' && u[2] == 'B')))
		return 0;
	m = (uint64_t)1 << (10 * (p - letters + 1));
	return m;
}

uint64_t
size_parse(const char *s, uint64_t min, uint64_t max, const char **errstr)
{
	const char *p, *u;
	uint64_t m, v;

	/* Find the unit first: it sets the scale of the fraction. */
	for (p = s; isdig(*p) || *p == '.'; p++)
		;
	for (u = p; isalph(*p); p++)
		;
	if (*p != '\0' || u == s) {
		*errstr = "invalid";
		return 0;
	}
	if ((m = sizeunit(u, p - u)) == 0) {
		*errstr = isdig(u[-1]) ? "unknown unit" : "invalid";
		return 0;
	}
	if ((*errstr = scaled(&s, m, &v)) != NULL)
		return 0;
	if (s != u) {
		*errstr = "invalid";
		return 0;
	}
	return checkrange(v, min, max, errstr);
}

static const struct durunit {
	const char *name;
	uint64_t ns;
} durunits[] = {
	{ "d", 86400000000000ULL },
	{ "h", 3600000000000ULL },
	{ "m", 60000000000ULL },
	{ "s", 1000000000ULL },
	{ "ms", 1000000ULL },
	{ "us", 1000ULL },
	{ "ns", 1ULL },
};
#define NDURUNITS (sizeof(durunits) / sizeof(durunits[0]))

/* durunit: the index of unit word u (n bytes) in durunits, or -1. */
static int
durunit(const char *u, size_t n)
{
	size_t i;

	for (i = 0; i < NDURUNITS; i++)
		if (strlen(durunits[i].name) == n &&
		    memcmp(durunits[i].name, u, n) == 0)
			return (int)i;
	return -1;
}

/*
 * dur_parse: one term ("1.5s") or several in falling order of unit
 * ("1h30m", "2m3.5s"). A bare number is seconds, but only on its own:
 * "1h30" would be a guess.
 */
uint64_t
dur_parse(const char *s, uint64_t min, uint64_t max, const char **errstr)
{
	const char *p, *u;
	uint64_t v, sum = 0;
	int i, last = -1;

	do {
		for (p = s; isdig(*p) || *p == '.'; p++)
			;
		for (u = p; isalph(*p); p++)
			;
		if (u == s || (u == p && (last >= 0 || *p != '\0'))) {
			*errstr = "invalid";
			return 0;
		}
		if (u == p)
			i = 3;		/* seconds */
		else if ((i = durunit(u, p - u)) < 0) {
			*errstr = isdig(u[-1]) ? "unknown unit" : "invalid";
			return 0;
		}
		if (i <= last) {
			*errstr = "invalid";
			return 0;
		}
		last = i;
		if ((*errstr = scaled(&s, durunits[i].ns, &v)) != NULL)
			return 0;
		if (s != u) {
			*errstr = "invalid";
			return 0;
		}
		if (v > UINT64_MAX - sum) {
			*errstr = "too large";
			return 0;
		}
		sum += v;
		s = p;
	} while (*s != '\0');
	return checkrange(sum, min, max, errstr);
}

/* milli_parse: the duration parser reads the decimal, a bare number being
 * seconds; so it is thousandths of the nanoseconds it returns. */
uint64_t
milli_parse(const char *s, uint64_t min, uint64_t max, const char **errstr)
{
	if (s[0] == '\0' || s[strspn(s, "0123456789.")] != '\0') {
		*errstr = "invalid";
		return 0;
	}
	return dur_parse(s, min * MILLI, max * MILLI, errstr) / MILLI;
}

long long
num_arg(const char *what, const char *s, long long min, long long max)
{
	const char *e;
	long long v;

	v = num_parse(s, min, max, &e);
	if (e != NULL)
		arg_fail(what, s, e);
	return v;
}

long long
num_arg_head(const char *what, const char *s, int sep, long long min,
    long long max, const char **rest)
{
	const char *end = strchr(s, sep);
	char num[16];
	size_t n = end ? (size_t)(end - s) : strlen(s);

	if (n >= sizeof num)
		arg_fail(what, s, "invalid");
	memcpy(num, s, n);
	num[n] = '\0';
	*rest = end ? end + 1 : NULL;
	return num_arg(what, num, min, max);
}

uint64_t
size_arg(const char *what, const char *s, uint64_t min, uint64_t max)
{
	const char *e;
	uint64_t v;

	v = size_parse(s, min, max, &e);
	if (e != NULL)
		arg_fail(what, s, e);
	return v;
}

uint64_t
dur_arg(const char *what, const char *s, uint64_t min, uint64_t max)
{
	const char *e;
	uint64_t v;

	v = dur_parse(s, min, max, &e);
	if (e != NULL)
		arg_fail(what, s, e);
	return v;
}

uint64_t
milli_arg(const char *what, const char *s, uint64_t min, uint64_t max,
    const char *small, const char *large)
{
	const char *e;
	uint64_t v;

	v = milli_parse(s, min, max, &e);
	if (e != NULL)
		arg_fail(what, s, strcmp(e, "too small") == 0 ? small :
		    strcmp(e, "too large") == 0 ? large : e);
	return v;
}
