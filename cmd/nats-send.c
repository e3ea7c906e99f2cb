/*
 * nats-send: read a record stream (pcap or text lines) and publish one
 * message per record (or a pack of records) to a NATS JetStream subject,
 * counting a record as delivered only when JetStream acknowledged it.
 */
#include <err.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "arg.h"
#include "clock.h"
#include "counters.h"
#include "metrics.h"
#include "natsconn.h"
#include "natspub.h"
#include "natsrec.h"
#include "natsstream.h"
#include "nonblock.h"
#include "num.h"
#include "recin.h"
#include "sig.h"

#define USAGE "usage: nats-send [-hv] [-A AGE] [-B COUNT] [-C STREAM] " \
	"[-D DURATION] [-E FILE] [-e FILE] [-F LAYOUT] [-i COUNT] [-K FILE] " \
	"[-k FILE] [-L SIZE] [-M FILE] [-n SERVERS] [-O STORAGE] " \
	"[-W WINDOW] [-w TIMEOUT] [-y REPLICAS] SUBJECT"
#define OPTSTRING	"A:B:C:D:E:e:F:hi:K:k:L:M:n:O:vW:w:y:"

struct opts {
	struct natsconn nc;
	struct natsstream st;	/* -C and what it creates */
	const char *subject;
	const char *metrics;	/* -M */
	uint64_t pack, inflight, wait, drain;
	int layout;		/* NATSPUB_PAYLOAD or NATSPUB_PCAP */
	int verbose;
};

struct run {
	struct opts o;
	struct recin in;
	struct natspub pub;
	struct metrics m;
	uint64_t read, inbytes;
	int sigfd, badinput;	/* recin_fail's status */
};

static int
layout_arg(const char *s)
{
	if (strcmp(s, "payload") == 0)
		return NATSPUB_PAYLOAD;
	if (strcmp(s, "pcap") == 0)
		return NATSPUB_PCAP;
	arg_fail("layout", s, "use payload or pcap");
}

static void
getopts(int argc, char **argv, struct opts *o)
{
	int c;

	opterr = 0;	/* getopt's messages name argv[0]; ours name the program */
	while ((c = getopt(argc, argv, OPTSTRING)) != -1) {
		if (natsconn_opt(&o->nc, c, optarg) ||
		    natsstream_opt(&o->st, c, optarg))
			continue;
		switch (c) {
		case 'B': o->pack = num_arg("pack count", optarg, 1,
		    NATSPUB_PACKMAX); break;
		case 'D': o->drain = dur_arg("drain time", optarg, 0,
		    UINT64_MAX / 2); break;
		case 'F': o->layout = layout_arg(optarg); break;
		case 'h': arg_help(0); break;
		case 'i': o->inflight = num_arg("in-flight count", optarg, 1,
		    1000000); break;
		case 'M': o->metrics = optarg; break;
		case 'v': o->verbose = 1; break;
		case 'w': o->wait = dur_arg("publish timeout", optarg,
		    1000000, 3600 * NS_PER_S); break;
		default:
			arg_badopt(OPTSTRING);
		}
	}
}

static void
parse(int argc, char **argv, struct opts *o)
{
	memset(o, 0, sizeof *o);
	arg_usage = USAGE;
	o->pack = 1;
	o->inflight = 256;
	o->wait = NS_PER_S;
	o->drain = 30 * NS_PER_S;
	natsstream_init(&o->st);
	getopts(argc, argv, o);
	o->subject = natsrec_subject_arg(arg_operand(argc - optind,
	    argv + optind, "SUBJECT"));
	natsstream_check(&o->st, o->wait, NATSPUB_BACKOFFMAX);
	natsconn_setup(&o->nc, "nats-send", o->verbose);
}

/* report: the counters, as the line of USR1 and exit (line) or as the
 * metrics file, nats-send(1) METRICS. */
static void
report(struct run *r, int line)
{
	const struct natspub_count n = natspub_counters(&r->pub);
	const struct counter c[] = {
		{ "read", CN_IN, NULL, "Records (or lines) read.", r->read, 0,
		    NULL },
		{ NULL, CN_BYTES_IN, NULL, "Bytes of them read (text: without "
		    "the newlines).", r->inbytes, 0, NULL },
		{ "published", CN_OUT, NULL, "Records published (resends not "
		    "counted).", n.published, 0, NULL },
		{ NULL, CN_DROP, "reason=skipped", "Records lost, by reason: "
		    "skipped (a line too long, not a UDP datagram), failed "
		    "(never acknowledged).", n.skipped, 0, NULL },
		{ NULL, CN_DROP, "reason=failed", NULL, n.failed, 0, NULL },
		{ "acked", "chanrelay_nats_acked_total", NULL, "Records "
		    "JetStream acknowledged.", n.acked, 0, NULL },
		{ "duplicates", "chanrelay_nats_duplicates_total", NULL,
		    "Acknowledged records the stream already held.",
		    n.duplicates, 0, NULL },
		{ "resent", "chanrelay_nats_resent_total", NULL, "Records "
		    "published again, their ack late or lost.", n.resent, 0,
		    NULL },
		{ "failed", "chanrelay_nats_failed_total", NULL, "Records never "
		    "acknowledged (the failed of the counters).", n.failed, 0,
		    NULL },
		{ "skipped", NULL, NULL, NULL, n.skipped, 0, NULL },
	};

	if (line)
		counters_line(stderr, "nats-send", c, sizeof c / sizeof c[0]);
	else
		counters_metrics(&r->m, c, sizeof c / sizeof c[0]);
}

static void
pub_fail(struct run *r)
{
	errx(111, "unable to publish to %s: %s", r->o.subject, r->pub.err);
}

/* wait_for: until the input is readable (when want_in), an ack came
 * back, a signal, or the next resend is due. */
static void
wait_for(struct run *r, int want_in)
{
	struct pollfd pfd[3] = {
		{ STDIN_FILENO, POLLIN, 0 }, { r->sigfd, POLLIN, 0 },
		{ r->pub.wakefd, POLLIN, 0 },
	};
	int ms = natspub_due_ms(&r->pub);

	if (!want_in)
		pfd[0].fd = -1;
	if (poll(pfd, 3, ms) == -1 && errno != EINTR)
		err(111, "unable to wait for input");
	natspub_woken(&r->pub);
}

/* signals: 1 when TERM or INT asks to stop. */
static int
signals(struct run *r)
{
	if (sig_take(SIGUSR1))
		report(r, 1);
	if (metrics_due(&r->m))
		report(r, 0);
	return sig_take(SIGTERM) | sig_take(SIGINT);
}

/*
 * loop: read records while fewer than -i are in flight; a pack goes out
 * when it is full or the input has nothing more for now. Returns at the
 * end of the input or on TERM.
 */
static void
loop(struct run *r)
{
	struct rec rec;
	int n = RECIN_AGAIN, i;

	for (;;) {
		if (signals(r))
			return;
		natspub_resend(&r->pub);
		if (!natspub_room(&r->pub)) {
			wait_for(r, 0);
			continue;
		}
		for (i = 0; i < 256 && natspub_room(&r->pub); i++) {
			if ((n = recin_next(&r->in, &rec)) != 1)
				break;
			r->read++;
			r->inbytes += rec.n;
			if (natspub_take(&r->pub, &r->in, &rec) == -1)
				pub_fail(r);
		}
		if (i == 256 || !natspub_room(&r->pub))
			continue;
		if (natspub_flush(&r->pub) == -1)
			pub_fail(r);
		if (n == 0)
			return;
		if (n == -1) {
			r->badinput = recin_fail(&r->in);
			return;
		}
		wait_for(r, 1);
	}
}

/* drain: wait for the acks still out, resending, up to -D (or TERM). */
static void
drain(struct run *r)
{
	uint64_t end = clock_mono() + r->o.drain;

	if (natspub_flush(&r->pub) == -1)
		pub_fail(r);
	while (natspub_pending(&r->pub) > 0 && clock_mono() < end) {
		if (signals(r))
			break;
		natspub_resend(&r->pub);
		wait_for(r, 0);
	}
	if (natspub_pending(&r->pub) > 0)
		warnx("%llu records not acknowledged within the drain time",
		    (unsigned long long)natspub_pending(&r->pub));
}

/* sniff: the framing of the input; 0 when it ended (or TERM came)
 * before any byte. */
static int
sniff(struct run *r)
{
	int n;

	/* nothing is published yet: no ack or resend to wait for */
	recin_init(&r->in, STDIN_FILENO, r->pub.maxline);
	while ((n = recin_wait_sniff(&r->in, r->sigfd)) == RECIN_AGAIN)
		if (signals(r))
			return 0;
	if (n == -1) {
		r->badinput = recin_fail(&r->in);
		return 0;
	}
	if (n == 1 && natspub_start(&r->pub, r->in.framing == FRAME_TEXT,
	    r->in.hdr, r->in.rd.linktype) == -1)
		errx(111, "unable to start publishing: %s", r->pub.err);
	return n;
}

int
main(int argc, char **argv)
{
	static struct run r;
	struct natspub_count c;
	int status;

	parse(argc, argv, &r.o);
	if (nonblock_stdin() == -1)
		err(111, "unable to read stdin");
	r.sigfd = sig_setup(0);
	if ((status = natspub_open(&r.pub, &r.o.nc, r.o.subject, &r.o.st,
	    r.o.layout, r.o.pack, r.o.inflight, r.o.wait)) != 0)
		errx(status, "%s", r.pub.err);
	if (metrics_setup(&r.m, r.o.metrics, "nats-send"))
		report(&r, 0);
	if (sniff(&r) == 1) {
		loop(&r);
		drain(&r);
	}
	recin_free(&r.in);
	natspub_close(&r.pub);	/* what is still out counts as failed */
	c = natspub_counters(&r.pub);
	if (r.m.path != NULL)
		report(&r, 0);
	metrics_free(&r.m);
	status = c.failed || c.skipped || r.badinput ? 1 : 0;
	if (r.badinput == 111)
		status = 111;	/* a read error: retrying may help */
	if (r.o.verbose || status || sig_take(SIGUSR1))
		report(&r, 1);
	return status;
}
