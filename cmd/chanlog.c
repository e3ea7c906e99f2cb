/*
 * chanlog: write a record stream (pcap or text lines) from standard input
 * into a channel directory of rotated files that are always valid.
 */
#include <sys/uio.h>

#include <err.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "arg.h"
#include "clock.h"
#include "frame.h"
#include "handoff.h"
#include "logdir.h"
#include "metrics.h"
#include "nonblock.h"
#include "num.h"
#include "recin.h"
#include "sig.h"
#include "timefmt.h"

#define USAGE "usage: chanlog [-fhvW] [-A AGE] [-b SIZE] [-e STAMP] " \
	"[-i INTERVAL] [-l SIZE] [-M FILE] [-N SIZE] [-n COUNT] " \
	"[-p CMD] [-y INTERVAL] [-z SIZE] DIR"
#define OPTSTRING	"A:b:e:fhi:l:M:N:n:p:vWy:z:"

#define HOLD_DEFAULT	(16u << 20)	/* held while the disk is full */
#define LINE_DEFAULT	(4u << 20)	/* longest line kept whole */
#define SLICE		4096		/* records between looks at the clock */
#define SYNC_DEFAULT	(300 * NS_PER_S) /* journald's SyncIntervalSec */

struct opts {
	struct logdir_opts d;
	uint64_t hold, maxline;
	int iso, tai;
	const char *metrics;	/* -M */
};

struct log {
	struct opts o;
	struct logdir d;		/* DIR and its current file */
	struct recin in;
	struct metrics m;
	int framing;
	uint64_t inrecs, inbytes;	/* records and bytes read */
	uint64_t split;			/* lines longer than -l, split */
	int refused;	/* the input failed: its exit status (recin_fail) */
};

/* stamp_arg: -e STAMP, the stamp put before every line. */
static void
stamp_arg(const char *s, struct opts *o)
{
	o->iso = strcmp(s, "iso") == 0;
	o->tai = strcmp(s, "tai64n") == 0;
	if (!o->iso && !o->tai)
		arg_fail("stamp", s, "use iso or tai64n");
}

static void
parse(int argc, char **argv, struct opts *o)
{
	struct logdir_opts *d = &o->d;
	int c;

	memset(o, 0, sizeof *o);
	arg_usage = USAGE;
	o->hold = HOLD_DEFAULT;
	o->maxline = LINE_DEFAULT;
	d->sync = SYNC_DEFAULT;
	opterr = 0;
	while ((c = getopt(argc, argv, OPTSTRING)) != -1) {
		switch (c) {
		case 'A': d->age = dur_arg("age", optarg, NS_PER_S,
		    UINT64_MAX / 2); break;
		case 'b': o->hold = size_arg("size", optarg, 64 * 1024,
		    1ull << 40); break;
		case 'e': stamp_arg(optarg, o); break;
		case 'f': d->freespace = 1; break;
		case 'h': arg_help(0); break;
		case 'i': d->rotate = dur_arg("interval", optarg,
		    NS_PER_S / 1000, UINT64_MAX / 4); break;
		case 'l': o->maxline = size_arg("size", optarg, 1,
		    1ull << 30); break;
		case 'M': o->metrics = optarg; break;
		case 'N': d->keepbytes = size_arg("size", optarg, 1,
		    UINT64_MAX); break;
		case 'n': d->count = num_arg("count", optarg, 1, LONG_MAX);
		    break;
		case 'p': d->proc = optarg; break;
		case 'v': d->verbose = 1; break;
		case 'W': d->align = 1; break;
		case 'y': d->sync = dur_arg("interval", optarg, 0,
		    UINT64_MAX / 4); break;
		case 'z': d->size = size_arg("size", optarg, 4096,
		    UINT64_MAX / 2); break;
		default:
			arg_badopt(OPTSTRING);
		}
	}
	d->dir = arg_operand(argc - optind, argv + optind, "DIR");
	if (d->align && !d->rotate)
		arg_misuse("-W needs -i");
}

static void
counters(const struct log *l)
{
	fprintf(stderr, "chanlog: records=%llu bytes=%llu files=%llu "
	    "dropped=%llu cut=%llu split=%llu\n",
	    (unsigned long long)l->d.records, (unsigned long long)l->d.bytes,
	    (unsigned long long)l->d.files, (unsigned long long)l->d.dropped,
	    (unsigned long long)l->d.cut, (unsigned long long)l->split);
}

/* metrics: the counters as chanlog(1) METRICS lists them. */
static void
metrics(struct log *l)
{
	struct metrics *m = &l->m;

	metrics_begin(m);
	metrics_counter(m, "chanrelay_records_in_total",
	    "Records (or lines) read.", l->inrecs);
	metrics_counter(m, "chanrelay_bytes_in_total",
	    "Bytes of them read (text: without the newlines).", l->inbytes);
	metrics_counter(m, "chanrelay_records_out_total",
	    "Records (or lines) written to the channel directory.",
	    l->d.records);
	metrics_counter(m, "chanrelay_bytes_out_total",
	    "Bytes of them written, line stamps included.", l->d.bytes);
	metrics_head(m, "chanrelay_records_dropped_total", "counter",
	    "Records lost, by reason: disk (full past -b, or a failed sync).");
	metrics_value(m, "chanrelay_records_dropped_total", "reason", "disk",
	    l->d.dropped);
	metrics_counter(m, "chanrelay_torn_bytes_total",
	    "Bytes cut from the end of a current left by a crash.", l->d.cut);
	metrics_counter(m, "chanrelay_lines_split_total",
	    "Text lines longer than -l, split.", l->split);
	metrics_counter(m, "chanrelay_files_finished_total",
	    "Files finished (renamed to their first record's time).",
	    l->d.files);
	metrics_gauge(m, "chanrelay_disk_bytes",
	    "Bytes of the channel directory's files, current included.",
	    logdir_disk_bytes(&l->d));
	metrics_commit(m);
}

/* Reading. */

static void
put_line(struct log *l, const unsigned char *s, size_t n, int flags,
    const struct timespec *now)
{
	char stamp[TIMEFMT_ISO_LEN + 1];
	struct iovec v[3];
	int c = 0;
	size_t k;

	if (l->o.iso || l->o.tai) {
		k = l->o.iso ? timefmt_iso(stamp, now->tv_sec,
		    (uint32_t)now->tv_nsec) : timefmt_tai64n(stamp, now->tv_sec,
		    (uint32_t)now->tv_nsec);
		stamp[k++] = ' ';
		v[c].iov_base = stamp;
		v[c++].iov_len = k;
	}
	v[c].iov_base = (void *)s;
	v[c++].iov_len = n;
	/* salvage takes a NUL for a hole while the stream has had none */
	if (!l->d.mark.nul && memchr(s, 0, n) != NULL)
		logdir_nul(&l->d);
	if (!(flags & LINE_NONL)) {
		v[c].iov_base = "\n";
		v[c++].iov_len = 1;
	}
	if ((flags & LINE_SPLIT) && !(flags & LINE_MORE))
		l->split++;
	logdir_put(&l->d, v, c, now->tv_sec, (uint32_t)now->tv_nsec);
}

/*
 * take: the records that have arrived, SLICE at most. Returns 2 when more
 * may be buffered, 1 when the input has nothing now, 0 at its end, -1
 * when it failed (reported, l->refused set).
 */
static int
take(struct log *l)
{
	struct timespec now;
	struct iovec v;
	struct rec r;
	int i, n = 1;

	clock_gettime(CLOCK_REALTIME, &now);
	for (i = 0; i < SLICE; i++) {
		if ((n = recin_next(&l->in, &r)) != 1)
			break;
		l->inrecs++;
		l->inbytes += r.n;
		if (l->framing == FRAME_TEXT) {
			put_line(l, r.p, r.n, r.flags, &now);
			continue;
		}
		v.iov_base = (void *)r.p;
		v.iov_len = r.n;
		logdir_put(&l->d, &v, 1, r.sec, r.nsec);
	}
	if (i == SLICE)
		return 2;
	if (n == RECIN_AGAIN)
		return 1;
	if (n == -1)
		l->refused = recin_fail(&l->in);
	return n;
}

/*
 * sniff: wait for the first bytes of input and its framing. Returns 1,
 * 0 when the input ended (or TERM came) before any.
 */
static int
sniff(struct log *l, int sigfd)
{
	int n;

	recin_init(&l->in, 0, l->o.maxline);
	while ((n = recin_wait_sniff(&l->in, sigfd)) == RECIN_AGAIN) {
		if (sig_take(SIGTERM) | sig_take(SIGINT))
			return 0;
		if (sig_take(SIGUSR1))
			counters(l);
		if (metrics_due(&l->m))
			metrics(l);
	}
	if (n == -1) {
		l->refused = recin_fail(&l->in);
		return 0;
	}
	if (n == 0)
		return 0;
	l->framing = l->in.framing;
	if (l->framing == FRAME_PCAP && (l->o.iso || l->o.tai))
		warnx("the input is pcap: -e %s is for text lines, ignored",
		    l->o.iso ? "iso" : "tai64n");
	return 1;
}

/* wait_input: flush, then wait for input, a signal or the next timer. */
static void
wait_input(struct log *l, int sigfd, int now_only)
{
	struct pollfd pfd[2] = { { 0, POLLIN, 0 }, { sigfd, POLLIN, 0 } };
	uint64_t now = clock_mono(), due;
	struct timespec ts, *tp = NULL;

	logdir_write(&l->d);
	due = now_only ? now : logdir_due(&l->d);
	if (due != UINT64_MAX) {
		ts = clock_ts(due > now ? due - now : 0);
		tp = &ts;
	}
	if (ppoll(pfd, 2, tp, NULL) == -1 && errno != EINTR)
		err(111, "unable to wait for input");
}

/*
 * run: log until the input ends or TERM. Returns 1 for TERM.
 */
static int
run(struct log *l, int sigfd)
{
	int n = 1;

	for (;;) {
		if (sig_take(SIGTERM) | sig_take(SIGINT))
			return 1;
		logdir_rotate(&l->d, sig_take(SIGHUP));
		if (sig_take(SIGUSR1))
			counters(l);
		if (sig_take(SIGCHLD))
			handoff_reap(&l->d.proc);
		if (metrics_due(&l->m))
			metrics(l);
		logdir_timers(&l->d);
		if ((n = take(l)) <= 0)
			return 0;
		logdir_sync(&l->d);
		wait_input(l, sigfd, n == 2);
	}
}

/*
 * drain: what is held goes to disk before the end: at the end of input
 * chanlog waits for space as long as it takes (TERM still stops it); on
 * TERM it writes what fits now. Returns the records lost.
 */
static uint64_t
drain(struct log *l, int sigfd, int term)
{
	struct timespec now;
	struct rec r;
	size_t n;

	if (term && (n = recin_rest(&l->in)) > 0) {
		if (l->framing == FRAME_PCAP) {
			warnx("TERM: dropped a partial record (%zu bytes of "
			    "it read)", n);
			l->d.dropped++;
		} else {
			/* a line cut short by TERM is still data: keep it */
			clock_gettime(CLOCK_REALTIME, &now);
			while (recin_next(&l->in, &r) == 1)
				put_line(l, r.p, r.n, r.flags, &now);
		}
	}
	if (l->d.cur == -1)
		return 0;
	while (logdir_flush(&l->d) == -1 && !term) {
		wait_input(l, sigfd, 0);
		if (sig_take(SIGTERM) | sig_take(SIGINT))
			term = 1;
		else
			logdir_retry(&l->d);
	}
	/* TERM while the disk is full: what is still held is lost */
	return logdir_abandon(&l->d);
}

static void
setup(struct log *l)
{
	/* at least a batch and the longest line */
	l->o.d.hold = l->o.hold;
	if (l->o.d.hold < LOGDIR_BATCH + l->o.maxline + 64)
		l->o.d.hold = LOGDIR_BATCH + l->o.maxline + 64;
	logdir_open(&l->d, &l->o.d);
	/* the loop never blocks in read: it waits in ppoll, timers alive */
	if (nonblock_stdin() == -1)
		err(111, "unable to read stdin");
}

int
main(int argc, char **argv)
{
	static struct log l;
	uint64_t lost = 0;
	int sigfd, term = 0;

	parse(argc, argv, &l.o);
	sigfd = sig_setup(SIG_HUP | SIG_CHLD | SIG_XFSZ);
	metrics_setup(&l.m, l.o.metrics, "chanlog");
	setup(&l);
	if (l.m.path != NULL)
		metrics(&l);
	if (sniff(&l, sigfd) == 1) {
		logdir_start(&l.d, l.framing, l.in.hdr, l.in.rd.swap);
		term = run(&l, sigfd);
		lost = drain(&l, sigfd, term);
		l.d.dropped += lost;
		if (lost == 0 && l.d.cur != -1)
			logdir_end(&l.d);
	}
	logdir_close(&l.d, lost);
	if (l.m.path != NULL)
		metrics(&l);
	metrics_free(&l.m);
	if (l.o.d.verbose || l.d.dropped || l.d.cut || l.split || l.refused)
		counters(&l);
	if (lost > 0 || l.refused == 111)
		return 111;
	return l.d.dropped || l.refused ? 1 : 0;
}
