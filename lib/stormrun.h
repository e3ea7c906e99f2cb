/* stormrun.h: a run of a connection storm's schedule: the connections
 * of a pool started on time (a ramp, then a hold), a line each second
 * with the kernel's counters when the target is on this host, the end
 * at the schedule's end or on SIGTERM or SIGINT (SIGUSR1: the totals so
 * far), and what the run did as a summary and a verdict. */
#ifndef STORMRUN_H
#define STORMRUN_H

#include <stdint.h>

#include "addr.h"
#include "connpool.h"
#include "hist.h"
#include "metrics.h"
#include "ramp.h"
#include "storm.h"
#include "stormlog.h"
#include "tcpstat.h"

struct stormrun {
	/* set after stormrun_new, before stormrun_go */
	struct connpool p;	/* what a connection does: see connpool.h */
	struct stormlog log;	/* csv, quiet, tty: see stormlog.h */
	/* kept by the run */
	int ep, sigfd, local, stopped, interrupted;
	struct ramp sc;		/* the schedule */
	uint64_t t0, end, graceend, tick, lasttick, offset;
	uint64_t started, stopat, finished;
	struct stormcount tot;
	struct stormcount done;	/* the runs before this one (-X) */
	struct metrics m;	/* set up by the caller, after stormrun_new */
	struct hist hconn;	/* connect latency: the seconds reported */
	struct tcpstat kprev, kfirst;
};

/* stormrun_new: a run of at most cap connections open to dst, its
 * signals caught (SIGPIPE ignored) and its epoll set made. Exits 111 on
 * failure. */
struct stormrun *stormrun_new(const struct addr *dst, uint32_t cap);

/* stormrun_go: run the schedule: rate start rising to rate over ramp ns,
 * then dur ns at rate; the connections in flight at the end get half a
 * second (or the timeout, if shorter). A second run's lines go on from
 * where the last one's stopped. Exits 111 when epoll fails. */
void stormrun_go(struct stormrun *r, uint64_t start, uint64_t rate,
    uint64_t ramp, uint64_t dur);

/* stormrun_sum: what the summary says of the run that ended. */
void stormrun_sum(const struct stormrun *r, struct stormsum *s);

/* stormrun_verdict: 0 when every connection attempted completed (or was
 * only holding at the end) and at least 99 % of those due were
 * attempted; else 1, with a line saying why. */
int stormrun_verdict(struct stormrun *r);

/* stormrun_metrics: the counts of every run so far, the connections
 * open now, as connstorm(1) METRICS lists them: written when r->m has a
 * file (metrics_setup), by the loop every interval too. */
void stormrun_metrics(struct stormrun *r);

/* stormrun_free: give back what stormrun_new took. */
void stormrun_free(struct stormrun *r);

#endif
