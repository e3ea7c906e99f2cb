/* stormopt.h: a connection storm's settings: their defaults, the checks
 * that refuse a bad value or a conflict before anything opens (exit
 * 100), and the line that says them. */
#ifndef STORMOPT_H
#define STORMOPT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "addr.h"

/* -F: how the summary and the per-second lines are written */
enum { STORMOPT_TEXT, STORMOPT_JSON, STORMOPT_CSV };

struct stormopt {
	const char *address;		/* the operand: dst once checked */
	struct addr dst;
	const char *srcarg;		/* -s, or NULL: src once checked */
	const char *metrics;		/* -M, or NULL */
	struct addr *src;
	size_t nsrc;
	unsigned char *payload, *reply;	/* reply: -e, else NULL */
	size_t npayload, nreply;
	uint64_t length;		/* -n, or 0 */
	uint64_t expect;		/* bytes expected back (-e or -n) */
	uint64_t rate, start, cap;
	uint64_t dur, ramp, hold, timeout, maxlat;
	uint64_t errmp;			/* -E in thousandths of a percent */
	uint64_t factor;		/* -g in thousandths */
	int fmt, quiet, verbose, normal, search, rateset, startset;
	int eset, gset, pset;
};

/* stormopt_init: every setting at its default. */
void stormopt_init(struct stormopt *o);

/* stormopt_payload, stormopt_reply: -p and -e, the escapes of s decoded
 * (an empty reply is refused). Exit 100 on a bad escape, 111 when out of
 * memory. */
void stormopt_payload(struct stormopt *o, const char *s);
void stormopt_reply(struct stormopt *o, const char *s);

/* stormopt_format: -F: text, json or csv; else exit 100. */
int stormopt_format(const char *s);

/* stormopt_check: after the options, address the operand: the conflicts
 * refused, the start rate and expect filled in, address and srcarg
 * parsed. Exit 100 on a conflict or a bad address, 111 when out of
 * memory. */
void stormopt_check(struct stormopt *o, const char *address);

/* stormopt_fdlimit: the file descriptor limit raised as far as it goes;
 * exit 100 when the -l cap does not fit, 111 when it cannot be read. */
void stormopt_fdlimit(const struct stormopt *o);

/* stormopt_probe: every source must be an address of this host: exit
 * 100 when one is not, 111 when it cannot be bound for another reason. */
void stormopt_probe(const struct stormopt *o);

/* stormopt_print: what the run is to do, on one line, "connstorm:
 * ADDRESS: rate=..." (-v). */
void stormopt_print(const struct stormopt *o, FILE *f);

/* stormopt_free: give back what the checks took. */
void stormopt_free(struct stormopt *o);

#endif
