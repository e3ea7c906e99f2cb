/* storm.h: what a connection storm counts, and how it says so: the
 * failure causes, the per-second line (text, CSV, JSON) and the summary
 * (text, JSON), each written from one table of its fields. */
#ifndef STORM_H
#define STORM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "addr.h"
#include "hist.h"

#define STORM_NONE	UINT64_MAX	/* not known: "-", empty, null */

/* the failure causes, in the order they are printed */
enum { STORM_REFUSED, STORM_TIMEOUT, STORM_RESET, STORM_NOPORT,
	STORM_UNREACH, STORM_MISMATCH, STORM_EOF, STORM_NOFD, STORM_OTHER,
	STORM_NCAUSE };

extern const char *const storm_causename[STORM_NCAUSE];

struct stormcount {
	uint64_t attempted, established, completed, failed;
	uint64_t cause[STORM_NCAUSE];
};

/* One per-second line. STORM_NONE in the kernel's counters: not shown in
 * the text, empty in CSV, null in JSON; in a latency: "-" in the text. */
struct stormsec {
	uint64_t tms;			/* the end of the interval, ms */
	uint64_t rate;			/* connections due in it */
	struct stormcount c;
	uint64_t other;			/* failures of the causes not named */
	uint64_t open;			/* connections open at its end */
	uint64_t p50, p99;		/* connect latency, us */
	uint64_t overflows, syndrops, timewait;
};

/* The summary of one run of the schedule. */
struct stormsum {
	char address[ADDR_STRLEN];
	uint64_t rate, start;		/* the schedule's rates, a second */
	uint64_t ramp, hold;		/* the schedule's phases, ns */
	uint64_t target;		/* connections due */
	uint64_t duration, elapsed;	/* ns: the schedule run, the run */
	double sustained;		/* completed/s in the hold; < 0: none */
	uint64_t peak, aborted, behind;
	struct stormcount c;
	const struct hist *connect, *reply;	/* latencies, us */
	uint64_t overflows, syndrops, timewait;	/* or STORM_NONE */
	const struct stormsec *secs;	/* the per-second lines */
	size_t nsecs;
};

/* storm_cause: the cause of a failure with errno e. */
int storm_cause(int e);

/* storm_count_add: add the counts of c to to. */
void storm_count_add(struct stormcount *to, const struct stormcount *c);

/* storm_others: the failures of c of the causes a per-second line does
 * not name one by one. */
uint64_t storm_others(const struct stormcount *c);

/* storm_sec_text: the line as text into buf (n bytes, truncated). */
void storm_sec_text(const struct stormsec *s, char *buf, size_t n);

/* storm_sec_csvhead, storm_sec_csv: the CSV header, a line as CSV. */
void storm_sec_csvhead(FILE *f);
void storm_sec_csv(const struct stormsec *s, FILE *f);

/* storm_sec_json: the line as a JSON object, then sep. */
void storm_sec_json(const struct stormsec *s, FILE *f, const char *sep);

/* storm_sum_text: the summary as lines of text. */
void storm_sum_text(const struct stormsum *s, FILE *f);

/* storm_sum_json: the summary as one object's members, without braces;
 * its per-second lines are the member "seconds". */
void storm_sum_json(const struct stormsum *s, FILE *f);

#endif
