/* connpool.h: the connections of a storm: non-blocking TCP connections to
 * one address, each of which connects, sends a payload, reads a reply
 * and checks it, holds, then closes, every step with a deadline, on an
 * epoll set of the caller's; what becomes of them is counted. */
#ifndef CONNPOOL_H
#define CONNPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "hist.h"
#include "storm.h"

struct pconn;

/* A timer list: every member has the same delay, so appending in time
 * order keeps it sorted and the head is always the first to expire. */
struct plist {
	uint32_t head, tail;
};

struct connpool {
	/* set before connpool_init: what every connection does */
	const struct addr *dst;
	const struct addr *src;		/* sources, bound in turn: nsrc */
	size_t nsrc;
	const unsigned char *payload;	/* sent once connected */
	size_t npayload;
	const unsigned char *reply;	/* the reply expected, or NULL */
	uint64_t expect;		/* bytes to read back: 0, none */
	uint64_t timeout;		/* ns to connect, send and read */
	uint64_t hold;			/* ns to hold it open after that */
	int normal;			/* close with a FIN, else a reset */
	void (*onfail)(void *arg, int cause, int e);	/* or NULL */
	void *arg;
	int ep;				/* the epoll set: see connpool_init */
	uint64_t holdfrom, holdto;	/* when the hold phase runs: below */

	/* counted; the caller clears them as it reports */
	struct stormcount sec;		/* this interval's */
	struct hist hconnect, hreply;	/* this interval's, us */
	uint64_t open, peak;		/* connections open: now, at most */
	uint64_t holddone;		/* completed, of those started in
					 * [holdfrom, holdto) */
	uint64_t aborted;		/* cut at the end by connpool_abort */
	uint64_t nsent, nread;		/* bytes, every run (never cleared) */

	/* kept by the pool */
	uint32_t cap, freel;
	struct pconn *c;
	struct plist wait, held;
	uint64_t srcnext;
};

/* connpool_init: room for cap connections, all free. On the epoll set
 * ep, their events carry the connection's slot (below cap) as data.u64.
 * Returns 0, -1 when out of memory. */
int connpool_init(struct connpool *p, uint32_t cap);

/* connpool_free: give back what connpool_init took. */
void connpool_free(struct connpool *p);

/* connpool_clear: zero the counts and histograms (none open). */
void connpool_clear(struct connpool *p);

/* connpool_start: open one connection (open must be below cap). A
 * failure to start is counted, never fatal: the next may succeed. */
void connpool_start(struct connpool *p);

/* connpool_event: the events ev of slot i came at now (i may be stale: a
 * connection closed since). */
void connpool_event(struct connpool *p, uint64_t i, uint32_t ev,
    uint64_t now);

/* connpool_expire: the connections past their deadline at now fail
 * (a timeout); held ones are done. */
void connpool_expire(struct connpool *p, uint64_t now);

/* connpool_next: the first deadline of a connection, or UINT64_MAX. */
uint64_t connpool_next(const struct connpool *p);

/* connpool_abort: the end: close what is left. A connection holding
 * did its exchange and completes; the others are aborted. */
void connpool_abort(struct connpool *p);

#endif
