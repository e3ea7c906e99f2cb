/* sink.h: where tee-sink copies a stream: a file, a command, a socket. */
#ifndef SINK_H
#define SINK_H

#include <sys/types.h>
#include <sys/un.h>
#include <stdint.h>

#include "addr.h"
#include "recqueue.h"

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
	uint64_t retry_at, backoff;	/* while closed: when to try again */
	uint64_t records, bytes, dropped, reconnects, skipped, errors;
	int opened;		/* opened at least once */
	int lasterr;		/* the cause last reported */
	const char *lastwhat;	/* and the step that failed */
	uint64_t lastreport;
	unsigned long repeats;	/* failures like it not reported since */
};

/* sink_parse: PATH, |COMMAND, udp:HOST:PORT, tcp:HOST:PORT or unix:PATH
 * into s (queue of qsize bytes). Returns NULL, or the reason it is not
 * a sink ("missing port", "empty command", ...). */
const char *sink_parse(const char *spec, struct sink *s, size_t qsize);

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
