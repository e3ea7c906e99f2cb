/* synth.h: the synthetic payload: a sequence number and the send time. */
#ifndef SYNTH_H
#define SYNTH_H

#include <stddef.h>
#include <stdint.h>

/*
 * Layout (udp-send(1), SYNTHETIC PAYLOAD), every field big-endian:
 *   0  4  magic 0x43525331 ("CRS1")
 *   4  4  size: the payload's length in bytes, this header included
 *   8  8  sequence number, 0 for the first record
 *  16  8  count: how many records the run sends
 *  24  8  send time: nanoseconds since the Epoch (CLOCK_REALTIME)
 *  32  .  fill: byte i is (seq + i) mod 256
 */
#define SYNTH_MAGIC	0x43525331u
#define SYNTH_HDRLEN	32
#define SYNTH_MAXLEN	65507	/* the largest UDP payload over IPv4 */

struct synth {
	uint32_t size;
	uint64_t seq, count, ns;
};

/* synth_fill: write record seq of count into p (size bytes, SYNTH_HDRLEN
 * to SYNTH_MAXLEN), its send time 0 until synth_stamp. */
void synth_fill(unsigned char *p, size_t size, uint64_t seq,
    uint64_t count);

/* synth_stamp: set the send time of the record at p. */
void synth_stamp(unsigned char *p, uint64_t ns);

/*
 * synth_parse: check a received payload of len bytes and fill *s.
 * Returns NULL, or why it is not an intact synthetic record ("too short",
 * "bad magic", "length differs from size", "seq past count", "bad fill").
 */
const char *synth_parse(const unsigned char *p, size_t len, struct synth *s);

/*
 * Loss, order and latency over the records a receiver got, in order of
 * arrival. lost is the records never seen so far below the highest
 * sequence number (a late arrival takes one back); at the end add
 * count - 1 - maxseq for the tail (synth_lost).
 */
struct synth_stats {
	uint64_t received, bad, late, lost;	/* late: arrived out of order */
	uint64_t next;				/* the sequence number expected */
	uint64_t count;				/* from the records */
	int64_t lat_min, lat_max;		/* receive - send time, ns */
	double lat_sum;			/* for the mean */
};

void synth_stats_init(struct synth_stats *st);

/* synth_stats_add: one payload received at recv_ns (ns since the Epoch).
 * Returns synth_parse's verdict (a bad payload is counted in bad). */
const char *synth_stats_add(struct synth_stats *st, const unsigned char *p,
    size_t len, int64_t recv_ns);

/* synth_lost: the records lost, counting those after the last one seen. */
uint64_t synth_lost(const struct synth_stats *st);

#endif
