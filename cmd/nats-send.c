/*
 * nats-send: read a record stream (pcap or text lines) and publish one
 * message per record (or a pack of records) to a NATS JetStream subject,
 * counting a record as delivered only when JetStream acknowledged it.
 */
#include <err.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arg.h"
#include "clock.h"
#include "decode.h"
#include "metrics.h"
#include "natsconn.h"
#include "natspub.h"
#include "natsrec.h"
#include "nonblock.h"
#include "num.h"
#include "recin.h"
#include "sig.h"

#define USAGE "usage: nats-send [-hv] [-A AGE] [-B COUNT] [-C STREAM] " \
	"[-D DURATION] [-E FILE] [-e FILE] [-F LAYOUT] [-i COUNT] [-K FILE] " \
	"[-k FILE] [-L SIZE] [-M FILE] [-n SERVERS] [-O STORAGE] " \
	"[-W WINDOW] [-w TIMEOUT] [-y REPLICAS] SUBJECT"
#define OPTSTRING	"A:B:C:D:E:e:F:hi:K:k:L:M:n:O:vW:w:y:"

#define MAXDGRAM	65535	/* the largest UDP payload a record holds */
#define HDRROOM		1024	/* headers of one message, at most */

struct opts {
	struct natsconn nc;
	struct natspub_stream st;	/* -C and what it creates */
	const char *subject;
	const char *metrics;	/* -M */
	uint64_t pack, inflight, wait, drain;
	int layout;		/* NATSPUB_PAYLOAD or NATSPUB_PCAP */
	int dupset;		/* -W given */
	int verbose;
};

struct run {
	struct opts o;
	struct recin in;
	struct natspub pub;
	struct metrics m;
	uint64_t read, inbytes, skipped, lineno;
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

static int
storage_arg(const char *s)
{
	if (strcmp(s, "file") == 0)
		return 0;
	if (strcmp(s, "memory") == 0)
		return 1;
	arg_fail("storage", s, "use file or memory");
}

static void
getopts(int argc, char **argv, struct opts *o)
{
	int c;

	opterr = 0;	/* getopt's messages name argv[0]; ours name the program */
	while ((c = getopt(argc, argv, OPTSTRING)) != -1) {
		if (natsconn_opt(&o->nc, c, optarg))
			continue;
		switch (c) {
		case 'A': o->st.maxage = dur_arg("age", optarg, 0,
		    INT64_MAX); break;
		case 'B': o->pack = num_arg("pack count", optarg, 1,
		    NATSPUB_PACKMAX); break;
		case 'C': o->st.create = optarg; break;
		case 'D': o->drain = dur_arg("drain time", optarg, 0,
		    UINT64_MAX / 2); break;
		case 'F': o->layout = layout_arg(optarg); break;
		case 'h': arg_help(0); break;
		case 'i': o->inflight = num_arg("in-flight count", optarg, 1,
		    1000000); break;
		case 'L': o->st.maxbytes = size_arg("stream size", optarg, 0,
		    INT64_MAX); break;
		case 'M': o->metrics = optarg; break;
		case 'O': o->st.memory = storage_arg(optarg); break;
		case 'v': o->verbose = 1; break;
		case 'W': o->st.dupwin = dur_arg("duplicate window", optarg,
		    1000000, INT64_MAX);
			o->dupset = 1;
			break;
		case 'w': o->wait = dur_arg("publish timeout", optarg,
		    1000000, 3600 * NS_PER_S); break;
		case 'y': o->st.replicas = num_arg("replicas", optarg, 1,
		    5); break;
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
	o->st.replicas = 1;
	o->st.dupwin = 120 * NS_PER_S;
	getopts(argc, argv, o);
	o->subject = arg_operand(argc - optind, argv + optind, "SUBJECT");
	if (natsrec_subject_bad(o->subject))
		arg_fail("subject", o->subject,
		    "use tokens of letters, digits, '-' and '_' between dots");
	if (!o->st.create && (o->st.maxage || o->st.maxbytes ||
	    o->st.memory || o->st.replicas != 1 || o->dupset))
		arg_misuse("%s", "-A, -L, -O, -W and -y describe the stream -C "
		    "creates: they need -C");
	if (o->st.create && o->st.dupwin < o->wait + NATSPUB_BACKOFFMAX)
		arg_misuse("the duplicate window (-W) must cover a resend: at "
		    "least -w plus %llu s", NATSPUB_BACKOFFMAX / NS_PER_S);
	if (o->st.create && natsrec_name_bad(o->st.create))
		arg_fail("stream name", o->st.create,
		    "use letters, digits, '-' and '_'");
	natsconn_setup(&o->nc, "nats-send", o->verbose);
}

static void
counters(struct run *r)
{
	struct natspub_count c;

	natspub_counters(&r->pub, &c);
	fprintf(stderr, "nats-send: read=%llu published=%llu acked=%llu "
	    "duplicates=%llu resent=%llu failed=%llu skipped=%llu\n",
	    (unsigned long long)r->read, (unsigned long long)c.published,
	    (unsigned long long)c.acked, (unsigned long long)c.duplicates,
	    (unsigned long long)c.resent, (unsigned long long)c.failed,
	    (unsigned long long)r->skipped);
}

/* metrics: the counters as nats-send(1) METRICS lists them. */
static void
metrics(struct run *r)
{
	struct metrics *m = &r->m;
	struct natspub_count c;

	natspub_counters(&r->pub, &c);
	metrics_begin(m);
	metrics_counter(m, "chanrelay_records_in_total",
	    "Records (or lines) read.", r->read);
	metrics_counter(m, "chanrelay_bytes_in_total",
	    "Bytes of them read (text: without the newlines).", r->inbytes);
	metrics_counter(m, "chanrelay_records_out_total",
	    "Records published (resends not counted).", c.published);
	metrics_head(m, "chanrelay_records_dropped_total", "counter",
	    "Records lost, by reason: skipped (a line too long, not a UDP "
	    "datagram), failed (never acknowledged).");
	metrics_value(m, "chanrelay_records_dropped_total", "reason",
	    "skipped", r->skipped);
	metrics_value(m, "chanrelay_records_dropped_total", "reason",
	    "failed", c.failed);
	metrics_counter(m, "chanrelay_nats_acked_total",
	    "Records JetStream acknowledged.", c.acked);
	metrics_counter(m, "chanrelay_nats_duplicates_total",
	    "Acknowledged records the stream already held.", c.duplicates);
	metrics_counter(m, "chanrelay_nats_resent_total",
	    "Records published again, their ack late or lost.", c.resent);
	metrics_counter(m, "chanrelay_nats_failed_total",
	    "Records never acknowledged (the failed of the counters).",
	    c.failed);
	metrics_commit(m);
}

static void
pub_fail(struct run *r)
{
	errx(111, "unable to publish to %s: %s", r->o.subject, r->pub.err);
}

/* take_text: one line as a record; lines longer than a message can
 * hold are skipped and counted. */
static void
take_text(struct run *r, const struct rec *rec)
{
	uint64_t now;

	if (rec->flags & LINE_SPLIT) {
		if (!(rec->flags & LINE_MORE) && r->skipped++ == 0)
			warnx("skipped a line longer than %zu bytes",
			    r->in.maxline);
		if (!(rec->flags & LINE_MORE))
			r->lineno++;
		return;
	}
	now = clock_wall();
	if (natspub_line(&r->pub, ++r->lineno, rec->p, rec->n,
	    (int64_t)(now / NS_PER_S), (uint32_t)(now % NS_PER_S)) == -1)
		pub_fail(r);
}

/* take_pcap: one pcap record: its datagram, or the whole record. */
static void
take_pcap(struct run *r, const struct rec *rec)
{
	struct udpinfo u;
	struct udpmeta m;
	int rc;

	if (r->pub.layout == NATSPUB_PCAP) {
		rc = natspub_frame(&r->pub, rec);
	} else if (decode_udp(r->in.rd.linktype, rec->data, rec->caplen,
	    &u) != 1 || u.paylen < u.paylen_orig) {
		r->skipped++;
		return;
	} else {
		decode_meta(&u, rec->sec, rec->nsec, &m);
		rc = natspub_udp(&r->pub, &m, u.payload, u.paylen);
	}
	if (rc == -1)
		pub_fail(r);
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
		counters(r);
	if (metrics_due(&r->m))
		metrics(r);
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
			if (r->in.framing == FRAME_TEXT)
				take_text(r, &rec);
			else
				take_pcap(r, &rec);
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
		metrics(&r);
	if (sniff(&r) == 1) {
		loop(&r);
		drain(&r);
	}
	recin_free(&r.in);
	natspub_close(&r.pub);	/* what is still out counts as failed */
	natspub_counters(&r.pub, &c);
	if (r.m.path != NULL)
		metrics(&r);
	metrics_free(&r.m);
	status = c.failed || r.skipped || r.badinput ? 1 : 0;
	if (r.badinput == 111)
		status = 111;	/* a read error: retrying may help */
	if (r.o.verbose || status || sig_take(SIGUSR1))
		counters(&r);
	return status;
}
