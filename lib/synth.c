/* synth.c: the synthetic payload: a sequence number and the send time. */
#include <string.h>

#include "put.h"
#include "synth.h"

/* ramp[k] is k modulo 256, for any 256 bytes from any start */
static const unsigned char ramp[512] = {
#define R16(b) b, b + 1, b + 2, b + 3, b + 4, b + 5, b + 6, b + 7, b + 8, \
	b + 9, b + 10, b + 11, b + 12, b + 13, b + 14, b + 15
#define R256(b) R16(b), R16(b + 16), R16(b + 32), R16(b + 48), R16(b + 64), \
	R16(b + 80), R16(b + 96), R16(b + 112), R16(b + 128), R16(b + 144), \
	R16(b + 160), R16(b + 176), R16(b + 192), R16(b + 208), R16(b + 224), \
	R16(b + 240)
	R256(0), R256(0)
#undef R256
#undef R16
};

void
synth_fill(unsigned char *p, size_t size, uint64_t seq, uint64_t count)
{
	size_t i, n;

	put_be32(p, SYNTH_MAGIC);
	put_be32(p + 4, (uint32_t)size);
	put_be64(p + 8, seq);
	put_be64(p + 16, count);
	put_be64(p + 24, 0);
	/* byte i is seq + i, modulo 256: the first 256 from a ramp, then
	 * what is filled copied after itself, doubling (a byte loop was a
	 * third of a bulk sender's time) */
	if (size <= SYNTH_HDRLEN)
		return;
	n = size - SYNTH_HDRLEN < 256 ? size - SYNTH_HDRLEN : 256;
	memcpy(p + SYNTH_HDRLEN, ramp + (unsigned char)(seq + SYNTH_HDRLEN), n);
	for (i = SYNTH_HDRLEN + n; i < size; i += n) {
		n = i - SYNTH_HDRLEN;
		if (n > size - i)
			n = size - i;
		memcpy(p + i, p + SYNTH_HDRLEN, n);
	}
}

void
synth_stamp(unsigned char *p, uint64_t ns)
{
	put_be64(p + 24, ns);
}
