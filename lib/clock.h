/* clock.h: the clocks as nanoseconds. */
#ifndef CLOCK_H
#define CLOCK_H

#include <stdint.h>

/* clock_mono: CLOCK_MONOTONIC, for intervals and deadlines (a step of
 * the wall clock never moves them). clock_wall: CLOCK_REALTIME. */
uint64_t clock_mono(void);
uint64_t clock_wall(void);

#define NS_PER_S 1000000000ull

#endif
