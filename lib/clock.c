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
