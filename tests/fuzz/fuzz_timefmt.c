/*
 * fuzz_timefmt.c: libFuzzer harness for the time parser, timefmt_iso_parse. A
 * text it accepts must name the time it says: that time, written back
 * with timefmt_iso in the text's own zone, has the same date, clock and
 * fraction (a leap second, :60, is the second after :59). And a time
 * written by timefmt_iso must parse back to itself. The first input byte
 * picks the test; the rest is the text up to a NUL, or the time's bytes.
 *
 * Built by `make build/fuzz/fuzz_timefmt`; run by tests/fuzz/run.sh timefmt.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "timefmt.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define SEC_MIN (-62167219200LL)	/* 0000-01-01T00:00:00Z */
#define SEC_MAX 253402300799LL		/* 9999-12-31T23:59:59Z */

static int
num(const char *s, int n)
{
	int v = 0;

	while (n-- > 0)
		v = v * 10 + (*s++ - '0');
	return v;
}

static void
check_text(const char *s)
{
	char buf[TIMEFMT_ISO_LEN], want[TIMEFMT_ISO_LEN];
	const char *z;
	int64_t sec, local;
	uint32_t nsec;
	size_t nf;
	int leap;

	if (timefmt_iso_parse(s, &sec, &nsec) != 0)
		return;
	if (nsec > 999999999 || strlen(s) < 20)
		abort();
	/* the zone is the first of Z + - after the seconds */
	z = s + 19 + strspn(s + 19, ".0123456789");
	local = sec;
	if (*z == '+' || *z == '-')
		local += (*z == '-' ? -1 : 1) *
		    (int64_t)(num(z + 1, 2) * 3600 + num(z + 4, 2) * 60);
	leap = num(s + 17, 2) == 60;
	if (local - leap < SEC_MIN || local - leap > SEC_MAX)
		abort();
	timefmt_iso(buf, local - leap, nsec);
	/* what the text says, in timefmt_iso's form */
	memcpy(want, s, 19);
	want[10] = 'T';
	if (leap)
		want[17] = '5', want[18] = '9';
	memset(want + 19, '0', 10);
	want[19] = '.';
	nf = (size_t)(z - (s + 19));
	if (nf > 0)
		memcpy(want + 19, s + 19, nf);
	want[29] = 'Z';
	want[30] = '\0';
	if (strcmp(buf, want) != 0)
		abort();
}

static void
check_time(const uint8_t *p, size_t n)
{
	char buf[TIMEFMT_ISO_LEN];
	uint64_t u = 0;
	int64_t sec, back;
	uint32_t nsec = 0, nback;
	size_t i;

	for (i = 0; i < 8 && i < n; i++)
		u = u << 8 | p[i];
	for (; i < 12 && i < n; i++)
		nsec = nsec << 8 | p[i];
	sec = SEC_MIN + (int64_t)(u % (uint64_t)(SEC_MAX - SEC_MIN + 1));
	nsec %= 1000000000;
	if (timefmt_iso(buf, sec, nsec) != 30 ||
	    timefmt_iso_parse(buf, &back, &nback) != 0 || back != sec ||
	    nback != nsec)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size < 1)
		return 0;
	if (data[0] & 1) {
		check_time(data + 1, size - 1);
		return 0;
	}
	if ((s = malloc(size)) == NULL)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	check_text(s);
	free(s);
	return 0;
}
