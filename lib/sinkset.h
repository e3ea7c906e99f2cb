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
#include "recin.h"
#include "recsel.h"
#include "sink.h"

/* what a full queue does with a record: drop it, drop the oldest ones
 * queued to make room, or wait for room */
enum { SINKSET_DROP_NEW, SINKSET_DROP_OLD, SINKSET_BLOCK };

struct sinkset {
	struct sink *v;
	int n;
	struct recsel *sel;	/* n: what each takes (recsel_arg), every
				 * record until told */
	int anyudp;		/* a udp: sink is among them */
	int policy;
	int (*wait)(void *);	/* SINKSET_BLOCK: wait for events (calling
				 * sinkset_wait); -1 to give up (the record
				 * is dropped) */
	void *arg;		/* wait's */
	const unsigned char *hdr;	/* the stream's header, once known */
	size_t hdrlen;
	int ready;		/* the header is known: sinks may open */
	struct children kids;	/* the |COMMAND children: what = the sink */
	struct pollfd *pfd;	/* n + 2: sinkset_wait, sinkset_poll_blocked */
};

/* sinkset_policy: the policy named name ("new", "old" or "block"), -1
 * when there is none of that name. */
int sinkset_policy(const char *name);

/* sinkset_policy_arg: sinkset_policy of an option's value (-P); anything
 * else is "invalid policy 'S': use new, old or block" (exit 100). */
int sinkset_policy_arg(const char *s);

/* sinkset_init: room for n sinks (v, parsed by the caller with
 * sink_parse), their selections and their children. Returns 0, -1 with
 * errno set. */
int sinkset_init(struct sinkset *ss, int n);

/*
 * sinkset_args: the n SINK operands of argv into ss, with queues of
 * qsize bytes (sinkset_init, sink_parse). A bad one is told as arg_fail
 * tells it, "invalid sink 'S': WHY", exit 100; no memory exits 111.
 */
void sinkset_args(struct sinkset *ss, int n, char *const *argv,
    size_t qsize);

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

/*
 * sinkset_wait: wait for infd (-1: none) or sigfd (the signal self-pipe)
 * to be readable, a sink to be ready, a signal, or the clock_mono time
 * until or a sink's reopening to come; then what the sinks report is
 * dealt with (sinkset_polled). Exits 111 when poll fails.
 */
void sinkset_wait(struct sinkset *ss, int infd, int sigfd, uint64_t until);

/* sinkset_poll_blocked: ask poll, without waiting, which full sinks have
 * room again, and write those; the rest are left alone. */
void sinkset_poll_blocked(struct sinkset *ss);

/*
 * sinkset_queue: one record (cnt pieces) for sink s, as the policy says
 * when its queue is full; dropped records are counted in s->dropped.
 */
void sinkset_queue(struct sinkset *ss, struct sink *s, const struct iovec *v,
    int cnt);

/*
 * sinkset_copy: record r for each sink its selection sel[i] takes (sel:
 * one a sink): a stream sink queues sv (cnt pieces: the record, and a
 * newline when it needs one), a udp: sink dv, the datagram (a text line,
 * the UDP payload of a pcap record), or counts r as skipped when dv is
 * NULL (a pcap record not a whole UDP datagram).
 */
void sinkset_copy(struct sinkset *ss, const struct recsel *sel,
    const struct rec *r, const struct iovec *sv, int cnt,
    const struct iovec *dv);

/*
 * sinkset_fanout: record r of input in (sv: the record, cnt pieces with
 * its newline) as sinkset_copy copies it with the selections ss->sel,
 * the datagram of a udp: sink being a text line as it is, a pcap
 * record's UDP payload when the datagram was captured whole (in's
 * linktype), else none.
 */
void sinkset_fanout(struct sinkset *ss, const struct recin *in,
    const struct rec *r, const struct iovec *sv, int cnt);

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

struct metrics;
/* sinkset_metrics: every sink's counters, queue and state as metrics
 * labelled sink (tee-sink(1) METRICS). */
void sinkset_metrics(const struct sinkset *ss, struct metrics *m);

#endif
