/* counters.h: a program's counters as one table, the source of both
 * the line it prints on USR1 and at exit (PROGRAM: key=value ...) and
 * its metrics file (lib/metrics), so the two cannot disagree. */
#ifndef COUNTERS_H
#define COUNTERS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "metrics.h"

/* the metric names every program shares (chanrelay(7) METRICS) */
#define CN_IN		"chanrelay_records_in_total"
#define CN_BYTES_IN	"chanrelay_bytes_in_total"
#define CN_OUT		"chanrelay_records_out_total"
#define CN_BYTES_OUT	"chanrelay_bytes_out_total"
#define CN_DROP		"chanrelay_records_dropped_total"

struct counter {
	const char *key;	/* in the line as key=value; NULL: not */
	const char *metric;	/* the metric; NULL: the line's only */
	const char *label;	/* "name=value", the sample's label, or NULL */
	const char *help;	/* the metric's HELP: on the first of its
				 * rows only (NULL on the others) */
	uint64_t v;
	int gauge;		/* a gauge, not a counter */
	const char *unit;	/* the line's suffix to the value, or NULL */
};

/* counters_line: "program: key=value ..." and a newline on f, the rows
 * with a key, in the table's order. */
void counters_line(FILE *f, const char *program, const struct counter *c,
    size_t n);

/* counters_rows: the rows with a metric into m's text, a HELP and TYPE
 * before each metric's first row. Rows of one metric must be next to
 * each other. */
void counters_rows(struct metrics *m, const struct counter *c, size_t n);

/* counters_metrics: the metrics file from the table alone
 * (metrics_begin, counters_rows, metrics_commit). */
void counters_metrics(struct metrics *m, const struct counter *c, size_t n);

#endif
