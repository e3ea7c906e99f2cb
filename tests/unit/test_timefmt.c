/* test_timefmt.c: timefmt_iso against gmtime(3) and strftime(3). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "timefmt.h"
#include "tap.h"

#define LEAP(y)	((y) % 4 == 0 && ((y) % 100 != 0 || (y) % 400 == 0))

/*
 * slow: sec as a struct tm by counting years and months from 1970, after
 * a whole number of 400-year cycles (146097 days each): for the seconds a
 * 32-bit time_t cannot hold, where gmtime(3) would see a wrapped value.
 */
static void
slow(int64_t sec, struct tm *tm)
{
	static const int md[12] =
	    { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int64_t d, sod, era;
	int y = 1970, m = 0, n;

	d = sec / 86400 - (sec % 86400 < 0);
	sod = sec - d * 86400;
	era = d / 146097 - (d % 146097 < 0);
	d -= era * 146097;
	for (; d >= (n = 365 + LEAP(y)); y++)
		d -= n;
	for (; d >= (n = md[m] + (m == 1 && LEAP(y))); m++)
		d -= n;
	memset(tm, 0, sizeof *tm);
	tm->tm_year = (int)(y + era * 400 - 1900);
	tm->tm_mon = m;
	tm->tm_mday = (int)d + 1;
	tm->tm_hour = (int)(sod / 3600);
	tm->tm_min = (int)(sod / 60 % 60);
	tm->tm_sec = (int)(sod % 60);
}

/* ref: the same text the slow, trusted way. */
static void
ref(char *buf, int64_t sec, uint32_t nsec)
{
	time_t t = (time_t)sec;
	struct tm tm;
	char d[32];

	/* %Y does not pad years below 1000 to four digits; %04d does. */
	if ((int64_t)t == sec)
		gmtime_r(&t, &tm);
	else
		slow(sec, &tm);
	strftime(d, sizeof(d), "%m-%dT%H:%M:%S", &tm);
	snprintf(buf, 64, "%04d-%s.%09luZ", tm.tm_year + 1900, d,
	    (unsigned long)nsec);
}

/* check: one value, quietly; returns 0 and says why on a mismatch. */
static int
check(int64_t sec, uint32_t nsec)
{
	char got[TIMEFMT_ISO_LEN + 8], want[64];
	size_t n;

	memset(got, 'X', sizeof(got));
	n = timefmt_iso(got, sec, nsec);
	ref(want, sec, nsec);
	if (n != 30 || strcmp(got, want) != 0 || got[TIMEFMT_ISO_LEN] != 'X') {
		printf("#   %lld.%09lu: got \"%s\" (%zu), want \"%s\"\n",
		    (long long)sec, (unsigned long)nsec, got, n, want);
		return 0;
	}
	return 1;
}

/* xorshift64: a fixed sequence, so a failure is repeatable. */
static uint64_t
rnd(void)
{
	static uint64_t x = 0x9e3779b97f4a7c15ULL;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return x;
}

int
main(void)
{
	static const int64_t edge[] = {
		0, -1, 1, 86399, 86400, -86400, -86401,
		951782400,		/* 2000-02-29 */
		951868799, 951868800,	/* 2000-02-29 end, 2000-03-01 */
		946684799, 946684800,	/* 1999-12-31 23:59:59, 2000 */
		68169600,		/* 1972-02-29 */
		-2203891200,		/* 1900-02-28 (1900 not leap) */
		-2203804800,		/* 1900-03-01 */
		-2208988800,		/* 1900-01-01 */
		-2208988801,		/* 1899-12-31 23:59:59 */
		4107456000LL,		/* 2100-02-28 */
		4107542400LL,		/* 2100-03-01 */
		7258118400LL,		/* 2200-01-01 */
		2147483647, 2147483648LL, -2147483648LL, -2147483649LL,
		1795000000,		/* 2026-11-18 */
		-62135596800LL,		/* 0001-01-01 */
		-62167219200LL,		/* 0000-01-01 */
		-62162035201LL,		/* 0000-02-29 23:59:59 */
		253402300799LL,		/* 9999-12-31 23:59:59 */
		253402214400LL,		/* 9999-12-31 */
		-12219292800LL,		/* 1582-10-15 */
	};
	char buf[TIMEFMT_ISO_LEN];
	int64_t s, d;
	size_t i;
	int n, good;

	is_int(timefmt_iso(buf, 1795255200, 123456789), 30, "length 30");
	is_str(buf, "2026-11-21T10:00:00.123456789Z", "the header's example");
	timefmt_iso(buf, 0, 0);
	is_str(buf, "1970-01-01T00:00:00.000000000Z", "the epoch");
	timefmt_iso(buf, -1, 999999999);
	is_str(buf, "1969-12-31T23:59:59.999999999Z", "-1");
	timefmt_iso(buf, 951782400, 1);
	is_str(buf, "2000-02-29T00:00:00.000000001Z", "2000-02-29");
	timefmt_iso(buf, -2208988800LL, 0);
	is_str(buf, "1900-01-01T00:00:00.000000000Z", "1900-01-01");

	for (i = 0; i < sizeof(edge) / sizeof(edge[0]); i++)
		ok(check(edge[i], (uint32_t)(i * 123456789u % 1000000000u)),
		    "edge %lld", (long long)edge[i]);

	/* Every day 1900..2200 at its first and last second. */
	good = 1;
	for (d = -25567; d <= 84000 && good; d++)
		good = check(d * 86400, 0) && check(d * 86400 + 86399, 5);
	ok(good, "every day 1900..2200, first and last second");

	good = 1;
	for (d = -719528; d <= 2932896 && good; d++)
		good = check(d * 86400 + 43210, 42);
	ok(good, "every day 0000..9999");

	good = 1;
	for (n = 0; n < 200000 && good; n++) {
		s = (int64_t)(rnd() % (7258118400ULL + 2208988800ULL)) -
		    2208988800LL;
		good = check(s, (uint32_t)(rnd() % 1000000000u));
	}
	ok(good, "200000 random seconds 1900..2200");

	good = 1;
	for (n = 0; n < 100000 && good; n++) {
		s = (int64_t)(rnd() % (253402300800ULL + 62167219200ULL)) -
		    62167219200LL;
		good = check(s, (uint32_t)(rnd() % 1000000000u));
	}
	ok(good, "100000 random seconds 0000..9999");

	/* Out of range: clamped, fixed width, never past the buffer. */
	memset(buf, 'X', sizeof(buf));
	is_int(timefmt_iso(buf, 253402300800LL, 0), 30, "year 10000 length");
	is_str(buf, "9999-12-31T23:59:59.999999999Z", "year 10000 clamps");
	timefmt_iso(buf, INT64_MAX, 999999999);
	is_str(buf, "9999-12-31T23:59:59.999999999Z", "INT64_MAX clamps");
	is_int(timefmt_iso(buf, -62167219201LL, 5), 30, "year -1 length");
	is_str(buf, "0000-01-01T00:00:00.000000000Z", "year -1 clamps");
	timefmt_iso(buf, INT64_MIN, 0);
	is_str(buf, "0000-01-01T00:00:00.000000000Z", "INT64_MIN clamps");
	timefmt_iso(buf, 0, 1000000000);
	is_str(buf, "1970-01-01T00:00:00.999999999Z", "nsec 1e9 clamps");
	timefmt_iso(buf, 0, UINT32_MAX);
	is_str(buf, "1970-01-01T00:00:00.999999999Z", "nsec UINT32_MAX clamps");
	{
		char t[TIMEFMT_TAI64N_LEN];

		is_int(timefmt_tai64n(t, 0, 0), 25, "tai64n: 25 characters");
		is_str(t, "@400000000000000a00000000", "tai64n of the epoch");
		timefmt_tai64n(t, 1795255200, 123456789);
		is_str(t, "@400000006b016baa075bcd15", "tai64n of 2026-11-21T10:00:00.123456789Z");
	}
	{
		int64_t s;
		uint32_t ns;

		ok(timefmt_iso_parse("2026-11-21T10:00:00.123456789Z", &s, &ns) ==
		    0 && s == 1795255200 && ns == 123456789, "iso parsed back");
		ok(timefmt_iso_parse("2026-11-21 12:00:00+02:00", &s, &ns) == 0 &&
		    s == 1795255200 && ns == 0, "a zone and a space for T");
		ok(timefmt_iso_parse("2026-11-21T09:30:00.5-00:30", &s, &ns) == 0 &&
		    s == 1795255200 && ns == 500000000, "a negative zone");
		ok(timefmt_iso_parse("2026-11-21T10:00:00", &s, &ns) == -1 &&
		    timefmt_iso_parse("2026-13-21T10:00:00Z", &s, &ns) == -1 &&
		    timefmt_iso_parse("2026-11-21T10:00:00Zx", &s, &ns) == -1 &&
		    timefmt_iso_parse("1h", &s, &ns) == -1,
		    "no zone, a bad month, trailing bytes, a duration: refused");
		/* found by tests/fuzz/fuzz_timefmt: timegm moved these on */
		ok(timefmt_iso_parse("2026-11-31T10:00:49Z", &s, &ns) == -1 &&
		    timefmt_iso_parse("2026-02-29T00:00:00Z", &s, &ns) == -1 &&
		    timefmt_iso_parse("2100-02-29T00:00:00Z", &s, &ns) == -1 &&
		    timefmt_iso_parse("2026-04-31T00:00:00Z", &s, &ns) == -1,
		    "a day the month does not have: refused");
		ok(timefmt_iso_parse("2024-02-29T00:00:00Z", &s, &ns) == 0 &&
		    s == 1709164800 && timefmt_iso_parse("2000-02-29T00:00:00Z",
		    &s, &ns) == 0 && s == 951782400 &&
		    timefmt_iso_parse("2026-12-31T00:00:00Z", &s, &ns) == 0 &&
		    s == 1798675200, "Feb 29 of leap years, Dec 31: taken");
		ok(timefmt_iso_parse("2016-12-31T23:59:60Z", &s, &ns) == 0 &&
		    s == 1483228800, "a leap second is the second after :59");
		/* no time_t in between: right on a 32-bit one too */
		ok(timefmt_iso_parse("2038-01-19T03:14:08Z", &s, &ns) == 0 &&
		    s == 2147483648LL && timefmt_iso_parse(
		    "1901-12-13T20:45:51Z", &s, &ns) == 0 &&
		    s == -2147483649LL, "2^31 and -2^31 - 1 s");
		ok(timefmt_iso_parse("2106-02-07T06:28:16Z", &s, &ns) == 0 &&
		    s == 4294967296LL && timefmt_iso_parse(
		    "2400-02-29T00:00:00Z", &s, &ns) == 0 &&
		    s == 13574563200LL, "2^32 s, 2400-02-29");
		ok(timefmt_iso_parse("9999-12-31T23:59:59Z", &s, &ns) == 0 &&
		    s == 253402300799LL && timefmt_iso_parse(
		    "0000-01-01T00:00:00Z", &s, &ns) == 0 &&
		    s == -62167219200LL && timefmt_iso_parse(
		    "1600-02-29T12:00:00Z", &s, &ns) == 0 &&
		    s == -11670955200LL, "years 0000, 1600 and 9999");
	}
	{
		char t[TIMEFMT_ISO_LEN];
		int64_t s, r;
		uint32_t ns, rn;
		int n, good = 1;

		for (n = 0; n < 100000 && good; n++) {
			s = (int64_t)(rnd() % (253402300800ULL +
			    62167219200ULL)) - 62167219200LL;
			ns = (uint32_t)(rnd() % 1000000000u);
			timefmt_iso(t, s, ns);
			good = timefmt_iso_parse(t, &r, &rn) == 0 && r == s &&
			    rn == ns;
		}
		ok(good, "100000 random times 0000..9999 parsed back (%lld)",
		    (long long)s);
	}
	if (sizeof(time_t) >= 8) {
		struct tm a, b;
		size_t i;
		int good = 1;

		/* the reference for a 32-bit time_t, checked where it can be */
		for (i = 0; i < sizeof(edge) / sizeof(edge[0]) && good; i++) {
			time_t t = (time_t)edge[i];

			gmtime_r(&t, &a);
			slow(edge[i], &b);
			good = a.tm_year == b.tm_year && a.tm_mon == b.tm_mon &&
			    a.tm_mday == b.tm_mday && a.tm_hour == b.tm_hour &&
			    a.tm_min == b.tm_min && a.tm_sec == b.tm_sec;
		}
		ok(good, "the year-counting reference is gmtime(3)'s");
	} else
		ok(1, "# SKIP a 32-bit time_t: gmtime(3) ends in 2038");
	return tap_done();
}
