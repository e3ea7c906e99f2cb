/* clock.c: the clocks as nanoseconds. */
#include <time.h>

#include "clock.h"

static uint64_t
ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

uint64_t
clock_mono(void)
{
	return ns(CLOCK_MONOTONIC);
}

uint64_t
clock_wall(void)
{
	return ns(CLOCK_REALTIME);
}

/* the last second a time_t holds: 2038-01-19T03:14:07Z for a 32-bit one */
#define TS_MAX (((uint64_t)1 << (sizeof(time_t) * 8 - 1)) - 1)

struct timespec
clock_ts(uint64_t ns)
{
	struct timespec ts;

	/* a 32-bit time_t would wrap a long wait into a negative one, which
	 * ppoll refuses: the longest it holds instead */
	if (ns / NS_PER_S > TS_MAX) {
		ts.tv_sec = (time_t)TS_MAX;
		ts.tv_nsec = 999999999;
		return ts;
	}
	ts.tv_sec = (time_t)(ns / NS_PER_S);
	ts.tv_nsec = (long)(ns % NS_PER_S);
	return ts;
}

int
clock_poll(struct pollfd *p, nfds_t n, uint64_t until, const sigset_t *mask)
{
	struct timespec ts;
	uint64_t now;

	if (until == UINT64_MAX)
		return ppoll(p, n, NULL, mask);
	now = clock_mono();
	ts = clock_ts(until > now ? until - now : 0);
	return ppoll(p, n, &ts, mask);
}
