/* natspub.h: publish records to JetStream with every message counted:
 * a bounded number in flight, each acknowledged or resent with the same
 * id after a capped backoff, never lost silently. nats-send's engine;
 * needs libnats. */
#ifndef NATSPUB_H
#define NATSPUB_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <nats/nats.h>

#include "backoff.h"
#include "natsconn.h"
#include "natsrec.h"
#include "natsstream.h"
#include "pcapw.h"
#include "recin.h"

enum { NATSPUB_PAYLOAD, NATSPUB_PCAP, NATSPUB_LINES };

#define NATSPUB_PACKMAX		65536
#define NATSPUB_BACKOFF0	100000000ull	/* 100 ms, doubling ... */
#define NATSPUB_BACKOFFMAX	5000000000ull	/* ... to 5 s */

/* Counted in records (a pack counts as the records it holds). */
struct natspub_count {
	uint64_t published, acked, duplicates, resent, failed;
	uint64_t skipped;	/* by natspub_take: never published */
};

struct natspub_resend {
	natsMsg *m;
	uint64_t due;
};

struct natspub {
	natsConnection *nc;
	jsCtx *js;
	jsPubOptions po;
	const char *subject;
	int layout;		/* what messages carry: NATSPUB_* */
	uint64_t pack;		/* records a message holds, at most */
	size_t maxmsg;		/* payload bytes a message may have */
	size_t maxline;		/* the longest text line taken */
	int wakefd, wakewr;	/* the ack thread wakes the loop */
	pthread_mutex_t mu;	/* guards what the ack thread touches: */
	uint64_t inflight, limit;	/* messages out, and the bound */
	uint64_t pendrec;	/* records in those messages */
	struct natspub_count c;
	struct natspub_resend *q;	/* resend queue, a ring of limit */
	size_t qhead, qlen;
	struct backoff backoff;	/* the resends' wait, reset by an ack */
	int closing;
	uint64_t skipped, lineno;	/* natspub_take's, the caller's thread */
	/* the pack being filled */
	unsigned char *buf;
	size_t len;
	uint64_t nrec, sum;
	int64_t sec;
	uint32_t nsec, linktype;
	char id[NATSREC_IDLEN];
	char err[512];
};

/*
 * natspub_open: connect, find the stream that takes subject (or create
 * it, st->create), and check that its duplicate window covers the resend
 * horizon (wait + NATSPUB_BACKOFFMAX) and that its largest message holds
 * a datagram. Returns 0, or the exit status (100: no stream, a stream
 * that cannot work, refused credentials; 111: unreachable) with p->err.
 */
int natspub_open(struct natspub *p, const struct natsconn *c,
    const char *subject, const struct natsstream *st, int layout,
    uint64_t pack, uint64_t limit, uint64_t wait);

/* natspub_start: the input's framing is known: text (lines), or pcap
 * with its file header and link type. Returns 0, -1 (p->err). */
int natspub_start(struct natspub *p, int text,
    const unsigned char *filehdr, uint32_t linktype);

/* The records, one call each; each returns 0 or -1 (p->err), when a
 * message cannot even be built (out of memory). */
int natspub_udp(struct natspub *p, const struct udpmeta *m,
    const unsigned char *data, size_t n);
int natspub_frame(struct natspub *p, const struct rec *r);
int natspub_line(struct natspub *p, uint64_t lineno,
    const unsigned char *s, size_t n, int64_t sec, uint32_t nsec);

/*
 * natspub_take: one record of in, as its framing says: a text line
 * (numbered; one too long for a message is skipped, with a warning for
 * the first), a pcap record whole (the pcap layout), or the UDP datagram
 * of a pcap record (one that is not UDP, or was cut short, is skipped).
 * Skipped records are counted (natspub_counters). Returns 0, -1
 * (p->err).
 */
int natspub_take(struct natspub *p, const struct recin *in,
    const struct rec *r);

/* natspub_flush: send the pack being filled. 0 or -1. */
int natspub_flush(struct natspub *p);

/* natspub_room: 1 while fewer than the limit are in flight. */
int natspub_room(struct natspub *p);

/* natspub_resend: send again what is due. */
void natspub_resend(struct natspub *p);

/* natspub_due_ms: milliseconds until the next resend, -1 for none. */
int natspub_due_ms(struct natspub *p);

/* natspub_woken: empty the wake pipe after a poll. */
void natspub_woken(struct natspub *p);

/* natspub_pending: records published and not yet acknowledged. */
uint64_t natspub_pending(struct natspub *p);

/* natspub_counters: the counts so far, taken under the ack thread's
 * lock. */
struct natspub_count natspub_counters(struct natspub *p);

/* natspub_close: what is still pending counts as failed; disconnect. */
void natspub_close(struct natspub *p);

#endif
