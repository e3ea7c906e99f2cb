/*
 * fuzz_pcapr.c: libFuzzer harness for the stream reader, the decoder and
 * the line reader. The input is a whole stream. It is read twice, from
 * memory and from a file descriptor (whose reads go through pcapr's own
 * growing buffer), and the two readings must agree record for record;
 * every record is decoded with the file's link type and the answer
 * checked against the frame's bounds. The same bytes are also cut into
 * lines, which must give the input back.
 *
 * Built by `make build/fuzz/fuzz_pcapr`; run by tests/fuzz/run.sh pcapr.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE		/* memfd_create */
#endif
#include <sys/mman.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decode.h"
#include "frame.h"
#include "liner.h"
#include "pcapr.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static volatile unsigned sink;

/* check_decode: decode one record; the payload must lie in the frame */
static void
check_decode(const struct pcapr *r, const struct pcaprec *rec)
{
	struct udpinfo u;
	uint32_t i;
	int n;

	n = decode_udp(r->linktype, rec->data, rec->caplen, &u);
	if (n == 1) {
		if (u.payload < rec->data || u.paylen > rec->caplen ||
		    (size_t)(u.payload - rec->data) > rec->caplen - u.paylen ||
		    u.paylen > u.paylen_orig || u.frag)
			abort();
		/* touch every payload byte: ASan checks them */
		for (i = 0; i < u.paylen; i++)
			sink += u.payload[i];
	} else if (n != 0 || u.paylen != 0 || u.payload != NULL)
		abort();
}

/* memfd: the input as a file descriptor at offset 4 (the first bytes
 * are handed to pcapr as a prefix, the way frame detection does) */
static int
memfd(const uint8_t *data, size_t size)
{
	int fd;

	if ((fd = memfd_create("fuzz", 0)) == -1)
		abort();
	if (write(fd, data, size) != (ssize_t)size ||
	    lseek(fd, size < 4 ? (off_t)size : 4, SEEK_SET) == -1)
		abort();
	return fd;
}

static void
fuzz_pcap(const uint8_t *data, size_t size)
{
	struct pcapr rm, rf;
	struct pcaprec a, b;
	size_t plen = size < 4 ? size : 4;
	int fd, na, nb;

	fd = memfd(data, size);
	na = pcapr_open_mem(&rm, data, size);
	nb = pcapr_open(&rf, fd, data, plen);
	if (na != nb || strcmp(rm.err, rf.err) != 0)
		abort();
	while (na == 0) {
		na = pcapr_next(&rm, &a);
		nb = pcapr_next(&rf, &b);
		if (na != nb || strcmp(rm.err, rf.err) != 0)
			abort();
		if (na != 1)
			break;
		if (a.caplen != b.caplen || a.origlen != b.origlen ||
		    a.sec != b.sec || a.nsec != b.nsec || a.nsec >= 1000000000 ||
		    a.offset != b.offset || a.caplen > PCAPR_MAXCAPLEN ||
		    memcmp(a.data, b.data, a.caplen) != 0)
			abort();
		check_decode(&rm, &a);
	}
	pcapr_close(&rm);
	pcapr_close(&rf);
	close(fd);
}

/* fuzz_lines: the pieces put back together give the input back, read
 * from memory alone (fd -1) or from a prefix and then the fd */
static void
fuzz_lines(const uint8_t *data, size_t size, int fd)
{
	struct liner l;
	const unsigned char *line;
	size_t len, o = 0, max = size > 0 ? 1 + data[0] % 64 : 1;
	int fl;

	if (liner_init(&l, fd, data, fd < 0 ? size : size < 4 ? size : 4,
	    max) == -1)
		return;
	while (liner_next(&l, &line, &len, &fl) == 1) {
		if (len > max || o + len > size ||
		    memcmp(line, data + o, len) != 0 ||
		    ((fl & LINE_MORE) && len != max))
			abort();
		o += len;
		if (!(fl & (LINE_MORE | LINE_NONL))) {
			if (o >= size || data[o] != '\n')
				abort();
			o++;
		}
	}
	if (o != size)
		abort();
	liner_free(&l);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd;

	(void)frame_detect(data, size);
	fuzz_pcap(data, size);
	fuzz_lines(data, size, -1);
	fd = memfd(data, size);
	fuzz_lines(data, size, fd);
	close(fd);
	return 0;
}
