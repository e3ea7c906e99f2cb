/* sink.h: where tee-sink copies a stream: a file, a command, a socket. */
#ifndef SINK_H
#define SINK_H

#include <sys/types.h>
#include <sys/un.h>
#include <stdint.h>

#include "addr.h"
#include "backoff.h"
#include "recqueue.h"
#include "warnrate.h"

enum { SINK_FILE, SINK_PIPE, SINK_UDP, SINK_TCP, SINK_UNIX };

struct sink {
	const char *spec;	/* as the user wrote it */
	const char *arg;	/* path or command */
	int kind;
	struct addr addr;	/* udp:, tcp: */
	struct sockaddr_un un;	/* unix: */
	int fd;			/* -1 while closed */
	int connecting;		/* a non-blocking connect is under way */
	int blocked;		/* the last write met a full sink: wait for
				 * POLLOUT before trying again */
	pid_t pid;		/* |COMMAND: the running child */
	unsigned char hdr[24];	/* sent first on each open (stream sinks) */
	size_t hdrlen, hdroff;
	struct recqueue q;
	uint64_t retry_at;	/* while closed: when to try again */
	struct backoff backoff;	/* and how long it waits the next time */
	uint64_t records, bytes, dropped, reconnects, skipped, errors;
	int opened;		/* opened at least once */
	struct warnrate warned;	/* its failures: once per cause, then once
				 * a minute */
	int verbose;		/* say when it opens, closes, ends */
	int nogso;		/* udp: no trains (UDP_SEGMENT): refused */
};

/* sink_parse: PATH, |COMMAND, udp:HOST:PORT, tcp:HOST:PORT or unix:PATH
 * into s (queue of qsize bytes). Returns NULL, or the reason it is not
 * a sink ("missing port", "empty command", ...). */
const char *sink_parse(const char *spec, struct sink *s, size_t qsize);

/*
 * The life cycle, in the words of tee-sink: a sink is started (opened,
 * or a try due later after a failure), written, told what poll saw of it
 * and when its command ended; whatever closes it schedules the next try
 * after a backoff (100 ms doubling to 5 s, reset by a success). Each
 * failure is counted in errors and told on stderr, "SPEC: unable to
 * VERB: CAUSE", once per cause, then once a minute.
 */

/* sink_start: sink_open, or the failure told and the next try set.
 * Returns 0, -1 with errno set. */
int sink_start(struct sink *s, const unsigned char *hdr, size_t hdrlen);

/* sink_write: sink_flush; a failure told, the next try set. */
void sink_write(struct sink *s);

/* sink_retry_later: the sink is closed: the next try after the backoff. */
void sink_retry_later(struct sink *s);

/* sink_events: what to poll the sink's fd for now. */
short sink_events(const struct sink *s);

/* sink_polled: poll's revents for the sink: a connect that completed or
 * failed, a stream peer that hung up (closed, to be tried again). */
void sink_polled(struct sink *s, short revents);

/* sink_exited: the command of a |COMMAND sink ended with wait status st:
 * what it did not read is lost with it; the command starts again later. */
void sink_exited(struct sink *s, int st);

/* sink_reopen: HUP: an open file sink is closed and opened again at the
 * next look (logrotate moved it: a new one, with its own header). */
void sink_reopen(struct sink *s);

/* sink_stream: 1 for the sinks that take the stream as bytes (all but
 * udp:, which takes one payload per datagram). */
int sink_stream(const struct sink *s);

/*
 * sink_open: open, start or connect the sink without blocking; hdr
 * (hdrlen bytes, may be 0) goes first on the new stream, except to a
 * file that already holds data. Returns 0 (open, or connecting), -1 with
 * errno set (the caller retries later).
 */
int sink_open(struct sink *s, const unsigned char *hdr, size_t hdrlen);

/*
 * sink_connected: after POLLOUT on a connecting socket: 0 when it is up,
 * -1 with errno set when the connect failed (the sink is closed).
 */
int sink_connected(struct sink *s);

/* sink_close: close the sink; a record cut in the middle is dropped and
 * counted. The child of a |COMMAND sink is left to be reaped. */
void sink_close(struct sink *s);

/*
 * sink_flush: write what is queued without blocking. Returns 0 (all out,
 * or the sink is full for now), -1 with errno set when the sink broke
 * (it is closed then, to be reopened later).
 */
int sink_flush(struct sink *s);

#endif
