/*
 * tee-sink: copy a record stream to stdout and to several sinks, each
 * with its own bounded queue, so a slow or dead sink loses only its own
 * copy (counted) and never stalls the channel.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "arg.h"
#include "clock.h"
#include "decode.h"
#include "nonblock.h"
#include "num.h"
#include "obuf.h"
#include "recin.h"
#include "recsel.h"
#include "sig.h"
#include "sink.h"
#include "sinkset.h"

#define USAGE "usage: tee-sink [-hnv] [-b SIZE] [-D DURATION] " \
	"[-e N=REGEX] [-f N=EXPR] [-P POLICY] SINK..."
#define OPTSTRING	"b:D:e:f:hnP:v"

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
	uint64_t out_records, out_bytes;
	int udp_any;
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
	const char *e;
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
	if (sinkset_init(&t->ss, t->n) == -1 ||
	    (t->sel = calloc((size_t)t->n, sizeof *t->sel)) == NULL ||
	    (t->pfd = calloc((size_t)t->n + 2, sizeof *t->pfd)) == NULL)
		err(111, "unable to allocate");
	for (i = 0; i < t->n; i++) {
		if ((e = sink_parse(argv[optind + i], &t->ss.v[i], t->qsize)))
			arg_fail("sink", argv[optind + i], e);
		t->udp_any |= t->ss.v[i].kind == SINK_UDP;
	}
	optind = 1;
	while ((c = getopt(argc, argv, OPTSTRING)) != -1) {
		switch (c) {
		case 'D': t->drain = dur_arg("duration", optarg, 0,
		    UINT64_MAX / 4); break;
		case 'e':
		case 'f': recsel_arg(t->sel, t->n, c == 'f' ? RECSEL_BPF :
		    RECSEL_REGEX, optarg); break;
		case 'n': t->nostdout = 1; break;
		case 'P':
			if (strcmp(optarg, "new") == 0)
				t->ss.policy = SINKSET_DROP_NEW;
			else if (strcmp(optarg, "old") == 0)
				t->ss.policy = SINKSET_DROP_OLD;
			else if (strcmp(optarg, "block") == 0)
				t->ss.policy = SINKSET_BLOCK;
			else
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

/* out_fail: stdout failed; when its reader went away, what it never read
 * (held here, or left in the pipe) is lost, and counted. */
static void
out_fail(const struct tee *t)
{
	if (errno == EPIPE)
		obuf_gone(&t->out);
	err(111, "unable to write output");
}

/*
 * wait_events: flush stdout, then wait for input (when want_input), a
 * sink ready for more, a signal or the next reconnect; deal with what
 * the sinks report.
 */
static void
wait_events(struct tee *t, int want_input, uint64_t until)
{
	struct timespec ts;
	uint64_t now = clock_mono(), due = until;

	if (!t->nostdout && obuf_flush(&t->out) == -1)
		out_fail(t);
	t->pfd[0].fd = want_input ? 0 : -1;
	t->pfd[0].events = POLLIN;
	t->pfd[1].fd = t->sigfd;
	t->pfd[1].events = POLLIN;
	sinkset_fds(&t->ss, t->pfd + 2, &due);
	ts = clock_ts(due > now ? due - now : 0);
	if (ppoll(t->pfd, (nfds_t)t->n + 2, due == UINT64_MAX ? NULL : &ts,
	    NULL) == -1 && errno != EINTR)
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
	struct sink *s;
	struct udpinfo u;
	int cnt = 1, isudp = 0, i;

	sv[0].iov_base = (void *)r->p;
	sv[0].iov_len = r->n;
	if (t->in.framing == FRAME_TEXT && !(r->flags & LINE_NONL)) {
		sv[1].iov_base = "\n";
		sv[1].iov_len = 1;
		cnt = 2;
	}
	if (!t->nostdout) {
		for (i = 0; i < cnt; i++)
			if (obuf_write(&t->out, sv[i].iov_base,
			    sv[i].iov_len) == -1)
				out_fail(t);
		obuf_mark(&t->out);
		t->out_records++;
		t->out_bytes += r->n + (cnt > 1);
	}
	dv = sv[0];
	if (t->udp_any && t->in.framing == FRAME_PCAP) {
		isudp = decode_udp(t->in.rd.linktype, r->data, r->caplen,
		    &u) == 1 && u.paylen == u.paylen_orig;
		dv.iov_base = isudp ? (void *)u.payload : NULL;
		dv.iov_len = isudp ? u.paylen : 0;
	}
	for (i = 0; i < t->n; i++) {
		s = &t->ss.v[i];
		/* the common case of a stalled sink, decided in a few tests:
		 * full, waiting for POLLOUT, and the new record is the one
		 * that goes */
		if (s->blocked && t->ss.policy == SINKSET_DROP_NEW &&
		    !recsel_any(&t->sel[i]) && sink_stream(s) &&
		    !recqueue_room(&s->q, r->n + (size_t)(cnt - 1))) {
			s->dropped++;
			continue;
		}
		if (!recsel_match(&t->sel[i], r))
			continue;
		if (sink_stream(s))
			sinkset_queue(&t->ss, s, sv, cnt);
		else if (t->in.framing == FRAME_TEXT || isudp)
			sinkset_queue(&t->ss, s, &dv, 1);
		else
			s->skipped++;
	}
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
		out_fail(&t);
	if (t.in.framing != -1)
		drain(&t);
	/* the |COMMAND children read the end of their input and exit: a
	 * moment for them, so none outlives tee-sink as an orphan (a
	 * supervisor stopping the channel checks its process group); one
	 * that does not end within a second is left to init */
	dropped = sinkset_close(&t.ss, clock_mono() + NS_PER_S);
	if (t.verbose || dropped)
		counters(&t);
	if (t.badinput)
		return t.badinput;
	return dropped ? 1 : 0;
}
