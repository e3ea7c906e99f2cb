/* synth.c: the synthetic payload: a sequence number and the send time. */
#include <string.h>

#include "put.h"
#include "synth.h"

void
synth_fill(unsigned char *p, size_t size, uint64_t seq, uint64_t count)
{
	size_t i;

	put_be32(p, SYNTH_MAGIC);
	put_be32(p + 4, (uint32_t)size);
	put_be64(p + 8, seq);
	put_be64(p + 16, count);
	put_be64(p + 24, 0);
	for (i = SYNTH_HDRLEN; i < size; i++)
		p[i] = (unsigned char)(seq + i);
}

void
synth_stamp(unsigned char *p, uint64_t ns)
{
	put_be64(p + 24, ns);
}
