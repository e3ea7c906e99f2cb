/*
 * fuzz_num.c: libFuzzer harness for the number, size and duration parsers,
 * each checked against a reference written apart from lib/num.c: strtoll
 * for num_parse; for size_parse and dur_parse, a grammar check and exact
 * decimal arithmetic (the fraction times the unit, done on the digits as
 * a school multiplication, so no floating point and no 64-bit limits).
 * The first input byte picks the parser and the bounds; the rest, up to
 * a NUL, is the text.
 *
 * Built by `make build/fuzz/fuzz_num`; run by tests/fuzz/run.sh num.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "num.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

typedef unsigned __int128 u128;

static const long long llbound[] = {
	LLONG_MIN, LLONG_MIN + 1, -65536, -1, 0, 1, 100, 65535, 65536,
	LLONG_MAX - 1, LLONG_MAX
};
static const uint64_t ubound[] = {
	0, 1, 1000, 1000000000, 65536, 86400000000000ULL, UINT64_MAX / 10,
	UINT64_MAX - 1, UINT64_MAX
};
#define NL (sizeof llbound / sizeof llbound[0])
#define NU (sizeof ubound / sizeof ubound[0])

static int
dig(int c)
{
	return c >= '0' && c <= '9';
}

static int
alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static void
check_num(const char *s, long long min, long long max)
{
	const char *e, *p = s;
	long long v, want;
	char *end;

	v = num_parse(s, min, max, &e);
	if (*p == '-')
		p++;
	if (!dig(*p) || p[strspn(p, "0123456789")] != '\0' || min > max) {
		if (e == NULL || strcmp(e, "invalid") != 0 || v != 0)
			abort();
		return;
	}
	errno = 0;
	want = strtoll(s, &end, 10);
	if (errno == ERANGE)
		e = want < 0 ? (strcmp(e, "too small") == 0 ? NULL : e) :
		    (strcmp(e, "too large") == 0 ? NULL : e);
	else if (want < min)
		e = strcmp(e ? e : "", "too small") == 0 ? NULL : "x";
	else if (want > max)
		e = strcmp(e ? e : "", "too large") == 0 ? NULL : "x";
	else if (e != NULL || v != want)
		abort();
	if (e != NULL || (v != 0 && (errno == ERANGE || want < min ||
	    want > max)))
		abort();
}

/*
 * number: the value of "IP[.FRAC]" (n bytes at s) times mult, rounded
 * down, or UINT64_MAX + 1 and more when it does not fit 64 bits.
 * Digits are multiplied one by one into a decimal product, most
 * significant first; the FRAC digits are then dropped from its end.
 */
static u128
number(const char *s, size_t n, uint64_t mult)
{
	const char *dot = memchr(s, '.', n);
	size_t nf = dot ? n - (size_t)(dot - s) - 1 : 0, nd = 0, i;
	u128 carry = 0, v = 0;
	unsigned char *prod;
	char *digs;

	if ((prod = malloc(n + 48)) == NULL || (digs = malloc(n + 1)) == NULL)
		abort();
	for (i = 0; i < n; i++)
		if (s[i] != '.')
			digs[nd++] = s[i];
	/* prod = digs * mult, in decimal, least significant first */
	for (i = 0; i < nd; i++) {
		carry += (u128)(digs[nd - 1 - i] - '0') * mult;
		prod[i] = (unsigned char)(carry % 10);
		carry /= 10;
	}
	for (; carry > 0; carry /= 10)
		prod[i++] = (unsigned char)(carry % 10);
	while (i > nf) {
		v = v * 10 + prod[--i];
		if (v > (u128)UINT64_MAX) {
			v = (u128)UINT64_MAX + 1;
			break;
		}
	}
	free(prod);
	free(digs);
	return v;
}

/* numok: "D+" or "D+.D+", exactly n bytes at s */
static int
numok(const char *s, size_t n)
{
	size_t i = strspn(s, "0123456789");

	if (i == 0)
		return 0;
	if (i == n)
		return 1;
	return s[i] == '.' && i + 1 < n &&
	    strspn(s + i + 1, "0123456789") >= n - i - 1;
}

/* verdict: the range check and the comparison both parsers end with */
static void
verdict(uint64_t got, const char *e, u128 want, uint64_t min, uint64_t max)
{
	const char *w = NULL;

	if (min > max)
		w = "invalid";
	else if (want > (u128)UINT64_MAX)
		w = "too large";
	else if (want < min)
		w = "too small";
	else if (want > max)
		w = "too large";
	if (w == NULL ? e != NULL || got != (uint64_t)want :
	    e == NULL || got != 0 ||
	    (strcmp(e, w) != 0 && !(min > max && strcmp(w, "invalid") == 0)))
		abort();
}

static uint64_t
sizemult(const char *u)
{
	const char *p;

	if (*u == '\0' || strcmp(u, "B") == 0)
		return 1;
	if ((p = strchr("kmgt", *u | 0x20)) == NULL || !alpha(*u))
		return 0;
	if (u[1] != '\0' && strcmp(u + 1, "B") != 0 &&
	    strcmp(u + 1, "iB") != 0)
		return 0;
	return (uint64_t)1 << (10 * (p - "kmgt" + 1));
}

static void
check_size(const char *s, uint64_t min, uint64_t max)
{
	const char *e, *u;
	uint64_t v, m;

	v = size_parse(s, min, max, &e);
	for (u = s; dig(*u) || *u == '.'; u++)
		;
	if (!numok(s, (size_t)(u - s)) || (m = sizemult(u)) == 0) {
		if (e == NULL || v != 0)
			abort();
		return;
	}
	verdict(v, e, number(s, (size_t)(u - s), m), min, max);
}

static const char *const dunit[] = { "d", "h", "m", "s", "ms", "us", "ns" };
static const uint64_t dns[] = {
	86400000000000ULL, 3600000000000ULL, 60000000000ULL, 1000000000ULL,
	1000000ULL, 1000ULL, 1ULL
};

static void
check_dur(const char *s, uint64_t min, uint64_t max)
{
	const char *e, *p = s, *u;
	uint64_t v;
	u128 sum = 0;
	size_t n;
	int i, last = -1;

	v = dur_parse(s, min, max, &e);
	do {
		for (u = p; dig(*u) || *u == '.'; u++)
			;
		for (n = 0; alpha(u[n]); n++)
			;
		if (!numok(p, (size_t)(u - p)))
			goto bad;
		if (n == 0) {
			if (last >= 0 || u[0] != '\0')
				goto bad;
			i = 3;
		} else {
			for (i = 0; i < 7; i++)
				if (strlen(dunit[i]) == n &&
				    memcmp(dunit[i], u, n) == 0)
					break;
			if (i == 7 || i <= last)
				goto bad;
		}
		last = i;
		sum += number(p, (size_t)(u - p), dns[i]);
		if (sum > (u128)UINT64_MAX)
			sum = (u128)UINT64_MAX + 1;
		p = u + n;
	} while (*p != '\0');
	verdict(v, e, sum, min, max);
	return;
bad:
	/* a bad term after one too large may be called either */
	if (e == NULL || v != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;
	unsigned k;

	if (size < 2)
		return 0;
	if ((s = malloc(size)) == NULL)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	k = data[0];
	switch (k % 3) {
	case 0:
		check_num(s, llbound[k / 3 % NL], llbound[(k / 3 + 4) % NL]);
		break;
	case 1:
		check_size(s, ubound[k / 3 % NU], ubound[(k / 3 + 5) % NU]);
		break;
	case 2:
		check_dur(s, ubound[k / 3 % NU], ubound[(k / 3 + 5) % NU]);
		break;
	}
	free(s);
	return 0;
}
