/* test_synth.c: the synthetic payload: its layout byte for byte, the
 * fill, and the smallest record. */
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

	synth_fill(p, sizeof p, 258, 1000);
	synth_stamp(p, 0x0123456789abcdefull);
	ok(memcmp(p, want, sizeof p) == 0, "the layout, byte for byte");
}

static void
fill(void)
{
	unsigned char p[300];
	size_t i;
	int good = 1;

	memset(p, 0xee, sizeof p);
	synth_fill(p, sizeof p, 7, 10);
	ok(memcmp(p + 24, "\0\0\0\0\0\0\0\0", 8) == 0,
	    "the send time is 0 until stamped");
	for (i = SYNTH_HDRLEN; i < sizeof p; i++)
		if (p[i] != (unsigned char)(7 + i))
			good = 0;
	ok(good, "byte i of the fill is (seq + i) mod 256, past 256 too");
	memset(p, 0xee, sizeof p);
	synth_fill(p, SYNTH_HDRLEN, 0, 1);
	ok(memcmp(p, "CRS1\0\0\0\x20", 8) == 0,
	    "the smallest record: header only, size 32");
	is_int(p[SYNTH_HDRLEN], 0xee, "nothing written past size");
}

/* sizes and sequence numbers around the fill's 256-byte steps */
static void
large(void)
{
	static unsigned char p[9001];
	static const size_t sizes[] = { 33, 287, 288, 289, 1400, 8972, 9000 };
	static const uint64_t seqs[] = { 0, 1, 255, 256, 0x1234567890abull };
	size_t i, k, j;
	int good = 1, past = 1;

	for (k = 0; k < sizeof sizes / sizeof sizes[0]; k++)
		for (j = 0; j < sizeof seqs / sizeof seqs[0]; j++) {
			memset(p, 0xee, sizeof p);
			synth_fill(p, sizes[k], seqs[j], 1);
			for (i = SYNTH_HDRLEN; i < sizes[k]; i++)
				if (p[i] != (unsigned char)(seqs[j] + i))
					good = 0;
			if (p[sizes[k]] != 0xee)
				past = 0;
		}
	ok(good, "the fill of sizes 33 to 9000, any seq: (seq + i) mod 256");
	ok(past, "and nothing written past their size");
}

int
main(void)
{
	layout();
	fill();
	large();
	return tap_done();
}
