/* test_clock.c: the clocks as nanoseconds: the monotonic one never goes
 * back and counts a sleep; the wall clock is the Epoch's; clock_ts splits
 * nanoseconds into a timespec; clock_poll waits until a deadline. */
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "tap.h"

int
main(void)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	struct timespec t;
	struct pollfd p;
	uint64_t a, b, w;
	int i, back = 0, fds[2];

	a = clock_mono();
	for (i = 0; i < 100000; i++) {
		b = clock_mono();
		back |= b < a;
		a = b;
	}
	ok(!back, "clock_mono never goes back over 100000 reads");
	a = clock_mono();
	nanosleep(&ts, NULL);
	b = clock_mono();
	ok(b - a >= 20 * 1000 * 1000, "a 20 ms sleep is at least 20 ms");
	ok(b - a < 10 * NS_PER_S, "  and well under 10 s (%llu ns)",
	    (unsigned long long)(b - a));
	w = clock_wall();
	ok(w / NS_PER_S >= (uint64_t)time(NULL) - 1 &&
	    w / NS_PER_S <= (uint64_t)time(NULL),
	    "clock_wall is time(NULL), in nanoseconds");
	is_int(NS_PER_S, 1000000000, "NS_PER_S");
	t = clock_ts(0);
	ok(t.tv_sec == 0 && t.tv_nsec == 0, "clock_ts(0) is 0 s 0 ns");
	t = clock_ts(NS_PER_S - 1);
	ok(t.tv_sec == 0 && t.tv_nsec == 999999999,
	    "clock_ts(1 s - 1 ns) is 0 s 999999999 ns");
	t = clock_ts(NS_PER_S);
	ok(t.tv_sec == 1 && t.tv_nsec == 0, "clock_ts(1 s) is 1 s 0 ns");
	t = clock_ts(86400 * NS_PER_S + 123456789);
	ok(t.tv_sec == 86400 && t.tv_nsec == 123456789,
	    "clock_ts(a day and 123456789 ns)");
	t = clock_ts(UINT64_MAX);
	if (sizeof(time_t) >= 8)
		ok((uint64_t)t.tv_sec == UINT64_MAX / NS_PER_S &&
		    t.tv_nsec == (long)(UINT64_MAX % NS_PER_S),
		    "clock_ts(UINT64_MAX) splits, no overflow");
	else
		ok((int64_t)t.tv_sec == INT32_MAX && t.tv_nsec == 999999999,
		    "clock_ts(UINT64_MAX): a 32-bit time_t's longest");
	t = clock_ts((uint64_t)INT32_MAX * NS_PER_S + 5);
	ok((int64_t)t.tv_sec == INT32_MAX && t.tv_nsec == 5,
	    "clock_ts(2^31 - 1 s + 5 ns) splits");
	if (pipe(fds) == -1)
		abort();
	p.fd = fds[0];
	p.events = POLLIN;
	w = clock_mono();
	is_int(clock_poll(&p, 1, w + NS_PER_S / 20, NULL), 0,
	    "clock_poll: nothing to read by the deadline: 0");
	ok(clock_mono() - w >= NS_PER_S / 20, "  after waiting for it");
	w = clock_mono();
	is_int(clock_poll(&p, 1, 1, NULL), 0, "  a deadline past: 0");
	ok(clock_mono() - w < NS_PER_S / 20, "  at once");
	(void)!write(fds[1], "x", 1);
	is_int(clock_poll(&p, 1, UINT64_MAX, NULL), 1,
	    "  no deadline: until the fd is ready");
	ok(p.revents & POLLIN, "  POLLIN");
	close(fds[0]);
	close(fds[1]);
	return tap_done();
}
