/* metrics.h: a program's counters as a file in the Prometheus text
 * exposition format, the convention of node_exporter's textfile
 * collector: the whole file written again every interval and at exit,
 * to a temporary file renamed over the last one, so a reader never sees
 * half of it. No port is opened. */
#ifndef METRICS_H
#define METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "warnrate.h"

struct metrics {
	char *path;		/* the file; NULL: no metrics */
	char *tmp;		/* PATH.tmp, renamed over path */
	char *labels;		/* channel="C",program="P", escaped */
	char *buf;		/* the text being built */
	size_t len, cap;
	int nomem;		/* the text is incomplete: not written */
	int written;		/* a write succeeded once */
	double start;		/* the program's start, Unix seconds */
	uint64_t every;		/* the interval, ns */
	struct warnrate warn;	/* failures after the first write */
};

/*
 * metrics_setup: where program's metrics go: FILE (its -M option) when
 * not NULL, else $CHANRELAY_METRICS_DIR/CHANNEL.PROGRAM.prom when that
 * variable is set and not empty (CHANNEL: $CHANRELAY_CHANNEL, or
 * PROGRAM.prom without it), else nowhere. The interval is
 * $CHANRELAY_METRICS_INTERVAL, a duration, 5s by default; an interval
 * timer (SIGALRM, recorded by lib/sig: call after sig_setup) marks each
 * one. A bad variable exits 100; a file that cannot be made (tried at
 * once, so before the program touches anything else) or a timer that
 * cannot be armed, 111.
 * Returns 1 when there are metrics to write, 0 when not.
 */
int metrics_setup(struct metrics *m, const char *file, const char *program);

/* metrics_due: 1 when an interval ended since the last call (the
 * program then writes its metrics), 0 when not or with no metrics. */
int metrics_due(struct metrics *m);

/* metrics_begin: start a new text, with the program's start time. */
void metrics_begin(struct metrics *m);

/* metrics_head: a metric's HELP and TYPE ("counter" or "gauge") lines,
 * once before its samples. */
void metrics_head(struct metrics *m, const char *name, const char *type,
    const char *help);

/* metrics_value: one sample of name with the channel and program labels
 * and, when lname is not NULL, the label lname="lvalue" (escaped). */
void metrics_value(struct metrics *m, const char *name, const char *lname,
    const char *lvalue, uint64_t v);

/* metrics_counter, metrics_gauge: a metric with one sample, no label of
 * its own. */
void metrics_counter(struct metrics *m, const char *name, const char *help,
    uint64_t v);
void metrics_gauge(struct metrics *m, const char *name, const char *help,
    uint64_t v);

/*
 * metrics_commit: write the text to the file (temporary file, rename).
 * The first write failing is fatal (exit 111: a wrong directory shows at
 * start); later failures are warned, once a minute at most, and the next
 * interval tries again: metrics never stop the records. Returns 0 or -1.
 */
int metrics_commit(struct metrics *m);

/* metrics_free: the memory back (the file stays). */
void metrics_free(struct metrics *m);

/* metrics_escape: v as a label value ('\\', '"' and newline escaped)
 * into out of size n; the length it needs, as snprintf. */
size_t metrics_escape(char *out, size_t n, const char *v);

#endif
