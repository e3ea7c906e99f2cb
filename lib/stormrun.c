/* stormrun.c: a run of a connection storm's schedule: the epoll loop
 * that starts the pool's connections on time and reports each second. */
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "sig.h"
#include "stormrun.h"

#define MS		1000000ull
#define BATCH		64		/* connections started per loop pass */
#define EVENTS		256		/* events taken per epoll_wait */
#define GRACE		(NS_PER_S / 2)	/* for connections in flight */
#define SIGSLOT		UINT64_MAX	/* epoll data of the self-pipe */
#define NONE		STORM_NONE	/* a latency or counter not known */

/* glibc has epoll_pwait2 from 2.35; musl has none: the system call,
 * whose timespec is 64-bit, as musl's is from 1.2; with a 32-bit one, or
 * no such call, ENOSYS, and waitev waits in whole ms */
#if !defined(__GLIBC__) || __GLIBC__ < 2 || \
    (__GLIBC__ == 2 && __GLIBC_MINOR__ < 35)
static int
epoll_pwait2(int ep, struct epoll_event *ev, int n,
    const struct timespec *ts, const sigset_t *mask)
{
#ifdef SYS_epoll_pwait2
	if (sizeof ts->tv_sec == 8)
		return (int)syscall(SYS_epoll_pwait2, ep, ev, n, ts, mask,
		    (size_t)(_NSIG / 8));
#endif
	(void)ep, (void)ev, (void)n, (void)ts, (void)mask;
	errno = ENOSYS;
	return -1;
}
#endif

static unsigned long long
ull(uint64_t v)
{
	return (unsigned long long)v;
}

static uint64_t
min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

struct stormrun *
stormrun_new(const struct addr *dst, uint32_t cap)
{
	struct epoll_event ev;
	struct stormrun *r;

	if ((r = calloc(1, sizeof *r)) == NULL ||
	    connpool_init(&r->p, cap) == -1)
		err(111, "unable to allocate %llu connections", ull(cap));
	r->p.dst = dst;
	r->local = addr_islocal((const struct sockaddr *)&dst->ss);
	if ((r->sigfd = sig_init()) == -1 || sig_catch(SIGTERM) == -1 ||
	    sig_catch(SIGINT) == -1 || sig_catch(SIGUSR1) == -1 ||
	    sig_ignore(SIGPIPE) == -1)
		err(111, "unable to set signal handlers");
	if ((r->ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		err(111, "unable to create the epoll instance");
	r->p.ep = r->ep;
	ev.events = EPOLLIN;
	ev.data.u64 = SIGSLOT;
	if (epoll_ctl(r->ep, EPOLL_CTL_ADD, r->sigfd, &ev) == -1)
		err(111, "unable to add the signal pipe to the epoll set");
	return r;
}

void
stormrun_free(struct stormrun *r)
{
	metrics_free(&r->m);
	close(r->ep);
	connpool_free(&r->p);
	stormlog_free(&r->log);
	free(r);
}

/* ---- each second ---- */

/* report: the line for the interval that ends at at. */
static void
report(struct stormrun *r, uint64_t at)
{
	struct stormsec s;
	struct tcpstat k;
	uint64_t t = at - r->t0;

	memset(&s, 0, sizeof s);
	s.tms = (r->offset + t) / MS;
	/* a last, partial interval ending within the same millisecond as
	 * the whole second before it still gets a label of its own */
	if (s.tms <= (r->offset + r->lasttick - r->t0) / MS)
		s.tms = (r->offset + r->lasttick - r->t0) / MS + 1;
	s.rate = ramp_due_before(&r->sc, t < r->sc.total ? t : r->sc.total) -
	    ramp_due_before(&r->sc, r->lasttick - r->t0);
	s.c = r->p.sec;
	s.other = storm_others(&s.c);
	s.open = r->p.open;
	s.p50 = r->p.hconnect.n ? hist_pct(&r->p.hconnect, 500000) : NONE;
	s.p99 = r->p.hconnect.n ? hist_pct(&r->p.hconnect, 990000) : NONE;
	s.overflows = s.syndrops = NONE;
	if (r->local) {
		k = tcpstat_read();
		if (k.ok && r->kprev.ok) {
			s.overflows = k.overflows - r->kprev.overflows;
			s.syndrops = k.drops - r->kprev.drops;
		}
		r->kprev = k;
	}
	s.timewait = tcpstat_timewait();
	storm_count_add(&r->tot, &r->p.sec);
	memset(&r->p.sec, 0, sizeof r->p.sec);
	hist_merge(&r->hconn, &r->p.hconnect);
	hist_reset(&r->p.hconnect);
	r->lasttick = at;
	stormlog_sec(&r->log, &s);
}

/* ---- the loop ---- */

/* start_due: start the connections due by now: at most BATCH in one
 * pass; a schedule behind by more than that drops the rest (they show
 * as attempted below the target), and none start above the cap. */
static void
start_due(struct stormrun *r, uint64_t now)
{
	uint64_t due = ramp_due_by(&r->sc, now - r->t0), n;

	if (due <= r->started)
		return;
	n = due - r->started;
	if (n > BATCH) {
		r->started += n - BATCH;
		n = BATCH;
	}
	while (n-- > 0 && r->p.open < r->p.cap) {
		r->started++;
		connpool_start(&r->p);
		/* slow system calls must not carry the run past its end */
		if ((n & 15) == 0 && clock_mono() >= r->end)
			break;
	}
}

/* stop: no connection starts after at; those in flight get GRACE (or the
 * timeout, if shorter) to finish. */
static void
stop(struct stormrun *r, uint64_t at)
{
	r->stopped = 1;
	r->stopat = at;
	/* stopped early by a signal: what was due so far is the target */
	if (at < r->end)
		r->sc.target = r->started;
	r->graceend = at + min64(GRACE, r->p.timeout);
}

static void
totals(struct stormrun *r)
{
	struct stormcount c = r->tot;

	storm_count_add(&c, &r->p.sec);
	stormlog_endlive(&r->log);
	warnx("attempted=%llu established=%llu completed=%llu failed=%llu "
	    "open=%llu", ull(c.attempted), ull(c.established),
	    ull(c.completed), ull(c.failed), ull(r->p.open));
}

static void
signals(struct stormrun *r, uint64_t now)
{
	if (sig_take(SIGTERM) | sig_take(SIGINT)) {
		r->interrupted = 1;
		if (!r->stopped)
			stop(r, now);
	}
	if (sig_take(SIGUSR1))
		totals(r);
	if (metrics_due(&r->m))
		stormrun_metrics(r);
}

/* waitev: wait for events until the next thing due: a connection to
 * start, a timeout, the end of a hold, a second's line, the end. */
static int
waitev(struct stormrun *r, uint64_t now, struct epoll_event *ev)
{
	struct timespec ts;
	uint64_t t = r->tick;
	int n;

	if (!r->stopped) {
		t = min64(t, r->end);
		if (r->p.open < r->p.cap)
			t = ramp_due_by(&r->sc, now - r->t0) > r->started ?
			    now : min64(t, r->t0 + ramp_time_of(&r->sc,
			    r->started));
	} else
		t = min64(t, r->graceend);
	t = min64(t, connpool_next(&r->p));
	t = t > now ? t - now : 0;
	ts = clock_ts(t);
	n = epoll_pwait2(r->ep, ev, EVENTS, &ts, NULL);
	if (n == -1 && errno == ENOSYS)	/* before Linux 5.11: whole ms */
		n = epoll_wait(r->ep, ev, EVENTS, (int)((t + MS - 1) / MS));
	if (n == -1) {
		if (errno != EINTR)
			err(111, "unable to wait for events");
		n = 0;
	}
	return n;
}

static void
loop(struct stormrun *r)
{
	struct epoll_event ev[EVENTS];
	uint64_t now;
	int n, k;

	for (;;) {
		now = clock_mono();
		for (; now >= r->tick; r->tick += NS_PER_S)
			report(r, r->tick);
		signals(r, now);
		if (!r->stopped && now >= r->end)
			stop(r, r->end);
		if (r->stopped && (r->p.open == 0 || now >= r->graceend))
			break;
		if (!r->stopped)
			start_due(r, now);
		n = waitev(r, now, ev);
		now = clock_mono();
		for (k = 0; k < n; k++)
			if (ev[k].data.u64 != SIGSLOT)
				connpool_event(&r->p, ev[k].data.u64,
				    ev[k].events, now);
		connpool_expire(&r->p, now);
	}
	r->finished = now;
	connpool_abort(&r->p);
	if (r->p.sec.attempted || r->p.sec.established ||
	    r->p.sec.completed || r->p.sec.failed)
		report(r, now);
	stormlog_untold(&r->log, now);
}

void
stormrun_go(struct stormrun *r, uint64_t start, uint64_t rate,
    uint64_t ramp, uint64_t dur)
{
	ramp_set(&r->sc, start, rate, ramp, dur);
	connpool_clear(&r->p);
	storm_count_add(&r->done, &r->tot);	/* the last run's, if any */
	memset(&r->tot, 0, sizeof r->tot);
	hist_reset(&r->hconn);
	r->log.nsecs = 0;
	r->started = 0;
	r->stopped = 0;
	if (r->local)
		r->kfirst = r->kprev = tcpstat_read();
	r->t0 = r->lasttick = clock_mono();
	r->end = r->t0 + r->sc.total;
	r->tick = r->t0 + NS_PER_S;
	r->log.zero = r->t0 - r->offset;
	r->p.holdfrom = r->t0 + r->sc.ramp;
	r->p.holdto = r->end;
	loop(r);
	r->offset += min64(r->stopat, r->end) - r->t0;
}

/* ---- the metrics ---- */

void
stormrun_metrics(struct stormrun *r)
{
	struct metrics *m = &r->m;
	struct stormcount c = r->done;
	int k;

	if (m->path == NULL)
		return;
	storm_count_add(&c, &r->tot);
	storm_count_add(&c, &r->p.sec);
	metrics_begin(m);
	metrics_counter(m, "chanrelay_connections_attempted_total",
	    "Connections attempted.", c.attempted);
	metrics_counter(m, "chanrelay_connections_opened_total",
	    "Connections established (the handshake done).", c.established);
	metrics_counter(m, "chanrelay_connections_completed_total",
	    "Connections that did all they were to do.", c.completed);
	metrics_head(m, "chanrelay_connections_failed_total", "counter",
	    "Connections failed, by reason (the causes of the summary).");
	for (k = 0; k < STORM_NCAUSE; k++)
		metrics_value(m, "chanrelay_connections_failed_total",
		    "reason", storm_causename[k], c.cause[k]);
	metrics_counter(m, "chanrelay_bytes_out_total",
	    "Bytes of payload sent.", r->p.nsent);
	metrics_counter(m, "chanrelay_bytes_in_total",
	    "Bytes of reply read.", r->p.nread);
	metrics_gauge(m, "chanrelay_connections_open",
	    "Connections open now.", r->p.open);
	metrics_commit(m);
}

/* ---- the summary ---- */

void
stormrun_sum(const struct stormrun *r, struct stormsum *s)
{
	uint64_t from = r->t0 + r->sc.ramp, to = min64(r->stopat, r->end);

	memset(s, 0, sizeof *s);
	addr_format((const struct sockaddr *)&r->p.dst->ss, s->address);
	s->rate = (uint64_t)r->sc.r;
	s->start = (uint64_t)r->sc.s;
	s->ramp = r->sc.ramp;
	s->hold = r->sc.total - r->sc.ramp;
	s->target = r->sc.target;
	s->duration = to - r->t0;
	s->elapsed = r->finished - r->t0;
	/* no sustained rate when the run never got to its hold phase */
	s->sustained = to > from ? (double)r->p.holddone * NS_PER_S /
	    (double)(to - from) : -1;
	s->peak = r->p.peak;
	s->aborted = r->p.aborted;
	s->c = r->tot;
	s->behind = r->sc.target > s->c.attempted ?
	    r->sc.target - s->c.attempted : 0;
	s->connect = &r->hconn;
	s->reply = &r->p.hreply;
	s->overflows = s->syndrops = NONE;
	if (r->local && r->kprev.ok && r->kfirst.ok) {
		s->overflows = r->kprev.overflows - r->kfirst.overflows;
		s->syndrops = r->kprev.drops - r->kfirst.drops;
	}
	s->timewait = tcpstat_timewait();
	s->secs = r->log.secs;
	s->nsecs = r->log.nsecs;
}

int
stormrun_verdict(struct stormrun *r)
{
	const struct stormcount *c = &r->tot;
	int bad = 0;

	stormlog_endlive(&r->log);
	if (c->failed) {
		warnx("%llu of %llu connections failed", ull(c->failed),
		    ull(c->attempted));
		bad = 1;
	}
	if (r->p.aborted) {
		warnx("%llu connections had not finished at the end and were "
		    "aborted", ull(r->p.aborted));
		bad = 1;
	}
	if (c->attempted * 100 < r->sc.target * 99) {
		warnx("the rate was not reached: %llu of the %llu connections "
		    "due were attempted", ull(c->attempted),
		    ull(r->sc.target));
		bad = 1;
	}
	return bad;
}
