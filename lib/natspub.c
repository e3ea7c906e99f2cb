/* natspub.c: JetStream publishing with bounded in-flight and resends. */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "decode.h"
#include "natspub.h"
#include "natsrec.h"

#define MAXDGRAM	65535
#define HDRROOM		1024	/* the headers of a message, at most */
#define MS		1000000ull

static void
wake(struct natspub *p)
{
	char c = 0;

	(void)!write(p->wakewr, &c, 1);	/* a full pipe wakes anyway */
}

void
natspub_woken(struct natspub *p)
{
	char b[64];

	while (read(p->wakefd, b, sizeof b) > 0)
		;
}

/* records: how many records msg carries. */
static uint64_t
records(struct natspub *p, natsMsg *m)
{
	const char *v = NULL;

	if (p->pack == 1 || natsMsgHeader_Get(m, NATSREC_RECORDS, &v) !=
	    NATS_OK || v == NULL)
		return 1;
	return strtoull(v, NULL, 10);
}

/* retriable: an error that may pass: a timeout, no responders (an
 * election), a lost connection, JetStream busy or electing. Not: a
 * message too large, a stream gone, a store that refuses. */
static int
retriable(const jsPubAckErr *e)
{
	switch (e->ErrCode) {
	case JSStreamMessageExceedsMaximumErr:
	case JSStreamNotFoundErr:
	case JSStreamStoreFailedErr:
		return 0;
	default:
		return 1;
	}
}

/* enqueue: msg goes out again after the backoff; mu held. */
static void
enqueue(struct natspub *p, natsMsg *m)
{
	size_t i = (p->qhead + p->qlen) % p->limit;

	p->q[i].m = m;
	p->q[i].due = clock_mono() + backoff_next(&p->backoff);
	p->qlen++;
}

/* on_ack: the library's thread, for every ack, good or bad. */
static void
on_ack(jsCtx *js, natsMsg *m, jsPubAck *pa, jsPubAckErr *pae, void *closure)
{
	struct natspub *p = closure;
	uint64_t n = records(p, m);
	int w;

	(void)js;
	pthread_mutex_lock(&p->mu);
	if (p->closing) {
		pthread_mutex_unlock(&p->mu);
		natsMsg_Destroy(m);
		return;
	}
	if (pa != NULL) {
		p->c.acked += n;
		if (pa->Duplicate)
			p->c.duplicates += n;
		backoff_reset(&p->backoff);
	} else if (pae != NULL && retriable(pae)) {
		/* the loop polls with the queue's deadline once it has one */
		w = p->qlen == 0;
		enqueue(p, m);
		pthread_mutex_unlock(&p->mu);
		if (w)
			wake(p);
		return;
	} else {
		p->c.failed += n;
		if (pae != NULL)
			fprintf(stderr, "nats-send: a message of %llu records "
			    "was refused: %s (jetstream error %d)\n",
			    (unsigned long long)n, pae->ErrText ? pae->ErrText :
			    natsStatus_GetText(pae->Err), (int)pae->ErrCode);
	}
	/* the loop waits on us only when it has no room, or to drain: a
	 * wake per ack would be a system call per record */
	w = p->inflight-- == p->limit || p->pendrec == n;
	p->pendrec -= n;
	pthread_mutex_unlock(&p->mu);
	natsMsg_Destroy(m);
	if (w)
		wake(p);
}

/* publish: hand m to the library; what it does not take is queued for
 * a resend. mu not held. */
static void
publish(struct natspub *p, natsMsg *m)
{
	if (js_PublishMsgAsync(p->js, &m, &p->po) == NATS_OK)
		return;
	pthread_mutex_lock(&p->mu);
	enqueue(p, m);
	pthread_mutex_unlock(&p->mu);
}

/* send: a new message of n records: payload, id and headers (pairs of
 * name and value, NULL-ended). 0 or -1. */
static int
send(struct natspub *p, const void *data, size_t len, uint64_t n,
    const char *id, const char **hdr)
{
	natsMsg *m = NULL;
	natsStatus s;

	s = natsMsg_Create(&m, p->subject, NULL, data, (int)len);
	if (s == NATS_OK)
		s = natsMsgHeader_Set(m, NATSREC_ID, id);
	for (; s == NATS_OK && hdr && hdr[0]; hdr += 2)
		s = natsMsgHeader_Set(m, hdr[0], hdr[1]);
	if (s != NATS_OK) {
		natsMsg_Destroy(m);
		natsconn_why(s, 0, p->err, sizeof p->err);
		return -1;
	}
	pthread_mutex_lock(&p->mu);
	p->inflight++;
	p->pendrec += n;
	p->c.published += n;
	pthread_mutex_unlock(&p->mu);
	publish(p, m);
	return 0;
}

void
natspub_resend(struct natspub *p)
{
	struct natspub_resend *e;
	natsMsg *m;
	uint64_t now = clock_mono(), n;

	for (;;) {
		pthread_mutex_lock(&p->mu);
		e = &p->q[p->qhead];
		if (p->qlen == 0 || e->due > now) {
			pthread_mutex_unlock(&p->mu);
			return;
		}
		m = e->m;
		p->qhead = (p->qhead + 1) % p->limit;
		p->qlen--;
		n = records(p, m);
		p->c.resent += n;
		pthread_mutex_unlock(&p->mu);
		publish(p, m);
	}
}

int
natspub_due_ms(struct natspub *p)
{
	uint64_t now, due;
	int ms = -1;

	pthread_mutex_lock(&p->mu);
	if (p->qlen > 0) {
		now = clock_mono();
		due = p->q[p->qhead].due;
		ms = due <= now ? 0 : (int)((due - now + MS - 1) / MS);
	}
	pthread_mutex_unlock(&p->mu);
	return ms;
}

int
natspub_room(struct natspub *p)
{
	int room;

	pthread_mutex_lock(&p->mu);
	room = p->inflight < p->limit;
	pthread_mutex_unlock(&p->mu);
	return room;
}

uint64_t
natspub_pending(struct natspub *p)
{
	uint64_t n;

	pthread_mutex_lock(&p->mu);
	n = p->pendrec;
	pthread_mutex_unlock(&p->mu);
	return n;
}

struct natspub_count
natspub_counters(struct natspub *p)
{
	struct natspub_count c;

	pthread_mutex_lock(&p->mu);
	c = p->c;
	pthread_mutex_unlock(&p->mu);
	c.skipped = p->skipped;
	return c;
}

int
natspub_flush(struct natspub *p)
{
	char nbuf[24], tbuf[NATSREC_TIMELEN], lbuf[16];
	const char *hdr[9];
	int i = 0, rc;

	if (p->nrec == 0)
		return 0;
	snprintf(nbuf, sizeof nbuf, "%llu", (unsigned long long)p->nrec);
	if (p->nrec > 1)
		natsrec_id_pack(p->id, p->nrec, p->sum);
	hdr[i++] = NATSREC_LAYOUT;
	hdr[i++] = p->layout == NATSPUB_LINES ? "lines" : "pcap";
	hdr[i++] = NATSREC_RECORDS;
	hdr[i++] = nbuf;
	if (p->layout == NATSPUB_LINES) {
		hdr[i++] = NATSREC_TIME;
		hdr[i++] = natsrec_time(tbuf, p->sec, p->nsec);
	} else if (p->linktype != LINKTYPE_RAW) {
		snprintf(lbuf, sizeof lbuf, "%u", p->linktype);
		hdr[i++] = NATSREC_LINKTYPE;
		hdr[i++] = lbuf;
	}
	hdr[i] = NULL;
	rc = send(p, p->buf, p->len, p->nrec, p->id, hdr);
	p->nrec = 0;
	p->sum = NATSREC_HASH0;
	p->len = p->layout == NATSPUB_PCAP ? PCAP_FILEHDR_LEN : 0;
	return rc;
}

/* add: n bytes (and a newline, for lines) into the pack, whose id is
 * folded from each record's hash h. 0 or -1. */
static int
add(struct natspub *p, const unsigned char *s, size_t n, uint64_t h,
    const char *id)
{
	size_t need = n + (p->layout == NATSPUB_LINES);
	unsigned char b[8];
	int i;

	if (p->nrec > 0 && p->len + need > p->maxmsg && natspub_flush(p) == -1)
		return -1;
	if (p->nrec == 0)	/* a pack of one is known by its record's id */
		memcpy(p->id, id, NATSREC_IDLEN);
	memcpy(p->buf + p->len, s, n);
	p->len += n;
	if (p->layout == NATSPUB_LINES)
		p->buf[p->len++] = '\n';
	for (i = 0; i < 8; i++)
		b[i] = (unsigned char)(h >> (8 * i));
	p->sum = natsrec_hash(p->sum, b, sizeof b);
	if (++p->nrec == p->pack)
		return natspub_flush(p);
	return 0;
}

int
natspub_udp(struct natspub *p, const struct udpmeta *m,
    const unsigned char *data, size_t n)
{
	char tbuf[NATSREC_TIMELEN], sbuf[64], dbuf[64];
	const char *hdr[7];

	natsrec_id_udp(p->id, p->subject, m, data, n);
	hdr[0] = NATSREC_TIME;
	hdr[1] = natsrec_time(tbuf, m->ts.tv_sec, (uint32_t)m->ts.tv_nsec);
	hdr[2] = NATSREC_SRC;
	hdr[3] = natsrec_addr(sbuf, m->af, m->src, m->sport);
	hdr[4] = NATSREC_DST;
	hdr[5] = natsrec_addr(dbuf, m->af, m->dst, m->dport);
	hdr[6] = NULL;
	return send(p, data, n, 1, p->id, hdr);
}

int
natspub_frame(struct natspub *p, const struct rec *r)
{
	char id[NATSREC_IDLEN];
	uint64_t h;

	if (r->n + PCAP_FILEHDR_LEN > p->maxmsg) {
		snprintf(p->err, sizeof p->err, "a record of %zu bytes is "
		    "larger than a message may be (%zu)", r->n, p->maxmsg);
		pthread_mutex_lock(&p->mu);
		p->c.failed++;
		pthread_mutex_unlock(&p->mu);
		return 0;
	}
	h = natsrec_id_frame(id, p->subject, r->sec, r->nsec, r->data,
	    r->caplen);
	return add(p, r->p, r->n, h, id);
}

int
natspub_line(struct natspub *p, uint64_t lineno, const unsigned char *s,
    size_t n, int64_t sec, uint32_t nsec)
{
	char tbuf[NATSREC_TIMELEN], id[NATSREC_IDLEN];
	const char *hdr[3];
	uint64_t h;

	h = natsrec_id_line(id, p->subject, lineno, s, n);
	if (p->layout == NATSPUB_LINES) {
		if (p->nrec > 0 && p->len + n + 1 > p->maxmsg &&
		    natspub_flush(p) == -1)
			return -1;
		if (p->nrec == 0) {
			p->sec = sec;
			p->nsec = nsec;
		}
		return add(p, s, n, h, id);
	}
	hdr[0] = NATSREC_TIME;
	hdr[1] = natsrec_time(tbuf, sec, nsec);
	hdr[2] = NULL;
	return send(p, s, n, 1, id, hdr);
}

/* take_text: one line as a record; lines longer than a message can
 * hold are skipped and counted. */
static int
take_text(struct natspub *p, const struct recin *in, const struct rec *r)
{
	uint64_t now;

	if (r->flags & LINE_SPLIT) {
		if (!(r->flags & LINE_MORE) && p->skipped++ == 0)
			warnx("skipped a line longer than %zu bytes",
			    in->maxline);
		if (!(r->flags & LINE_MORE))
			p->lineno++;
		return 0;
	}
	now = clock_wall();
	return natspub_line(p, ++p->lineno, r->p, r->n,
	    (int64_t)(now / NS_PER_S), (uint32_t)(now % NS_PER_S));
}

/* take_pcap: one pcap record: its datagram, or the whole record. */
static int
take_pcap(struct natspub *p, const struct recin *in, const struct rec *r)
{
	struct udpinfo u;
	struct udpmeta m;

	if (p->layout == NATSPUB_PCAP)
		return natspub_frame(p, r);
	if (decode_udp(in->rd.linktype, r->data, r->caplen, &u) != 1 ||
	    u.paylen < u.paylen_orig) {
		p->skipped++;
		return 0;
	}
	decode_meta(&u, r->sec, r->nsec, &m);
	return natspub_udp(p, &m, u.payload, u.paylen);
}

int
natspub_take(struct natspub *p, const struct recin *in, const struct rec *r)
{
	if (in->framing == FRAME_TEXT)
		return take_text(p, in, r);
	return take_pcap(p, in, r);
}

int
natspub_start(struct natspub *p, int text, const unsigned char *filehdr,
    uint32_t linktype)
{
	if (text)
		p->layout = p->pack > 1 ? NATSPUB_LINES : NATSPUB_PAYLOAD;
	else if (p->pack > 1)
		p->layout = NATSPUB_PCAP;
	p->linktype = linktype;
	p->sum = NATSREC_HASH0;
	if (p->layout == NATSPUB_PAYLOAD)
		return 0;
	if ((p->buf = malloc(p->maxmsg + 1)) == NULL) {
		snprintf(p->err, sizeof p->err, "%s", strerror(errno));
		return -1;
	}
	if (p->layout == NATSPUB_PCAP) {
		memcpy(p->buf, filehdr, PCAP_FILEHDR_LEN);
		p->len = PCAP_FILEHDR_LEN;
	}
	return 0;
}

/* create: the stream st->create for subject: made, or, when a stream of
 * that name exists, subject added to it. 0, or -1 with p->err. */
static int
create(struct natspub *p, const struct natsstream *st)
{
	jsStreamConfig cfg;
	jsStreamInfo *si = NULL, *old = NULL;
	const char **subj = NULL;
	jsErrCode jerr = 0;
	natsStatus s;
	int i, n;

	jsStreamConfig_Init(&cfg);
	cfg.Name = st->create;
	cfg.Subjects = &p->subject;
	cfg.SubjectsLen = 1;
	cfg.Storage = st->memory ? js_MemoryStorage : js_FileStorage;
	cfg.Replicas = st->replicas;
	cfg.MaxAge = (int64_t)st->maxage;
	cfg.MaxBytes = st->maxbytes ? (int64_t)st->maxbytes : -1;
	cfg.Duplicates = (int64_t)st->dupwin;
	s = js_AddStream(&si, p->js, &cfg, NULL, &jerr);
	if (s != NATS_OK && jerr == JSStreamNameExistErr &&
	    (s = js_GetStreamInfo(&old, p->js, st->create, NULL, &jerr)) ==
	    NATS_OK) {
		/* the stream is there for other subjects: add ours */
		n = old->Config->SubjectsLen;
		if ((subj = calloc((size_t)n + 1, sizeof *subj)) == NULL)
			s = NATS_NO_MEMORY;
		for (i = 0; s == NATS_OK && i < n; i++)
			subj[i] = old->Config->Subjects[i];
		if (s == NATS_OK) {
			subj[n] = p->subject;
			cfg = *old->Config;
			cfg.Subjects = subj;
			cfg.SubjectsLen = n + 1;
			s = js_UpdateStream(&si, p->js, &cfg, NULL, &jerr);
		}
		jsStreamInfo_Destroy(old);
	}
	free(subj);
	jsStreamInfo_Destroy(si);
	if (s != NATS_OK) {
		snprintf(p->err, sizeof p->err, "unable to create stream %s: ",
		    st->create);
		natsconn_why(s, jerr, p->err + strlen(p->err),
		    sizeof p->err - strlen(p->err));
		return -1;
	}
	return 0;
}

/* check: the stream can keep the promise: its duplicate window covers a
 * resend, its messages hold a datagram. Returns 0, or the exit status. */
static int
check(struct natspub *p, const char *name, uint64_t wait)
{
	jsStreamInfo *si = NULL;
	jsErrCode jerr = 0;
	natsStatus s;
	uint64_t horizon = wait + NATSPUB_BACKOFFMAX;
	int64_t max;

	if ((s = js_GetStreamInfo(&si, p->js, name, NULL, &jerr)) != NATS_OK) {
		snprintf(p->err, sizeof p->err, "unable to read stream %s: ",
		    name);
		natsconn_why(s, jerr, p->err + strlen(p->err),
		    sizeof p->err - strlen(p->err));
		return 111;
	}
	max = si->Config->MaxMsgSize;
	if ((uint64_t)si->Config->Duplicates < horizon) {
		snprintf(p->err, sizeof p->err, "stream %s: its duplicate "
		    "window (%.3f s) is shorter than a resend can come "
		    "(%.3f s: -w and the %llu s backoff cap)", name,
		    si->Config->Duplicates / 1e9, horizon / 1e9,
		    NATSPUB_BACKOFFMAX / NS_PER_S);
		jsStreamInfo_Destroy(si);
		return 100;
	}
	jsStreamInfo_Destroy(si);
	if (max > 0 && (uint64_t)max < MAXDGRAM + HDRROOM) {
		snprintf(p->err, sizeof p->err, "stream %s: its largest "
		    "message (%lld bytes) cannot hold a %d-byte datagram",
		    name, (long long)max, MAXDGRAM);
		return 100;
	}
	if (max > 0 && (size_t)max - HDRROOM < p->maxmsg)
		p->maxmsg = (size_t)max - HDRROOM;
	return 0;
}

static int
open_js(struct natspub *p, uint64_t wait)
{
	jsOptions jo;
	natsStatus s;

	jsOptions_Init(&jo);
	jo.Wait = 5000;
	jo.PublishAsync.MaxPending = (int64_t)p->limit;
	jo.PublishAsync.AckHandler = on_ack;
	jo.PublishAsync.AckHandlerClosure = p;
	jo.PublishAsync.StallWait = 50;
	if ((s = natsConnection_JetStream(&p->js, p->nc, &jo)) != NATS_OK) {
		natsconn_why(s, 0, p->err, sizeof p->err);
		return -1;
	}
	jsPubOptions_Init(&p->po);
	p->po.MaxWait = (int64_t)(wait / MS);
	return 0;
}

int
natspub_open(struct natspub *p, const struct natsconn *c,
    const char *subject, const struct natsstream *st, int layout,
    uint64_t pack, uint64_t limit, uint64_t wait)
{
	char name[256], why[256];
	int fds[2], status, rc;

	p->subject = subject;
	p->layout = layout;
	p->pack = pack;
	p->limit = limit;
	backoff_init(&p->backoff, NATSPUB_BACKOFF0, NATSPUB_BACKOFFMAX);
	pthread_mutex_init(&p->mu, NULL);
	if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) == -1 ||
	    (p->q = calloc(limit, sizeof *p->q)) == NULL) {
		snprintf(p->err, sizeof p->err, "unable to set up: %s",
		    strerror(errno));
		return 111;
	}
	p->wakefd = fds[0];
	p->wakewr = fds[1];
	if ((p->nc = natsconn_open(c, why, sizeof why, &status)) == NULL) {
		snprintf(p->err, sizeof p->err, "unable to connect to %s: %s",
		    c->servers, why);
		return status;
	}
	p->maxmsg = (size_t)natsConnection_GetMaxPayload(p->nc) - HDRROOM;
	p->maxline = p->maxmsg;
	if (open_js(p, wait) == -1)
		return 111;
	rc = natsconn_stream(p->nc, subject, name, sizeof name, why,
	    sizeof why);
	if (rc == 0 && st->create) {
		if (create(p, st) == -1)
			return 100;
		rc = natsconn_stream(p->nc, subject, name, sizeof name, why,
		    sizeof why);
	}
	if (rc == -1) {
		snprintf(p->err, sizeof p->err, "unable to find the stream "
		    "for %s: %s", subject, why);
		return 111;
	}
	if (rc == 0) {
		snprintf(p->err, sizeof p->err, "no stream takes subject "
		    "'%s' (create one with -C STREAM)", subject);
		return 100;
	}
	return check(p, name, wait);
}

void
natspub_close(struct natspub *p)
{
	size_t i;

	pthread_mutex_lock(&p->mu);
	p->closing = 1;
	p->c.failed += p->pendrec;
	for (i = 0; i < p->qlen; i++)
		natsMsg_Destroy(p->q[(p->qhead + i) % p->limit].m);
	p->qlen = 0;
	pthread_mutex_unlock(&p->mu);
	jsCtx_Destroy(p->js);
	natsConnection_Destroy(p->nc);
	free(p->q);
	free(p->buf);
}
