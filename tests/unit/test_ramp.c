/* test_ramp.c: the ramp-and-hold schedule: counts, targets, due counts
 * at and around due times, and the inverse. */
#include <stdint.h>
#include <stdio.h>

#include "ramp.h"
#include "tap.h"

#define MS 1000000ull
#define S  1000000000ull

/* inverse: for every n below the target, time_of(n) is the first time
 * (to 1 us) by which n + 1 events are due. */
static int
inverse(const struct ramp *r)
{
	uint64_t n, t;

	for (n = 0; n < r->target; n++) {
		t = ramp_time_of(r, n);
		if (ramp_due_by(r, t) < n + 1)
			return printf("#   n %llu: due_by(%llu) = %llu\n",
			    (unsigned long long)n, (unsigned long long)t,
			    (unsigned long long)ramp_due_by(r, t)), 0;
		if (t > 1000 && ramp_due_by(r, t - 1001) > n)
			return printf("#   n %llu: due before %llu\n",
			    (unsigned long long)n, (unsigned long long)t), 0;
	}
	return 1;
}

/* monotonic: due_by and due_before never fall, and due_before(t) is at
 * most due_by(t), over the run in steps of step ns. */
static int
monotonic(const struct ramp *r, uint64_t step)
{
	uint64_t t, by = 0, before = 0, b, bb;

	for (t = 0; t <= r->total + step; t += step) {
		b = ramp_due_by(r, t);
		bb = ramp_due_before(r, t);
		if (b < by || bb < before || bb > b)
			return 0;
		by = b;
		before = bb;
	}
	return by == r->target && before == r->target;
}

static void
test_steady(void)
{
	struct ramp r;

	ramp_set(&r, 100, 100, 0, S);
	is_int(r.target, 100, "100/s for 1 s: 100 due");
	is_int(ramp_due_by(&r, 0), 1, "the first is due at 0");
	is_int(ramp_due_before(&r, 0), 0, "none due before 0");
	/* EPS, a millionth of an event, is 10 ns at 100/s */
	is_int(ramp_due_by(&r, 10 * MS - 100), 1, "one due by 9.9999 ms");
	is_int(ramp_due_by(&r, 10 * MS - 5), 2, "two due 5 ns early (EPS)");
	is_int(ramp_due_by(&r, 10 * MS), 2, "two due by 10 ms");
	is_int(ramp_due_before(&r, 10 * MS), 1, "one due before 10 ms");
	is_int(ramp_due_before(&r, 10 * MS + 100), 2,
	    "two before 10.0001 ms");
	is_int(ramp_due_by(&r, 5 * S), 100, "due_by stops at the target");
	is_int(ramp_due_before(&r, 5 * S), 100, "due_before too");
	is_int(ramp_time_of(&r, 0), 0, "time_of 0");
	is_int(ramp_time_of(&r, 1), 10 * MS, "time_of 1: 10 ms");
	is_int(ramp_time_of(&r, 99), 990 * MS, "time_of 99: 990 ms");
	is_int(ramp_time_of(&r, 250), 2500 * MS, "time_of past the target");
	ok(ramp_count(&r, S / 2) > 49.999 && ramp_count(&r, S / 2) < 50.001,
	    "count at 0.5 s is 50");
	ok(inverse(&r), "steady: time_of is due_by's inverse");
	ok(monotonic(&r, 997 * 1000), "steady: monotonic, ends at the target");

	ramp_set(&r, 1, 1, 0, MS);
	is_int(r.target, 1, "1/s for 1 ms: still one due");
	ramp_set(&r, 3, 3, 0, S);
	is_int(r.target, 3, "3/s for 1 s: 3 due (no rounding up past)");
	ramp_set(&r, 10000000, 10000000, 0, 86400 * S);
	ok(r.target == 864000000000ull, "10M/s for a day: 8.64e11 due");
	is_int(ramp_time_of(&r, 863999999999ull), 86400 * S - 100,
	    "the last of them 100 ns before the end");
}

static void
test_rise(void)
{
	struct ramp r;

	/* 10/s to 100/s over 1 s: 55 in the rise, then 100 in 1 s held */
	ramp_set(&r, 10, 100, S, S);
	is_int(r.total, 2 * S, "total is ramp and hold");
	is_int(r.target, 155, "ramp 10..100/s over 1 s, hold 1 s: 155 due");
	ok(ramp_count(&r, S) > 54.999 && ramp_count(&r, S) < 55.001,
	    "count at the end of the rise is 55");
	ok(ramp_count(&r, S / 2) > 16.249 && ramp_count(&r, S / 2) < 16.251,
	    "count halfway up: 10 * 0.5 + 90 * 0.25 / 2 = 16.25");
	is_int(ramp_due_by(&r, S / 2), 17, "17 due by halfway");
	is_int(ramp_time_of(&r, 55), S, "event 55 is due as the hold starts");
	is_int(ramp_time_of(&r, 65), S + 100 * MS, "event 65 at 1.1 s");
	ok(inverse(&r), "rise: time_of is due_by's inverse");
	ok(monotonic(&r, 1001 * 1000), "rise: monotonic, ends at the target");

	ramp_set(&r, 1, 1000, 3 * S, 0);
	is_int(r.target, 1502, "ramp 1..1000/s over 3 s, no hold: 1501.5 "
	    "rounds up");
	ok(inverse(&r), "ramp without hold: inverse");
	ok(monotonic(&r, 333 * 1000), "ramp without hold: monotonic");

	ramp_set(&r, 200, 20, S, S);
	is_int(r.target, 130, "a falling ramp 200..20/s: 110 + 20 due");
	ok(inverse(&r), "falling ramp: inverse");
	ok(monotonic(&r, 777 * 1000), "falling ramp: monotonic");
}

int
main(void)
{
	test_steady();
	test_rise();
	return tap_done();
}
