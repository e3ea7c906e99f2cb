/*
 * nats-bare: benchmark publisher, the ceiling for nats-send. Publishes
 * COUNT messages of SIZE bytes to SUBJECT with nats.c's asynchronous
 * JetStream publish, each with a Nats-Msg-Id unique to the run, at most
 * MAXPENDING unacknowledged, then waits for every ack. Reads nothing.
 *
 * usage: nats-bare [-H] [-C STREAM] [-i MAXPENDING] [-n COUNT]
 *                  [-r REPLICAS] [-S URL] [-s SIZE] [-w MS] [-X STREAM]
 *                  SUBJECT
 *
 * -C STREAM creates STREAM (file storage, -r replicas) for SUBJECT before
 * the clock starts, waits until it has a leader and prints "leader=NAME";
 * -n 0 then only creates it. -X STREAM prints what STREAM stores
 * ("stored=MSGS bytes=BYTES"), deletes it and exits. -w MS is each
 * publish's MaxWait (default 2000, as nats-send's -w 2s; 0: none). -H adds
 * the three headers nats-send puts on every message (Chanrelay-Time, -Src,
 * -Dst, values of the same length), so a run tells the headers' cost from
 * nats-send's own. URL: -S, else $NATS_URL, else nats://127.0.0.1:4222.
 *
 * One line to stdout at the end, the format of nats-peer.js bench:
 *   msgs=N secs=S rate=R failed=F
 * where msgs counts positive acks and secs runs from the first publish to
 * the last ack. Exit 0 when every message was acknowledged, 1 when not,
 * 100 usage, 111 unable to connect, create or publish.
 * Standalone on purpose (no lib/ at all, only libnats): the benchmark
 * must not share code with what it measures, and the Makefile links it
 * with $(NATSLIBS) alone.
 */
#include <err.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <nats/nats.h>

#define MAXSIZE (1024 * 1024)

struct bare {
	natsConnection *nc;
	jsCtx *js;
	const char *subject;
	long long count, size, pending, maxwait;
	int headers;
	atomic_llong acked, failed;
};

static void
usage(void)
{
	fprintf(stderr, "usage: nats-bare [-H] [-C STREAM] [-i MAXPENDING] "
	    "[-n COUNT] [-r REPLICAS] [-S URL] [-s SIZE] [-w MS] "
	    "[-X STREAM] SUBJECT\n");
	exit(100);
}

/* number: s as a whole number in [min, max], else exit 100 naming it
 * (the checks of lib/num.c's num_arg, which this file does not link). */
static long long
number(const char *what, const char *s, long long min, long long max)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || errno != 0 || v < min ||
	    v > max)
		errx(100, "invalid %s '%s': use %lld to %lld", what, s, min, max);
	return v;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* on_ack: the library's thread, once per message, good or bad. */
static void
on_ack(jsCtx *js, natsMsg *m, jsPubAck *pa, jsPubAckErr *pae, void *closure)
{
	struct bare *b = closure;

	(void)js;
	if (pa != NULL)
		atomic_fetch_add(&b->acked, 1);
	else if (pae != NULL && atomic_fetch_add(&b->failed, 1) == 0)
		warnx("a publish failed: %s", pae->ErrText ? pae->ErrText :
		    natsStatus_GetText(pae->Err));
	natsMsg_Destroy(m);
}

static void
check(natsStatus s, const char *what)
{
	if (s != NATS_OK)
		errx(111, "unable to %s: %s", what, natsStatus_GetText(s));
}

/* setup: connect and make the JetStream context. */
static void
setup(struct bare *b, const char *url)
{
	natsOptions *o;
	jsOptions jo;

	check(natsOptions_Create(&o), "create options");
	check(natsOptions_SetServers(o, &url, 1), "set the server");
	check(natsConnection_Connect(&b->nc, o), "connect");
	natsOptions_Destroy(o);
	jsOptions_Init(&jo);
	jo.PublishAsync.MaxPending = b->pending;
	jo.PublishAsync.AckHandler = on_ack;
	jo.PublishAsync.AckHandlerClosure = b;
	jo.PublishAsync.StallWait = 50;
	check(natsConnection_JetStream(&b->js, b->nc, &jo), "use JetStream");
}

/* stream_info: STREAM's info, retried for up to 10 s (a cluster that
 * has just formed, or just made the stream, answers with errors). */
static jsStreamInfo *
stream_info(struct bare *b, const char *name)
{
	jsStreamInfo *si = NULL;
	jsErrCode jerr = 0;
	natsStatus s;
	double end = now() + 10;

	while ((s = js_GetStreamInfo(&si, b->js, name, NULL, &jerr)) !=
	    NATS_OK && now() < end)
		nats_Sleep(50);
	if (s != NATS_OK)
		errx(111, "unable to read stream %s: %s (jetstream error %d)",
		    name, natsStatus_GetText(s), (int)jerr);
	return si;
}

/* create: STREAM for the subject, then wait until it has a leader;
 * prints "leader=SERVER". */
static void
create(struct bare *b, const char *name, int replicas)
{
	jsStreamConfig cfg;
	jsStreamInfo *si;
	jsErrCode jerr = 0;
	natsStatus s;
	double end = now() + 10;

	jsStreamConfig_Init(&cfg);
	cfg.Name = name;
	cfg.Subjects = &b->subject;
	cfg.SubjectsLen = 1;
	cfg.Storage = js_FileStorage;
	cfg.Replicas = replicas;
	while ((s = js_AddStream(NULL, b->js, &cfg, NULL, &jerr)) !=
	    NATS_OK && jerr != JSStreamNameExistErr && now() < end)
		nats_Sleep(100);
	if (s != NATS_OK && jerr != JSStreamNameExistErr)
		errx(111, "unable to create stream %s: %s (jetstream error "
		    "%d)", name, natsStatus_GetText(s), (int)jerr);
	for (;;) {
		si = stream_info(b, name);
		if (si->Cluster == NULL || (si->Cluster->Leader != NULL &&
		    *si->Cluster->Leader != '\0'))
			break;
		jsStreamInfo_Destroy(si);
		if (now() > end)
			errx(111, "stream %s has no leader", name);
		nats_Sleep(50);
	}
	printf("leader=%s\n", si->Cluster ? si->Cluster->Leader : "");
	jsStreamInfo_Destroy(si);
}

/* delete: print what STREAM holds ("stored=MSGS bytes=BYTES"), then
 * delete it. */
static void
delete(struct bare *b, const char *name)
{
	jsStreamInfo *si;
	jsErrCode jerr = 0;

	si = stream_info(b, name);
	printf("stored=%llu bytes=%llu\n",
	    (unsigned long long)si->State.Msgs,
	    (unsigned long long)si->State.Bytes);
	jsStreamInfo_Destroy(si);
	if (js_DeleteStream(b->js, name, NULL, &jerr) != NATS_OK)
		errx(111, "unable to delete stream %s (jetstream error %d)",
		    name, (int)jerr);
}

/* publish: one message, id i of run. The library stalls us while
 * MAXPENDING are out, and gives up after StallWait: then again. */
static void
publish(struct bare *b, const char *run, long long i, const char *data)
{
	jsPubOptions po;
	natsMsg *m = NULL;
	char id[64];
	natsStatus s;

	jsPubOptions_Init(&po);
	po.MaxWait = b->maxwait;
	snprintf(id, sizeof id, "%s-%lld", run, i);
	po.MsgId = id;
	if (!b->headers) {
		while ((s = js_PublishAsync(b->js, b->subject, data,
		    (int)b->size, &po)) == NATS_TIMEOUT)
			;
		check(s, "publish");
		return;
	}
	s = natsMsg_Create(&m, b->subject, NULL, data, (int)b->size);
	if (s == NATS_OK)
		s = natsMsgHeader_Set(m, "Chanrelay-Time",
		    "1795255200.000001000");
	if (s == NATS_OK)
		s = natsMsgHeader_Set(m, "Chanrelay-Src", "127.0.0.1:40000");
	if (s == NATS_OK)
		s = natsMsgHeader_Set(m, "Chanrelay-Dst", "127.0.0.2:9");
	while (s == NATS_OK &&
	    (s = js_PublishMsgAsync(b->js, &m, &po)) == NATS_TIMEOUT)
		s = NATS_OK;
	natsMsg_Destroy(m);	/* NULL once the library took it */
	check(s, "publish");
}

/* blast: publish COUNT messages, wait for every ack; print the line.
 * Returns 0 when all were acknowledged, else 1. */
static int
blast(struct bare *b)
{
	jsPubOptions po;
	char run[32], *data;
	long long i, acked;
	double t0, t1;

	if ((data = malloc((size_t)b->size + 1)) == NULL)
		err(111, "unable to allocate the payload");
	memset(data, 'a', (size_t)b->size);
	/* ids unique to this run: the stream's duplicate window must not
	 * hide a message of a later run */
	snprintf(run, sizeof run, "%ld-%lld", (long)getpid(),
	    (long long)time(NULL));
	t0 = now();
	for (i = 0; i < b->count; i++)
		publish(b, run, i, data);
	jsPubOptions_Init(&po);
	po.MaxWait = 60000;
	if (js_PublishAsyncComplete(b->js, &po) != NATS_OK)
		warnx("acks still missing after 60 s");
	/* 3.4.1 counts a message done after its handler returned; do not
	 * rely on it */
	while (atomic_load(&b->acked) + atomic_load(&b->failed) < b->count &&
	    now() - t0 < 120)
		nats_Sleep(1);
	t1 = now();
	acked = (long long)atomic_load(&b->acked);
	printf("msgs=%lld secs=%.3f rate=%.0f failed=%lld\n", acked, t1 - t0,
	    (double)acked / (t1 - t0), b->count - acked);
	if (fflush(stdout) == EOF || ferror(stdout))
		err(111, "unable to write output");
	free(data);
	return acked == b->count ? 0 : 1;
}

int
main(int argc, char *argv[])
{
	struct bare b = { .count = 100000, .size = 100, .pending = 4096,
	    .maxwait = 2000 };
	const char *url = getenv("NATS_URL"), *mk = NULL, *rm = NULL;
	int c, replicas = 1, status = 0;

	while ((c = getopt(argc, argv, "C:Hi:n:r:S:s:w:X:")) != -1) {
		switch (c) {
		case 'C': mk = optarg; break;
		case 'H': b.headers = 1; break;
		case 'i': b.pending = number("max pending", optarg, 1,
		    1000000); break;
		case 'n': b.count = number("count", optarg, 0, 1LL << 40);
			break;
		case 'r': replicas = (int)number("replicas", optarg, 1, 5);
			break;
		case 'S': url = optarg; break;
		case 's': b.size = number("size", optarg, 0, MAXSIZE); break;
		case 'w': b.maxwait = number("max wait", optarg, 0,
		    3600000); break;
		case 'X': rm = optarg; break;
		default: usage();
		}
	}
	if (optind != argc - 1)
		usage();
	b.subject = argv[optind];
	if (url == NULL || *url == '\0')
		url = "nats://127.0.0.1:4222";
	setup(&b, url);
	if (rm != NULL)
		delete(&b, rm);
	else if (mk != NULL)
		create(&b, mk, replicas);
	if (rm == NULL && b.count > 0)
		status = blast(&b);
	jsCtx_Destroy(b.js);
	natsConnection_Destroy(b.nc);
	nats_Close();
	return status;
}
