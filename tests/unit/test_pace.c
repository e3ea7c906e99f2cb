/* test_pace.c: the schedule: even spacing, replay offsets, scaling, slips,
 * pace_ready, and that pace_sleep wakes at its due time, not before,
 * sleeping then spinning or (a spin longer than the wait) spinning only. */
#include <stdint.h>
#include <stdio.h>

#include "clock.h"
#include "pace.h"
#include "tap.h"

#define MS	1000000ull
#define T0	5000000000ull	/* an arbitrary start: 5 s */

static void
rate(void)
{
	struct pace p;
	uint64_t d[4];
	int i;

	pace_rate(&p, 1000, 32);
	for (i = 0; i < 4; i++)
		d[i] = pace_due(&p, 0, 0, T0 + 123 * (uint64_t)i);
	is_int(d[0], T0, "rate: the first record is due at once");
	is_int(d[1] - d[0], MS, "rate 1000: 1 ms apart");
	is_int(d[3] - d[0], 3 * MS, "rate 1000: the third 3 ms after the first");

	/* 3 a second: offsets 0, 333333333, 666666666, 1 s exactly: no drift */
	pace_rate(&p, 3, 32);
	for (i = 0; i < 4; i++)
		d[i] = pace_due(&p, 0, 0, T0);
	is_int(d[1] - T0, 333333333, "rate 3: the second at 1/3 s");
	is_int(d[3] - T0, 1000000000, "rate 3: the fourth at 1 s exactly");

	/* far along, no overflow: record 10^10 at 10^9 a second is 10 s */
	pace_rate(&p, 1000000000, 32);
	(void)pace_due(&p, 0, 0, T0);
	p.n = 10000000000ull;
	is_int(pace_due(&p, 0, 0, T0) - T0, 10000000000ull,
	    "rate 10^9: record 10^10 is due 10 s after the first");
}

static void
replay(void)
{
	struct pace p;

	pace_replay(&p, 1000, 32);
	is_int(pace_due(&p, 100, 999999000, T0), T0, "replay: first at once");
	is_int(pace_due(&p, 101, 4000, T0) - T0, 5000,
	    "replay 1x: 5 us later across a second boundary");
	is_int(pace_due(&p, 101, 1000, T0) - T0, 5000,
	    "replay: an earlier timestamp goes right after the one before");
	is_int(pace_due(&p, 102, 999999000, T0) - T0, 2000000000,
	    "replay 1x: 2 s later");

	pace_replay(&p, 2000, 32);
	(void)pace_due(&p, 7, 0, T0);
	is_int(pace_due(&p, 7, 50 * MS, T0) - T0, 25 * MS,
	    "replay 2x: a 50 ms gap becomes 25 ms");
	pace_replay(&p, 500, 32);
	(void)pace_due(&p, 7, 0, T0);
	is_int(pace_due(&p, 7, 50 * MS, T0) - T0, 100 * MS,
	    "replay 0.5x: a 50 ms gap becomes 100 ms");
	pace_replay(&p, 1, 32);
	(void)pace_due(&p, 0, 0, T0);
	is_int(pace_due(&p, 86400, 0, T0) - T0, 86400000ull * 1000 * MS,
	    "replay 0.001x: a day becomes 1000 days, no overflow");
	pace_replay(&p, 3000, 32);
	(void)pace_due(&p, 0, 0, T0);
	is_int(pace_due(&p, 1, 0, T0) - T0, 333333333,
	    "replay 3x: 1 s becomes 1/3 s, rounded down");
	pace_replay(&p, 1000, 32);
	(void)pace_due(&p, 10, 0, T0);
	is_int(pace_due(&p, 5, 0, T0) - T0, 0,
	    "replay: an earlier second is never before the first record");
}

static void
slip(void)
{
	struct pace p;
	uint64_t d = 0, now;
	int i;

	/* a 4 ms stall at 1000/s: 4 records due at once, made up, no slip */
	pace_rate(&p, 1000, 32);
	(void)pace_due(&p, 0, 0, T0);
	now = T0 + 4 * MS + 1;
	for (i = 1; i <= 4; i++) {
		d = pace_due(&p, 0, 0, now);
		ok(!pace_behind(&p, d, now), "short stall: record %d catches up",
		    i);
	}
	is_int(p.run, 4, "4 in a row due already");
	is_int(pace_due(&p, 0, 0, now) - now, MS - 1,
	    "the next is on the old schedule");
	is_int(p.run, 0, "a record not due yet ends the run");

	/* a 93 ms stall: one batch goes at once, then the schedule slips */
	pace_rate(&p, 1000, 4);
	(void)pace_due(&p, 0, 0, T0);
	now = T0 + 93 * MS;
	for (i = 1; i <= 4; i++) {
		d = pace_due(&p, 0, 0, now);
		ok(!pace_behind(&p, d, now), "long stall: record %d of the "
		    "first batch catches up", i);
	}
	d = pace_due(&p, 0, 0, now);
	is_int(now - d, 88 * MS, "the fifth is 88 ms late");
	ok(pace_behind(&p, d, now), "past a batch and 1 ms behind: slip");
	is_int(pace_slip(&p, d, now), now, "a slip makes the late record due now");
	is_int(p.run, 1, "it starts a new run");
	is_int(pace_due(&p, 0, 0, now) - now, MS,
	    "after the stall the spacing is kept, the time not made up");
	is_int(p.shift, 88 * MS, "the shift is the time lost");

	/* behind by at most 1 ms after a batch: still caught up */
	pace_replay(&p, 1000, 2);
	(void)pace_due(&p, 0, 0, T0);
	for (i = 1; i <= 3; i++)
		d = pace_due(&p, 0, (uint32_t)i * 1000, T0 + MS + 3000);
	ok(!pace_behind(&p, d, T0 + MS + 3000), "1 ms behind is not a stall");
	ok(!pace_behind(&p, d, d - 5), "early is never behind");
	is_int(pace_slip(&p, d + 500 * MS, d), d + 500 * MS,
	    "slipping an early record changes nothing");
}

static void
ready(void)
{
	struct pace p;
	uint64_t now, d;
	int i;

	pace_rate(&p, 10, 2);
	now = clock_mono();
	d = pace_due(&p, 0, 0, now);
	ok(pace_ready(&p, d), "pace_ready: the first record is due at once");
	d = pace_due(&p, 0, 0, now);
	ok(!pace_ready(&p, d), "  the next is 100 ms on: not yet");
	is_int(p.shift, 0, "  no slip");

	/* a stall of 200 ms: past a batch of 2 in a row, the schedule slips */
	pace_rate(&p, 1000, 2);
	(void)pace_due(&p, 0, 0, now - 200 * MS);
	for (i = 1; i <= 2; i++) {
		d = pace_due(&p, 0, 0, now);
		ok(pace_ready(&p, d), "  stalled: record %d due already", i);
	}
	is_int(p.shift, 0, "  a batch catches up, no slip");
	d = pace_due(&p, 0, 0, now);
	ok(pace_ready(&p, d), "  the third is due already");
	ok(p.shift > 190 * MS, "  and the schedule slipped");
	is_int(p.run, 1, "  a new run");
}

static void
sleep_until(uint64_t spin)
{
	struct pace p;
	uint64_t due, now, worst = 0;
	int i;

	pace_rate(&p, 1000, 1);
	is_int(p.spin, PACE_SPIN, "the spin is PACE_SPIN unless set");
	p.spin = spin;
	for (i = 0; i < 20; i++) {
		due = clock_mono() + 2 * MS + (uint64_t)i * 10000;
		ok(pace_sleep(&p, due) == 0, "pace_sleep returns 0 (%d)", i);
		now = clock_mono();
		if (now < due)
			break;
		if (now - due > worst)
			worst = now - due;
	}
	is_int(i, 20, "pace_sleep never wakes before its due time");
	printf("# spin %llu ns: worst wakeup after the due time: %llu ns\n",
	    (unsigned long long)spin, (unsigned long long)worst);
	due = clock_mono() - MS;
	ok(pace_sleep(&p, due) == 0, "a due time in the past returns at once");
}

/* window: above a record every PACE_TRAIN, batches of a window and no
 * spin; below, each record at its time, spun to */
static void
window(void)
{
	struct pace p;

	pace_rate(&p, 1000, 32);
	is_int(p.window, 0, "rate 1000: no window: each record at its time");
	is_int(p.spin, PACE_SPIN, "  spun to");
	pace_rate(&p, NS_PER_S / PACE_TRAIN, 32);
	is_int(p.window, 0, "a record every PACE_TRAIN: no window yet");
	pace_rate(&p, NS_PER_S / PACE_TRAIN + 1, 32);
	is_int(p.window, PACE_TRAIN, "more than one a window: a window");
	is_int(p.spin, 0, "  and no spin");
	pace_replay(&p, 1000, 32);
	is_int(p.window, 0, "replay: no window");
	is_int(p.spin, PACE_SPIN, "  spun to");
}

int
main(void)
{
	rate();
	replay();
	slip();
	ready();
	window();
	sleep_until(PACE_SPIN);
	sleep_until(3 * MS);	/* longer than the sleep: all spun */
	return tap_done();
}
