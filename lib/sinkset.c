/* sinkset.c: one stream copied to several sinks, each with its queue. */
#include <err.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "arg.h"
#include "clock.h"
#include "decode.h"
#include "metrics.h"
#include "sinkset.h"

int
sinkset_policy(const char *name)
{
	if (strcmp(name, "new") == 0)
		return SINKSET_DROP_NEW;
	if (strcmp(name, "old") == 0)
		return SINKSET_DROP_OLD;
	if (strcmp(name, "block") == 0)
		return SINKSET_BLOCK;
	return -1;
}

int
sinkset_policy_arg(const char *s)
{
	int p;

	if ((p = sinkset_policy(s)) == -1)
		arg_fail("policy", s, "use new, old or block");
	return p;
}

int
sinkset_init(struct sinkset *ss, int n)
{
	ss->n = n;
	if ((ss->v = calloc((size_t)n, sizeof *ss->v)) == NULL ||
	    (ss->sel = calloc((size_t)n, sizeof *ss->sel)) == NULL ||
	    (ss->pfd = calloc((size_t)n + 2, sizeof *ss->pfd)) == NULL ||
	    children_init(&ss->kids, n) == -1)
		return -1;
	return 0;
}

void
sinkset_args(struct sinkset *ss, int n, char *const *argv, size_t qsize)
{
	const char *e;
	int i;

	if (sinkset_init(ss, n) == -1)
		err(111, "unable to allocate");
	for (i = 0; i < n; i++) {
		if ((e = sink_parse(argv[i], &ss->v[i], qsize)) != NULL)
			arg_fail("sink", argv[i], e);
		ss->anyudp |= ss->v[i].kind == SINK_UDP;
	}
}

/* start: open sink s, or set its next try; a |COMMAND's child goes in
 * the table. */
static void
start(struct sinkset *ss, struct sink *s)
{
	if (sink_start(s, ss->hdr, ss->hdrlen) == 0 &&
	    s->kind == SINK_PIPE && children_add(&ss->kids, s->pid, s) == -1)
		err(111, "unable to allocate");
}

void
sinkset_start(struct sinkset *ss, const unsigned char *hdr, size_t hdrlen)
{
	int i;

	ss->hdr = hdr;
	ss->hdrlen = hdrlen;
	ss->ready = 1;
	for (i = 0; i < ss->n; i++)
		start(ss, &ss->v[i]);
}

void
sinkset_service(struct sinkset *ss)
{
	struct sink *s;
	uint64_t now = clock_mono();
	int i;

	for (i = 0; i < ss->n; i++) {
		s = &ss->v[i];
		/* not before the framing is known: the header goes first */
		if (s->fd == -1 && now >= s->retry_at && ss->ready)
			start(ss, s);
		if (s->fd != -1 && !s->connecting && !s->blocked)
			sink_write(s);
	}
}

void
sinkset_fds(const struct sinkset *ss, struct pollfd *p, uint64_t *due)
{
	const struct sink *s;
	int i;

	for (i = 0; i < ss->n; i++) {
		s = &ss->v[i];
		p[i].fd = s->fd;
		p[i].events = sink_events(s);
		if (s->fd == -1 && s->retry_at < *due)
			*due = s->retry_at;
	}
}

void
sinkset_polled(struct sinkset *ss, const struct pollfd *p)
{
	int i;

	for (i = 0; i < ss->n; i++)
		sink_polled(&ss->v[i], p[i].revents);
	sinkset_service(ss);
}

void
sinkset_wait(struct sinkset *ss, int infd, int sigfd, uint64_t until)
{
	struct pollfd *p = ss->pfd;

	p[0].fd = infd;
	p[0].events = POLLIN;
	p[1].fd = sigfd;
	p[1].events = POLLIN;
	sinkset_fds(ss, p + 2, &until);
	if (clock_poll(p, (nfds_t)ss->n + 2, until, NULL) == -1 &&
	    errno != EINTR)
		err(111, "unable to wait for events");
	sinkset_polled(ss, p + 2);
}

void
sinkset_poll_blocked(struct sinkset *ss)
{
	struct timespec zero = { 0, 0 };
	struct sink *s;
	int i, k = 0;

	for (i = 0; i < ss->n; i++)
		if (ss->v[i].blocked) {
			ss->pfd[k].fd = ss->v[i].fd;
			ss->pfd[k].events = POLLOUT;
			ss->pfd[k++].revents = 0;
		}
	if (k == 0 || ppoll(ss->pfd, (nfds_t)k, &zero, NULL) <= 0)
		return;
	for (i = k = 0; i < ss->n; i++) {
		s = &ss->v[i];
		if (s->blocked && ss->pfd[k++].revents != 0) {
			s->blocked = 0;
			if (sink_flush(s) == -1 && s->fd == -1)
				sink_retry_later(s);
		}
	}
}

void
sinkset_queue(struct sinkset *ss, struct sink *s, const struct iovec *v,
    int cnt)
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
		if (ss->policy == SINKSET_DROP_NEW) {
			s->dropped++;
			return;
		}
		if (ss->policy == SINKSET_DROP_OLD) {
			if (!recqueue_drop_oldest(&s->q))
				break;
			s->dropped++;
			continue;
		}
		if (ss->wait(ss->arg) == -1) {
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

void
sinkset_copy(struct sinkset *ss, const struct recsel *sel,
    const struct rec *r, const struct iovec *sv, int cnt,
    const struct iovec *dv)
{
	struct sink *s;
	size_t n = 0;
	int i;

	for (i = 0; i < cnt; i++)
		n += sv[i].iov_len;
	for (i = 0; i < ss->n; i++) {
		s = &ss->v[i];
		/* the common case of a stalled sink, decided in a few tests:
		 * full, waiting for POLLOUT, and the new record is the one
		 * that goes */
		if (s->blocked && ss->policy == SINKSET_DROP_NEW &&
		    !recsel_any(&sel[i]) && sink_stream(s) &&
		    !recqueue_room(&s->q, n)) {
			s->dropped++;
			continue;
		}
		if (!recsel_match(&sel[i], r))
			continue;
		if (sink_stream(s))
			sinkset_queue(ss, s, sv, cnt);
		else if (dv != NULL)
			sinkset_queue(ss, s, dv, 1);
		else
			s->skipped++;
	}
}

void
sinkset_fanout(struct sinkset *ss, const struct recin *in,
    const struct rec *r, const struct iovec *sv, int cnt)
{
	struct iovec dv = sv[0];
	int isdgram;

	isdgram = in->framing == FRAME_TEXT || (ss->anyudp &&
	    decode_payload(in->rd.linktype, r->data, r->caplen, &dv));
	sinkset_copy(ss, ss->sel, r, sv, cnt, isdgram ? &dv : NULL);
}

void
sinkset_reap(struct sinkset *ss)
{
	struct child k;
	int st;

	/* a child of an opening closed since is gone for nothing */
	while (children_reap(&ss->kids, &k, &st, 0) == 1)
		if (((struct sink *)k.what)->pid == k.pid)
			sink_exited(k.what, st);
}

void
sinkset_reopen(struct sinkset *ss)
{
	int i;

	for (i = 0; i < ss->n; i++)
		sink_reopen(&ss->v[i]);
}

int
sinkset_holding(const struct sinkset *ss)
{
	int i, left = 0;

	for (i = 0; i < ss->n; i++)
		left += ss->v[i].q.used > 0 ||
		    ss->v[i].hdroff < ss->v[i].hdrlen;
	return left;
}

void
sinkset_give_up(struct sinkset *ss)
{
	struct sink *s;
	int i;

	for (i = 0; i < ss->n; i++) {
		s = &ss->v[i];
		if (s->q.count > 0) {
			warnx("%s: %zu records not delivered in time",
			    s->spec, s->q.count);
			s->dropped += recqueue_clear(&s->q);
		}
	}
}

uint64_t
sinkset_close(struct sinkset *ss, uint64_t until)
{
	struct child k;
	uint64_t dropped = 0;
	int i;

	for (i = 0; i < ss->n; i++) {
		dropped += ss->v[i].dropped;
		if (ss->v[i].fd != -1)
			close(ss->v[i].fd);
	}
	while (children_reap(&ss->kids, &k, NULL, until) == 1)
		;
	return dropped;
}

void
sinkset_counters(const struct sinkset *ss)
{
	const struct sink *s;
	int i;

	for (i = 0; i < ss->n; i++) {
		s = &ss->v[i];
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

/* one: a metric of every sink, its value taken by get. */
static void
one(const struct sinkset *ss, struct metrics *m, const char *name,
    const char *type, const char *help,
    uint64_t (*get)(const struct sink *))
{
	int i;

	metrics_head(m, name, type, help);
	for (i = 0; i < ss->n; i++)
		metrics_value(m, name, "sink", ss->v[i].spec, get(&ss->v[i]));
}

static uint64_t s_records(const struct sink *s) { return s->records; }
static uint64_t s_bytes(const struct sink *s) { return s->bytes; }
static uint64_t s_dropped(const struct sink *s) { return s->dropped; }
static uint64_t s_skipped(const struct sink *s) { return s->skipped; }
static uint64_t s_reconnects(const struct sink *s) { return s->reconnects; }
static uint64_t s_errors(const struct sink *s) { return s->errors; }
static uint64_t s_qrecords(const struct sink *s) { return s->q.count; }
static uint64_t s_qbytes(const struct sink *s) { return s->q.used; }
static uint64_t s_up(const struct sink *s) { return s->fd != -1 && !s->connecting; }

void
sinkset_metrics(const struct sinkset *ss, struct metrics *m)
{
	one(ss, m, "chanrelay_sink_records_out_total", "counter",
	    "Records the sink took.", s_records);
	one(ss, m, "chanrelay_sink_bytes_out_total", "counter",
	    "Bytes of them.", s_bytes);
	one(ss, m, "chanrelay_sink_records_dropped_total", "counter",
	    "Records the sink lost: its queue was full.", s_dropped);
	one(ss, m, "chanrelay_sink_records_skipped_total", "counter",
	    "Records not UDP datagrams, skipped for a datagram sink.",
	    s_skipped);
	one(ss, m, "chanrelay_sink_reconnects_total", "counter",
	    "Times the sink was opened again.", s_reconnects);
	one(ss, m, "chanrelay_sink_errors_total", "counter",
	    "Write errors of the sink.", s_errors);
	one(ss, m, "chanrelay_sink_queue_records", "gauge",
	    "Records waiting in the sink's queue.", s_qrecords);
	one(ss, m, "chanrelay_sink_queue_bytes", "gauge",
	    "Bytes waiting in the sink's queue.", s_qbytes);
	one(ss, m, "chanrelay_sink_up", "gauge",
	    "1 while the sink is open, 0 while it waits to be opened again.",
	    s_up);
}
