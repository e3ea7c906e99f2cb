/*
 * tee-sink: copy a record stream to stdout and to several sinks, each
 * with its own bounded queue, so a slow or dead sink loses only its own
 * copy (counted) and never stalls the channel.
 */
#include <err.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "arg.h"
#include "clock.h"
#include "counters.h"
#include "metrics.h"
#include "nonblock.h"
#include "num.h"
#include "passthru.h"
#include "recin.h"
#include "recsel.h"
#include "sig.h"
#include "sinkset.h"

#define USAGE "usage: tee-sink [-Ghnv] [-b SIZE] [-D DURATION] " \
	"[-e N=REGEX] [-f N=EXPR] [-M FILE] [-P POLICY] SINK..."
#define OPTSTRING	"b:D:e:f:GhM:nP:v"

#define QUEUE_DEFAULT	(4u << 20)
#define DRAIN_DEFAULT	(5 * NS_PER_S)
#define LINE_MAX_LEN	(1u << 20)	/* a longer line goes in pieces */
#define SLICE		4096		/* records between looks around */
#define OBUF_CAP	(256u * 1024)

struct tee {
	uint64_t drain, qsize;
	int nostdout, verbose, nogso;
	struct sinkset ss;	/* n sinks, v[0..n-1]; sel: -f and -e */
	int n, sigfd;
	struct recin in;
	struct passthru out;	/* stdout */
	uint64_t in_records, in_bytes;
	const char *mfile;	/* -M */
	struct metrics m;
	int stop;			/* TERM came while blocked */
	int badinput;	/* the input failed: its exit status (recin_fail) */
};

/*
 * parse: options in two passes: the sinks first (they are the operands,
 * and -f/-e name them by number), then the options.
 */
static void
parse(int argc, char **argv, struct tee *t)
{
	int c, i;

	arg_usage = USAGE;
	t->qsize = QUEUE_DEFAULT;
	t->drain = DRAIN_DEFAULT;
	opterr = 0;
	while ((c = getopt(argc, argv, OPTSTRING)) != -1)
		if (c == '?' || c == ':') {
			arg_badopt(OPTSTRING);
		} else if (c == 'h')
			arg_help(0);
		else if (c == 'b')
			t->qsize = size_arg("queue size", optarg, 4096,
			    1ull << 32);
	t->n = argc - optind;
	if (t->n == 0)
		arg_misuse("%s", "missing SINK");
	sinkset_args(&t->ss, t->n, argv + optind, t->qsize);
	optind = 1;
	while ((c = getopt(argc, argv, OPTSTRING)) != -1) {
		switch (c) {
		case 'D': t->drain = dur_arg("duration", optarg, 0,
		    UINT64_MAX / 4); break;
		case 'e':
		case 'f': recsel_arg(t->ss.sel, t->n, c == 'f' ? RECSEL_BPF :
		    RECSEL_REGEX, optarg); break;
		case 'G': t->nogso = 1; break;
		case 'M': t->mfile = optarg; break;
		case 'n': t->nostdout = 1; break;
		case 'P': t->ss.policy = sinkset_policy_arg(optarg); break;
		case 'v': t->verbose = 1; break;
		}
	}
	for (i = 0; i < t->n; i++) {
		t->ss.v[i].verbose = t->verbose;
		t->ss.v[i].nogso = t->nogso;	/* udp: one datagram a message */
	}
}

/* report: the counters, as the lines of USR1 and exit (line) or as the
 * metrics file, tee-sink(1) METRICS. The line of stdout names it first,
 * "tee-sink: stdout records=N bytes=N", then each sink has one. */
static void
report(struct tee *t, int line)
{
	const struct counter c[] = {
		{ NULL, CN_IN, NULL, "Records read.", t->in_records, 0, NULL },
		{ NULL, CN_BYTES_IN, NULL, "Bytes of them (text: without the "
		    "newlines).", t->in_bytes, 0, NULL },
		{ "stdout records", CN_OUT, NULL, "Records copied to the "
		    "standard output.", t->out.records, 0, NULL },
		{ "bytes", CN_BYTES_OUT, NULL, "Bytes of them.", t->out.bytes,
		    0, NULL },
	};

	if (line) {
		if (!t->nostdout)
			counters_line(stderr, "tee-sink", c + 2, 2);
		sinkset_counters(&t->ss);
		return;
	}
	metrics_begin(&t->m);
	counters_rows(&t->m, c, t->nostdout ? 2 : 4);
	sinkset_metrics(&t->ss, &t->m);
	metrics_commit(&t->m);
}

/*
 * wait_events: flush stdout, then wait for input (when want_input), a
 * sink ready for more, a signal or the next reconnect; deal with what
 * the sinks report.
 */
static void
wait_events(struct tee *t, int want_input, uint64_t until)
{
	passthru_flush(&t->out);
	sinkset_wait(&t->ss, want_input ? STDIN_FILENO : -1, t->sigfd, until);
}

/* blocked: a full sink under -P block: serve every sink, reading
 * nothing, until it has room; -1 when TERM came (the main loop acts on
 * it, the record is dropped). */
static int
blocked(void *arg)
{
	struct tee *t = arg;

	wait_events(t, 0, UINT64_MAX);
	if (t->stop || sig_take(SIGTERM) | sig_take(SIGINT)) {
		t->stop = 1;
		return -1;
	}
	return 0;
}

/* fanout: one record to stdout and every sink that selects it. */
static void
fanout(struct tee *t, const struct rec *r)
{
	struct iovec v[2];
	int cnt = 1;

	t->in_records++;
	t->in_bytes += r->n;
	v[0].iov_base = (void *)r->p;
	v[0].iov_len = r->n;
	if (t->in.framing == FRAME_TEXT && !(r->flags & LINE_NONL)) {
		v[1].iov_base = "\n";
		v[1].iov_len = 1;
		cnt = 2;
	}
	passthru_record(&t->out, v, cnt);
	sinkset_fanout(&t->ss, &t->in, r, v, cnt);
}

/* framing_known: check the selections against the input, compile BPF;
 * then the header goes out, and the sinks open. */
static void
framing_known(struct tee *t)
{
	char why[512];
	int st;

	if ((st = recsel_compile(t->ss.sel, t->n, t->in.framing,
	    t->in.rd.linktype, why, sizeof why)) != 0)
		errx(st, "%s", why);
	passthru_header(&t->out, t->in.framing, t->in.hdr, sizeof t->in.hdr);
	sinkset_start(&t->ss, t->in.hdr, t->in.framing == FRAME_PCAP ?
	    sizeof t->in.hdr : 0);
}

/* signals: act on what arrived. Returns 1 for TERM or INT. */
static int
signals(struct tee *t)
{
	if (sig_take(SIGCHLD))
		sinkset_reap(&t->ss);
	if (sig_take(SIGUSR1))
		report(t, 1);
	if (metrics_due(&t->m))
		report(t, 0);
	if (sig_take(SIGHUP))
		sinkset_reopen(&t->ss);
	if (sig_take(SIGTERM) | sig_take(SIGINT))
		t->stop = 1;
	return t->stop;
}

/*
 * run: read and fan out until the end of input or TERM. Malformed input
 * ends it as its end would: what came before goes out (t->badinput set).
 */
static void
run(struct tee *t)
{
	struct rec r;
	int n, i, known = 0;

	for (;;) {
		if (signals(t))
			return;
		if (!known) {
			if ((n = recin_sniff(&t->in)) == 1) {
				known = 1;
				framing_known(t);
			}
		} else {
			for (i = 0; i < SLICE && !t->stop; i++) {
				if ((n = recin_next(&t->in, &r)) != 1)
					break;
				fanout(t, &r);
				/* a full sink may have room again: ask poll,
				 * not the sink, so a stalled one costs little */
				if ((i & 255) == 255)
					sinkset_poll_blocked(&t->ss);
			}
			if (i == SLICE)
				n = 1;
		}
		if (n == 0 || n == -1) {
			if (n == -1)
				t->badinput = recin_fail(&t->in);
			return;
		}
		sinkset_service(&t->ss);
		wait_events(t, n == RECIN_AGAIN,
		    n == 1 ? clock_mono() : UINT64_MAX);
	}
}

/* drain: give every sink until the deadline to take what it holds;
 * what is left then is dropped. */
static void
drain(struct tee *t)
{
	uint64_t end = clock_mono() + t->drain;

	for (;;) {
		sinkset_service(&t->ss);
		if (sinkset_holding(&t->ss) == 0 || clock_mono() >= end)
			break;
		wait_events(t, 0, end);
		if (sig_take(SIGUSR1))
			report(t, 1);
		if (metrics_due(&t->m))
			report(t, 0);
	}
	sinkset_give_up(&t->ss);
}

int
main(int argc, char **argv)
{
	static struct tee t;
	uint64_t dropped;

	parse(argc, argv, &t);
	t.sigfd = sig_setup(SIG_HUP | SIG_CHLD);
	if (metrics_setup(&t.m, t.mfile, "tee-sink"))
		report(&t, 0);
	passthru_init(&t.out, STDOUT_FILENO, OBUF_CAP, !t.nostdout);
	if (nonblock_stdin() == -1)
		err(111, "unable to read stdin");
	recin_init(&t.in, 0, LINE_MAX_LEN);
	t.ss.wait = blocked;
	t.ss.arg = &t;
	run(&t);
	/* the main path is done: the next program sees its end now, not
	 * after the sinks' drain */
	passthru_close(&t.out);
	if (t.in.framing != -1)
		drain(&t);
	/* the |COMMAND children read the end of their input and exit: a
	 * moment for them, so none outlives tee-sink as an orphan (a
	 * supervisor stopping the channel checks its process group); one
	 * that does not end within a second is left to init */
	dropped = sinkset_close(&t.ss, clock_mono() + NS_PER_S);
	if (t.m.path != NULL)
		report(&t, 0);
	metrics_free(&t.m);
	if (t.verbose || dropped)
		report(&t, 1);
	if (t.badinput)
		return t.badinput;
	return dropped ? 1 : 0;
}
