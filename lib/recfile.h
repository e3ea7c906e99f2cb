/* recfile.h: records held in memory and written to a file whole, or not. */
#ifndef RECFILE_H
#define RECFILE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Records wait in a buffer (at most max bytes) and are written out in
 * large pieces. A write that fails part way is cut back to the last whole
 * record, so the file stays valid, and what was not written stays held
 * for the next try. Record boundaries are found again from the bytes:
 * text lines end in '\n'; pcap records carry their length at offset 8 of
 * their header (in the stream's byte order: swap), and a file's first
 * bytes are its 24-byte header when hdr is set.
 */
struct recfile {
	int fd;
	uint64_t size;		/* bytes in the file */
	unsigned char *p;
	size_t len, cap, max;
	int pcap, swap;
	int hdr;		/* p starts with the file header */
};

/* recfile_init: for a file of pcap records (swap: not in host order) or
 * text lines, holding at most max bytes. */
void recfile_init(struct recfile *w, int pcap, int swap, size_t max);

/* recfile_reset: a new file fd of size bytes; hdr when the pcap file
 * header is the first thing added. */
void recfile_reset(struct recfile *w, int fd, uint64_t size, int hdr);

/* recfile_add: hold n more bytes (part of a record). Returns 0, -1 when
 * they do not fit in max (or memory is short). */
int recfile_add(struct recfile *w, const void *s, size_t n);

/* recfile_flush: write what is held. Returns 0; or -1 with errno set, the
 * file cut back to its last whole record and the rest still held. */
int recfile_flush(struct recfile *w);

/* recfile_records: the whole records held (the file header not counted). */
uint64_t recfile_records(const struct recfile *w);

#endif
