/* pcapr.c: read a pcap stream of any variant, bounds-checked. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "extract.h"
#include "pcapr.h"
#include "pcapw.h"

#define PCAPR_BUFINIT	65536
#define PCAPR_BUFMAX	(PCAPR_MAXCAPLEN + PCAP_RECHDR_LEN)
#define LT_LINKTYPE	0x03ffffffu	/* the rest is FCS flags */

static void pcapr_fail(struct pcapr *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
pcapr_fail(struct pcapr *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err, sizeof r->err, fmt, ap);
	va_end(ap);
	r->syserr = 0;
}

/* pcapr_grow: room for need bytes from buf[0]. Moves what is buffered
 * to the front first, so the buffer only grows for a record that does
 * not fit at all. Returns 0, or -1 (out of memory). */
static int
pcapr_grow(struct pcapr *r, size_t need)
{
	unsigned char *nb;
	size_t ncap;

	if (r->off > 0) {
		memmove(r->buf, r->buf + r->off, r->len - r->off);
		r->len -= r->off;
		r->off = 0;
	}
	if (need <= r->cap)
		return 0;
	ncap = r->cap * 2 < PCAPR_BUFMAX ? r->cap * 2 : PCAPR_BUFMAX;
	if (ncap < need)
		ncap = need;
	if ((nb = realloc(r->buf, ncap)) == NULL) {
		pcapr_fail(r, "out of memory at offset %" PRIu64, r->pos);
		r->syserr = 1;
		return -1;
	}
	r->buf = nb;
	r->cap = ncap;
	return 0;
}

/*
 * pcapr_fill: make need bytes available at buf[off]. Reads only while
 * fewer are there, so a record is returned as soon as it is complete
 * even on a pipe that stays open. Returns 1, 0 at EOF with fewer bytes
 * buffered, PCAPR_AGAIN when a non-blocking fd has no more yet, -1 on a
 * read error (r->err set).
 */
static int
pcapr_fill(struct pcapr *r, size_t need)
{
	ssize_t n;

	if (r->len - r->off >= need)
		return 1;
	if (r->fd < 0)
		return 0;
	/* what is left is less than a record: moving it to the front is
	 * cheap, and every read then gets the whole rest of the buffer */
	if (pcapr_grow(r, need) == -1)
		return -1;
	while (r->len - r->off < need) {
		n = read(r->fd, r->buf + r->len, r->cap - r->len);
		if (n == 0)
			return 0;
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return PCAPR_AGAIN;
			pcapr_fail(r, "read error at offset %" PRIu64 ": %s",
			    r->pos + (r->len - r->off), strerror(errno));
			r->syserr = 1;
			return -1;
		}
		r->len += (size_t)n;
	}
	return 1;
}

static void
pcapr_consume(struct pcapr *r, size_t n)
{
	r->off += n;
	r->pos += n;
}

static int
host_little(void)
{
	uint16_t one = 1;
	unsigned char b;

	memcpy(&b, &one, 1);
	return b;
}

/*
 * pcapr_little: whether the file is little-endian. r->swap says whether
 * its order differs from the host's; fields are assembled byte by byte
 * in the file's order, never loaded from memory in the host's.
 */
static int
pcapr_little(const struct pcapr *r)
{
	return r->swap ? !host_little() : host_little();
}

/* pcapr_magic: byte order and resolution from the first four bytes.
 * Returns 0, or -1 for something that is not a pcap magic. */
static int
pcapr_magic(struct pcapr *r, const unsigned char *p)
{
	struct cursor c;
	uint32_t be;

	cur_init(&c, p, 4);
	cur_be32(&c, &be);
	switch (be) {
	case PCAP_MAGIC_US:
	case PCAP_MAGIC_NS:
		r->swap = host_little();	/* big-endian file */
		r->nsec = be == PCAP_MAGIC_NS;
		return 0;
	case 0xd4c3b2a1u:
	case 0x4d3cb2a1u:
		r->swap = !host_little();	/* little-endian file */
		r->nsec = be == 0x4d3cb2a1u;
		return 0;
	}
	/* the bytes as they appear in the file, the way od shows them */
	pcapr_fail(r, "bad magic 0x%08" PRIx32 " at offset 0", be);
	return -1;
}

/*
 * pcapr_hdr: check the file header, its magic known good. Versions 2.0
 * to 2.4 are accepted, as libpcap does.
 */
static int
pcapr_hdr(struct pcapr *r)
{
	struct cursor c;
	uint32_t zone, sigfigs, lt;
	int little = pcapr_little(r);

	cur_init(&c, r->buf + r->off + 4, PCAP_FILEHDR_LEN - 4);
	cur_u16(&c, little, &r->vmajor);
	cur_u16(&c, little, &r->vminor);
	cur_u32(&c, little, &zone);
	cur_u32(&c, little, &sigfigs);
	cur_u32(&c, little, &r->snaplen);
	cur_u32(&c, little, &lt);
	if (r->vmajor != 2 || r->vminor > 4) {
		pcapr_fail(r, "unsupported version %u.%u at offset 4",
		    r->vmajor, r->vminor);
		return -1;
	}
	r->linktype = lt & LT_LINKTYPE;
	pcapr_consume(r, PCAP_FILEHDR_LEN);
	return 0;
}

/* pcapr_start: the common part of both opens, once the buffer holds
 * whatever is already known of the stream. A short stream that does not
 * even start with a magic is reported as such, not as truncated. */
static int
pcapr_start(struct pcapr *r)
{
	int n;

	if ((n = pcapr_fill(r, PCAP_FILEHDR_LEN)) == -1)
		goto fail;
	if (r->len - r->off >= 4 && pcapr_magic(r, r->buf + r->off) == -1)
		goto fail;
	if (n == 0) {
		pcapr_fail(r, "truncated file header at offset %" PRIu64,
		    r->pos + (r->len - r->off));
		goto fail;
	}
	if (pcapr_hdr(r) == 0)
		return 0;
fail:
	pcapr_close(r);
	return -1;
}

static void
pcapr_zero(struct pcapr *r, int fd)
{
	memset(r, 0, sizeof *r);
	r->fd = fd;
}

int
pcapr_open(struct pcapr *r, int fd, const void *prefix, size_t plen)
{
	pcapr_zero(r, fd);
	if (fd < 0) {
		pcapr_fail(r, "bad file descriptor %d", fd);
		return -1;
	}
	r->cap = plen > PCAPR_BUFINIT ? plen : PCAPR_BUFINIT;
	if ((r->buf = malloc(r->cap)) == NULL) {
		pcapr_fail(r, "out of memory at offset 0");
		r->syserr = 1;
		return -1;
	}
	r->ownbuf = 1;
	if (plen > 0)
		memcpy(r->buf, prefix, plen);
	r->len = plen;
	return pcapr_start(r);
}

int
pcapr_open_mem(struct pcapr *r, const void *p, size_t n)
{
	pcapr_zero(r, -1);
	/* never written through: buf is only read when fd is -1 */
	r->buf = (unsigned char *)(uintptr_t)p;
	r->cap = r->len = n;
	return pcapr_start(r);
}

/*
 * pcapr_lens: caplen and origlen of the record header at c, checked.
 * Files older than 2.3 may have the two swapped; libpcap swaps them back
 * and so do we. caplen > origlen is tolerated (editcap and some capture
 * cards write it): the bytes are there and every decoder is bounded by
 * caplen anyway. The limit is the file's snaplen when it is set and not
 * above PCAPR_MAXCAPLEN (a snaplen of 65535 is a real limit: a record
 * beyond it means a corrupt file), else PCAPR_MAXCAPLEN.
 */
static int
pcapr_lens(struct pcapr *r, struct cursor *c, struct pcaprec *rec)
{
	uint32_t lim, t;
	int little = pcapr_little(r);

	cur_u32(c, little, &rec->caplen);
	cur_u32(c, little, &rec->origlen);
	if (r->vminor < 3 || (r->vminor == 3 && rec->caplen > rec->origlen)) {
		t = rec->caplen;
		rec->caplen = rec->origlen;
		rec->origlen = t;
	}
	lim = r->snaplen > 0 && r->snaplen < PCAPR_MAXCAPLEN ? r->snaplen :
	    PCAPR_MAXCAPLEN;
	if (rec->caplen > lim) {
		pcapr_fail(r, "caplen %" PRIu32 " above limit %" PRIu32
		    " at offset %" PRIu64, rec->caplen, lim, rec->offset);
		return -1;
	}
	return 0;
}

/* pcapr_ts: the timestamp, scaled to ns and normalized: a fraction of a
 * second of 1e9 ns or more (a broken writer) carries into the seconds,
 * so consumers can print it as %09u. */
static void
pcapr_ts(struct pcapr *r, struct cursor *c, struct pcaprec *rec)
{
	uint32_t sec, frac;
	uint64_t ns;
	int little = pcapr_little(r);

	cur_u32(c, little, &sec);
	cur_u32(c, little, &frac);
	ns = r->nsec ? frac : (uint64_t)frac * 1000;
	rec->sec = (int64_t)sec + (int64_t)(ns / NS_PER_S);
	rec->nsec = (uint32_t)(ns % NS_PER_S);
}

int
pcapr_next(struct pcapr *r, struct pcaprec *rec)
{
	struct cursor c;
	size_t have;
	int n;

	rec->offset = r->pos;
	if ((n = pcapr_fill(r, PCAP_RECHDR_LEN)) == PCAPR_AGAIN)
		return PCAPR_AGAIN;
	if (n != 1) {
		if (n == 0 && r->len - r->off > 0)
			pcapr_fail(r, "truncated record header at offset %"
			    PRIu64 ": %zu of %d bytes", rec->offset,
			    r->len - r->off, PCAP_RECHDR_LEN);
		return n == 0 && r->len == r->off ? 0 : -1;
	}
	cur_init(&c, r->buf + r->off, PCAP_RECHDR_LEN);
	pcapr_ts(r, &c, rec);
	if (pcapr_lens(r, &c, rec) == -1)
		return -1;
	if ((n = pcapr_fill(r, PCAP_RECHDR_LEN + rec->caplen)) == PCAPR_AGAIN)
		return PCAPR_AGAIN;
	if (n != 1) {
		have = r->len - r->off - PCAP_RECHDR_LEN;
		if (n == 0)
			pcapr_fail(r, "truncated record at offset %" PRIu64
			    ": %zu of %" PRIu32 " bytes", rec->offset, have,
			    rec->caplen);
		return -1;
	}
	rec->data = r->buf + r->off + PCAP_RECHDR_LEN;
	pcapr_consume(r, PCAP_RECHDR_LEN + rec->caplen);
	return 1;
}

void
pcapr_close(struct pcapr *r)
{
	if (r->ownbuf)
		free(r->buf);
	r->buf = NULL;
	r->ownbuf = 0;
	r->cap = r->len = r->off = 0;
}
