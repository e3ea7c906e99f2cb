/* stormlog.h: what a connection storm writes as it runs: the per-second
 * lines, kept for the summary and shown on standard error (one live line
 * rewritten in place on a terminal) and as CSV on standard output; and
 * each failure as it happens, at most one line a second for each cause. */
#ifndef STORMLOG_H
#define STORMLOG_H

#include <stddef.h>
#include <stdint.h>

#include "storm.h"

struct stormlog {
	/* set before use */
	int csv;		/* each line as CSV on stdout */
	int quiet;		/* no line on stderr */
	int tty;		/* stderr is a terminal: one live line */
	uint64_t zero;		/* the clock reading the lines call t=0 */
	/* kept */
	int live;		/* the live line is on the terminal */
	struct stormsec *secs;	/* the lines so far: nsecs */
	size_t nsecs, capsecs;
	uint64_t vlast[STORM_NCAUSE];	/* when a failure was last told */
	uint64_t vheld[STORM_NCAUSE];	/* failures held back since */
};

/* stormlog_sec: keep the line s and show it. Exits 111 when out of
 * memory. */
void stormlog_sec(struct stormlog *l, const struct stormsec *s);

/* stormlog_endlive: end the live line, before anything else is written
 * on stderr. */
void stormlog_endlive(struct stormlog *l);

/*
 * stormlog_fail: a failure of cause k (e: its errno, or 0) on stderr,
 * "connstorm: t=SECONDS: CAUSE: WHY", unless one of that cause went out
 * less than a second ago: then it is counted, and the next line of that
 * cause, or stormlog_untold, says how many. log is a struct stormlog:
 * this is the shape of connpool's onfail.
 */
void stormlog_fail(void *log, int k, int e);

/* stormlog_untold: at now, the end of a run, the failures held back. */
void stormlog_untold(struct stormlog *l, uint64_t now);

/* stormlog_free: give back the lines kept. */
void stormlog_free(struct stormlog *l);

#endif
