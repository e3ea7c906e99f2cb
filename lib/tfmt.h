/* tfmt.h: timestamps as text. */
#ifndef TFMT_H
#define TFMT_H

#include <stddef.h>
#include <stdint.h>

#define TFMT_ISO_LEN 31		/* "2026-11-21T10:00:00.123456789Z" + NUL */

/* tfmt_iso: ISO 8601 UTC with nanoseconds into buf (TFMT_ISO_LEN bytes).
 * Returns the length written (30). */
size_t tfmt_iso(char *buf, int64_t sec, uint32_t nsec);

#define TFMT_TAI64N_LEN 26	/* "@" + 24 hex digits + NUL */

/* tfmt_tai64n: the TAI64N label daemontools' tai64n(8) writes, into buf
 * (TFMT_TAI64N_LEN bytes). Returns the length written (25). */
size_t tfmt_tai64n(char *buf, int64_t sec, uint32_t nsec);

/*
 * tfmt_iso_parse: the other way: "2026-11-21T10:00:00Z", with an optional
 * fraction (up to nine digits) and a zone "Z", "+HH:MM" or "-HH:MM";
 * a space may stand for the "T". Returns 0 with *sec and *nsec (UTC),
 * -1 when s is not such a time.
 */
int tfmt_iso_parse(const char *s, int64_t *sec, uint32_t *nsec);

#endif
