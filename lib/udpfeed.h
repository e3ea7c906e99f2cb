/* udpfeed.h: what a sender puts in its batch (udptx): the datagrams of a
 * record stream (dgramin) or synthetic ones (synth), each due when its
 * schedule (pace) says; the batch sent whatever the kernel says. Waits
 * call back to the program to take its signals. */
#ifndef UDPFEED_H
#define UDPFEED_H

#include <stdint.h>

#include "dgramin.h"
#include "pace.h"
#include "recin.h"
#include "udptx.h"

struct udpfeed {
	struct udptx tx;
	struct recin in;	/* the stream, when not synthetic */
	struct pace pace;	/* set (pace_rate, pace_replay) when paced */
	int paced;
	uint64_t count;		/* synthetic: this many records (0: a stream) */
	uint64_t size;		/* synthetic: of this many bytes */
	uint64_t read;		/* records read (or made) */
	uint64_t seq;		/* the next synthetic record */
	int badinput;		/* the input failed: its exit status */
	int sigfd;		/* the signal self-pipe, woken by waits */
	const char *peer;	/* named in "unable to send to PEER" */
	int (*signals)(void *);	/* take the signals: 1 once TERM came */
	void *arg;		/* signals' argument */
};

/* udpfeed_sniff: the stream on fd (dgramin_init for a destination of
 * family af), its framing waited for. Returns 1; 0 when the input ended
 * or failed (badinput set) before any byte, or TERM came. */
int udpfeed_sniff(struct udpfeed *f, int fd, int af);

/* udpfeed_next: the next datagram in *d: a synthetic one (d->p NULL)
 * while count is not reached, else as dgramin_next, what it skips
 * counted in tx.skipped. Returns 1, 0 at the end (badinput set when the
 * input failed), RECIN_AGAIN when no record is whole yet. */
int udpfeed_next(struct udpfeed *f, struct dgram *d);

/*
 * udpfeed_schedule: the due time of d in *due (paced feeds only).
 * Returns 0 when it joins the batch (due already, or due within the
 * pace's window of the batch's first), 1 when it was waited for and goes
 * out at once (0 with a window: those due within it join it first), -1
 * when TERM came while waiting (it is not sent). Behind schedule, datagrams go out in batches; when a whole
 * batch has not caught up a stall, the schedule slips instead
 * (pace_behind): never a burst.
 */
int udpfeed_schedule(struct udpfeed *f, const struct dgram *d,
    uint64_t *due);

/* udpfeed_add: copy d into the batch (the reader's buffer moves on), due
 * at due (0: not paced); a full batch is sent first (udpfeed_flush). */
void udpfeed_add(struct udpfeed *f, const struct dgram *d, uint64_t due);

/* udpfeed_flush: send the batch: when the kernel takes no more, wait and
 * try again (after TERM, only until tx.giveup). Exits 111 when a send
 * fails ("unable to send to PEER"). */
void udpfeed_flush(struct udpfeed *f);

/* udpfeed_pending: a refusal of the last datagrams, pending on the
 * socket, which no send reported: counted, or with tx.fatal exit 111. */
void udpfeed_pending(struct udpfeed *f);

#endif
