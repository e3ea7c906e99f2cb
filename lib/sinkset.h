/* sinkset.h: the sinks tee-sink copies one stream to, each with its own
 * queue: started once the stream's header is known, written whenever
 * they can take more, a full one dealt with as the policy says, given
 * time at the end to take what they hold. */
#ifndef SINKSET_H
#define SINKSET_H

#include <sys/uio.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#include "children.h"
#include "sink.h"

/* what a full queue does with a record: drop it, drop the oldest ones
 * queued to make room, or wait for room */
enum { SINKSET_DROP_NEW, SINKSET_DROP_OLD, SINKSET_BLOCK };

struct sinkset {
	struct sink *v;
	int n;
	int policy;
	int (*wait)(void *);	/* SINKSET_BLOCK: wait for events (calling
				 * sinkset_fds and sinkset_polled); -1 to
				 * give up (the record is dropped) */
	void *arg;		/* wait's */
	const unsigned char *hdr;	/* the stream's header, once known */
	size_t hdrlen;
	int ready;		/* the header is known: sinks may open */
	struct children kids;	/* the |COMMAND children: what = the sink */
	struct pollfd *pfd;	/* n, for sinkset_poll_blocked */
};

/* sinkset_init: room for n sinks (v, parsed by the caller with
 * sink_parse) and their children. Returns 0, -1 with errno set. */
int sinkset_init(struct sinkset *ss, int n);

/* sinkset_start: the stream's header is known (hdrlen may be 0): every
 * sink opens, or tries again later; the header goes first on each. */
void sinkset_start(struct sinkset *ss, const unsigned char *hdr,
    size_t hdrlen);

/* sinkset_service: write every sink that can take data; reopen those
 * due. */
void sinkset_service(struct sinkset *ss);

/* sinkset_fds: what to poll the sinks for, in p[0..n-1]; *due lowered to
 * the next reopening. sinkset_polled: what poll saw of them, then
 * sinkset_service. */
void sinkset_fds(const struct sinkset *ss, struct pollfd *p, uint64_t *due);
void sinkset_polled(struct sinkset *ss, const struct pollfd *p);

/* sinkset_poll_blocked: ask poll, without waiting, which full sinks have
 * room again, and write those; the rest are left alone. */
void sinkset_poll_blocked(struct sinkset *ss);

/*
 * sinkset_queue: one record (cnt pieces) for sink s, as the policy says
 * when its queue is full; dropped records are counted in s->dropped.
 */
void sinkset_queue(struct sinkset *ss, struct sink *s, const struct iovec *v,
    int cnt);

/* sinkset_reap: SIGCHLD: the |COMMAND children that ended: their sinks
 * start again later. */
void sinkset_reap(struct sinkset *ss);

/* sinkset_reopen: HUP: the open file sinks are opened again. */
void sinkset_reopen(struct sinkset *ss);

/* sinkset_holding: how many sinks still hold something to write. */
int sinkset_holding(const struct sinkset *ss);

/* sinkset_give_up: the time to drain is over: what each sink still
 * holds is dropped, counted and told. */
void sinkset_give_up(struct sinkset *ss);

/* sinkset_close: close every sink; returns the records dropped in all.
 * The |COMMAND children read their end of input: they get until the
 * clock_mono deadline until to exit (the rest are left to init). */
uint64_t sinkset_close(struct sinkset *ss, uint64_t until);

/* sinkset_counters: one line a sink on stderr, "tee-sink: SPEC
 * records=N bytes=N dropped=N reconnects=N skipped=N errors=N". */
void sinkset_counters(const struct sinkset *ss);

#endif
