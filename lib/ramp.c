/* ramp.c: a rate that rises linearly then holds, and when each of the
 * events it schedules is due. */
#include <stdint.h>

#include "clock.h"
#include "ramp.h"

#define EPS	1e-6		/* slack of the floating-point arithmetic */

double
ramp_count(const struct ramp *s, uint64_t t)
{
	double x = (double)t / NS_PER_S, R = (double)s->ramp / NS_PER_S;

	if (x >= R)
		return (s->s + s->r) * R / 2 + s->r * (x - R);
	return s->s * x + (s->r - s->s) * x * x / (2 * R);
}

static uint64_t
floorpos(double x)
{
	return x <= 0 ? 0 : (uint64_t)x;
}

static uint64_t
ceilpos(double x)
{
	uint64_t f = floorpos(x);

	return (double)f < x ? f + 1 : f;
}

uint64_t
ramp_due_by(const struct ramp *s, uint64_t t)
{
	uint64_t n = floorpos(ramp_count(s, t) + EPS) + 1;

	return n < s->target ? n : s->target;
}

uint64_t
ramp_due_before(const struct ramp *s, uint64_t t)
{
	uint64_t n = t ? ceilpos(ramp_count(s, t) - EPS) : 0;

	return n < s->target ? n : s->target;
}

/* ramp_time_of: in the hold, in closed form; in the rise, a bisection of
 * ramp_count rather than the quadratic's root, which degenerates as the
 * start rate nears the final one. */
uint64_t
ramp_time_of(const struct ramp *s, uint64_t n)
{
	double cr = ramp_count(s, s->ramp);
	uint64_t lo = 0, hi = s->ramp, mid;

	if ((double)n >= cr - EPS)
		return s->ramp + floorpos(((double)n - cr) / s->r * NS_PER_S);
	while (hi - lo > 1000) {
		mid = lo + (hi - lo) / 2;
		if (ramp_count(s, mid) >= (double)n - EPS)
			hi = mid;
		else
			lo = mid;
	}
	return hi;
}

void
ramp_set(struct ramp *s, uint64_t start, uint64_t rate, uint64_t ramp,
    uint64_t dur)
{
	s->s = (double)start;
	s->r = (double)rate;
	s->ramp = ramp;
	s->total = ramp + dur;
	s->target = ceilpos(ramp_count(s, s->total) - EPS);
	if (s->target == 0)
		s->target = 1;
}
