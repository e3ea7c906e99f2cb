/* handlers.h: the programs a server runs, one a connection: the client
 * each serves, how many serve one client, how each ended. */
#ifndef HANDLERS_H
#define HANDLERS_H

#include <sys/types.h>

#include "addr.h"
#include "children.h"

/* What a handler runs for: its client. */
struct handler {
	int af;
	unsigned char ip[16];
	char remote[ADDR_STRLEN];
};

struct handlers {
	struct children kids;	/* what = a struct handler, ours */
	int limit;		/* at most this many (the table never grows) */
	const char *prog;	/* the server's name, for its lines */
	int verbose;		/* a line as each starts and ends */
	unsigned long long exited, crashed;
};

/* handlers_init: an empty table for limit handlers. Returns 0, -1 with
 * errno set. */
int handlers_init(struct handlers *h, int limit, const char *prog);

/* handlers_serving: how many handlers run for the client at ip (an
 * addr_ip address of family af). */
int handlers_serving(const struct handlers *h, int af,
    const unsigned char *ip);

/*
 * handlers_add: pid serves c, which handlers_add owns from now on (it is
 * freed when the handler has ended). Verbose: "PROG: start PID REMOTE
 * (N/LIMIT)".
 */
void handlers_add(struct handlers *h, pid_t pid, struct handler *c);

/*
 * handlers_reap: every handler that ended (SIGCHLDs coalesce), counted
 * in exited or crashed; verbose: "PROG: end PID REMOTE exit N|signal
 * NAME SECONDSs". Returns how many ended.
 */
int handlers_reap(struct handlers *h);

/* handlers_stop: the time to finish is over: the handlers still running
 * are told about and sent SIGTERM; they end on their own. */
void handlers_stop(struct handlers *h);

#endif
