/* test_clock.c: the clocks as nanoseconds: the monotonic one never goes
 * back and counts a sleep; the wall clock is the Epoch's. */
#include <stdint.h>
#include <time.h>

#include "clock.h"
#include "tap.h"

int
main(void)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	uint64_t a, b, w;
	int i, back = 0;

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
	return tap_done();
}
