/* natssub.c: a JetStream pull consumer, and messages back into records. */
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decode.h"
#include "natsrec.h"
#include "natssub.h"
#include "pcapr.h"

#define MAXDGRAM	65535

/* consumer: create the consumer s->consumer unless it exists. */
static int
consumer(struct natssub *s, const char *subject,
    const struct natsstart *start, uint64_t ackwait, int batch)
{
	jsConsumerConfig cc;
	jsConsumerInfo *ci = NULL;
	jsErrCode jerr = 0;
	natsStatus st;

	if (!s->ephemeral && js_GetConsumerInfo(&ci, s->js, s->stream,
	    s->consumer, NULL, &jerr) == NATS_OK) {
		jsConsumerInfo_Destroy(ci);
		return 0;
	}
	jsConsumerConfig_Init(&cc);
	cc.Durable = s->consumer;
	cc.FilterSubject = subject;
	cc.AckPolicy = js_AckExplicit;
	cc.AckWait = (int64_t)ackwait;
	cc.MaxAckPending = batch * 4 > 1000 ? batch * 4 : 1000;
	switch (start->policy) {
	case NATSSTART_ALL: cc.DeliverPolicy = js_DeliverAll; break;
	case NATSSTART_TIME:
		cc.DeliverPolicy = js_DeliverByStartTime;
		cc.OptStartTime = natsstart_time(start,
		    (int)sizeof(long) * 8);
		break;
	case NATSSTART_SEQ:
		cc.DeliverPolicy = js_DeliverByStartSequence;
		cc.OptStartSeq = start->seq;
		break;
	default: cc.DeliverPolicy = js_DeliverNew; break;
	}
	if (s->ephemeral)	/* gone a minute after a kill -9 */
		cc.InactiveThreshold = 60 * 1000000000ll;
	jerr = 0;
	if ((st = js_AddConsumer(&ci, s->js, s->stream, &cc, NULL, &jerr)) !=
	    NATS_OK) {
		snprintf(s->err, sizeof s->err, "unable to create consumer %s "
		    "on stream %s: ", s->consumer, s->stream);
		natsconn_why(st, jerr, s->err + strlen(s->err),
		    sizeof s->err - strlen(s->err));
		return st == NATS_TIMEOUT || st == NATS_NO_RESPONDERS ? 111 :
		    100;
	}
	jsConsumerInfo_Destroy(ci);
	return 0;
}

int
natssub_open(struct natssub *s, const struct natsconn *c,
    const char *subject, const char *durable,
    const struct natsstart *start, uint64_t ackwait, int batch)
{
	jsSubOptions so;
	jsErrCode jerr = 0;
	natsStatus st;
	char why[256];
	int status, rc;

	if ((s->nc = natsconn_open(c, why, sizeof why, &status)) == NULL) {
		snprintf(s->err, sizeof s->err, "unable to connect to %s: %s",
		    c->servers, why);
		return status;
	}
	if ((st = natsConnection_JetStream(&s->js, s->nc, NULL)) != NATS_OK) {
		natsconn_why(st, 0, s->err, sizeof s->err);
		return 111;
	}
	rc = natsconn_stream(s->nc, subject, s->stream, sizeof s->stream,
	    why, sizeof why);
	if (rc != 1) {
		if (rc == 0)
			snprintf(s->err, sizeof s->err, "no stream takes "
			    "subject '%s'", subject);
		else
			snprintf(s->err, sizeof s->err, "unable to find the "
			    "stream for %s: %s", subject, why);
		return rc == 0 ? 100 : 111;
	}
	s->ephemeral = durable == NULL;
	if (durable)
		snprintf(s->consumer, sizeof s->consumer, "%s", durable);
	else
		snprintf(s->consumer, sizeof s->consumer, "nats-recv-%ld-%llx",
		    (long)getpid(), (unsigned long long)natsrec_hash(
		    NATSREC_HASH0, &s, sizeof s) ^ (uint64_t)nats_Now());
	if ((status = consumer(s, subject, start, ackwait, batch)) != 0)
		return status;
	jsSubOptions_Init(&so);
	so.Stream = s->stream;
	so.Consumer = s->consumer;
	if ((st = js_PullSubscribe(&s->sub, s->js, subject, s->consumer, NULL,
	    &so, &jerr)) != NATS_OK) {
		snprintf(s->err, sizeof s->err, "unable to subscribe to %s: ",
		    s->consumer);
		natsconn_why(st, jerr, s->err + strlen(s->err),
		    sizeof s->err - strlen(s->err));
		return 111;
	}
	return 0;
}

int
natssub_fetch(struct natssub *s, natsMsgList *list, int max, int ms)
{
	jsErrCode jerr = 0;
	natsStatus st;

	list->Msgs = NULL;
	list->Count = 0;
	st = natsSubscription_Fetch(list, s->sub, max, ms, &jerr);
	if (st == NATS_OK)
		return list->Count;
	natsMsgList_Destroy(list);
	if (st == NATS_TIMEOUT)
		return 0;
	natsconn_why(st, jerr, s->err, sizeof s->err);
	return -1;
}

uint64_t
natssub_seq(natsMsg *m)
{
	jsMsgMetaData *md = NULL;
	uint64_t seq = 0;

	if (natsMsg_GetMetaData(&md, m) == NATS_OK) {
		seq = md->Sequence.Stream;
		jsMsgMetaData_Destroy(md);
	}
	return seq;
}

/* header: the value of a header, or NULL. */
static const char *
header(natsMsg *m, const char *name)
{
	const char *v = NULL;

	if (natsMsgHeader_Get(m, name, &v) != NATS_OK)
		return NULL;
	return v;
}

/* meta: the time and addresses the headers give; the server's time of
 * the message when there is no Chanrelay-Time. libnats gives times as
 * int64_t nanoseconds, never a time_t, so its own 32-bit time_t on armhf
 * does not matter; ours is 64 bits there too (config.mk), and with a
 * 32-bit one a time past 2038 would wrap here (see chanrelay(7)). */
static void
meta(natsMsg *m, struct udpmeta *u)
{
	jsMsgMetaData *md = NULL;
	const char *v;
	uint16_t port;
	int64_t sec;
	uint32_t nsec;
	int af;

	memset(u, 0, sizeof *u);
	u->af = AF_INET;
	if ((v = header(m, NATSREC_TIME)) != NULL &&
	    natsrec_time_parse(v, &sec, &nsec) == 0) {
		u->ts.tv_sec = (time_t)sec;
		u->ts.tv_nsec = nsec;
	} else if (natsMsg_GetMetaData(&md, m) == NATS_OK) {
		u->ts.tv_sec = (time_t)(md->Timestamp / 1000000000);
		u->ts.tv_nsec = md->Timestamp % 1000000000;
		jsMsgMetaData_Destroy(md);
	}
	if ((v = header(m, NATSREC_SRC)) != NULL &&
	    natsrec_addr_parse(v, &af, u->src, &port) == 0) {
		u->af = af;
		u->sport = port;
	}
	if ((v = header(m, NATSREC_DST)) != NULL &&
	    natsrec_addr_parse(v, &af, u->dst, &port) == 0 && af == u->af)
		u->dport = port;
	else
		memset(u->dst, 0, sizeof u->dst);
}

/* frames: the records of a pcap layout message. */
static int
frames(const unsigned char *p, size_t n, natssub_cb cb, void *arg,
    uint64_t *skipped)
{
	struct pcaprec rec;
	struct pcapr r;
	struct udpinfo u;
	struct natssub_rec nr;
	int rc = 0;

	if (pcapr_open_mem(&r, p, n) == -1) {
		(*skipped)++;
		return 0;
	}
	while (rc == 0 && pcapr_next(&r, &rec) == 1) {
		if (decode_udp(r.linktype, rec.data, rec.caplen, &u) != 1 ||
		    u.paylen < u.paylen_orig) {
			(*skipped)++;
			continue;
		}
		memset(&nr, 0, sizeof nr);
		decode_meta(&u, rec.sec, rec.nsec, &nr.m);
		nr.p = u.payload;
		nr.n = u.paylen;
		if (r.linktype == LINKTYPE_RAW && rec.caplen == rec.origlen) {
			nr.frame = rec.data;
			nr.caplen = rec.caplen;
		}
		rc = cb(arg, &nr);
	}
	pcapr_close(&r);
	return rc;
}

/* lines: the records of a lines layout message, each ending in "\n". */
static int
lines(const unsigned char *p, size_t n, struct natssub_rec *nr,
    natssub_cb cb, void *arg, uint64_t *skipped)
{
	const unsigned char *nl;
	int rc = 0;

	while (rc == 0 && n > 0) {
		nl = memchr(p, '\n', n);
		if (nl == NULL)
			nl = p + n;
		nr->p = p;
		nr->n = (size_t)(nl - p);
		if (nl - p > MAXDGRAM)
			(*skipped)++;
		else
			rc = cb(arg, nr);
		n -= (size_t)(nl - p) + (nl < p + n);
		p = nl + 1;
	}
	return rc;
}

int
natssub_records(natsMsg *m, natssub_cb cb, void *arg, uint64_t *skipped)
{
	const unsigned char *p = (const unsigned char *)natsMsg_GetData(m);
	size_t n = (size_t)natsMsg_GetDataLength(m);
	const char *layout = header(m, NATSREC_LAYOUT);
	struct natssub_rec nr;

	if (layout && strcmp(layout, "pcap") == 0)
		return frames(p, n, cb, arg, skipped);
	memset(&nr, 0, sizeof nr);
	meta(m, &nr.m);
	if (layout && strcmp(layout, "lines") == 0)
		return lines(p, n, &nr, cb, arg, skipped);
	if (n > MAXDGRAM) {
		(*skipped)++;
		return 0;
	}
	nr.p = p;
	nr.n = n;
	return cb(arg, &nr);
}

void
natssub_close(struct natssub *s)
{
	if (s->sub)
		natsSubscription_Destroy(s->sub);
	if (s->ephemeral && s->js)
		(void)js_DeleteConsumer(s->js, s->stream, s->consumer, NULL,
		    NULL);
	jsCtx_Destroy(s->js);
	natsConnection_Destroy(s->nc);
}
