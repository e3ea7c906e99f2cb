/* pace.c: an absolute schedule of due times: a fixed rate or a replay. */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "pace.h"

void
pace_rate(struct pace *p, uint64_t rate, unsigned batch)
{
	memset(p, 0, sizeof *p);
	p->mode = PACE_RATE;
	p->rate = rate;
	p->batch = batch > 0 ? batch : 1;
	p->spin = PACE_SPIN;
	/* more than one record a window: batches of a window's records,
	 * whose times are exact to the window: nothing to spin for */
	if (NS_PER_S / rate < PACE_TRAIN) {
		p->window = PACE_TRAIN;
		p->spin = 0;
	}
}

void
pace_replay(struct pace *p, uint64_t milli, unsigned batch)
{
	memset(p, 0, sizeof *p);
	p->mode = PACE_REPLAY;
	p->milli = milli;
	p->batch = batch > 0 ? batch : 1;
	p->spin = PACE_SPIN;
}

/* offset: ns after the first record, scaled, exact and without overflow
 * (d / m * 1000 + d % m * 1000 / m, where d % m * 1000 < 10^9). */
static uint64_t
offset(struct pace *p, int64_t sec, uint32_t nsec)
{
	int64_t d;
	uint64_t u, m = p->milli;

	if (p->mode == PACE_RATE) {
		u = p->n;
		return u / p->rate * NS_PER_S +
		    u % p->rate * NS_PER_S / p->rate;
	}
	if (p->n == 0) {
		p->sec0 = sec;
		p->nsec0 = nsec;
	}
	/* saturate rather than wrap on absurd timestamps */
	if (sec - p->sec0 > INT64_MAX / (int64_t)NS_PER_S - 1)
		d = INT64_MAX - (int64_t)NS_PER_S;
	else if (sec < p->sec0)
		d = 0;
	else
		d = (sec - p->sec0) * (int64_t)NS_PER_S + (int64_t)nsec -
		    (int64_t)p->nsec0;
	u = d > 0 ? (uint64_t)d : 0;
	if (u < p->last)
		u = p->last;
	p->last = u;
	return u / m * 1000 + u % m * 1000 / m;
}

uint64_t
pace_due(struct pace *p, int64_t sec, uint32_t nsec, uint64_t now)
{
	uint64_t due;

	if (p->n == 0)
		p->start = now;
	due = p->start + p->shift + offset(p, sec, nsec);
	p->n++;
	p->run = due < now ? p->run + 1 : 0;
	return due;
}

int
pace_behind(const struct pace *p, uint64_t due, uint64_t now)
{
	/* one batch of catching up is allowed: short stalls are made up */
	return p->run > p->batch && now > due && now - due > PACE_SLIP;
}

uint64_t
pace_slip(struct pace *p, uint64_t due, uint64_t now)
{
	if (now <= due)
		return due;
	p->shift += now - due;
	p->run = 1;
	return now;
}

int
pace_ready(struct pace *p, uint64_t due)
{
	uint64_t now = clock_mono();

	if (due > now)
		return 0;
	if (pace_behind(p, due, now))
		pace_slip(p, due, now);
	return 1;
}

int
pace_sleep(const struct pace *p, uint64_t due)
{
	struct timespec ts;
	uint64_t t;
	int e;

	if (clock_mono() + p->spin < due) {
		t = due - p->spin;
		ts = clock_ts(t);
		/* absolute: a late wakeup never shifts the next due time */
		e = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
		if (e == EINTR) {
			errno = EINTR;
			return -1;
		}
	}
	while (clock_mono() < due)
		;
	return 0;
}
