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
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "arg.h"
#include "clock.h"
#include "esc.h"
#include "fdlim.h"
#include "hist.h"
#include "num.h"
#include "ramp.h"
#include "sig.h"
#include "sockfd.h"
#include "tcpsock.h"
#include "tcpstat.h"

#define USAGE "usage: connstorm [-hNqvX] [-E PERCENT] [-e REPLY] " \
	"[-F FORMAT] [-g FACTOR] [-I RAMP] [-i START] [-k HOLD] [-l LIMIT] " \
	"[-n LENGTH] [-P LATENCY] [-p PAYLOAD] [-r RATE] [-s SOURCES] " \
	"[-t DURATION] [-w TIMEOUT] ADDRESS"
#define OPTSTRING	"E:e:F:g:hI:i:k:l:Nn:P:p:qr:s:t:vw:X"

#define NS		NS_PER_S
#define MS		1000000ull
#define RATE_MAX	10000000
#define CAP_MAX		1000000
#define FD_SPARE	64		/* descriptors besides the connections */
#define BATCH		64		/* connections started per loop pass */
#define EVENTS		256		/* events taken per epoll_wait */
#define GRACE		(NS / 2)	/* for connections in flight at the end */
#define NIL		UINT32_MAX
#define SIGSLOT		UINT64_MAX	/* epoll data of the self-pipe */
#define NONE		TCPSTAT_NONE	/* a latency or counter not known */

enum { FMT_TEXT, FMT_JSON, FMT_CSV };

/* failure causes, in the order they are printed */
enum { C_REFUSED, C_TIMEOUT, C_RESET, C_NOPORT, C_UNREACH, C_MISMATCH,
	C_EOF, C_NOFD, C_OTHER, NCAUSE };
static const char *const causename[NCAUSE] = { "refused", "timeout",
	"reset", "noport", "unreachable", "mismatch", "eof", "nofd", "other" };

enum { S_FREE, S_CONNECT, S_SEND, S_READ, S_HOLD };

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

struct conn {
	int fd;
	int state;
	uint32_t prev, next;		/* in a timer list, or the free list */
	uint64_t t0;			/* connect() called */
	uint64_t t1;			/* payload sent: the reply clock starts */
	uint64_t due;			/* timeout or end of the hold */
	uint64_t off;			/* payload bytes sent, reply bytes read */
};

/* A timer list: every member has the same delay, so appending in time
 * order keeps it sorted and the head is always the first to expire. */
struct list {
	uint32_t head, tail;
};

struct count {
	uint64_t attempted, established, completed, failed;
	uint64_t cause[NCAUSE];
};

/* One per-second line, kept for the JSON summary. */
struct second {
	uint64_t tms, rate, open, p50, p99;
	uint64_t overflows, syndrops, timewait;	/* NONE: not shown */
	struct count c;
};

struct run {
	const struct opts *o;
	int ep, sigfd, local, tty, live, stopped, interrupted;
	struct ramp sc;		/* the schedule */
	struct conn *c;
	uint32_t freel;
	struct list wait, held;
	uint64_t t0, end, graceend, tick, lasttick, offset;
	uint64_t started, open, peak, srcnext, holddone, stopat, finished;
	uint64_t aborted, unfinished;	/* unfinished: aborted before holding */
	struct count sec, tot;
	struct hist hsec, hconn, hreply;
	struct second *secs;
	size_t nsecs, capsecs;
	struct tcpstat kprev, kfirst;
	uint64_t vlast[NCAUSE], vheld[NCAUSE];	/* -v: see tell */
};

static unsigned char rbuf[65536];

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

/* fraction_arg: a decimal number such as 1, 0.5 or 1.25, in thousandths
 * (the duration parser reads the fraction; units are refused). */
static uint64_t
fraction_arg(const char *what, const char *s, uint64_t min, uint64_t max,
    const char *small, const char *large)
{
	const char *e;
	uint64_t ns;

	if (s[0] == '\0' || s[strspn(s, "0123456789.")] != '\0')
		arg_fail(what, s, "invalid");
	ns = dur_parse(s, min * MS, max * MS, &e);
	if (e != NULL)
		arg_fail(what, s, strcmp(e, "too small") == 0 ? small :
		    strcmp(e, "too large") == 0 ? large : e);
	return ns / MS;
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
		case 'E': o->errmp = fraction_arg("error percentage", optarg,
		    0, 100000, "below 0", "above 100");
			o->eset = 1; break;
		case 'e': free(o->reply);
			o->reply = unescape("reply", optarg, &o->nreply);
			if (o->nreply == 0)
				arg_fail("reply", optarg, "empty");
			break;
		case 'F': o->fmt = format_arg(optarg); break;
		case 'g': o->factor = fraction_arg("growth factor", optarg,
		    1001, 100000, "not above 1", "above 100");
			o->gset = 1; break;
		case 'h': arg_help(0); break;
		case 'I': o->ramp = dur_arg("ramp", optarg, 0, 86400 * NS);
			break;
		case 'i': o->start = num_arg("start rate", optarg, 1,
		    RATE_MAX); o->startset = 1; break;
		case 'k': o->hold = dur_arg("hold", optarg, 0, 86400 * NS);
			break;
		case 'l': o->cap = num_arg("concurrency", optarg, 1, CAP_MAX);
			break;
		case 'N': o->normal = 1; break;
		case 'n': *nlen = size_arg("length", optarg, 1, 1ull << 40);
			break;
		case 'P': o->maxlat = dur_arg("latency", optarg, 1000,
		    3600 * NS); o->pset = 1; break;
		case 'p': free(o->payload);
			o->payload = unescape("payload", optarg, &o->npayload);
			break;
		case 'q': o->quiet = 1; break;
		case 'r': o->rate = num_arg("rate", optarg, 1, RATE_MAX);
			o->rateset = 1; break;
		case 's': *srcarg = optarg; break;
		case 't': o->dur = dur_arg("duration", optarg, MS, 86400 * NS);
			break;
		case 'v': o->verbose = 1; break;
		case 'w': o->timeout = dur_arg("timeout", optarg, MS,
		    3600 * NS); break;
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
	o->dur = 5 * NS;
	o->timeout = 5 * NS;
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

/* ---- connections ---- */

static void
list_push(struct run *r, struct list *l, uint32_t i)
{
	r->c[i].next = NIL;
	r->c[i].prev = l->tail;
	if (l->tail != NIL)
		r->c[l->tail].next = i;
	else
		l->head = i;
	l->tail = i;
}

static void
list_del(struct run *r, struct list *l, uint32_t i)
{
	struct conn *c = &r->c[i];

	if (c->prev != NIL)
		r->c[c->prev].next = c->next;
	else
		l->head = c->next;
	if (c->next != NIL)
		r->c[c->next].prev = c->prev;
	else
		l->tail = c->prev;
}

static int
cause_of(int e)
{
	switch (e) {
	case ECONNREFUSED: return C_REFUSED;
	case ETIMEDOUT: return C_TIMEOUT;
	case ECONNRESET: case EPIPE: case ECONNABORTED: return C_RESET;
	case EADDRNOTAVAIL: case EADDRINUSE: case EAGAIN: return C_NOPORT;
	case ENETUNREACH: case EHOSTUNREACH: case ENETDOWN: case EHOSTDOWN:
		return C_UNREACH;
	case EMFILE: case ENFILE: return C_NOFD;
	default: return C_OTHER;
	}
}

/* release: close connection i and free its slot. */
static void
release(struct run *r, uint32_t i)
{
	struct conn *c = &r->c[i];

	list_del(r, c->state == S_HOLD ? &r->held : &r->wait, i);
	(void)close(c->fd);	/* a socket's, after all it had to do */
	c->state = S_FREE;
	c->next = r->freel;
	r->freel = i;
	r->open--;
}

static void tell(struct run *, int, int);

/* failed: a failure of cause k counted (e: its errno, or 0), and told
 * with -v. */
static void
failed(struct run *r, int k, int e)
{
	r->sec.failed++;
	r->sec.cause[k]++;
	if (r->o->verbose)
		tell(r, k, e);
}

static void
fail(struct run *r, uint32_t i, int cause, int e)
{
	failed(r, cause, e);
	release(r, i);
}

/* finish: the connection did all it was asked to: close it (a reset
 * unless -N, as SO_LINGER was set when it opened). The sustained rate
 * counts the connections started in the hold phase that completed, so a
 * hold (-k) or a slow reply does not shift them out of the window. */
static void
finish(struct run *r, uint32_t i)
{
	uint64_t t = r->c[i].t0;

	r->sec.completed++;
	if (t >= r->t0 + r->sc.ramp && t < r->end)
		r->holddone++;
	release(r, i);
}

static void
interest(struct run *r, uint32_t i, uint32_t events)
{
	struct epoll_event ev;

	ev.events = events;
	ev.data.u64 = i;
	if (epoll_ctl(r->ep, EPOLL_CTL_MOD, r->c[i].fd, &ev) == -1)
		err(111, "unable to change the events of a connection");
}

/* replied: the reply (if any) is in: hold the connection, or finish. */
static void
replied(struct run *r, uint32_t i, uint64_t now)
{
	struct conn *c = &r->c[i];

	if (r->o->hold == 0) {
		finish(r, i);
		return;
	}
	list_del(r, &r->wait, i);
	c->state = S_HOLD;
	c->due = now + r->o->hold;
	list_push(r, &r->held, i);
	/* only the peer's close or reset matters while holding */
	interest(r, i, EPOLLRDHUP);
}

/* sent: the payload (if any) is out: wait for the reply, if one is
 * expected. */
static void
sent(struct run *r, uint32_t i, uint64_t now)
{
	struct conn *c = &r->c[i];

	c->t1 = now;
	if (r->o->expect == 0) {
		replied(r, i, now);
		return;
	}
	c->state = S_READ;
	c->off = 0;
	interest(r, i, EPOLLIN);
}

static void
sendmore(struct run *r, uint32_t i, uint64_t now)
{
	struct conn *c = &r->c[i];
	const struct opts *o = r->o;
	ssize_t n;

	while (c->off < o->npayload) {
		n = send(c->fd, o->payload + c->off, o->npayload - c->off,
		    MSG_NOSIGNAL);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return;	/* EPOLLOUT is still asked for */
		if (n == -1) {
			fail(r, i, cause_of(errno), errno);
			return;
		}
		c->off += (uint64_t)n;
	}
	sent(r, i, now);
}

/* check: n bytes of reply arrived; returns the cause of a failure, or
 * -1 while all is well. */
static int
check(struct run *r, struct conn *c, size_t n)
{
	const struct opts *o = r->o;

	if (o->reply != NULL && (c->off + n > o->expect ||
	    memcmp(o->reply + c->off, rbuf, n) != 0))
		return C_MISMATCH;
	c->off += n;
	return -1;
}

static void
readmore(struct run *r, uint32_t i, uint64_t now)
{
	struct conn *c = &r->c[i];
	ssize_t n;
	int cause;

	while (c->off < r->o->expect) {
		n = read(c->fd, rbuf, sizeof rbuf);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			fail(r, i, n == 0 ? C_EOF : cause_of(errno),
			    n == 0 ? 0 : errno);
			return;
		}
		if ((cause = check(r, c, (size_t)n)) >= 0) {
			fail(r, i, cause, 0);
			return;
		}
	}
	hist_add(&r->hreply, (now - c->t1) / 1000);
	replied(r, i, now);
}

static void
event(struct run *r, uint32_t i, uint32_t ev, uint64_t now)
{
	struct conn *c = &r->c[i];
	int e;

	switch (c->state) {
	case S_CONNECT:
		/* EPOLLOUT alone: connected; an error comes with EPOLLERR */
		if ((ev & (EPOLLERR | EPOLLHUP)) && (e = sockfd_error(c->fd)) != 0) {
			fail(r, i, cause_of(e), e);
			return;
		}
		r->sec.established++;
		hist_add(&r->hsec, (now - c->t0) / 1000);
		c->state = S_SEND;
		c->off = 0;
		sendmore(r, i, now);
		break;
	case S_SEND:
		sendmore(r, i, now);
		break;
	case S_READ:
		readmore(r, i, now);
		break;
	case S_HOLD:
		e = (ev & EPOLLERR) ? sockfd_error(c->fd) : 0;
		fail(r, i, e ? cause_of(e) : C_EOF, e);
		break;
	}
}

/* start: open one connection. A failure to start is counted, never
 * fatal: the next may succeed. */
static void
start(struct run *r)
{
	const struct opts *o = r->o;
	static const struct linger rst = { 1, 0 };
	struct epoll_event ev;
	struct conn *c;
	uint32_t i;
	int fd;

	r->sec.attempted++;
	fd = socket(o->dst.ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (fd == -1) {
		failed(r, cause_of(errno), errno);
		return;
	}
	/* SO_LINGER {1, 0}: close sends RST and leaves no TIME_WAIT */
	if ((!o->normal && setsockopt(fd, SOL_SOCKET, SO_LINGER, &rst,
	    sizeof rst) == -1) || (o->nsrc && tcpsock_bindsrc(fd,
	    &o->src[r->srcnext++ % o->nsrc]) == -1))
		goto bad;
	i = r->freel;
	c = &r->c[i];
	c->t0 = clock_mono();
	if (connect(fd, (const struct sockaddr *)&o->dst.ss, o->dst.len)
	    == -1 && errno != EINPROGRESS)
		goto bad;
	ev.events = EPOLLOUT;
	ev.data.u64 = i;
	if (epoll_ctl(r->ep, EPOLL_CTL_ADD, fd, &ev) == -1)
		err(111, "unable to add a connection to the epoll set");
	r->freel = c->next;
	c->fd = fd;
	c->state = S_CONNECT;
	c->due = c->t0 + o->timeout;
	list_push(r, &r->wait, i);
	if (++r->open > r->peak)
		r->peak = r->open;
	return;
bad:
	failed(r, cause_of(errno), errno);
	close(fd);
}

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
	while (n-- > 0 && r->open < r->o->cap) {
		r->started++;
		start(r);
		/* slow system calls must not carry the run past its end */
		if ((n & 15) == 0 && clock_mono() >= r->end)
			break;
	}
}

/* expire: connections past their timeout fail; held ones are done. */
static void
expire(struct run *r, uint64_t now)
{
	while (r->wait.head != NIL && r->c[r->wait.head].due <= now)
		fail(r, r->wait.head, C_TIMEOUT, 0);
	while (r->held.head != NIL && r->c[r->held.head].due <= now)
		finish(r, r->held.head);
}

/* abort_all: the end of the grace time: close what is left. */
static void
abort_all(struct run *r)
{
	while (r->wait.head != NIL) {
		r->aborted++;
		r->unfinished++;
		release(r, r->wait.head);
	}
	/* a held connection did its exchange: the end only cuts its hold */
	while (r->held.head != NIL)
		finish(r, r->held.head);
}

/* ---- the per-second lines ---- */

/* appendf: printf at the end of the string in buf (n bytes). */
static void __attribute__((format(printf, 3, 4)))
appendf(char *buf, size_t n, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;

	if (len + 1 >= n)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + len, n - len, fmt, ap);
	va_end(ap);
}

static unsigned long long
ull(uint64_t v)
{
	return (unsigned long long)v;
}

/* others: the failures of the causes a line does not name one by one. */
static uint64_t
others(const struct count *c)
{
	return c->failed - c->cause[C_REFUSED] - c->cause[C_TIMEOUT] -
	    c->cause[C_RESET] - c->cause[C_NOPORT];
}

/* tsec: ms as seconds: "3.0" on a whole second, else
 * "3.412" (the last, partial interval). Returns buf (32 bytes). */
static const char *
tsec(uint64_t ms, char *buf)
{
	if (ms % 1000 == 0)
		snprintf(buf, 32, "%llu.0", ull(ms / 1000));
	else
		snprintf(buf, 32, "%llu.%03llu", ull(ms / 1000), ull(ms % 1000));
	return buf;
}

static void
line_ms(char *buf, size_t n, const char *name, uint64_t us)
{
	if (us == NONE)
		appendf(buf, n, " %s=-", name);
	else
		appendf(buf, n, " %s=%llu.%03llums", name, ull(us / 1000),
		    ull(us % 1000));
}

static void
line_text(const struct second *s, char *buf, size_t n)
{
	const struct count *c = &s->c;
	char tb[32];

	buf[0] = '\0';
	appendf(buf, n, "t=%ss rate=%llu attempted=%llu "
	    "established=%llu completed=%llu failed=%llu refused=%llu "
	    "timeout=%llu reset=%llu noport=%llu other=%llu open=%llu",
	    tsec(s->tms, tb), ull(s->rate),
	    ull(c->attempted), ull(c->established), ull(c->completed),
	    ull(c->failed), ull(c->cause[C_REFUSED]), ull(c->cause[C_TIMEOUT]),
	    ull(c->cause[C_RESET]), ull(c->cause[C_NOPORT]), ull(others(c)),
	    ull(s->open));
	line_ms(buf, n, "connect_p50", s->p50);
	line_ms(buf, n, "connect_p99", s->p99);
	if (s->overflows != NONE)
		appendf(buf, n, " overflows=%llu syndrops=%llu",
		    ull(s->overflows), ull(s->syndrops));
	if (s->timewait != NONE)
		appendf(buf, n, " timewait=%llu", ull(s->timewait));
}

static void
csv_num(FILE *f, uint64_t v, const char *sep)
{
	if (v != NONE)
		fprintf(f, "%llu", ull(v));
	fputs(sep, f);
}

static void
line_csv(const struct second *s, FILE *f)
{
	const struct count *c = &s->c;
	char tb[32];

	fprintf(f, "%s,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,"
	    "%llu,%llu,", tsec(s->tms, tb), ull(s->rate), ull(c->attempted),
	    ull(c->established), ull(c->completed), ull(c->failed),
	    ull(c->cause[C_REFUSED]), ull(c->cause[C_TIMEOUT]),
	    ull(c->cause[C_RESET]), ull(c->cause[C_NOPORT]), ull(others(c)),
	    ull(s->open));
	csv_num(f, s->p50, ",");
	csv_num(f, s->p99, ",");
	csv_num(f, s->overflows, ",");
	csv_num(f, s->syndrops, ",");
	csv_num(f, s->timewait, "\n");
	fflush(f);
}

static void
count_add(struct count *to, const struct count *c)
{
	int k;

	to->attempted += c->attempted;
	to->established += c->established;
	to->completed += c->completed;
	to->failed += c->failed;
	for (k = 0; k < NCAUSE; k++)
		to->cause[k] += c->cause[k];
}

static void
keep(struct run *r, const struct second *s)
{
	struct second *p;

	if (r->nsecs == r->capsecs) {
		p = reallocarray(r->secs, r->capsecs + 64, sizeof *p);
		if (p == NULL)
			err(111, "unable to allocate the per-second lines");
		r->secs = p;
		r->capsecs += 64;
	}
	r->secs[r->nsecs++] = *s;
}

/* show: the line on stderr (rewritten in place on a terminal) and as CSV
 * on stdout for -F csv. */
static void
show(struct run *r, const struct second *s)
{
	char buf[512];

	if (r->o->fmt == FMT_CSV)
		line_csv(s, stdout);
	if (r->o->quiet)
		return;
	line_text(s, buf, sizeof buf);
	if (r->tty) {
		fprintf(stderr, "\r%s\033[K", buf);
		r->live = 1;
	} else
		fprintf(stderr, "%s\n", buf);
}

/* endlive: end the live line before anything else is written. */
static void
endlive(struct run *r)
{
	if (r->live)
		fputc('\n', stderr);
	r->live = 0;
}

/* ---- -v: the settings, and the failures as they happen ---- */

/* since: the time of at in seconds, as the per-second lines count it. */
static double
since(const struct run *r, uint64_t at)
{
	return (double)(r->offset + at - r->t0) / NS;
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
	    ull(o->rate), ull(o->start), (double)o->ramp / NS,
	    (double)o->dur / NS, ull(o->cap), (double)o->timeout / NS,
	    (double)o->hold / NS, o->normal ? "fin" : "reset", o->npayload,
	    ull(o->expect), o->nsrc);
	if (o->search)
		fprintf(stderr, " search: factor=%.3f errors=%.3f%% "
		    "latency=%.3fms", (double)o->factor / 1000,
		    (double)o->errmp / 1000, (double)o->maxlat / MS);
	fputc('\n', stderr);
}

/*
 * tell: a failure of cause k (e: its errno, or 0) on standard error, at
 * most one line a second for each cause: the ones in between are counted
 * and the next line of that cause, or the end of the run, says how many.
 */
static void
tell(struct run *r, int k, int e)
{
	uint64_t now = clock_mono();
	const char *why;

	if (r->vlast[k] != 0 && now - r->vlast[k] < NS) {
		r->vheld[k]++;
		return;
	}
	if (e != 0)
		why = strerror(e);
	else if (k == C_TIMEOUT)
		why = "not done within the timeout";
	else if (k == C_MISMATCH)
		why = "the reply differs from the one expected";
	else
		why = "the server closed the connection";
	endlive(r);
	fprintf(stderr, "connstorm: t=%.3fs: %s: %s", since(r, now),
	    causename[k], why);
	if (r->vheld[k])
		fprintf(stderr, " (and %llu more since t=%.3fs)",
		    ull(r->vheld[k]), since(r, r->vlast[k]));
	fputc('\n', stderr);
	r->vlast[k] = now;
	r->vheld[k] = 0;
}

/* untold: at the end of a run, the failures tell held back. */
static void
untold(struct run *r, uint64_t now)
{
	int k;

	for (k = 0; k < NCAUSE; k++) {
		if (r->vheld[k] == 0)
			continue;
		endlive(r);
		fprintf(stderr, "connstorm: t=%.3fs: %s: %llu more since "
		    "t=%.3fs\n", since(r, now), causename[k], ull(r->vheld[k]),
		    since(r, r->vlast[k]));
		r->vheld[k] = 0;
	}
}

/* report: the line for the interval that ends at at. */
static void
report(struct run *r, uint64_t at)
{
	struct second s;
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
	s.open = r->open;
	s.p50 = r->hsec.n ? hist_pct(&r->hsec, 500000) : NONE;
	s.p99 = r->hsec.n ? hist_pct(&r->hsec, 990000) : NONE;
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
	s.c = r->sec;
	count_add(&r->tot, &r->sec);
	memset(&r->sec, 0, sizeof r->sec);
	hist_merge(&r->hconn, &r->hsec);
	hist_reset(&r->hsec);
	r->lasttick = at;
	keep(r, &s);
	show(r, &s);
}

/* ---- the loop ---- */

static uint64_t
min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
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
	struct count c = r->tot;

	count_add(&c, &r->sec);
	endlive(r);
	warnx("attempted=%llu established=%llu completed=%llu failed=%llu "
	    "open=%llu", ull(c.attempted), ull(c.established),
	    ull(c.completed), ull(c.failed), ull(r->open));
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
		if (r->open < r->o->cap)
			t = ramp_due_by(&r->sc, now - r->t0) > r->started ?
			    now : min64(t, r->t0 + ramp_time_of(&r->sc,
			    r->started));
	} else
		t = min64(t, r->graceend);
	if (r->wait.head != NIL)
		t = min64(t, r->c[r->wait.head].due);
	if (r->held.head != NIL)
		t = min64(t, r->c[r->held.head].due);
	t = t > now ? t - now : 0;
	ts.tv_sec = (time_t)(t / NS);
	ts.tv_nsec = (long)(t % NS);
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
		for (; now >= r->tick; r->tick += NS)
			report(r, r->tick);
		signals(r, now);
		if (!r->stopped && now >= r->end)
			stop(r, r->end);
		if (r->stopped && (r->open == 0 || now >= r->graceend))
			break;
		if (!r->stopped)
			start_due(r, now);
		n = waitev(r, now, ev);
		now = clock_mono();
		for (k = 0; k < n; k++)
			if (ev[k].data.u64 != SIGSLOT &&
			    r->c[ev[k].data.u64].state != S_FREE)
				event(r, (uint32_t)ev[k].data.u64,
				    ev[k].events, now);
		expire(r, now);
	}
	r->finished = now;
	abort_all(r);
	if (r->sec.attempted || r->sec.established || r->sec.completed ||
	    r->sec.failed)
		report(r, now);
	untold(r, now);
}

/* run_step: one run of the schedule: start rate, rate, ramp, hold. */
static void
run_step(struct run *r, uint64_t start, uint64_t rate, uint64_t ramp,
    uint64_t dur)
{
	ramp_set(&r->sc, start, rate, ramp, dur);
	memset(&r->sec, 0, sizeof r->sec);
	memset(&r->tot, 0, sizeof r->tot);
	hist_reset(&r->hsec);
	hist_reset(&r->hconn);
	hist_reset(&r->hreply);
	r->nsecs = 0;
	r->started = r->open = r->peak = r->holddone = 0;
	r->aborted = r->unfinished = 0;
	r->stopped = 0;
	if (r->local)
		r->kfirst = r->kprev = tcpstat_read();
	r->t0 = r->lasttick = clock_mono();
	r->end = r->t0 + r->sc.total;
	r->tick = r->t0 + NS;
	loop(r);
}

/* ---- the summary ---- */

/* holdtime: ns of the hold phase that ran; 0 if the run never got to it. */
static uint64_t
holdtime(const struct run *r)
{
	uint64_t from = r->t0 + r->sc.ramp, to = min64(r->stopat, r->end);

	return to > from ? to - from : 0;
}

static double
sustained(const struct run *r)
{
	uint64_t h = holdtime(r);

	return h ? (double)r->holddone * NS / (double)h : 0;
}

static uint64_t
behind(const struct run *r)
{
	return r->sc.target > r->tot.attempted ?
	    r->sc.target - r->tot.attempted : 0;
}

static const uint32_t ppm[5] = { 500000, 900000, 990000, 999000, 1000000 };
static const char *const pname[5] = { "p50", "p90", "p99", "p99.9", "max" };
static const char *const jname[5] = { "p50", "p90", "p99", "p999", "max" };

static void
text_lat(FILE *f, const char *label, const struct hist *h)
{
	uint64_t us;
	int k;

	fprintf(f, "%s:", label);
	if (h->n == 0)
		fputs(" none", f);
	for (k = 0; h->n && k < 5; k++) {
		us = hist_pct(h, ppm[k]);
		fprintf(f, " %s=%llu.%03llums", pname[k], ull(us / 1000),
		    ull(us % 1000));
	}
	fputc('\n', f);
}

static void
text_kernel(FILE *f, const struct run *r)
{
	struct tcpstat k = r->kprev;
	uint64_t tw = tcpstat_timewait();

	fputs("kernel:", f);
	if (r->local && k.ok && r->kfirst.ok)
		fprintf(f, " listen_overflows=%llu syndrops=%llu",
		    ull(k.overflows - r->kfirst.overflows),
		    ull(k.drops - r->kfirst.drops));
	if (tw != NONE)
		fprintf(f, " timewait=%llu", ull(tw));
	fputc('\n', f);
}

static void
text_summary(FILE *f, const struct run *r)
{
	const struct count *c = &r->tot;
	char addr[ADDR_STRLEN];
	int k;

	fprintf(f, "target: %s rate=%llu start=%llu ramp=%.3fs hold=%.3fs "
	    "due=%llu\n", addr_format((const struct sockaddr *)
	    &r->o->dst.ss, addr), ull((uint64_t)r->sc.r),
	    ull((uint64_t)r->sc.s), (double)r->sc.ramp / NS,
	    (double)(r->sc.total - r->sc.ramp) / NS, ull(r->sc.target));
	fprintf(f, "result: duration=%.3fs elapsed=%.3fs sustained_cps=",
	    (double)(min64(r->stopat, r->end) - r->t0) / NS,
	    (double)(r->finished - r->t0) / NS);
	if (holdtime(r))
		fprintf(f, "%.1f", sustained(r));
	else
		fputc('-', f);
	fprintf(f, " peak_concurrency=%llu attempted=%llu established=%llu "
	    "completed=%llu failed=%llu aborted=%llu behind=%llu\n",
	    ull(r->peak), ull(c->attempted), ull(c->established),
	    ull(c->completed), ull(c->failed), ull(r->aborted), ull(behind(r)));
	fputs("errors:", f);
	for (k = 0; k < NCAUSE; k++)
		fprintf(f, " %s=%llu", causename[k], ull(c->cause[k]));
	fputc('\n', f);
	text_lat(f, "connect", &r->hconn);
	text_lat(f, "reply", &r->hreply);
	text_kernel(f, r);
}

static void
json_num(FILE *f, const char *key, uint64_t v, const char *sep)
{
	if (v == NONE)
		fprintf(f, "\"%s\":null%s", key, sep);
	else
		fprintf(f, "\"%s\":%llu%s", key, ull(v), sep);
}

static void
json_lat(FILE *f, const char *key, const struct hist *h)
{
	int k;

	fprintf(f, "\"%s\":{", key);
	for (k = 0; k < 5; k++)
		json_num(f, jname[k], h->n ? hist_pct(h, ppm[k]) : NONE,
		    k < 4 ? "," : "},");
}

static void
json_second(FILE *f, const struct second *s, const char *sep)
{
	const struct count *c = &s->c;

	fprintf(f, "{\"t\":%llu.%03llu,", ull(s->tms / 1000),
	    ull(s->tms % 1000));
	json_num(f, "rate", s->rate, ",");
	json_num(f, "attempted", c->attempted, ",");
	json_num(f, "established", c->established, ",");
	json_num(f, "completed", c->completed, ",");
	json_num(f, "failed", c->failed, ",");
	json_num(f, "refused", c->cause[C_REFUSED], ",");
	json_num(f, "timeout", c->cause[C_TIMEOUT], ",");
	json_num(f, "reset", c->cause[C_RESET], ",");
	json_num(f, "noport", c->cause[C_NOPORT], ",");
	json_num(f, "other", others(c), ",");
	json_num(f, "open", s->open, ",");
	json_num(f, "connect_p50_us", s->p50, ",");
	json_num(f, "connect_p99_us", s->p99, ",");
	json_num(f, "overflows", s->overflows, ",");
	json_num(f, "syndrops", s->syndrops, ",");
	json_num(f, "timewait", s->timewait, "}");
	fputs(sep, f);
}

static void
json_kernel(FILE *f, const struct run *r)
{
	int ok = r->local && r->kprev.ok && r->kfirst.ok;

	json_num(f, "listen_overflows", ok ? r->kprev.overflows -
	    r->kfirst.overflows : NONE, ",");
	json_num(f, "syndrops", ok ? r->kprev.drops - r->kfirst.drops : NONE,
	    ",");
	json_num(f, "timewait", tcpstat_timewait(), ",");
}

/* json_summary: the summary as one object's members, without braces. */
static void
json_summary(FILE *f, const struct run *r)
{
	const struct count *c = &r->tot;
	char addr[ADDR_STRLEN];
	size_t i;
	int k;

	fprintf(f, "\"address\":\"%s\",\"target_rate\":%llu,"
	    "\"start_rate\":%llu,\"ramp_s\":%.3f,\"hold_s\":%.3f,"
	    "\"duration_s\":%.3f,\"elapsed_s\":%.3f,\"target\":%llu,"
	    "\"sustained_cps\":", addr_format((const struct sockaddr *)
	    &r->o->dst.ss, addr), ull((uint64_t)r->sc.r),
	    ull((uint64_t)r->sc.s), (double)r->sc.ramp / NS,
	    (double)(r->sc.total - r->sc.ramp) / NS,
	    (double)(min64(r->stopat, r->end) - r->t0) / NS,
	    (double)(r->finished - r->t0) / NS, ull(r->sc.target));
	if (holdtime(r))
		fprintf(f, "%.1f,", sustained(r));
	else
		fputs("null,", f);
	json_num(f, "peak_concurrency", r->peak, ",");
	json_num(f, "attempted", c->attempted, ",");
	json_num(f, "established", c->established, ",");
	json_num(f, "completed", c->completed, ",");
	json_num(f, "failed", c->failed, ",");
	json_num(f, "aborted", r->aborted, ",");
	json_num(f, "behind", behind(r), ",\"errors\":{");
	for (k = 0; k < NCAUSE; k++)
		json_num(f, causename[k], c->cause[k], k < NCAUSE - 1 ?
		    "," : "},");
	json_lat(f, "connect_us", &r->hconn);
	json_lat(f, "reply_us", &r->hreply);
	json_kernel(f, r);
	fputs("\"seconds\":[", f);
	for (i = 0; i < r->nsecs; i++)
		json_second(f, &r->secs[i], i + 1 < r->nsecs ? "," : "");
	fputc(']', f);
}

/* verdict: 0 when every connection attempted completed (or was only
 * holding at the end) and at least 99 % of those due were attempted;
 * else 1, with a line saying why. */
static int
verdict(struct run *r)
{
	const struct count *c = &r->tot;
	int bad = 0;

	endlive(r);
	if (c->failed) {
		warnx("%llu of %llu connections failed", ull(c->failed),
		    ull(c->attempted));
		bad = 1;
	}
	if (r->unfinished) {
		warnx("%llu connections had not finished at the end and were "
		    "aborted", ull(r->unfinished));
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

/* ---- the ceiling search ---- */

/* step_ok: whether a step at rate held: errors within -E, connect p99
 * within -P, sustained rate at least 95 % of the step's. If not, why
 * (n bytes) says which. */
static int
step_ok(const struct run *r, uint64_t rate, char *why, size_t n)
{
	const struct opts *o = r->o;
	uint64_t bad = r->tot.failed + r->unfinished, p99;
	uint64_t tried = r->tot.attempted;

	p99 = hist_pct(&r->hconn, 990000);
	if (r->interrupted)
		snprintf(why, n, "interrupted");
	else if (tried == 0 || r->hconn.n == 0)
		snprintf(why, n, "no connection established");
	else if (bad * 100000 > o->errmp * tried)
		snprintf(why, n, "errors %.2f%% over %.3f%%",
		    100.0 * (double)bad / (double)tried, (double)o->errmp / 1000);
	else if (p99 * 1000 > o->maxlat)
		snprintf(why, n, "connect p99 %.3fms over %.3fms",
		    (double)p99 / 1000, (double)o->maxlat / MS);
	else if (sustained(r) < 0.95 * (double)rate)
		snprintf(why, n, "sustained %.1f/s under 95%% of %llu/s",
		    sustained(r), ull(rate));
	else
		return 1;
	return 0;
}

static void
step_text(FILE *f, const struct run *r, int step, int held,
    const char *why)
{
	uint64_t p99 = hist_pct(&r->hconn, 990000);

	fprintf(f, "step %d: rate=%llu attempted=%llu completed=%llu "
	    "failed=%llu aborted=%llu sustained_cps=%.1f connect_p99=%llu.%03llums"
	    ": %s%s\n", step, ull((uint64_t)r->sc.r), ull(r->tot.attempted),
	    ull(r->tot.completed), ull(r->tot.failed), ull(r->aborted),
	    sustained(r), ull(p99 / 1000), ull(p99 % 1000),
	    held ? "held" : "failed: ", held ? "" : why);
}

static void
step_json(FILE *f, const struct run *r, int step, int held,
    const char *why)
{
	fprintf(f, "%s{\"step\":%d,\"held\":%s,\"reason\":", step > 1 ?
	    "," : "", step, held ? "true" : "false");
	if (held)
		fputs("null,", f);
	else
		fprintf(f, "\"%s\",", why);	/* our own text: no quotes */
	json_summary(f, r);
	fputc('}', f);
}

/* next_rate: the rate times the factor, rounded up, at least one more,
 * at most the highest rate. */
static uint64_t
next_rate(const struct opts *o, uint64_t rate)
{
	uint64_t next = (rate * o->factor + 999) / 1000;

	if (next <= rate)
		next = rate + 1;
	return next < o->rate ? next : o->rate;
}

/* search: -X: steps of rising rate until one fails; the ceiling is the
 * last that held. Returns the exit status. */
static int
search(struct run *r, FILE *out)
{
	const struct opts *o = r->o;
	uint64_t rate = o->start, ceiling = 0;
	int step = 0, held, json = o->fmt == FMT_JSON;
	char why[128];

	if (json)
		fputs("{\"steps\":[", out);
	for (;;) {
		run_step(r, rate, rate, 0, o->dur);
		held = step_ok(r, rate, why, sizeof why);
		endlive(r);
		if (json)
			step_json(out, r, ++step, held, why);
		else
			step_text(out, r, ++step, held, why);
		fflush(out);
		r->offset += min64(r->stopat, r->end) - r->t0;
		if (!held)
			break;
		ceiling = rate;
		if (rate >= o->rate)
			break;
		rate = next_rate(o, rate);
	}
	if (json)
		fprintf(out, "],\"ceiling_cps\":%llu,\"limit_reached\":%s}\n",
		    ull(ceiling), held ? "true" : "false");
	else
		fprintf(out, "ceiling: %llu connections/s\n", ull(ceiling));
	fflush(out);
	if (held)
		warnx("every step held up to the highest rate, %llu/s: the "
		    "ceiling is at least that", ull(o->rate));
	if (ceiling == 0)
		warnx("the first step, at %llu/s, did not hold", ull(o->start));
	return ceiling ? 0 : 1;
}

/* ---- main ---- */

static struct run *
setup(const struct opts *o)
{
	struct epoll_event ev;
	struct run *r;
	uint32_t i;

	if ((r = calloc(1, sizeof *r)) == NULL ||
	    (r->c = calloc(o->cap, sizeof *r->c)) == NULL)
		err(111, "unable to allocate %llu connections", ull(o->cap));
	r->o = o;
	for (i = 0; i < o->cap; i++)
		r->c[i].next = i + 1 < o->cap ? i + 1 : NIL;
	r->freel = 0;
	r->wait.head = r->wait.tail = r->held.head = r->held.tail = NIL;
	r->local = addr_islocal((const struct sockaddr *)&o->dst.ss);
	r->tty = isatty(STDERR_FILENO);
	if ((r->sigfd = sig_init()) == -1 || sig_catch(SIGTERM) == -1 ||
	    sig_catch(SIGINT) == -1 || sig_catch(SIGUSR1) == -1 ||
	    sig_ignore(SIGPIPE) == -1)
		err(111, "unable to set signal handlers");
	if ((r->ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		err(111, "unable to create the epoll instance");
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
	free(r->c);
	free(r->secs);
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
	out = o.fmt == FMT_CSV ? stderr : stdout;
	if (o.fmt == FMT_CSV) {
		puts("t,rate,attempted,established,completed,failed,refused,"
		    "timeout,reset,noport,other,open,connect_p50_us,"
		    "connect_p99_us,overflows,syndrops,timewait");
		fflush(stdout);
	}
	if (o.search)
		status = search(r, out);
	else {
		run_step(r, o.start, o.rate, o.ramp, o.dur);
		endlive(r);
		if (o.fmt == FMT_JSON) {
			fputc('{', out);
			json_summary(out, r);
			fputs("}\n", out);
		} else
			text_summary(out, r);
		fflush(out);
		status = verdict(r);
	}
	teardown(r, &o);
	if (fflush(stdout) == EOF || ferror(stdout))
		err(111, "unable to write output");
	return status;
}
