/* ramp.h: a rate that rises linearly then holds, and when each of the
 * events it schedules is due. */
#ifndef RAMP_H
#define RAMP_H

#include <stdint.h>

/*
 * The rate rises linearly from s to r events a second over ramp ns, then
 * holds r until total ns. Event i (from 0) is due when the integral of
 * the rate reaches i, so the first is due at 0. Unlike a pace schedule,
 * any event's time is known without scheduling those before it. Times
 * are ns after the start.
 */
struct ramp {
	double s, r;		/* start and final rate, events a second */
	uint64_t ramp, total;	/* the rise, and the whole run, in ns */
	uint64_t target;	/* events due before total: at least 1 */
};

/* ramp_set: start rate, rate (both > 0), ramp ns, then hold dur ns. */
void ramp_set(struct ramp *s, uint64_t start, uint64_t rate, uint64_t ramp,
    uint64_t dur);

/* ramp_count: the integral of the rate from 0 to t (t ns): event i is
 * due when it reaches i. */
double ramp_count(const struct ramp *s, uint64_t t);

/* ramp_due_by: events due at or before t, at most target. */
uint64_t ramp_due_by(const struct ramp *s, uint64_t t);

/* ramp_due_before: events due strictly before t, at most target. */
uint64_t ramp_due_before(const struct ramp *s, uint64_t t);

/* ramp_time_of: when event n (from 0) is due, to within 1 us in the rise
 * (the first time it is due by then); n may be past target. */
uint64_t ramp_time_of(const struct ramp *s, uint64_t n);

#endif
