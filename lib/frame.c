/* frame.c: tell pcap from text by a stream's first bytes. */
#include <stddef.h>
#include <stdint.h>

#include "extract.h"
#include "frame.h"
#include "pcapw.h"

int
frame_detect(const unsigned char *p, size_t n)
{
	struct cursor c;
	uint32_t m;

	cur_init(&c, p, n);
	if (!cur_be32(&c, &m))
		return FRAME_TEXT;
	switch (m) {
	case PCAP_MAGIC_US:
	case PCAP_MAGIC_NS:
	case 0xd4c3b2a1u:
	case 0x4d3cb2a1u:
		return FRAME_PCAP;
	}
	return FRAME_TEXT;
}
