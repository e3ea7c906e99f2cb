/* pcapr.h: read a pcap stream of any variant, bounds-checked. */
#ifndef PCAPR_H
#define PCAPR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PCAPR_MAXCAPLEN	262144	/* 256 KiB: larger records are refused */

struct pcaprec {
	int64_t sec;
	uint32_t nsec;		/* µs files are scaled to ns */
	uint32_t caplen, origlen;
	const unsigned char *data;	/* caplen bytes, valid until next call */
	uint64_t offset;	/* byte offset of the record header */
};

struct pcapr {
	int fd;			/* -1 when reading from memory */
	unsigned char *buf;
	size_t cap, len, off;	/* buffered bytes are buf[off..len) */
	int ownbuf;
	uint64_t pos;		/* stream offset of buf[off] */
	int swap, nsec;
	uint32_t snaplen, linktype;
	uint16_t vmajor, vminor;
	char err[160];		/* why the last call failed, with the offset */
	int syserr;		/* it failed for a read error or no memory,
				 * not for what the stream holds */
};

/*
 * pcapr_open: read and check the file header from fd. prefix holds bytes
 * already read from fd (e.g. by frame detection) and may be NULL.
 * Returns 0, or -1 with r->err set ("bad magic 0x... at offset 0" with
 * the first 4 bytes as they appear in the stream, "truncated file header
 * at offset 13" with the offset where the stream ended, "unsupported
 * version 3.0 at offset 4", or the read error). After a failure nothing
 * is left to free (pcapr_close is harmless).
 */
int pcapr_open(struct pcapr *r, int fd, const void *prefix, size_t plen);

/* pcapr_open_mem: the same over a complete stream in memory (fuzzing,
 * tests). The memory is not copied and must outlive r. */
int pcapr_open_mem(struct pcapr *r, const void *p, size_t n);

/*
 * pcapr_next: the next record. Returns 1 with *rec filled, 0 at a clean end
 * of stream (EOF on a record boundary), -1 on a malformed stream or read
 * error with r->err naming the byte offset ("caplen 300000 above limit
 * 65535 at offset 4120", "truncated record at offset 4120: 10 of 60
 * bytes"). A partial record is never returned. Offsets count from the
 * first byte of the stream (the prefix included); a record's is that of
 * its 16-byte header, and "10 of 60" counts its data bytes (caplen). A
 * stream cut inside a record header says "truncated record header at
 * offset 4120: 10 of 16 bytes".
 */
int pcapr_next(struct pcapr *r, struct pcaprec *rec);

/* On a non-blocking fd, pcapr_next returns PCAPR_AGAIN when no complete
 * record is there yet; nothing is consumed, so the next call carries on. */
#define PCAPR_AGAIN	2

void pcapr_close(struct pcapr *r);	/* frees the buffer, not the fd */

#endif
