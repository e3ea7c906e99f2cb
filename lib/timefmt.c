/* timefmt.c: timestamps as text. */
#include <stddef.h>
#include <stdint.h>

#include "timefmt.h"

/* The first and last second that fit in four year digits. */
#define SEC_MIN (-62167219200LL)	/* 0000-01-01T00:00:00Z */
#define SEC_MAX 253402300799LL		/* 9999-12-31T23:59:59Z */

static char *
put2(char *p, unsigned v)
{
	p[0] = '0' + v / 10;
	p[1] = '0' + v % 10;
	return p + 2;
}

/*
 * civil: the proleptic Gregorian date of day z (0 is 1970-01-01), after
 * Howard Hinnant's civil_from_days: count in 400-year eras that start on
 * March 1st, so the leap day is the last day of its year. Correct for
 * every z that SEC_MIN..SEC_MAX gives.
 */
static void
civil(int64_t z, int *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* days: the day (0 is 1970-01-01) of date y-m-d, the other way round
 * (Hinnant's days_from_civil), in 64 bits: timegm(3) gives a time_t, 32
 * bits on a 32-bit build, which wraps past 2038. */
static int64_t
days(int y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/*
 * timefmt_iso: no gmtime(3) (it takes a lock and consults the zone on some
 * libcs, and this runs once per record). Times outside years 0000..9999
 * are clamped to the first or last nanosecond of that range so the text
 * keeps its fixed width and fits TIMEFMT_ISO_LEN; nsec past 999999999 is
 * clamped to it.
 */
size_t
timefmt_iso(char *buf, int64_t sec, uint32_t nsec)
{
	int64_t days, sod;
	unsigned m, d, i;
	int y;
	char *p = buf;

	if (nsec > 999999999)
		nsec = 999999999;
	if (sec < SEC_MIN) {
		sec = SEC_MIN;
		nsec = 0;
	} else if (sec > SEC_MAX) {
		sec = SEC_MAX;
		nsec = 999999999;
	}
	days = sec / 86400;
	sod = sec % 86400;
	if (sod < 0) {
		sod += 86400;
		days--;
	}
	civil(days, &y, &m, &d);
	p = put2(p, (unsigned)y / 100);
	p = put2(p, (unsigned)y % 100);
	*p++ = '-';
	p = put2(p, m);
	*p++ = '-';
	p = put2(p, d);
	*p++ = 'T';
	p = put2(p, (unsigned)(sod / 3600));
	*p++ = ':';
	p = put2(p, (unsigned)(sod / 60 % 60));
	*p++ = ':';
	p = put2(p, (unsigned)(sod % 60));
	*p++ = '.';
	for (i = 9; i-- > 0; nsec /= 10)
		p[i] = '0' + nsec % 10;
	p += 9;
	*p++ = 'Z';
	*p = '\0';
	return (size_t)(p - buf);
}

/* TAI64N as daemontools writes it: the label 2^62 + 10 + Unix seconds
 * (tai64n(8) counts no leap seconds past the 1970 offset either). */
size_t
timefmt_tai64n(char *buf, int64_t sec, uint32_t nsec)
{
	static const char hex[] = "0123456789abcdef";
	uint64_t s = (uint64_t)(4611686018427387914LL + sec);
	int i;

	buf[0] = '@';
	for (i = 16; i > 0; i--, s >>= 4)
		buf[i] = hex[s & 15];
	for (i = 24; i > 16; i--, nsec >>= 4)
		buf[i] = hex[nsec & 15];
	buf[25] = '\0';
	return 25;
}

/* digits: n decimal digits at *s into *v, s advanced. 0 or -1. */
static int
digits(const char **s, int n, int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < n; i++, (*s)++) {
		if (**s < '0' || **s > '9')
			return -1;
		*v = *v * 10 + (**s - '0');
	}
	return 0;
}

/* mdays: the days of month mo (1..12) of year y, proleptic Gregorian:
 * timegm would take "02-31" as March 3rd, a time nobody wrote. */
static int
mdays(int y, int mo)
{
	static const unsigned char n[12] =
	    { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (mo == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		return 29;
	return n[mo - 1];
}

int
timefmt_iso_parse(const char *s, int64_t *sec, uint32_t *nsec)
{
	int y, mo, d, h, mi, se, zh, zm, sign, nd = 0;
	uint32_t f = 0;

	if (digits(&s, 4, &y) || *s++ != '-' || digits(&s, 2, &mo) ||
	    *s++ != '-' || digits(&s, 2, &d) || (*s != 'T' && *s != ' ') ||
	    (s++, digits(&s, 2, &h)) || *s++ != ':' || digits(&s, 2, &mi) ||
	    *s++ != ':' || digits(&s, 2, &se))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays(y, mo) || h > 23 ||
	    mi > 59 || se > 60)
		return -1;
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++, nd++) {
			if (nd == 9)
				return -1;
			f = f * 10 + (uint32_t)(*s - '0');
		}
		if (nd == 0)
			return -1;
		for (; nd < 9; nd++)
			f *= 10;
	}
	zh = zm = 0;
	sign = 0;
	if (*s == 'Z')
		s++;
	else if (*s == '+' || *s == '-') {
		sign = *s++ == '-' ? -1 : 1;
		if (digits(&s, 2, &zh) || *s++ != ':' || digits(&s, 2, &zm) ||
		    zh > 23 || zm > 59)
			return -1;
	} else
		return -1;
	if (*s != '\0')
		return -1;
	/* a leap second (:60) is the first second of the next minute, as
	 * timegm took it */
	*sec = days(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 +
	    mi * 60 + se - sign * (zh * 3600 + zm * 60);
	*nsec = f;
	return 0;
}
