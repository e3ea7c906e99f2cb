/* test_hist.c: the latency histogram: exact below 1 ms, under 1 % wide
 * above, percentiles by rank, merging, and the edges (empty, huge). */
#include <stdint.h>
#include <stdio.h>

#include "hist.h"
#include "tap.h"

static struct hist h, g;

static void
empty(void)
{
	hist_reset(&h);
	is_int(hist_pct(&h, 500000), 0, "empty: p50 is 0");
	is_int(hist_pct(&h, 1000000), 0, "empty: max is 0");
	is_int(h.n, 0, "empty: no values");
}

static void
exact(void)
{
	uint64_t v;

	hist_reset(&h);
	for (v = 1; v <= 100; v++)
		hist_add(&h, v);
	is_int(h.n, 100, "1..100: 100 values");
	is_int(hist_pct(&h, 500000), 50, "1..100: p50 is 50");
	is_int(hist_pct(&h, 900000), 90, "1..100: p90 is 90");
	is_int(hist_pct(&h, 990000), 99, "1..100: p99 is 99");
	is_int(hist_pct(&h, 999000), 100, "1..100: p99.9 is 100");
	is_int(hist_pct(&h, 1000000), 100, "1..100: max is 100");
	is_int(hist_pct(&h, 0), 1, "1..100: p0 is the minimum");
	is_int(h.min, 1, "1..100: min 1");

	hist_reset(&h);
	hist_add(&h, 0);
	hist_add(&h, 1023);
	is_int(hist_pct(&h, 500000), 0, "0 is a value of its own");
	is_int(hist_pct(&h, 999000), 1023, "1023 us: still exact");
}

/* every value v from 1 ms to 10^9 us lands in a bucket whose reported
 * value is v or above, and less than 1 % above */
static void
relative(void)
{
	uint64_t v, got, worst = 0;
	int bad = 0;

	for (v = 1024; v < 1000000000ull; v += v / 97 + 1) {
		hist_reset(&h);
		hist_add(&h, v);
		hist_add(&h, v + 1000000000000ull);	/* so max is not v */
		got = hist_pct(&h, 500000);
		if (got < v || (got - v) * 100 >= v)
			bad++;
		if ((got - v) * 1000000 / v > worst)
			worst = (got - v) * 1000000 / v;
	}
	is_int(bad, 0, "1 ms to 1000 s: within 1 %% above the value");
	ok(worst > 0 && worst < 7813, "widest bucket %llu ppm of its value "
	    "(1/128 = 7812)", (unsigned long long)worst);

	hist_reset(&h);
	hist_add(&h, 1500);
	is_int(hist_pct(&h, 500000), 1500, "a lone value is reported exactly "
	    "(clamped to the maximum)");
}

static void
ranks(void)
{
	int i;

	/* 999 fast, 1 slow: p99.9 is fast, anything above is the slow one */
	hist_reset(&h);
	for (i = 0; i < 999; i++)
		hist_add(&h, 200);
	hist_add(&h, 250000);
	is_int(hist_pct(&h, 999000), 200, "p99.9 of 999 x 200 + 1 slow: 200");
	ok(hist_pct(&h, 999001) >= 250000 && hist_pct(&h, 999001) < 252500,
	    "just above p99.9: the slow one's bucket");
	is_int(hist_pct(&h, 1000000), 250000, "max exact: 250000");
	is_int(h.min, 200, "min 200");
}

static void
huge(void)
{
	hist_reset(&h);
	hist_add(&h, UINT64_MAX / 2);
	hist_add(&h, 5);
	is_int(hist_pct(&h, 1000000), UINT64_MAX / 2, "huge: max exact");
	is_int(hist_pct(&h, 999000), UINT64_MAX / 2,
	    "huge: the last bucket reports the maximum");
	is_int(hist_pct(&h, 500000), 5, "huge: p50 still 5");
}

static void
merge(void)
{
	uint64_t v;

	hist_reset(&h);
	hist_reset(&g);
	for (v = 1; v <= 50; v++)
		hist_add(&h, v);
	for (v = 51; v <= 100; v++)
		hist_add(&g, v);
	hist_merge(&h, &g);
	is_int(h.n, 100, "merge: 100 values");
	is_int(hist_pct(&h, 500000), 50, "merge: p50 50");
	is_int(hist_pct(&h, 1000000), 100, "merge: max 100");
	is_int(h.min, 1, "merge: min 1");
	hist_reset(&g);
	hist_merge(&h, &g);
	is_int(h.n, 100, "merge of an empty one changes nothing");
	hist_reset(&g);
	hist_merge(&g, &h);
	is_int(g.min, 1, "merge into an empty one takes its min");
	is_int(g.n, 100, "merge: the count");
	is_int(hist_pct(&g, 1000000), hist_pct(&h, 1000000), "merge: the max");
}

int
main(void)
{
	empty();
	exact();
	relative();
	ranks();
	huge();
	merge();
	return tap_done();
}
