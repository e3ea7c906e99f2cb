/*
 * nats-recv: read the records of a NATS JetStream stream and write them
 * to standard output as a record stream, acknowledging each message only
 * once its records were written.
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
#include "natsrec.h"
#include "natsstart.h"
#include "natssub.h"
#include "num.h"
#include "recout.h"
#include "sig.h"

#define USAGE "usage: nats-recv [-huv] [-B COUNT] [-c COUNT] [-E FILE] " \
	"[-e FILE] [-F FORMAT] [-K FILE] [-k FILE] [-M FILE] [-N DURABLE] " \
	"[-n SERVERS] [-P SEQ] [-p SINCE] [-T IDLE] [-t DURATION] " \
	"[-W DURATION] SUBJECT"
#define OPTSTRING	"B:c:E:e:F:hK:k:M:N:n:P:p:T:t:uvW:"

#define FETCH_MS	250	/* the longest wait in a fetch: signals */
#define SEEN		16384	/* stream sequences remembered as written */

struct opts {
	struct natsconn nc;
	struct natsstart start;	/* from -p since or -P seq */
	const char *subject, *durable, *since;
	const char *metrics;	/* -M */
	uint64_t seq, count, idle, duration, ackwait;
	int batch, format, unbuf, verbose;
};

struct run {
	struct opts o;
	struct recout w;
	struct natssub sub;
	struct metrics m;
	uint64_t received, acked, repeated, skipped;
	uint64_t inrecs, inbytes;	/* records taken from the messages */
	uint64_t seen[SEEN];	/* by sequence mod SEEN: written this run */
	int sigfd;
};

static void
getopts(int argc, char **argv, struct opts *o)
{
	int c;

	opterr = 0;	/* getopt's messages name argv[0]; ours name the program */
	while ((c = getopt(argc, argv, OPTSTRING)) != -1) {
		if (natsconn_opt(&o->nc, c, optarg))
			continue;
		switch (c) {
		case 'B': o->batch = (int)num_arg("batch", optarg, 1,
		    10000); break;
		case 'c': o->count = num_arg("count", optarg, 1,
		    INT64_MAX); break;
		case 'F': o->format = recout_format_arg(optarg); break;
		case 'h': arg_help(0); break;
		case 'M': o->metrics = optarg; break;
		case 'N': o->durable = optarg; break;
		case 'P': o->seq = num_arg("sequence", optarg, 1,
		    INT64_MAX); break;
		case 'p': o->since = optarg; break;
		case 'T': o->idle = dur_arg("idle timeout", optarg, 1,
		    UINT64_MAX / 2); break;
		case 't': o->duration = dur_arg("duration", optarg, 1,
		    UINT64_MAX / 2); break;
		case 'u': o->unbuf = 1; break;
		case 'v': o->verbose = 1; break;
		case 'W': o->ackwait = dur_arg("ack wait", optarg, 1000000,
		    INT64_MAX); break;
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
	o->format = -1;
	o->batch = 256;
	o->ackwait = 30 * NS_PER_S;
	getopts(argc, argv, o);
	o->subject = natsrec_subject_arg(arg_operand(argc - optind,
	    argv + optind, "SUBJECT"));
	if (o->durable)
		(void)natsrec_name_arg("durable name", o->durable);
	natsstart_set(&o->start, o->since, o->seq);
	natsconn_setup(&o->nc, "nats-recv", o->verbose);
}

/* report: the counters, as the line of USR1 and exit (line) or as the
 * metrics file, nats-recv(1) METRICS. */
static void
report(struct run *r, int line)
{
	const struct counter c[] = {
		{ "received", NULL, NULL, NULL, r->received, 0, NULL },
		{ NULL, CN_IN, NULL, "Records the messages held, skipped ones "
		    "included.", r->inrecs + r->skipped, 0, NULL },
		{ NULL, CN_BYTES_IN, NULL, "Bytes of the records taken "
		    "(datagram payloads, lines).", r->inbytes, 0, NULL },
		{ "written", CN_OUT, NULL, "Records written to the standard "
		    "output.", r->w.written, 0, NULL },
		{ NULL, CN_DROP, "reason=skipped", "Records lost, by reason: "
		    "skipped (not UDP, or not a datagram).", r->skipped, 0,
		    NULL },
		{ NULL, "chanrelay_nats_received_total", NULL, "Messages "
		    "received, redeliveries included.", r->received, 0, NULL },
		{ "acked", "chanrelay_nats_acked_total", NULL, "Messages "
		    "acknowledged.", r->acked, 0, NULL },
		{ "repeated", "chanrelay_nats_repeated_total", NULL,
		    "Redelivered messages already written: acknowledged only.",
		    r->repeated, 0, NULL },
		{ "skipped", NULL, NULL, NULL, r->skipped, 0, NULL },
	};

	if (line)
		counters_line(stderr, "nats-recv", c, sizeof c / sizeof c[0]);
	else
		counters_metrics(&r->m, c, sizeof c / sizeof c[0]);
}

static void
out_fail(void)
{
	err(111, "unable to write output");
}

/* put: one record out; -1 once -c is reached (the rest of a pack is not
 * written, and its message not acknowledged). */
static int
put(void *arg, const struct natssub_rec *rec)
{
	struct run *r = arg;

	if (r->o.count && r->w.written >= r->o.count)
		return -1;
	r->inrecs++;
	r->inbytes += rec->n;
	if (recout_frame(&r->w, &rec->m, rec->frame, rec->caplen, rec->p,
	    rec->n) == -1)
		out_fail();
	return 0;
}

/*
 * batch: write the records of the messages, flush, then acknowledge
 * each message that was written whole. A message written before in this
 * run (redelivered: our ack was lost or late) is acknowledged, not
 * written again. Redeliveries come out of order, so "written" is a set,
 * not a high-water mark: the last SEEN sequences, a direct-mapped table
 * (one older than that is written again: a repeat, never a loss).
 */
static void
batch(struct run *r, natsMsgList *l)
{
	uint64_t seq;
	int i, done = l->Count;

	for (i = 0; i < l->Count; i++) {
		r->received++;
		seq = natssub_seq(l->Msgs[i]);
		if (seq != 0 && r->seen[seq % SEEN] == seq) {
			r->repeated++;
			continue;
		}
		if (natssub_records(l->Msgs[i], put, r, &r->skipped) == -1) {
			done = i;
			break;
		}
		r->seen[seq % SEEN] = seq;
	}
	if (recout_flush(&r->w) == -1)
		out_fail();
	for (i = 0; i < done; i++)
		if (natsMsg_Ack(l->Msgs[i], NULL) == NATS_OK)
			r->acked++;
	/* not written whole (-c stopped us): back to the stream at once,
	 * not after the ack wait, for the next run */
	for (; i < l->Count; i++)
		(void)natsMsg_Nak(l->Msgs[i], NULL);
	natsMsgList_Destroy(l);
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

/* pause_a_bit: a fetch failed (no server): wait a little, signals alive. */
static void
pause_a_bit(struct run *r, int ms)
{
	struct pollfd pfd = { r->sigfd, POLLIN, 0 };

	if (poll(&pfd, 1, ms) == -1 && errno != EINTR)
		err(111, "unable to wait for events");
}

static void
loop(struct run *r)
{
	const struct opts *o = &r->o;
	uint64_t start, last, now, t0;
	natsMsgList l;
	int n, want, ms;

	start = last = clock_mono();
	for (;;) {
		if (signals(r) || (o->count && r->w.written >= o->count))
			return;
		now = clock_mono();
		if ((o->duration && now - start >= o->duration) ||
		    (o->idle && now - last >= o->idle))
			return;
		want = o->batch;
		if (o->count && o->count - r->w.written < (uint64_t)want)
			want = (int)(o->count - r->w.written);
		ms = FETCH_MS;
		if (o->duration && (start + o->duration - now) / 1000000 <
		    (uint64_t)ms)
			ms = (int)((start + o->duration - now) / 1000000) + 1;
		t0 = now;
		if ((n = natssub_fetch(&r->sub, &l, want, ms)) == -1) {
			if (o->verbose)
				warnx("unable to fetch: %s", r->sub.err);
			pause_a_bit(r, 250);
			continue;
		}
		if (n == 0) {
			/* 3.4.1 may time out at once (nats.c #631) */
			if (clock_mono() - t0 < 10000000)
				pause_a_bit(r, 50);
			continue;
		}
		last = clock_mono();
		batch(r, &l);
	}
}

int
main(int argc, char **argv)
{
	static struct run r;
	int status;

	parse(argc, argv, &r.o);
	recout_stdout(&r.w, r.o.format, r.o.unbuf);	/* -1: by the tty */
	r.sigfd = sig_setup(0);
	if (metrics_setup(&r.m, r.o.metrics, "nats-recv"))
		report(&r, 0);
	if ((status = natssub_open(&r.sub, &r.o.nc, r.o.subject, r.o.durable,
	    &r.o.start, r.o.ackwait, r.o.batch)) != 0)
		errx(status, "%s", r.sub.err);
	if (recout_header(&r.w) == -1)
		out_fail();
	loop(&r);
	if (recout_flush(&r.w) == -1)
		out_fail();
	if (r.o.verbose || r.skipped || sig_take(SIGUSR1))
		report(&r, 1);
	if (r.m.path != NULL)
		report(&r, 0);
	metrics_free(&r.m);
	natssub_close(&r.sub);
	recout_free(&r.w);
	if (close(STDOUT_FILENO) == -1 && errno != EBADF)
		out_fail();
	return r.skipped ? 1 : 0;
}
