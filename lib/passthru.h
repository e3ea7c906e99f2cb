/* passthru.h: the main path of a tee: the record stream copied to an
 * output (tee-sink's standard output) as it came, buffered, its records
 * counted, and those its reader never read counted when it goes away. */
#ifndef PASSTHRU_H
#define PASSTHRU_H

#include <sys/uio.h>
#include <stddef.h>
#include <stdint.h>

#include "obuf.h"

struct passthru {
	struct obuf ob;
	int on;			/* 0 (tee-sink -n): nothing is written */
	uint64_t records, bytes;	/* copied */
};

/* passthru_init: records to fd through a buffer of cap bytes, each one
 * tracked (obuf_track); none at all unless on. Exits 111 when memory is
 * short. */
void passthru_init(struct passthru *p, int fd, size_t cap, int on);

/*
 * passthru_header: the stream's framing is known. A pcap stream is not
 * written to a terminal (exit 100, "refusing to write pcap to a terminal
 * (use -n, or a pipe or file)"); its file header hdr (len bytes) goes
 * first, exit 111 when that fails.
 */
void passthru_header(struct passthru *p, int framing,
    const unsigned char *hdr, size_t len);

/* passthru_record: one record, the cnt pieces of v, buffered and
 * counted. A write error exits 111 (obuf_fail). */
void passthru_record(struct passthru *p, const struct iovec *v, int cnt);

/* passthru_flush: what is buffered written out (before every wait);
 * a write error exits 111 (obuf_fail). */
void passthru_flush(struct passthru *p);

/* passthru_close: flushed and closed: the next program sees the end of
 * the stream; a failure of either exits 111 (obuf_fail). */
void passthru_close(struct passthru *p);

#endif
