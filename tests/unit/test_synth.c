/* test_synth.c: the synthetic payload: its layout byte for byte, the
 * checks, and loss, order and latency over a run. */
#include <stdint.h>
#include <string.h>

#include "synth.h"
#include "tap.h"

static void
layout(void)
{
	static const unsigned char want[40] = {
		0x43, 0x52, 0x53, 0x31,	0, 0, 0, 40,	/* "CRS1", size 40 */
		0, 0, 0, 0, 0, 0, 0x01, 0x02,		/* seq 258 */
		0, 0, 0, 0, 0, 0, 0x03, 0xe8,		/* count 1000 */
		0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,	/* time */
		0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29,	/* 258+32.. */
	};
	unsigned char p[40];
	struct synth s;

	synth_fill(p, sizeof p, 258, 1000);
	synth_stamp(p, 0x0123456789abcdefull);
	ok(memcmp(p, want, sizeof p) == 0, "the layout, byte for byte");
	is_str(synth_parse(p, sizeof p, &s), NULL, "it parses");
	is_int(s.size, 40, "size");
	is_int(s.seq, 258, "seq");
	is_int(s.count, 1000, "count");
	is_int(s.ns, 0x0123456789abcdefll, "send time");
}

static void
checks(void)
{
	unsigned char p[64];
	struct synth s;

	synth_fill(p, sizeof p, 7, 10);
	is_str(synth_parse(p, 31, &s), "too short", "31 bytes: too short");
	is_str(synth_parse(p, 63, &s), "length differs from size",
	    "cut by one byte");
	p[40] ^= 1;
	is_str(synth_parse(p, 64, &s), "bad fill", "a flipped fill bit");
	p[40] ^= 1;
	p[0] = 'X';
	is_str(synth_parse(p, 64, &s), "bad magic", "bad magic");
	synth_fill(p, sizeof p, 10, 10);
	is_str(synth_parse(p, 64, &s), "seq past count", "seq == count");
	synth_fill(p, SYNTH_HDRLEN, 0, 1);
	is_str(synth_parse(p, SYNTH_HDRLEN, &s), NULL,
	    "the smallest record, header only");
}

static void
stats(void)
{
	static const uint64_t order[] = { 0, 1, 3, 2, 5, 6 };	/* 4, 7 lost */
	struct synth_stats st;
	unsigned char p[48];
	size_t i;

	synth_stats_init(&st);
	for (i = 0; i < sizeof order / sizeof order[0]; i++) {
		synth_fill(p, sizeof p, order[i], 8);
		synth_stamp(p, 1000 * (order[i] + 1));
		is_str(synth_stats_add(&st, p, sizeof p,
		    (int64_t)(1000 * (order[i] + 1) + 10 + order[i])), NULL,
		    "record %llu counted", (unsigned long long)order[i]);
	}
	p[0] = 0;
	ok(synth_stats_add(&st, p, sizeof p, 0) != NULL, "a bad one is bad");
	is_int(st.received, 6, "received 6");
	is_int(st.bad, 1, "1 bad");
	is_int(st.late, 1, "1 out of order (2 after 3)");
	is_int(synth_lost(&st), 2, "2 lost: 4, and 7 at the tail");
	is_int(st.lat_min, 10, "latency min 10 ns");
	is_int(st.lat_max, 16, "latency max 16 ns");
}

int
main(void)
{
	layout();
	checks();
	stats();
	return tap_done();
}
