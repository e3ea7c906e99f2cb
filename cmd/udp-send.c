/*
 * udp-send: read records (pcap or text lines) and send each one as a
 * datagram, as fast as possible, at a fixed rate or with the records' own
 * timing; or send synthetic records for benchmarks and tests.
 */
#include <sys/socket.h>

#include <err.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "arg.h"
#include "clock.h"
#include "counters.h"
#include "nonblock.h"
#include "num.h"
#include "sig.h"
#include "sockfd.h"
#include "synth.h"
#include "udpfeed.h"
#include "udpsock.h"

#define USAGE "usage: udp-send [-eGhLPv] [-B COUNT] [-c COUNT] [-H TTL] " \
	"[-j SPIN] [-M FILE] [-m IFACE] [-r RATE] [-s SOURCE] [-x FACTOR] " \
	"[-z SIZE] ADDRESS"
#define OPTSTRING	"B:c:eGhH:j:LM:m:Pr:s:vx:z:"

#define BATCH_DEFAULT	32
#define DRAIN_NS	NS_PER_S	/* bound on retries after TERM */

struct opts {
	const char *address, *source, *mcif, *metrics;
	struct addr dst, src;
	uint64_t batch, count, size, rate, milli, spin;
	int ttl;			/* -1: the kernel's default */
	int fatal, nogso, noloop, replay, verbose;
};

struct run {
	struct opts o;
	int sock, stop;
	struct udpfeed f;	/* what is read, paced and sent */
	struct metrics m;
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
		case 'G': o->nogso = 1; break;
		case 'H': o->ttl = num_arg("TTL", optarg, 0, 255); break;
		case 'h': arg_help(0); break;
		case 'j': o->spin = dur_arg("spin", optarg, 1, NS_PER_S); break;
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
	if (o->spin && !o->replay && !o->rate)
		arg_misuse("%s", "-j needs -P or -r");
	if (o->size && !o->count)
		arg_misuse("%s", "-z needs -c");
	if (o->count && o->replay)
		arg_misuse("%s", "-P replays records from stdin, not with -c");
	udpsock_dest_arg(o->address, &o->dst, o->mcif, o->noloop, o->ttl);
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
		    r->f.read, 0, NULL },
		{ "sent", CN_OUT, NULL, "Datagrams sent.", r->f.tx.sent, 0,
		    NULL },
		{ NULL, CN_BYTES_OUT, NULL, "Payload bytes of the datagrams "
		    "sent.", r->f.tx.bytes, 0, NULL },
		{ "skipped", CN_DROP, "reason=skipped", "Records not sent, by "
		    "reason: skipped (not UDP, or too large), refused (the "
		    "kernel said no, not sent again), abandoned (still refused "
		    "when TERM's drain ended).", r->f.tx.skipped, 0, NULL },
		{ "refused", CN_DROP, "reason=refused", NULL, r->f.tx.refused,
		    0, NULL },
		{ NULL, CN_DROP, "reason=abandoned", NULL, r->f.tx.abandoned,
		    0, NULL },
		{ "retried", "chanrelay_sends_retried_total", NULL, "Sends "
		    "tried again after the kernel refused them.",
		    r->f.tx.retried, 0, NULL },
		{ "late", "chanrelay_records_late_total", NULL, "Paced "
		    "datagrams sent more than 1 ms after their due time.",
		    r->f.tx.late, 0, NULL },
		{ "maxlate", NULL, NULL, NULL, r->f.tx.maxlate / 1000, 0,
		    "us" },
	};

	if (line)
		counters_line(stderr, "udp-send", c, sizeof c / sizeof c[0]);
	else
		counters_metrics(&r->m, c, sizeof c / sizeof c[0]);
}

/* signals: act on what arrived; returns 1 once TERM or INT came. */
static int
signals(void *arg)
{
	struct run *r = arg;

	if ((sig_take(SIGTERM) | sig_take(SIGINT)) && !r->stop) {
		r->stop = 1;
		r->f.tx.giveup = clock_mono() + DRAIN_NS;
	}
	if (sig_take(SIGUSR1))
		report(r, 1);
	if (metrics_due(&r->m))
		report(r, 0);
	return r->stop;
}

static void
loop(struct run *r)
{
	struct udpfeed *f = &r->f;
	struct dgram it;
	uint64_t due = 0;
	int n, now;

	for (;;) {
		/* once a batch: sig_take costs a read on the self-pipe */
		if (f->tx.n == 0 && signals(r))
			break;
		if ((n = udpfeed_next(f, &it)) == RECIN_AGAIN) {
			/* what is batched goes out before the wait */
			udpfeed_flush(f);
			recin_wait(&f->in, f->sigfd);
			continue;
		}
		if (n == 0)
			break;
		now = 0;
		if (f->paced && (now = udpfeed_schedule(f, &it, &due)) == -1)
			break;
		udpfeed_add(f, &it, due);
		if (now || f->tx.n == r->o.batch)
			udpfeed_flush(f);
	}
	udpfeed_flush(f);
}

/* sniff: wait for the first bytes and the framing. Returns 1, or 0 when
 * the input ended (or TERM came) before any byte. */
static int
sniff(struct run *r)
{
	int n;

	n = udpfeed_sniff(&r->f, STDIN_FILENO, r->o.dst.ss.ss_family);
	if (n == 1 && r->o.replay && r->f.in.framing == FRAME_TEXT)
		errx(100, "-P replays a pcap stream: text lines have no time");
	return n;
}

int
main(int argc, char **argv)
{
	static struct run r;
	struct udpfeed *f = &r.f;
	int lost;

	parse(argc, argv, &r.o);
	/* first: a closed fd 0 would be taken by the next file opened */
	if (!r.o.count && nonblock_stdin() == -1)
		err(111, "unable to read stdin");
	f->sigfd = sig_setup(0);
	f->signals = signals;
	f->arg = &r;
	f->peer = r.peer;
	metrics_setup(&r.m, r.o.metrics, "udp-send");
	f->paced = r.o.rate || r.o.replay;
	f->count = r.o.count;
	f->size = r.o.size;
	if (udptx_init(&f->tx, -1, f->paced, r.o.count != 0, r.o.fatal) == -1)
		err(111, "unable to allocate the batch");
	f->tx.fd = r.sock = sock_open(&r);
	f->tx.gso = !r.o.nogso;
	f->tx.exact = r.o.replay;	/* each datagram keeps its own time */
	f->tx.verbose = r.o.verbose;
	if (r.o.rate)
		pace_rate(&f->pace, r.o.rate, (unsigned)r.o.batch);
	else if (r.o.replay)
		pace_replay(&f->pace, r.o.milli, (unsigned)r.o.batch);
	if (r.o.spin && r.o.verbose)
		warnx("spinning the last %llu us before each due time",
		    (unsigned long long)r.o.spin / 1000);
	if (r.o.spin)
		f->pace.spin = r.o.spin;
	if (r.m.path != NULL)
		report(&r, 0);
	if (r.o.count)
		loop(&r);
	else {
		if (sniff(&r) == 1)
			loop(&r);
		recin_free(&f->in);
	}
	/* a refusal of the last datagrams, pending, unreported by a send */
	udpfeed_pending(f);
	if (r.m.path != NULL)
		report(&r, 0);
	metrics_free(&r.m);
	lost = f->tx.refused || f->tx.skipped || f->tx.abandoned ||
	    f->badinput;
	if (r.o.verbose || lost || f->tx.late || sig_take(SIGUSR1))
		report(&r, 1);
	if (close(r.sock) == -1)
		err(111, "unable to close the socket");
	udptx_free(&f->tx);
	if (f->badinput)
		return f->badinput;
	return lost ? 1 : 0;
}
