/*
 * udp-send: read records (pcap or text lines) and send each one as a
 * datagram, as fast as possible, at a fixed rate or with the records' own
 * timing; or send synthetic records for benchmarks and tests.
 */
#include <sys/socket.h>

#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "arg.h"
#include "clock.h"
#include "dgramin.h"
#include "nonblock.h"
#include "counters.h"
#include "num.h"
#include "pace.h"
#include "recin.h"
#include "sig.h"
#include "sockfd.h"
#include "synth.h"
#include "udpsock.h"
#include "udptx.h"

#define USAGE "usage: udp-send [-ehLPv] [-B COUNT] [-c COUNT] [-H TTL] " \
	"[-M FILE] [-m IFACE] [-r RATE] [-s SOURCE] [-x FACTOR] [-z SIZE] " \
	"ADDRESS"
#define OPTSTRING	"B:c:ehH:LM:m:Pr:s:vx:z:"

#define BATCH_DEFAULT	32
#define DRAIN_NS	NS_PER_S	/* bound on retries after TERM */

struct opts {
	const char *address, *source, *mcif, *metrics;
	struct addr dst, src;
	uint64_t batch, count, size, rate, milli;
	int ttl;			/* -1: the kernel's default */
	int fatal, noloop, replay, verbose;
};

struct run {
	struct opts o;
	int sock, sigfd, paced, stop;
	int badinput;	/* the input failed: its exit status (recin_fail) */
	struct recin in;
	struct pace pace;
	struct udptx tx;
	struct metrics m;
	uint64_t read, seq;
	char peer[ADDR_STRLEN];
};

static void
getopts(int argc, char **argv, struct opts *o)
{
	int c;

	opterr = 0;	/* getopt's messages name argv[0]; ours name the program */
	while ((c = getopt(argc, argv, OPTSTRING)) != -1) {
		switch (c) {
		case 'B': o->batch = num_arg("batch size", optarg, 1,
		    UDPTX_MAX); break;
		case 'c': o->count = num_arg("count", optarg, 1,
		    INT64_MAX); break;
		case 'e': o->fatal = 1; break;
		case 'H': o->ttl = num_arg("TTL", optarg, 0, 255); break;
		case 'h': arg_help(0); break;
		case 'L': o->noloop = 1; break;
		case 'M': o->metrics = optarg; break;
		case 'm': o->mcif = optarg; break;
		case 'P': o->replay = 1; break;
		case 'r': o->rate = num_arg("rate", optarg, 1, NS_PER_S); break;
		case 's': o->source = optarg; break;
		case 'v': o->verbose = 1; break;
		case 'x': o->milli = milli_arg("speed factor", optarg, 1,
		    1000000, "below 0.001", "above 1000"); break;
		case 'z': o->size = size_arg("size", optarg, SYNTH_HDRLEN,
		    SYNTH_MAXLEN); break;
		default:
			arg_badopt(OPTSTRING);
		}
	}
}

/* parse: the options, then every conflict refused before anything opens. */
static void
parse(int argc, char **argv, struct opts *o)
{
	int mc;

	memset(o, 0, sizeof *o);
	arg_usage = USAGE;
	o->batch = BATCH_DEFAULT;
	o->ttl = -1;
	getopts(argc, argv, o);
	o->address = arg_operand(argc - optind, argv + optind, "ADDRESS");
	if (o->rate && o->replay)
		arg_misuse("%s", "use one of -r and -P");
	if (o->milli && !o->replay)
		arg_misuse("%s", "-x needs -P");
	if (o->size && !o->count)
		arg_misuse("%s", "-z needs -c");
	if (o->count && o->replay)
		arg_misuse("%s", "-P replays records from stdin, not with -c");
	addr_arg("address", o->address, &o->dst);
	if (o->dst.wildcard)
		arg_fail("address", o->address, "a destination needs a host");
	if (addr_port((const struct sockaddr *)&o->dst.ss) == 0)
		arg_fail("address", o->address, "port 0");
	mc = udpsock_ismcast((struct sockaddr *)&o->dst.ss);
	if ((o->mcif || o->noloop) && !mc)
		arg_misuse("-m and -L need a multicast ADDRESS, not '%s'",
		    o->address);
	if (o->ttl == 0 && !mc)
		arg_fail("TTL", "0", "0 is for multicast only");
	if (o->source)
		udpsock_source_arg(o->source, &o->dst, &o->src);
	if (o->count && !o->size)
		o->size = 64;
	if (o->replay && !o->milli)
		o->milli = 1000;
}

/*
 * sock_open: a non-blocking UDP socket, bound to the source when one is
 * given, connected to the destination: the kernel then reports ICMP
 * errors (port unreachable) on later sends, and sendmmsg needs no names.
 */
static int
sock_open(struct run *r)
{
	const struct opts *o = &r->o;
	char from[ADDR_STRLEN];
	const char *step;
	int fd;

	addr_format((struct sockaddr *)&o->dst.ss, r->peer);
	fd = udpsock_connect(&o->dst, o->source ? &o->src : NULL,
	    o->mcif ? udpsock_ifindex(o->mcif) : 0, o->ttl, !o->noloop,
	    &step);
	if (fd == -1 && step == udpsock_bind_step)
		err(111, "unable to bind %s", o->source);
	if (fd == -1)
		err(111, "unable to %s %s", step, r->peer);
	sockfd_name(fd, NULL, from);
	if (o->verbose)
		warnx("sending from %s to %s", from, r->peer);
	return fd;
}

/* report: the counters, as the line of USR1 and exit (line) or as the
 * metrics file, udp-send(1) METRICS. */
static void
report(struct run *r, int line)
{
	const struct counter c[] = {
		{ "read", CN_IN, NULL, "Records read (or made, with -c).",
		    r->read, 0, NULL },
		{ "sent", CN_OUT, NULL, "Datagrams sent.", r->tx.sent, 0, NULL },
		{ NULL, CN_BYTES_OUT, NULL, "Payload bytes of the datagrams "
		    "sent.", r->tx.bytes, 0, NULL },
		{ "skipped", CN_DROP, "reason=skipped", "Records not sent, by "
		    "reason: skipped (not UDP, or too large), refused (the "
		    "kernel said no, not sent again), abandoned (still refused "
		    "when TERM's drain ended).", r->tx.skipped, 0, NULL },
		{ "refused", CN_DROP, "reason=refused", NULL, r->tx.refused,
		    0, NULL },
		{ NULL, CN_DROP, "reason=abandoned", NULL, r->tx.abandoned,
		    0, NULL },
		{ "retried", "chanrelay_sends_retried_total", NULL, "Sends "
		    "tried again after the kernel refused them.",
		    r->tx.retried, 0, NULL },
		{ "late", "chanrelay_records_late_total", NULL, "Paced "
		    "datagrams sent more than 1 ms after their due time.",
		    r->tx.late, 0, NULL },
		{ "maxlate", NULL, NULL, NULL, r->tx.maxlate / 1000, 0, "us" },
	};

	if (line)
		counters_line(stderr, "udp-send", c, sizeof c / sizeof c[0]);
	else
		counters_metrics(&r->m, c, sizeof c / sizeof c[0]);
}

/* signals: act on what arrived; returns 1 once TERM or INT came. */
static int
signals(struct run *r)
{
	if ((sig_take(SIGTERM) | sig_take(SIGINT)) && !r->stop) {
		r->stop = 1;
		r->tx.giveup = clock_mono() + DRAIN_NS;
	}
	if (sig_take(SIGUSR1))
		report(r, 1);
	if (metrics_due(&r->m))
		report(r, 0);
	return r->stop;
}

/* die_send: exit 111 naming the send error e. */
static void
die_send(const struct run *r, int e)
{
	errno = e;
	err(111, "unable to send to %s", r->peer);
}

/* flush: send the batch, whatever the kernel says: when it takes no
 * more, wait and try again; after TERM, only until the drain's bound. */
static void
flush(struct run *r)
{
	int e;

	while ((e = udptx_flush(&r->tx, r->sigfd)) == UDPTX_WAITED)
		signals(r);
	if (e != 0)
		die_send(r, e);
}

/* add: copy a datagram into the batch (the reader's buffer moves on). */
static void
add(struct run *r, const struct dgram *it, uint64_t due)
{
	unsigned char *p;

	if (!udptx_fits(&r->tx, it->len))
		flush(r);
	p = udptx_add(&r->tx, it->len, due);
	if (it->p != NULL)
		memcpy(p, it->p, it->len);
	else
		synth_fill(p, it->len, r->seq++, r->o.count);
}

/* next: the next datagram in *it: a synthetic one (p NULL) with -c,
 * else as dgramin_next, which counts what it skips with the rest. */
static int
next(struct run *r, struct dgram *it)
{
	int n;

	if (r->o.count) {
		if (r->read == r->o.count)
			return 0;
		memset(it, 0, sizeof *it);
		it->len = r->o.size;
		r->read++;
		return 1;
	}
	if ((n = dgramin_next(&r->in, it, &r->read, &r->tx.skipped)) == -1) {
		r->badinput = recin_fail(&r->in);
		return 0;
	}
	return n;
}

/*
 * schedule: the due time of the record in *due. Returns 0 when it joins
 * the batch (it is due already), 1 when it was waited for and goes out
 * at once, -1 when TERM came while waiting (it is not sent). Behind
 * schedule, records go out in batches; when a whole batch has not caught
 * up a stall, the schedule slips instead (pace_behind): never a burst.
 */
static int
schedule(struct run *r, const struct dgram *it, uint64_t *due)
{
	uint64_t d;

	d = *due = pace_due(&r->pace, it->sec, it->nsec, clock_mono());
	if (r->tx.n > 0 && d > clock_mono())
		flush(r);
	if (r->tx.n > 0 || pace_ready(&r->pace, d))
		return 0;
	while (pace_sleep(d) == -1)
		if (signals(r))
			return -1;
	return 1;
}

static void
loop(struct run *r)
{
	struct dgram it;
	uint64_t due = 0;
	int n, now;

	for (;;) {
		/* once a batch: sig_take costs a read on the self-pipe */
		if (r->tx.n == 0 && signals(r))
			break;
		if ((n = next(r, &it)) == RECIN_AGAIN) {
			/* what is batched goes out before the wait */
			flush(r);
			recin_wait(&r->in, r->sigfd);
			continue;
		}
		if (n == 0)
			break;
		now = 0;
		if (r->paced && (now = schedule(r, &it, &due)) == -1)
			break;
		add(r, &it, due);
		if (now || r->tx.n == r->o.batch)
			flush(r);
	}
	flush(r);
}

/* sniff: wait for the first bytes and the framing. Returns 1, or 0 when
 * the input ended (or TERM came) before any byte. */
static int
sniff(struct run *r)
{
	int n;

	/* a text line is whole up to the largest payload of the family */
	dgramin_init(&r->in, STDIN_FILENO, r->o.dst.ss.ss_family);
	while ((n = recin_wait_sniff(&r->in, r->sigfd)) == RECIN_AGAIN)
		if (signals(r))
			return 0;
	if (n == -1) {
		r->badinput = recin_fail(&r->in);
		return 0;
	}
	if (n == 1 && r->o.replay && r->in.framing == FRAME_TEXT)
		errx(100, "-P replays a pcap stream: text lines have no time");
	return n;
}

int
main(int argc, char **argv)
{
	static struct run r;
	int e, lost;

	parse(argc, argv, &r.o);
	/* first: a closed fd 0 would be taken by the next file opened */
	if (!r.o.count && nonblock_stdin() == -1)
		err(111, "unable to read stdin");
	r.sigfd = sig_setup(0);
	metrics_setup(&r.m, r.o.metrics, "udp-send");
	r.paced = r.o.rate || r.o.replay;
	if (udptx_init(&r.tx, -1, r.paced, r.o.count != 0, r.o.fatal) == -1)
		err(111, "unable to allocate the batch");
	r.tx.fd = r.sock = sock_open(&r);
	if (r.o.rate)
		pace_rate(&r.pace, r.o.rate, (unsigned)r.o.batch);
	else if (r.o.replay)
		pace_replay(&r.pace, r.o.milli, (unsigned)r.o.batch);
	if (r.m.path != NULL)
		report(&r, 0);
	if (r.o.count)
		loop(&r);
	else {
		if (sniff(&r) == 1)
			loop(&r);
		recin_free(&r.in);
	}
	/* a refusal of the last datagrams, pending, unreported by a send */
	if ((e = udptx_pending(&r.tx)) != 0)
		die_send(&r, e);
	if (r.m.path != NULL)
		report(&r, 0);
	metrics_free(&r.m);
	lost = r.tx.refused || r.tx.skipped || r.tx.abandoned || r.badinput;
	if (r.o.verbose || lost || r.tx.late || sig_take(SIGUSR1))
		report(&r, 1);
	if (close(r.sock) == -1)
		err(111, "unable to close the socket");
	udptx_free(&r.tx);
	if (r.badinput)
		return r.badinput;
	return lost ? 1 : 0;
}
