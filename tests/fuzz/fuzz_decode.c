/*
 * fuzz_decode.c: libFuzzer harness for the packet decoder on its own. The
 * first input byte picks the link type (every one decode_udp knows, and
 * one it does not), the rest is the captured frame. A UDP answer must lie
 * inside the frame; any other answer must leave nothing behind but frag.
 *
 * Built by `make build/fuzz/fuzz_decode`; run by tests/fuzz/run.sh decode.
 */
#include <sys/socket.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* RAW, DLT_RAW (BSD, OpenBSD), IPV4, IPV6, EN10MB, LINUX_SLL,
 * LINUX_SLL2, NULL, LOOP, and 147 (USER0), which is none of them */
static const uint32_t linktypes[] = {
	101, 12, 14, 228, 229, 1, 113, 276, 0, 108, 147
};
#define NLINK (sizeof linktypes / sizeof linktypes[0])

static volatile unsigned sink;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const unsigned char *frame;
	struct udpinfo u;
	struct udpmeta m;
	uint32_t lt, caplen, i;
	int n;

	if (size < 1 || size - 1 > UINT32_MAX)
		return 0;
	lt = linktypes[data[0] % NLINK];
	frame = data + 1;
	caplen = (uint32_t)(size - 1);
	n = decode_udp(lt, frame, caplen, &u);
	if (n == 1) {
		if ((u.af != AF_INET && u.af != AF_INET6) ||
		    u.payload < frame || u.paylen > caplen ||
		    (size_t)(u.payload - frame) > caplen - u.paylen ||
		    u.paylen > u.paylen_orig || u.frag || lt == 147)
			abort();
		for (i = 0; i < u.paylen; i++)
			sink += u.payload[i];
		decode_meta(&u, 1700000000, 999999999, &m);
		if (m.af != u.af || m.sport != u.sport || m.dport != u.dport ||
		    memcmp(m.src, u.src, sizeof m.src) != 0)
			abort();
	} else if (n != 0 || u.paylen != 0 || u.payload != NULL ||
	    u.af != 0 || u.sport != 0 || u.dport != 0 ||
	    (u.frag != 0 && u.frag != 1))
		abort();
	return 0;
}
