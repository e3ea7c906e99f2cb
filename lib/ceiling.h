/* ceiling.h: the search for the highest connection rate a server holds:
 * steps of rising rate, each judged by its errors, its connect latency
 * and the rate it sustained, until one fails; the ceiling is the last
 * that held. */
#ifndef CEILING_H
#define CEILING_H

#include <stdint.h>
#include <stdio.h>

#include "storm.h"

struct ceiling {
	/* set before ceiling_begin */
	uint64_t start, max;	/* the first and the highest rate, a second */
	uint64_t factor;	/* rate over the last step's, x1000, > 1000 */
	uint64_t errmp;		/* errors a step may have, 1/1000 of a % */
	uint64_t maxlat;	/* connect p99 a step may have, ns */
	int json;		/* the report in JSON, else text */
	/* kept by the search */
	uint64_t rate, ceiling;	/* this step's rate, the last that held */
	int step, held;
};

/* ceiling_begin: the start of the report on out. Returns the first
 * step's rate. */
uint64_t ceiling_begin(struct ceiling *c, FILE *out);

/*
 * ceiling_step: judge the step just run at the rate the last call
 * returned, whose summary is s (interrupted: a signal stopped it), and
 * write it on out. Returns the next step's rate: the rate times the
 * factor, rounded up, at least one more, at most the highest; 0 when
 * the search is over (the step failed, or it was at the highest rate).
 */
uint64_t ceiling_step(struct ceiling *c, const struct stormsum *s,
    int interrupted, FILE *out);

/* ceiling_end: the ceiling on out, and a warning when every step held
 * (it is at least the highest rate) or none did. Returns the exit
 * status: 0 when a step held, else 1. */
int ceiling_end(struct ceiling *c, FILE *out);

#endif
