/* natssub.h: read a JetStream stream back as records: a pull consumer
 * (durable and created explicitly, or one for this run alone), batches
 * fetched, and each message turned back into the records nats-send put
 * in it. nats-recv's engine; needs libnats. */
#ifndef NATSSUB_H
#define NATSSUB_H

#include <stdint.h>
#include <nats/nats.h>

#include "natsconn.h"
#include "natsstart.h"
#include "pcapw.h"

struct natssub {
	natsConnection *nc;
	jsCtx *js;
	natsSubscription *sub;
	char stream[128], consumer[128];
	int ephemeral;		/* ours alone: deleted at the end */
	char err[512];
};

/*
 * natssub_open: connect, find the stream that takes subject, and bind to
 * the consumer: durable (created with start, ackwait and max ack pending
 * when missing; used as it is when present) or, durable NULL, a consumer
 * for this run, deleted at the end (and by the server after a minute
 * without us, should we be killed). Returns 0, or the exit status (100
 * no stream takes subject, refused credentials; 111) with s->err.
 */
int natssub_open(struct natssub *s, const struct natsconn *c,
    const char *subject, const char *durable,
    const struct natsstart *start, uint64_t ackwait, int batch);

/* natssub_fetch: up to max messages, waiting up to ms for the first.
 * Returns the count (0: none came), -1 when the server cannot be asked
 * now (s->err; try again later). */
int natssub_fetch(struct natssub *s, natsMsgList *list, int max, int ms);

/* One record of a message: the datagram's metadata and payload, and
 * for a RAW frame sent whole (the pcap layout) the frame itself. */
struct natssub_rec {
	struct udpmeta m;
	const unsigned char *p, *frame;
	size_t n, caplen;
};

/* What a message carries, record by record: cb gets each record and
 * returns 0, or -1 to stop. */
typedef int (*natssub_cb)(void *arg, const struct natssub_rec *r);

/*
 * natssub_records: hand every record of m to cb: a payload message is
 * one record (time from Chanrelay-Time, else the server's time of the
 * message; addresses from Chanrelay-Src/-Dst, else 0.0.0.0:0), a pcap
 * layout message each of its UDP records, a lines message each line.
 * *skipped counts records that are not UDP or cannot be a datagram.
 * Returns 0, -1 when cb stopped.
 */
int natssub_records(natsMsg *m, natssub_cb cb, void *arg,
    uint64_t *skipped);

/* natssub_seq: the stream sequence of a fetched message (0 if unknown). */
uint64_t natssub_seq(natsMsg *m);

void natssub_close(struct natssub *s);

#endif
