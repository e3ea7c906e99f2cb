/*
 * tee-sink: copy a record stream to stdout and to several sinks, each
 * with its own bounded queue, so a slow or dead sink loses only its own
 * copy (counted) and never stalls the channel.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <regex.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "arg.h"
#include "children.h"
#include "clock.h"
#include "decode.h"
#include "nonblock.h"
#include "num.h"
#include "obuf.h"
#include "pcapdl.h"
#include "recin.h"
#include "sig.h"
#include "sink.h"

#define USAGE "usage: tee-sink [-hnv] [-b SIZE] [-D DURATION] " \
	"[-e N=REGEX] [-f N=EXPR] [-P POLICY] SINK..."
#define OPTSTRING	"b:D:e:f:hnP:v"

#define QUEUE_DEFAULT	(4u << 20)
#define DRAIN_DEFAULT	(5 * NS_PER_S)
#define LINE_MAX_LEN	(1u << 20)	/* a longer line goes in pieces */
#define SLICE		4096		/* records between looks around */
#define OBUF_CAP	(256u * 1024)

enum { DROP_NEW, DROP_OLD, BLOCK };

struct sel {			/* -f and -e, by sink number */
	const char *bpf_expr;
	struct bpf_program bpf;
	int has_bpf, has_re;
	regex_t re;
};

struct tee {
	uint64_t drain, qsize;
	int nostdout, verbose, policy;
	struct sink *s;
	struct sel *sel;
	int n;
	struct recin in;
	struct obuf out;
	uint64_t out_records, out_bytes;
	int udp_any;
	int stop;			/* TERM came while blocked */
	int badinput;	/* the input failed: its exit status (recin_fail) */
	struct pollfd *pfd;
	struct children kids;	/* the |COMMAND children: what = the sink */
};

/* selector: "N=TEXT" for sink N of n; returns TEXT, its index in *i. */
static const char *
selector(const char *what, const char *s, int n, int *i)
{
	const char *eq = strchr(s, '=');
	char num[16];

	if (eq == NULL || eq == s || (size_t)(eq - s) >= sizeof num)
		arg_fail(what, s, "use N=...");
	memcpy(num, s, (size_t)(eq - s));
	num[eq - s] = '\0';
	*i = (int)num_arg("sink number", num, 1, n > 0 ? n : 1) - 1;
	return eq + 1;
}

static void
select_arg(struct tee *t, int c, const char *s)
{
	const char *v;
	char msg[256];
	int i, rc;

	v = selector(c == 'f' ? "filter" : "regex", s, t->n, &i);
	if (t->sel[i].bpf_expr || t->sel[i].has_re) {
		snprintf(msg, sizeof msg, "sink %d has a selection already",
		    i + 1);
		arg_misuse("%s", msg);
	}
	if (c == 'f') {
		t->sel[i].bpf_expr = v;
		return;
	}
	if ((rc = regcomp(&t->sel[i].re, v, REG_EXTENDED | REG_NOSUB)) != 0) {
		regerror(rc, &t->sel[i].re, msg, sizeof msg);
		arg_fail("regex", v, msg);
	}
	t->sel[i].has_re = 1;
}

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
	if ((t->s = calloc((size_t)t->n, sizeof *t->s)) == NULL ||
	    (t->sel = calloc((size_t)t->n, sizeof *t->sel)) == NULL ||
	    (t->pfd = calloc((size_t)t->n + 2, sizeof *t->pfd)) == NULL)
		err(111, "unable to allocate");
	for (i = 0; i < t->n; i++) {
		if ((e = sink_parse(argv[optind + i], &t->s[i], t->qsize)))
			arg_fail("sink", argv[optind + i], e);
		t->udp_any |= t->s[i].kind == SINK_UDP;
	}
	optind = 1;
	while ((c = getopt(argc, argv, OPTSTRING)) != -1) {
		switch (c) {
		case 'D': t->drain = dur_arg("duration", optarg, 0,
		    UINT64_MAX / 4); break;
		case 'e':
		case 'f': select_arg(t, c, optarg); break;
		case 'n': t->nostdout = 1; break;
		case 'P':
			if (strcmp(optarg, "new") == 0)
				t->policy = DROP_NEW;
			else if (strcmp(optarg, "old") == 0)
				t->policy = DROP_OLD;
			else if (strcmp(optarg, "block") == 0)
				t->policy = BLOCK;
			else
				arg_fail("policy", optarg,
				    "use new, old or block");
			break;
		case 'v': t->verbose = 1; break;
		}
	}
	for (i = 0; i < t->n; i++)
		t->s[i].verbose = t->verbose;
}

static void
counters(const struct tee *t)
{
	const struct sink *s;
	int i;

	if (!t->nostdout)
		fprintf(stderr, "tee-sink: stdout records=%llu bytes=%llu\n",
		    (unsigned long long)t->out_records,
		    (unsigned long long)t->out_bytes);
	for (i = 0; i < t->n; i++) {
		s = &t->s[i];
		fprintf(stderr, "tee-sink: %s records=%llu bytes=%llu "
		    "dropped=%llu reconnects=%llu skipped=%llu errors=%llu\n",
		    s->spec, (unsigned long long)s->records,
		    (unsigned long long)s->bytes,
		    (unsigned long long)s->dropped,
		    (unsigned long long)s->reconnects,
		    (unsigned long long)s->skipped,
		    (unsigned long long)s->errors);
	}
}

/* start: open sink s, or set its next try; a |COMMAND's child goes in
 * the table. */
static void
start(struct tee *t, struct sink *s)
{
	if (sink_start(s, t->in.hdr, t->in.framing == FRAME_PCAP ?
	    sizeof t->in.hdr : 0) == 0 && s->kind == SINK_PIPE &&
	    children_add(&t->kids, s->pid, s) == -1)
		err(111, "unable to allocate");
}

/* service: write every sink that can take data; reopen those due. */
static void
service(struct tee *t)
{
	struct sink *s;
	uint64_t now = clock_mono();
	int i;

	for (i = 0; i < t->n; i++) {
		s = &t->s[i];
		/* not before the framing is known: the header goes first */
		if (s->fd == -1 && now >= s->retry_at && t->in.framing != -1)
			start(t, s);
		if (s->fd != -1 && !s->connecting && !s->blocked)
			sink_write(s);
	}
}

/* reap: the |COMMAND children that ended: their sinks start again later
 * (a child of an opening closed since is gone for nothing). */
static void
reap(struct tee *t)
{
	struct child k;
	int st;

	while (children_reap(&t->kids, &k, &st, 0) == 1)
		if (((struct sink *)k.what)->pid == k.pid)
			sink_exited(k.what, st);
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
wait_events(struct tee *t, int sigfd, int want_input, uint64_t until)
{
	struct sink *s;
	struct timespec ts;
	uint64_t now = clock_mono(), due = until;
	int i;

	if (!t->nostdout && obuf_flush(&t->out) == -1)
		out_fail(t);
	t->pfd[0].fd = want_input ? 0 : -1;
	t->pfd[0].events = POLLIN;
	t->pfd[1].fd = sigfd;
	t->pfd[1].events = POLLIN;
	for (i = 0; i < t->n; i++) {
		s = &t->s[i];
		t->pfd[i + 2].fd = s->fd;
		t->pfd[i + 2].events = sink_events(s);
		if (s->fd == -1 && s->retry_at < due)
			due = s->retry_at;
	}
	ts = clock_ts(due > now ? due - now : 0);
	if (ppoll(t->pfd, (nfds_t)t->n + 2, due == UINT64_MAX ? NULL : &ts,
	    NULL) == -1 && errno != EINTR)
		err(111, "unable to wait for events");
	for (i = 0; i < t->n; i++)
		sink_polled(&t->s[i], t->pfd[i + 2].revents);
	service(t);
}

/* poll_blocked: ask poll, without waiting, which full sinks have room
 * again, and write those; stdout and the rest are left alone. */
static void
poll_blocked(struct tee *t)
{
	struct timespec zero = { 0, 0 };
	int i, k = 0;

	for (i = 0; i < t->n; i++)
		if (t->s[i].blocked) {
			t->pfd[k].fd = t->s[i].fd;
			t->pfd[k].events = POLLOUT;
			t->pfd[k++].revents = 0;
		}
	if (k == 0 || ppoll(t->pfd, (nfds_t)k, &zero, NULL) <= 0)
		return;
	for (i = k = 0; i < t->n; i++)
		if (t->s[i].blocked && t->pfd[k++].revents != 0) {
			t->s[i].blocked = 0;
			if (sink_flush(&t->s[i]) == -1 && t->s[i].fd == -1)
				sink_retry_later(&t->s[i]);
		}
}

/* selected: 1 if sink i takes this record. */
static int
selected(struct tee *t, int i, const struct rec *r)
{
	struct pcap_pkthdr h;
	regmatch_t m;

	if (t->sel[i].has_bpf) {
		memset(&h, 0, sizeof h);
		h.caplen = r->caplen;
		h.len = r->origlen;
		return pcapdl.offline_filter(&t->sel[i].bpf, &h, r->data) != 0;
	}
	if (t->sel[i].has_re) {
		m.rm_so = 0;
		m.rm_eo = (regoff_t)r->n;
		return regexec(&t->sel[i].re, (const char *)r->p, 1, &m,
		    REG_STARTEND) == 0;
	}
	return 1;
}

/*
 * deliver: queue one record for sink s, as the policy says when its
 * queue is full. With BLOCK, wait (serving every sink, reading nothing)
 * until it fits or TERM comes.
 */
static void
deliver(struct tee *t, struct sink *s, const struct iovec *v, int cnt,
    int sigfd)
{
	size_t n = 0;
	int i;

	for (i = 0; i < cnt; i++)
		n += v[i].iov_len;
	if (n > s->q.cap) {
		s->dropped++;
		return;
	}
	/* a sink that can take more gets it before anything is dropped
	 * (one that was full gets no new try before POLLOUT says so) */
	if (!recqueue_room(&s->q, n) && s->fd != -1 && !s->connecting &&
	    !s->blocked)
		sink_flush(s);
	while (!recqueue_room(&s->q, n)) {
		if (t->policy == DROP_NEW) {
			s->dropped++;
			return;
		}
		if (t->policy == DROP_OLD) {
			if (!recqueue_drop_oldest(&s->q))
				break;
			s->dropped++;
			continue;
		}
		wait_events(t, sigfd, 0, UINT64_MAX);
		if (t->stop || sig_take(SIGTERM) | sig_take(SIGINT)) {
			t->stop = 1;	/* the main loop acts on it */
			s->dropped++;
			return;
		}
	}
	if (!recqueue_room(&s->q, n) || recqueue_push(&s->q, v, cnt) == -1) {
		s->dropped++;
		return;
	}
	if (s->fd != -1 && !s->connecting && !s->blocked &&
	    s->q.used >= (s->q.cap / 2 < 65536 ? s->q.cap / 2 : 65536))
		sink_flush(s);
}

/* fanout: one record to stdout and every sink that selects it. */
static void
fanout(struct tee *t, const struct rec *r, int sigfd)
{
	struct iovec sv[2], dv;
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
		/* the common case of a stalled sink, decided in a few tests:
		 * full, waiting for POLLOUT, and the new record is the one
		 * that goes */
		if (t->s[i].blocked && t->policy == DROP_NEW &&
		    !t->sel[i].has_bpf && !t->sel[i].has_re &&
		    sink_stream(&t->s[i]) &&
		    !recqueue_room(&t->s[i].q, r->n + (size_t)(cnt - 1))) {
			t->s[i].dropped++;
			continue;
		}
		if (!selected(t, i, r))
			continue;
		if (sink_stream(&t->s[i]))
			deliver(t, &t->s[i], sv, cnt, sigfd);
		else if (t->in.framing == FRAME_TEXT || isudp)
			deliver(t, &t->s[i], &dv, 1, sigfd);
		else
			t->s[i].skipped++;
	}
}

/* dlt: libpcap's DLT_ for a savefile's LINKTYPE_ (they differ for RAW). */
static int
dlt(uint32_t linktype)
{
	return linktype == LINKTYPE_RAW ? DLT_RAW : (int)linktype;
}

/* framing_known: check the selections against the input, compile BPF. */
static void
framing_known(struct tee *t)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	pcap_t *dead = NULL;
	int i;

	for (i = 0; i < t->n; i++) {
		if (t->sel[i].has_re && t->in.framing == FRAME_PCAP)
			errx(100, "-e is for text input; the input is pcap");
		if (t->sel[i].bpf_expr == NULL)
			continue;
		if (t->in.framing == FRAME_TEXT)
			errx(100, "-f is for pcap input; the input is text");
		if (dead == NULL && (pcapdl_load(ebuf, sizeof ebuf) == -1 ||
		    (dead = pcapdl.open_dead(dlt(t->in.rd.linktype),
		    PCAPR_MAXCAPLEN)) == NULL))
			errx(111, "unable to compile filters: %s", ebuf);
		if (pcapdl.compile(dead, &t->sel[i].bpf, t->sel[i].bpf_expr, 1,
		    PCAP_NETMASK_UNKNOWN) == -1)
			errx(100, "invalid filter '%s': %s", t->sel[i].bpf_expr,
			    pcapdl.geterr(dead));
		t->sel[i].has_bpf = 1;
	}
	if (dead != NULL)
		pcapdl.close(dead);
	if (!t->nostdout && t->in.framing == FRAME_PCAP &&
	    isatty(STDOUT_FILENO))
		errx(100, "refusing to write pcap to a terminal (use -n, or "
		    "a pipe or file)");
	if (!t->nostdout && t->in.framing == FRAME_PCAP &&
	    obuf_write(&t->out, t->in.hdr, sizeof t->in.hdr) == -1)
		err(111, "unable to write output");
	for (i = 0; i < t->n; i++)
		start(t, &t->s[i]);
}

/* signals: act on what arrived. Returns 1 for TERM or INT. */
static int
signals(struct tee *t)
{
	int i;

	if (sig_take(SIGCHLD))
		reap(t);
	if (sig_take(SIGUSR1))
		counters(t);
	if (sig_take(SIGHUP))
		for (i = 0; i < t->n; i++)
			sink_reopen(&t->s[i]);
	if (sig_take(SIGTERM) | sig_take(SIGINT))
		t->stop = 1;
	return t->stop;
}

/*
 * run: read and fan out until the end of input or TERM. Malformed input
 * ends it as its end would: what came before goes out (t->badinput set).
 */
static void
run(struct tee *t, int sigfd)
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
				fanout(t, &r, sigfd);
				/* a full sink may have room again: ask poll,
				 * not the sink, so a stalled one costs little */
				if ((i & 255) == 255)
					poll_blocked(t);
			}
			if (i == SLICE)
				n = 1;
		}
		if (n == 0 || n == -1) {
			if (n == -1)
				t->badinput = recin_fail(&t->in);
			return;
		}
		service(t);
		wait_events(t, sigfd, n == RECIN_AGAIN,
		    n == 1 ? clock_mono() : UINT64_MAX);
	}
}

/* drain: give every sink until the deadline to take what it holds;
 * what is left then is dropped. */
static void
drain(struct tee *t, int sigfd)
{
	uint64_t end = clock_mono() + t->drain;
	int i, left;

	for (;;) {
		service(t);
		for (i = left = 0; i < t->n; i++)
			left += t->s[i].q.used > 0 ||
			    t->s[i].hdroff < t->s[i].hdrlen;
		if (left == 0 || clock_mono() >= end)
			break;
		wait_events(t, sigfd, 0, end);
		if (sig_take(SIGUSR1))
			counters(t);
	}
	for (i = 0; i < t->n; i++)
		if (t->s[i].q.count > 0) {
			if (t->verbose || t->s[i].q.count)
				warnx("%s: %zu records not delivered in time",
				    t->s[i].spec, t->s[i].q.count);
			t->s[i].dropped += recqueue_clear(&t->s[i].q);
		}
}

int
main(int argc, char **argv)
{
	static struct tee t;
	struct child k;
	uint64_t dropped = 0, end;
	int sigfd, i;

	parse(argc, argv, &t);
	if ((sigfd = sig_init()) == -1)
		err(111, "unable to create the signal pipe");
	if (sig_catch(SIGTERM) == -1 || sig_catch(SIGINT) == -1 ||
	    sig_catch(SIGHUP) == -1 || sig_catch(SIGUSR1) == -1 ||
	    sig_catch(SIGCHLD) == -1 || sig_ignore(SIGPIPE) == -1)
		err(111, "unable to set signal handlers");
	if (obuf_init(&t.out, STDOUT_FILENO, OBUF_CAP) == -1 ||
	    obuf_track(&t.out) == -1 || children_init(&t.kids, t.n) == -1)
		err(111, "unable to allocate");
	if (nonblock_stdin() == -1)
		err(111, "unable to read stdin");
	recin_init(&t.in, 0, LINE_MAX_LEN);
	run(&t, sigfd);
	/* the main path is done: the next program sees its end now, not
	 * after the sinks' drain */
	if (!t.nostdout && (obuf_flush(&t.out) == -1 ||
	    close(STDOUT_FILENO) == -1))
		out_fail(&t);
	if (t.in.framing != -1)
		drain(&t, sigfd);
	for (i = 0; i < t.n; i++) {
		dropped += t.s[i].dropped;
		if (t.s[i].fd != -1)
			close(t.s[i].fd);
	}
	/* the |COMMAND children read the end of their input and exit: a
	 * moment for them, so none outlives tee-sink as an orphan (a
	 * supervisor stopping the channel checks its process group); one
	 * that does not end within a second is left to init */
	end = clock_mono() + NS_PER_S;
	while (children_reap(&t.kids, &k, NULL, end) == 1)
		;
	if (t.verbose || dropped)
		counters(&t);
	if (t.badinput)
		return t.badinput;
	return dropped ? 1 : 0;
}
