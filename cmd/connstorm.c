/*
 * connstorm: open TCP connections to one address at a controlled rate
 * (ramp and hold, open loop, paced against an absolute clock) and report
 * what really happened: attempts, handshakes, completions, failures by
 * cause, latency percentiles, and, when the target is on this host, the
 * kernel's listen overflows and SYN drops.
 */
#include <sys/epoll.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "arg.h"
#include "ceiling.h"
#include "clock.h"
#include "connpool.h"
#include "esc.h"
#include "fdlim.h"
#include "hist.h"
#include "num.h"
#include "ramp.h"
#include "sig.h"
#include "storm.h"
#include "stormlog.h"
#include "tcpsock.h"
#include "tcpstat.h"

#define USAGE "usage: connstorm [-hNqvX] [-E PERCENT] [-e REPLY] " \
	"[-F FORMAT] [-g FACTOR] [-I RAMP] [-i START] [-k HOLD] [-l LIMIT] " \
	"[-n LENGTH] [-P LATENCY] [-p PAYLOAD] [-r RATE] [-s SOURCES] " \
	"[-t DURATION] [-w TIMEOUT] ADDRESS"
#define OPTSTRING	"E:e:F:g:hI:i:k:l:Nn:P:p:qr:s:t:vw:X"

#define MS		1000000ull
#define RATE_MAX	10000000
#define CAP_MAX		1000000
#define FD_SPARE	64		/* descriptors besides the connections */
#define BATCH		64		/* connections started per loop pass */
#define EVENTS		256		/* events taken per epoll_wait */
#define GRACE		(NS_PER_S / 2)	/* for connections in flight */
#define SIGSLOT		UINT64_MAX	/* epoll data of the self-pipe */
#define NONE		STORM_NONE	/* a latency or counter not known */

enum { FMT_TEXT, FMT_JSON, FMT_CSV };

struct opts {
	const char *address;
	struct addr dst;
	struct addr *src;
	size_t nsrc;
	unsigned char *payload, *reply;	/* reply: -e, else NULL */
	size_t npayload, nreply;
	uint64_t expect;		/* bytes expected back (-e or -n) */
	uint64_t rate, start, cap;
	uint64_t dur, ramp, hold, timeout, maxlat;
	uint64_t errmp;			/* -E in thousandths of a percent */
	uint64_t factor;		/* -g in thousandths */
	int fmt, quiet, verbose, normal, search, rateset, startset;
	int eset, gset, pset;
};

/* One run of the schedule, and what it has counted so far. */
struct run {
	const struct opts *o;
	int ep, sigfd, local, stopped, interrupted;
	struct ramp sc;		/* the schedule */
	struct connpool p;	/* the connections */
	uint64_t t0, end, graceend, tick, lasttick, offset;
	uint64_t started, stopat, finished;
	struct stormcount tot;
	struct hist hconn;	/* connect latency: the seconds reported */
	struct stormlog log;	/* the lines written as it runs */
	struct tcpstat kprev, kfirst;
};

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

/* ---- options ---- */

/* unescape: -p or -e decoded into a new buffer; *n is its length. */
static unsigned char *
unescape(const char *what, const char *s, size_t *n)
{
	unsigned char *b;
	const char *e;

	if ((b = malloc(strlen(s) + 1)) == NULL)
		err(111, "unable to allocate the %s", what);
	if ((e = esc_parse(b, s, n)) != NULL)
		arg_fail(what, s, e);
	return b;
}

/* sources: -s: a comma list of addresses and IPv4 ranges, every one of
 * the destination's family. */
static void
sources(struct opts *o, const char *s)
{
	const char *why;
	size_t i;

	switch (addr_list_parse(s, &o->src, &o->nsrc, &why)) {
	case -1:
		err(111, "unable to allocate the sources");
	case 1:
		arg_fail("sources", s, why);
	}
	for (i = 0; i < o->nsrc; i++)
		if (o->src[i].ss.ss_family != o->dst.ss.ss_family)
			arg_fail("sources", s, o->dst.ss.ss_family == AF_INET ?
			    "not IPv4, as the address is" :
			    "not IPv6, as the address is");
}

static int
format_arg(const char *s)
{
	if (strcmp(s, "text") == 0)
		return FMT_TEXT;
	if (strcmp(s, "json") == 0)
		return FMT_JSON;
	if (strcmp(s, "csv") == 0)
		return FMT_CSV;
	arg_fail("format", s, "not text, json or csv");
	return -1;
}

static void
getopts(int argc, char **argv, struct opts *o, const char **srcarg,
    uint64_t *nlen)
{
	int c;

	opterr = 0;	/* getopt's messages name argv[0]; ours name the program */
	while ((c = getopt(argc, argv, OPTSTRING)) != -1) {
		switch (c) {
		case 'E': o->errmp = milli_arg("error percentage", optarg,
		    0, 100000, "below 0", "above 100");
			o->eset = 1; break;
		case 'e': free(o->reply);
			o->reply = unescape("reply", optarg, &o->nreply);
			if (o->nreply == 0)
				arg_fail("reply", optarg, "empty");
			break;
		case 'F': o->fmt = format_arg(optarg); break;
		case 'g': o->factor = milli_arg("growth factor", optarg,
		    1001, 100000, "not above 1", "above 100");
			o->gset = 1; break;
		case 'h': arg_help(0); break;
		case 'I': o->ramp = dur_arg("ramp", optarg, 0,
		    86400 * NS_PER_S); break;
		case 'i': o->start = num_arg("start rate", optarg, 1,
		    RATE_MAX); o->startset = 1; break;
		case 'k': o->hold = dur_arg("hold", optarg, 0,
		    86400 * NS_PER_S); break;
		case 'l': o->cap = num_arg("concurrency", optarg, 1, CAP_MAX);
			break;
		case 'N': o->normal = 1; break;
		case 'n': *nlen = size_arg("length", optarg, 1, 1ull << 40);
			break;
		case 'P': o->maxlat = dur_arg("latency", optarg, 1000,
		    3600 * NS_PER_S); o->pset = 1; break;
		case 'p': free(o->payload);
			o->payload = unescape("payload", optarg, &o->npayload);
			break;
		case 'q': o->quiet = 1; break;
		case 'r': o->rate = num_arg("rate", optarg, 1, RATE_MAX);
			o->rateset = 1; break;
		case 's': *srcarg = optarg; break;
		case 't': o->dur = dur_arg("duration", optarg, MS,
		    86400 * NS_PER_S); break;
		case 'v': o->verbose = 1; break;
		case 'w': o->timeout = dur_arg("timeout", optarg, MS,
		    3600 * NS_PER_S); break;
		case 'X': o->search = 1; break;
		default:
			arg_badopt(OPTSTRING);
		}
	}
}

/* parse: the options, then every conflict refused before anything opens. */
static void
parse(int argc, char **argv, struct opts *o)
{
	const char *srcarg = NULL;
	uint64_t nlen = 0;

	memset(o, 0, sizeof *o);
	arg_usage = USAGE;
	o->rate = 100;
	o->cap = 1000;
	o->dur = 5 * NS_PER_S;
	o->timeout = 5 * NS_PER_S;
	o->maxlat = 100 * MS;
	o->errmp = 1000;
	o->factor = 1250;
	getopts(argc, argv, o, &srcarg, &nlen);
	argc -= optind;
	argv += optind;
	if (argc == 0)
		arg_misuse("%s", "missing ADDRESS");
	if (argc > 1)
		arg_misuse("too many arguments, starting at '%s'", argv[1]);
	if (o->reply != NULL && nlen != 0)
		arg_misuse("%s", "use one of -e and -n");
	o->expect = o->reply != NULL ? o->nreply : nlen;
	if (o->search && !o->rateset)
		arg_misuse("%s", "-X needs -r: the highest rate to try");
	if (o->search && o->ramp)
		arg_misuse("%s", "-X steps without a ramp: leave out -I");
	if (!o->search && (o->eset || o->gset || o->pset))
		arg_misuse("%s", "-E, -g and -P need -X");
	if (o->startset && !o->search && !o->ramp)
		arg_misuse("%s", "-i needs -I or -X");
	if (o->search && o->startset && o->start > o->rate)
		arg_misuse("start rate %llu above the highest rate %llu",
		    (unsigned long long)o->start, (unsigned long long)o->rate);
	if (!o->startset)
		o->start = o->search ? (o->rate / 10 ? o->rate / 10 : 1) :
		    o->ramp ? 1 : o->rate;
	o->address = argv[0];
	addr_arg("address", o->address, &o->dst);
	if (o->dst.wildcard)
		arg_fail("address", o->address, "a destination needs a host");
	if (addr_port((const struct sockaddr *)&o->dst.ss) == 0)
		arg_fail("address", o->address, "port 0");
	if (srcarg != NULL)
		sources(o, srcarg);
}

/* ---- set-up ---- */

/* fdlimit: RLIMIT_NOFILE raised as far as it goes; the cap must fit. */
static void
fdlimit(uint64_t cap)
{
	uint64_t lim;

	if (fdlim_raise(cap + FD_SPARE, &lim) == -1)
		err(111, "unable to read the file descriptor limit");
	if (lim < cap + FD_SPARE)
		errx(100, "-l %llu needs %llu file descriptors, the limit is "
		    "%llu", (unsigned long long)cap,
		    (unsigned long long)(cap + FD_SPARE),
		    (unsigned long long)lim);
}

/* srcprobe: every source must be an address of this host. */
static void
srcprobe(const struct opts *o)
{
	char buf[ADDR_STRLEN];
	size_t i;
	int fd;

	for (i = 0; i < o->nsrc; i++) {
		fd = socket(o->dst.ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd == -1)
			err(111, "unable to create a socket");
		if (tcpsock_bindsrc(fd, &o->src[i]) == -1) {
			addr_format((const struct sockaddr *)&o->src[i].ss, buf);
			buf[strlen(buf) - 2] = '\0';	/* the port, ":0" */
			/* not ours: the same command fails again */
			if (errno == EADDRNOTAVAIL)
				arg_fail("source", buf,
				    "not an address of this host");
			err(111, "unable to bind the source %s", buf);
		}
		close(fd);
	}
}

/* settings: what the run is to do, on one line before it starts. */
static void
settings(const struct opts *o)
{
	char addr[ADDR_STRLEN];

	fprintf(stderr, "connstorm: %s: rate=%llu start=%llu ramp=%.3fs "
	    "duration=%.3fs limit=%llu timeout=%.3fs hold=%.3fs close=%s "
	    "payload=%zu reply=%llu sources=%zu",
	    addr_format((const struct sockaddr *)&o->dst.ss, addr),
	    ull(o->rate), ull(o->start), (double)o->ramp / NS_PER_S,
	    (double)o->dur / NS_PER_S, ull(o->cap),
	    (double)o->timeout / NS_PER_S, (double)o->hold / NS_PER_S,
	    o->normal ? "fin" : "reset", o->npayload, ull(o->expect), o->nsrc);
	if (o->search)
		fprintf(stderr, " search: factor=%.3f errors=%.3f%% "
		    "latency=%.3fms", (double)o->factor / 1000,
		    (double)o->errmp / 1000, (double)o->maxlat / MS);
	fputc('\n', stderr);
}

/* ---- each second ---- */

/* report: the line for the interval that ends at at. */
static void
report(struct run *r, uint64_t at)
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
start_due(struct run *r, uint64_t now)
{
	uint64_t due = ramp_due_by(&r->sc, now - r->t0), n;

	if (due <= r->started)
		return;
	n = due - r->started;
	if (n > BATCH) {
		r->started += n - BATCH;
		n = BATCH;
	}
	while (n-- > 0 && r->p.open < r->o->cap) {
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
stop(struct run *r, uint64_t at)
{
	r->stopped = 1;
	r->stopat = at;
	/* stopped early by a signal: what was due so far is the target */
	if (at < r->end)
		r->sc.target = r->started;
	r->graceend = at + min64(GRACE, r->o->timeout);
}

static void
totals(struct run *r)
{
	struct stormcount c = r->tot;

	storm_count_add(&c, &r->p.sec);
	stormlog_endlive(&r->log);
	warnx("attempted=%llu established=%llu completed=%llu failed=%llu "
	    "open=%llu", ull(c.attempted), ull(c.established),
	    ull(c.completed), ull(c.failed), ull(r->p.open));
}

static void
signals(struct run *r, uint64_t now)
{
	if (sig_take(SIGTERM) | sig_take(SIGINT)) {
		r->interrupted = 1;
		if (!r->stopped)
			stop(r, now);
	}
	if (sig_take(SIGUSR1))
		totals(r);
}

/* waitev: wait for events until the next thing due: a connection to
 * start, a timeout, the end of a hold, a second's line, the end. */
static int
waitev(struct run *r, uint64_t now, struct epoll_event *ev)
{
	struct timespec ts;
	uint64_t t = r->tick;
	int n;

	if (!r->stopped) {
		t = min64(t, r->end);
		if (r->p.open < r->o->cap)
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
loop(struct run *r)
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

/* run_step: one run of the schedule: start rate, rate, ramp, hold. */
static void
run_step(struct run *r, uint64_t start, uint64_t rate, uint64_t ramp,
    uint64_t dur)
{
	ramp_set(&r->sc, start, rate, ramp, dur);
	connpool_clear(&r->p);
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
}

/* ---- the summary ---- */

/* summarize: what the summary says of the run that ended. */
static void
summarize(const struct run *r, struct stormsum *s)
{
	uint64_t from = r->t0 + r->sc.ramp, to = min64(r->stopat, r->end);

	memset(s, 0, sizeof *s);
	addr_format((const struct sockaddr *)&r->o->dst.ss, s->address);
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

/* verdict: 0 when every connection attempted completed (or was only
 * holding at the end) and at least 99 % of those due were attempted;
 * else 1, with a line saying why. */
static int
verdict(struct run *r)
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

/* storm: one run of the schedule the options give, and its summary.
 * Returns the exit status. */
static int
storm(struct run *r, FILE *out)
{
	const struct opts *o = r->o;
	struct stormsum s;

	run_step(r, o->start, o->rate, o->ramp, o->dur);
	stormlog_endlive(&r->log);
	summarize(r, &s);
	if (o->fmt == FMT_JSON) {
		fputc('{', out);
		storm_sum_json(&s, out);
		fputs("}\n", out);
	} else
		storm_sum_text(&s, out);
	fflush(out);
	return verdict(r);
}

/* search: -X: steps of rising rate until one fails; the ceiling is the
 * last that held. Returns the exit status. */
static int
search(struct run *r, FILE *out)
{
	const struct opts *o = r->o;
	struct ceiling c;
	struct stormsum s;
	uint64_t rate;

	memset(&c, 0, sizeof c);
	c.start = o->start;
	c.max = o->rate;
	c.factor = o->factor;
	c.errmp = o->errmp;
	c.maxlat = o->maxlat;
	c.json = o->fmt == FMT_JSON;
	rate = ceiling_begin(&c, out);
	while (rate != 0) {
		run_step(r, rate, rate, 0, o->dur);
		summarize(r, &s);
		stormlog_endlive(&r->log);
		rate = ceiling_step(&c, &s, r->interrupted, out);
		r->offset += min64(r->stopat, r->end) - r->t0;
	}
	return ceiling_end(&c, out);
}

/* ---- main ---- */

/* pool: what every connection is to do, from the options. */
static void
pool(struct run *r, const struct opts *o)
{
	r->p.dst = &o->dst;
	r->p.src = o->src;
	r->p.nsrc = o->nsrc;
	r->p.payload = o->payload;
	r->p.npayload = o->npayload;
	r->p.reply = o->reply;
	r->p.expect = o->expect;
	r->p.timeout = o->timeout;
	r->p.hold = o->hold;
	r->p.normal = o->normal;
	r->p.onfail = o->verbose ? stormlog_fail : NULL;
	r->p.arg = &r->log;
}

static struct run *
setup(const struct opts *o)
{
	struct epoll_event ev;
	struct run *r;

	if ((r = calloc(1, sizeof *r)) == NULL ||
	    connpool_init(&r->p, (uint32_t)o->cap) == -1)
		err(111, "unable to allocate %llu connections", ull(o->cap));
	r->o = o;
	pool(r, o);
	r->local = addr_islocal((const struct sockaddr *)&o->dst.ss);
	r->log.csv = o->fmt == FMT_CSV;
	r->log.quiet = o->quiet;
	r->log.tty = isatty(STDERR_FILENO);
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

/* teardown: give back what setup and parse took (for leak checkers). */
static void
teardown(struct run *r, struct opts *o)
{
	close(r->ep);
	connpool_free(&r->p);
	stormlog_free(&r->log);
	free(r);
	free(o->payload);
	free(o->reply);
	free(o->src);
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct run *r;
	FILE *out;
	int status;

	parse(argc, argv, &o);
	fdlimit(o.cap);
	if (o.nsrc)
		srcprobe(&o);
	r = setup(&o);
	if (o.verbose)
		settings(&o);
	/* with -F csv, the per-second lines go to stdout, the rest aside */
	out = o.fmt == FMT_CSV ? stderr : stdout;
	if (o.fmt == FMT_CSV)
		storm_sec_csvhead(stdout);
	status = o.search ? search(r, out) : storm(r, out);
	teardown(r, &o);
	if (fflush(stdout) == EOF || ferror(stdout))
		err(111, "unable to write output");
	return status;
}
