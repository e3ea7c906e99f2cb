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

/* synth_fill: write record seq of count into p (size bytes, SYNTH_HDRLEN
 * to SYNTH_MAXLEN), its send time 0 until synth_stamp. */
void synth_fill(unsigned char *p, size_t size, uint64_t seq,
    uint64_t count);

/* synth_stamp: set the send time of the record at p. */
void synth_stamp(unsigned char *p, uint64_t ns);

#endif
