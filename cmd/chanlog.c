/*
 * chanlog: write a record stream (pcap or text lines) from standard input
 * into a channel directory of rotated files that are always valid.
 */
#include <err.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "arg.h"
#include "clock.h"
#include "counters.h"
#include "handoff.h"
#include "logdir.h"
#include "logfeed.h"
#include "metrics.h"
#include "nonblock.h"
#include "num.h"
#include "recin.h"
#include "sig.h"

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
	int stamp;		/* -e: LOGFEED_* */
	const char *metrics;	/* -M */
};

struct log {
	struct opts o;
	struct logdir d;		/* DIR and its current file */
	struct logfeed feed;		/* stdin into d */
	struct metrics m;
};

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
		case 'e': o->stamp = logfeed_stamp_arg(optarg); break;
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

/* report: the counters, as the line of USR1 and exit (line) or as the
 * metrics file, chanlog(1) METRICS. The line has files= before dropped=,
 * the metrics file has it after split: two rows, the line's and the
 * file's. */
static void
report(struct log *l, int line)
{
	const struct counter c[] = {
		{ NULL, CN_IN, NULL, "Records (or lines) read.",
		    l->feed.records, 0, NULL },
		{ NULL, CN_BYTES_IN, NULL, "Bytes of them read (text: without "
		    "the newlines).", l->feed.bytes, 0, NULL },
		{ "records", CN_OUT, NULL, "Records (or lines) written to the "
		    "channel directory.", l->d.records, 0, NULL },
		{ "bytes", CN_BYTES_OUT, NULL, "Bytes of them written, line "
		    "stamps included.", l->d.bytes, 0, NULL },
		{ "files", NULL, NULL, NULL, l->d.files, 0, NULL },
		{ "dropped", CN_DROP, "reason=disk", "Records lost, by "
		    "reason: disk (full past -b, or a failed sync).",
		    l->d.dropped, 0, NULL },
		{ "cut", "chanrelay_torn_bytes_total", NULL, "Bytes cut from "
		    "the end of a current left by a crash.", l->d.cut, 0,
		    NULL },
		{ "split", "chanrelay_lines_split_total", NULL, "Text lines "
		    "longer than -l, split.", l->feed.split, 0, NULL },
		{ NULL, "chanrelay_files_finished_total", NULL, "Files "
		    "finished (renamed to their first record's time).",
		    l->d.files, 0, NULL },
		{ NULL, "chanrelay_disk_bytes", NULL, "Bytes of the channel "
		    "directory's files, current included.",
		    line ? 0 : logdir_disk_bytes(&l->d), 1, NULL },
	};

	if (line)
		counters_line(stderr, "chanlog", c, sizeof c / sizeof c[0]);
	else
		counters_metrics(&l->m, c, sizeof c / sizeof c[0]);
}

/*
 * sniff: wait for the first bytes of input and its framing. Returns 1,
 * 0 when the input ended (or TERM came) before any.
 */
static int
sniff(struct log *l, int sigfd)
{
	int n;

	while ((n = recin_wait_sniff(&l->feed.in, sigfd)) == RECIN_AGAIN) {
		if (sig_take(SIGTERM) | sig_take(SIGINT))
			return 0;
		if (sig_take(SIGUSR1))
			report(l, 1);
		if (metrics_due(&l->m))
			report(l, 0);
	}
	if (n == -1)
		l->feed.refused = recin_fail(&l->feed.in);
	return n == 1;
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
			report(l, 1);
		if (sig_take(SIGCHLD))
			handoff_reap(&l->d.proc);
		if (metrics_due(&l->m))
			report(l, 0);
		logdir_timers(&l->d);
		if ((n = logfeed_take(&l->feed, SLICE)) <= 0)
			return 0;
		logdir_sync(&l->d);
		logfeed_wait(&l->feed, sigfd, n == 2);
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
	if (term)
		logfeed_cut(&l->feed);
	if (l->d.cur == -1)
		return 0;
	while (logdir_flush(&l->d) == -1 && !term) {
		logfeed_wait(&l->feed, sigfd, 0);
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
	logfeed_init(&l->feed, &l->d, STDIN_FILENO, l->o.maxline, l->o.stamp);
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
		report(&l, 0);
	if (sniff(&l, sigfd) == 1) {
		logfeed_start(&l.feed);
		term = run(&l, sigfd);
		lost = drain(&l, sigfd, term);
		l.d.dropped += lost;
		if (lost == 0 && l.d.cur != -1)
			logdir_end(&l.d);
	}
	logdir_close(&l.d, lost);
	if (l.m.path != NULL)
		report(&l, 0);
	metrics_free(&l.m);
	if (l.o.d.verbose || l.d.dropped || l.d.cut || l.feed.split ||
	    l.feed.refused)
		report(&l, 1);
	if (lost > 0 || l.feed.refused == 111)
		return 111;
	return l.d.dropped || l.feed.refused ? 1 : 0;
}
