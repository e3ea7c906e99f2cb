/*
 * tee-sink: copy a record stream to stdout and to several sinks, each
 * with its own bounded queue, so a slow or dead sink loses only its own
 * copy (counted) and never stalls the channel.
 */
#include <err.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "arg.h"
#include "clock.h"
#include "decode.h"
#include "metrics.h"
#include "nonblock.h"
#include "num.h"
#include "obuf.h"
#include "recin.h"
#include "recsel.h"
#include "sig.h"
#include "sinkset.h"

#define USAGE "usage: tee-sink [-hnv] [-b SIZE] [-D DURATION] " \
	"[-e N=REGEX] [-f N=EXPR] [-M FILE] [-P POLICY] SINK..."
#define OPTSTRING	"b:D:e:f:hM:nP:v"

#define QUEUE_DEFAULT	(4u << 20)
#define DRAIN_DEFAULT	(5 * NS_PER_S)
#define LINE_MAX_LEN	(1u << 20)	/* a longer line goes in pieces */
#define SLICE		4096		/* records between looks around */
#define OBUF_CAP	(256u * 1024)

struct tee {
	uint64_t drain, qsize;
	int nostdout, verbose;
	struct sinkset ss;	/* n sinks, v[0..n-1] */
	struct recsel *sel;	/* -f and -e, by sink number */
	int n, sigfd;
	struct recin in;
	struct obuf out;
	uint64_t in_records, in_bytes, out_records, out_bytes;
	const char *mfile;	/* -M */
	struct metrics m;
	int stop;			/* TERM came while blocked */
	int badinput;	/* the input failed: its exit status (recin_fail) */
	struct pollfd *pfd;	/* stdin, the signal pipe, the sinks */
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
	if ((t->sel = calloc((size_t)t->n, sizeof *t->sel)) == NULL ||
	    (t->pfd = calloc((size_t)t->n + 2, sizeof *t->pfd)) == NULL)
		err(111, "unable to allocate");
	optind = 1;
	while ((c = getopt(argc, argv, OPTSTRING)) != -1) {
		switch (c) {
		case 'D': t->drain = dur_arg("duration", optarg, 0,
		    UINT64_MAX / 4); break;
		case 'e':
		case 'f': recsel_arg(t->sel, t->n, c == 'f' ? RECSEL_BPF :
		    RECSEL_REGEX, optarg); break;
		case 'M': t->mfile = optarg; break;
		case 'n': t->nostdout = 1; break;
		case 'P':
			if ((t->ss.policy = sinkset_policy(optarg)) == -1)
				arg_fail("policy", optarg,
				    "use new, old or block");
			break;
		case 'v': t->verbose = 1; break;
		}
	}
	for (i = 0; i < t->n; i++)
		t->ss.v[i].verbose = t->verbose;
}

static void
counters(const struct tee *t)
{
	if (!t->nostdout)
		fprintf(stderr, "tee-sink: stdout records=%llu bytes=%llu\n",
		    (unsigned long long)t->out_records,
		    (unsigned long long)t->out_bytes);
	sinkset_counters(&t->ss);
}

/* metrics: the counters as tee-sink(1) METRICS lists them. */
static void
metrics(struct tee *t)
{
	struct metrics *m = &t->m;

	metrics_begin(m);
	metrics_counter(m, "chanrelay_records_in_total", "Records read.",
	    t->in_records);
	metrics_counter(m, "chanrelay_bytes_in_total",
	    "Bytes of them (text: without the newlines).", t->in_bytes);
	if (!t->nostdout) {
		metrics_counter(m, "chanrelay_records_out_total",
		    "Records copied to the standard output.", t->out_records);
		metrics_counter(m, "chanrelay_bytes_out_total",
		    "Bytes of them.", t->out_bytes);
	}
	sinkset_metrics(&t->ss, m);
	metrics_commit(m);
}

/*
 * wait_events: flush stdout, then wait for input (when want_input), a
 * sink ready for more, a signal or the next reconnect; deal with what
 * the sinks report.
 */
static void
wait_events(struct tee *t, int want_input, uint64_t until)
{
	uint64_t due = until;

	if (!t->nostdout && obuf_flush(&t->out) == -1)
		obuf_fail(&t->out);
	t->pfd[0].fd = want_input ? 0 : -1;
	t->pfd[0].events = POLLIN;
	t->pfd[1].fd = t->sigfd;
	t->pfd[1].events = POLLIN;
	sinkset_fds(&t->ss, t->pfd + 2, &due);
	if (clock_poll(t->pfd, (nfds_t)t->n + 2, due, NULL) == -1 &&
	    errno != EINTR)
		err(111, "unable to wait for events");
	sinkset_polled(&t->ss, t->pfd + 2);
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
	struct iovec sv[2], dv;
	int cnt = 1, isdgram;

	t->in_records++;
	t->in_bytes += r->n;
	sv[0].iov_base = (void *)r->p;
	sv[0].iov_len = r->n;
	if (t->in.framing == FRAME_TEXT && !(r->flags & LINE_NONL)) {
		sv[1].iov_base = "\n";
		sv[1].iov_len = 1;
		cnt = 2;
	}
	if (!t->nostdout) {
		if (obuf_record(&t->out, sv, cnt) == -1)
			obuf_fail(&t->out);
		t->out_records++;
		t->out_bytes += r->n + (cnt > 1);
	}
	/* a udp: sink takes a text line as it is, a pcap record's UDP
	 * payload when the datagram was captured whole */
	dv = sv[0];
	isdgram = t->in.framing == FRAME_TEXT || (t->ss.anyudp &&
	    decode_payload(t->in.rd.linktype, r->data, r->caplen, &dv));
	sinkset_copy(&t->ss, t->sel, r, sv, cnt, isdgram ? &dv : NULL);
}

/* framing_known: check the selections against the input, compile BPF;
 * then the header goes out, and the sinks open. */
static void
framing_known(struct tee *t)
{
	char why[512];
	int st;

	if ((st = recsel_compile(t->sel, t->n, t->in.framing,
	    t->in.rd.linktype, why, sizeof why)) != 0)
		errx(st, "%s", why);
	if (!t->nostdout && t->in.framing == FRAME_PCAP &&
	    isatty(STDOUT_FILENO))
		errx(100, "refusing to write pcap to a terminal (use -n, or "
		    "a pipe or file)");
	if (!t->nostdout && t->in.framing == FRAME_PCAP &&
	    obuf_write(&t->out, t->in.hdr, sizeof t->in.hdr) == -1)
		err(111, "unable to write output");
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
		counters(t);
	if (metrics_due(&t->m))
		metrics(t);
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
			counters(t);
		if (metrics_due(&t->m))
			metrics(t);
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
		metrics(&t);
	if (obuf_init(&t.out, STDOUT_FILENO, OBUF_CAP) == -1 ||
	    obuf_track(&t.out) == -1)
		err(111, "unable to allocate");
	if (nonblock_stdin() == -1)
		err(111, "unable to read stdin");
	recin_init(&t.in, 0, LINE_MAX_LEN);
	t.ss.wait = blocked;
	t.ss.arg = &t;
	run(&t);
	/* the main path is done: the next program sees its end now, not
	 * after the sinks' drain */
	if (!t.nostdout && (obuf_flush(&t.out) == -1 ||
	    close(STDOUT_FILENO) == -1))
		obuf_fail(&t.out);
	if (t.in.framing != -1)
		drain(&t);
	/* the |COMMAND children read the end of their input and exit: a
	 * moment for them, so none outlives tee-sink as an orphan (a
	 * supervisor stopping the channel checks its process group); one
	 * that does not end within a second is left to init */
	dropped = sinkset_close(&t.ss, clock_mono() + NS_PER_S);
	if (t.m.path != NULL)
		metrics(&t);
	metrics_free(&t.m);
	if (t.verbose || dropped)
		counters(&t);
	if (t.badinput)
		return t.badinput;
	return dropped ? 1 : 0;
}
