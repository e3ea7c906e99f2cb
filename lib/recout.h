/* recout.h: write UDP records in one of the four output formats. */
#ifndef RECOUT_H
#define RECOUT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "obuf.h"
#include "pcapw.h"

enum { RECOUT_PCAP, RECOUT_TEXT, RECOUT_LINE, RECOUT_RAW };

struct recout {
	struct obuf ob;
	int fmt;
	int unbuf;		/* flush after every record */
	int pipe;		/* the output is a pipe (recout_wait) */
	uint64_t written;	/* records */
	uint64_t bytes;		/* their payload bytes */
};

/* recout_format: RECOUT_* for "pcap", "text", "line" or "raw"; -1 for
 * anything else. recout_name: the name of a format. */
int recout_format(const char *name);
/* recout_format_arg: recout_format of an option's value; anything else
 * is "invalid format 'S': use pcap, text, line or raw" (exit 100). */
int recout_format_arg(const char *s);
const char *recout_name(int fmt);

/* recout_binary: 1 for the formats that must not go to a terminal. */
int recout_binary(int fmt);

/* recout_stdout: recout_init of standard output in fmt (-1: text to a
 * terminal, pcap elsewhere). A binary format to a terminal is refused
 * (exit 100); exits 111 when out of memory. */
void recout_stdout(struct recout *w, int fmt, int unbuf);

/* recout_init: records in fmt to fd, each marked (obuf_mark, so w->ob
 * can count what a reader that went away lost); a pipe is grown to
 * 1 MiB where the kernel lets it. Nothing is written yet. Returns 0, -1
 * when out of memory. */
int recout_init(struct recout *w, int fd, int fmt, int unbuf);

/* recout_header: the pcap file header (other formats have none), written
 * out at once so a reader can start before the first record. 0 or -1. */
int recout_header(struct recout *w);

/*
 * recout_udp: one datagram: its metadata and n payload bytes. Buffered;
 * flushed past 192 KiB (few writes, little memory touched) and after
 * every record when unbuf is set. Returns 0, -1 on a write error.
 *   pcap: record header, rebuilt IPv4/IPv6 + UDP header, payload
 *   text: "TIME SRC > DST LEN PAYLOAD\n", the payload escaped
 *   line: payload, then "\n" unless it ends in one already
 *   raw: payload
 */
int recout_udp(struct recout *w, const struct udpmeta *m,
    const unsigned char *p, size_t n);

/*
 * recout_train: the datagrams of one UDP_GRO train of len bytes at p:
 * seg bytes each, the last one maybe shorter (seg 0, or not less than
 * len: one datagram), all with the metadata m (the train's time), each
 * one record as recout_udp writes it, up to max of them (0: all). The
 * pcap headers are built once a train. *took: how many were written.
 * Returns 0, -1 on a write error.
 */
int recout_train(struct recout *w, const struct udpmeta *m,
    const unsigned char *p, size_t len, size_t seg, uint64_t max,
    uint64_t *took);

/* recout_frame: the same datagram, given also as the RAW frame (IP
 * header on) it came in: the pcap format writes that frame as it is (its
 * IP identification, TTL and checksums kept); the others as recout_udp.
 * frame NULL: recout_udp. */
int recout_frame(struct recout *w, const struct udpmeta *m,
    const unsigned char *frame, size_t caplen, const unsigned char *p,
    size_t n);

/* recout_fail: the output failed (errno set): when its reader went away
 * (EPIPE), what it never read (held here, or left in the pipe) is lost,
 * and counted (obuf_gone); exits 111, "unable to write output". */
void recout_fail(struct recout *w) __attribute__((noreturn));

/* recout_flush: write out what is buffered (before every wait). */
int recout_flush(struct recout *w);

/*
 * recout_wait: flush, then wait for fd or sigfd (the signal self-pipe)
 * to be readable, a signal, or ts to pass (NULL: no bound); an output
 * that is a pipe ends the wait too when its reader goes away, reported
 * at once, before more is read. Returns 0; -1 when the output failed
 * (errno set: EPIPE when its reader went away); -2 when the wait failed
 * (errno set).
 */
int recout_wait(struct recout *w, int fd, int sigfd,
    const struct timespec *ts);

void recout_free(struct recout *w);

#endif
