/* recin.h: records from a non-blocking input: pcap or text lines. */
#ifndef RECIN_H
#define RECIN_H

#include <stddef.h>
#include <stdint.h>

#include "frame.h"
#include "liner.h"
#include "pcapr.h"
#include "pcapw.h"

#define RECIN_AGAIN 2	/* nothing whole yet: wait for the fd to be readable */

struct recin {
	int fd;
	int framing;		/* FRAME_PCAP or FRAME_TEXT, once known */
	unsigned char hdr[PCAP_FILEHDR_LEN];	/* pcap: the input's own */
	unsigned char pre[PCAP_FILEHDR_LEN];
	size_t have, maxline;
	struct pcapr rd;
	struct liner ln;
	char err[200];
	int syserr;		/* the failure was a read error or no memory */
};

struct rec {
	const unsigned char *p;	/* pcap: record header + data; text: line */
	size_t n;
	int flags;		/* text: LINE_NONL, LINE_SPLIT, LINE_MORE */
	int64_t sec;		/* pcap: the record's time */
	uint32_t nsec;
	const unsigned char *data;	/* pcap: the captured bytes */
	uint32_t caplen, origlen;
};

/* recin_init: read from fd, which the caller made O_NONBLOCK; text lines
 * up to maxline bytes are whole. */
void recin_init(struct recin *in, int fd, size_t maxline);

/*
 * recin_sniff: read the first bytes and decide the framing: pcap once a
 * magic and the file header are there, text as soon as the bytes cannot
 * begin a magic. Returns 1 when known, RECIN_AGAIN, 0 when the input
 * ended before any byte, -1 on a read error or a malformed pcap header
 * (in->err says which).
 */
int recin_sniff(struct recin *in);

/* recin_wait: one poll for in->fd or sigfd (the signal self-pipe) to be
 * readable, or a signal. Exits 111 when poll fails. */
void recin_wait(const struct recin *in, int sigfd);

/*
 * recin_wait_sniff: recin_sniff, then, while it says RECIN_AGAIN, one
 * poll for in->fd or sigfd (the signal self-pipe) to be readable, or a
 * signal. Returns as recin_sniff: on RECIN_AGAIN the caller takes its
 * signals and calls again. Exits 111 when poll fails.
 */
int recin_wait_sniff(struct recin *in, int sigfd);

/* recin_next: the next record. Returns 1, RECIN_AGAIN, 0 at the end of
 * the input, -1 on a read error or malformed input (in->err). */
int recin_next(struct recin *in, struct rec *r);

/*
 * recin_fail: after -1 from recin_sniff or recin_next, which ends the
 * input: "unable to read stdin: WHY" on standard error. Returns the exit
 * status it calls for once what was read before has been written: 1 for
 * malformed input (a pcap stream cut short or damaged), 111 for a read
 * error or no memory.
 */
int recin_fail(const struct recin *in);

/* recin_rest: text: take the partial last line as if the input ended
 * (after TERM). pcap: the bytes of a partial record, which cannot be. */
size_t recin_rest(struct recin *in);

void recin_free(struct recin *in);

#endif
