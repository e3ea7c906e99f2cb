/* handlers.h: the programs a server runs, one a connection: the client
 * each serves, how many serve one client, how each ended. */
#ifndef HANDLERS_H
#define HANDLERS_H

#include <sys/types.h>

#include "addr.h"
#include "children.h"
#include "warnrate.h"

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
	int full;		/* at the limit: the server stopped accepting */
	int fulltold;		/* and said so */
	struct warnrate fulllog;	/* that line at most once a second */
};

/*
 * handlers_stdfds: fds 0, 1 and 2 open (on /dev/null when they were
 * closed), so no connection accepted later is one of them: a handler
 * gets its socket as its standard input and output, and a line meant
 * for stderr never goes down a connection.
 */
void handlers_stdfds(void);

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
 * handlers_start: launch_prog argv with envp, the connection fd as its
 * standard input and output (fd stays open), to serve c (copied), then
 * handlers_add. Returns the pid, -1 with errno set when it could not
 * start.
 */
pid_t handlers_start(struct handlers *h, char *const argv[],
    char *const envp[], int fd, const struct handler *c);

/*
 * handlers_full: 1 when limit handlers run. The first time since the
 * table was last below the limit, h->full is set and "N/LIMIT
 * handlers running, not accepting" told (at most once a second);
 * handlers_reap then tells "accepting again: N/LIMIT handlers running"
 * when the table drops below. Clear h->full to have no such line.
 */
int handlers_full(struct handlers *h);

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
