/* clock.h: the clocks as nanoseconds. */
#ifndef CLOCK_H
#define CLOCK_H

#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <time.h>

/* clock_mono: CLOCK_MONOTONIC, for intervals and deadlines (a step of
 * the wall clock never moves them). clock_wall: CLOCK_REALTIME. */
uint64_t clock_mono(void);
uint64_t clock_wall(void);

#define NS_PER_S 1000000000ull

/* clock_ts: ns nanoseconds as a struct timespec, for the calls that take
 * one (nanosleep, ppoll, epoll_pwait2, clock_nanosleep); past what a
 * time_t holds (68 years for a 32-bit one), the longest it holds. */
struct timespec clock_ts(uint64_t ns);

/*
 * clock_poll: ppoll(2) of the n fds in p until the clock_mono deadline
 * until (UINT64_MAX: as long as it takes; one already past: a look, no
 * wait), with the signal mask mask (NULL: ours as it is). Returns what
 * ppoll returns.
 */
int clock_poll(struct pollfd *p, nfds_t n, uint64_t until,
    const sigset_t *mask);

#endif
