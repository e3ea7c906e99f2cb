/* tcpserve.h: a TCP server's accepting: each connection waiting on its
 * listening socket checked against the rules and the per-source limit
 * (a refused one told and closed) or handed to a handler, the socket as
 * its standard input and output, in the UCSPI environment. */
#ifndef TCPSERVE_H
#define TCPSERVE_H

#include <stdint.h>

#include "addr.h"
#include "clock.h"
#include "handlers.h"
#include "rules.h"
#include "ucspi.h"
#include "warnrate.h"

#define TCPSERVE_BATCH	64	/* accepts a call, between looks at the
				 * signals */
#define TCPSERVE_PAUSE	(NS_PER_S / 10)	/* after EMFILE and friends */

struct tcpserve {
	/* the caller's */
	int fd;			/* the listening socket */
	struct addr bound;	/* its address, port filled in */
	const struct rules *rules;
	struct handlers *run;	/* the handlers, one a connection */
	char **argv;		/* a handler: PROGRAM [ARG...] */
	int perip;		/* handlers a client at most; 0: no limit */
	const char *msg;	/* the line a client over perip is told, or
				 * NULL */
	int verbose;		/* "deny REMOTE", "limit REMOTE ..." */
	/* tcpserve's */
	struct ucspi env;
	uint64_t paused;	/* no accept before this (clock_mono) */
	struct warnrate acceptlog, spawnlog;	/* one line a second */
	unsigned long long accepted, denied, limited, failed, accepterrs;
};

/* tcpserve_init: the environment (ours) and the warning rates, the
 * counters at 0. Returns 0, -1 when out of memory. */
int tcpserve_init(struct tcpserve *t);

/*
 * tcpserve_accept: accept the connections waiting, TCPSERVE_BATCH at
 * most, none once the handlers are at their limit (handlers_full). Each
 * is counted accepted, then denied (the rules), limited (perip handlers
 * serve its client already) or failed (its handler did not start, "unable
 * to run PROGRAM: ERROR" once a second at most); its socket is closed
 * here. A failed accept(2) other than a lost connection is counted in
 * accepterrs and told once a second at most. A shortage (accept's, or
 * EAGAIN or ENOMEM starting a handler) sets paused TCPSERVE_PAUSE ahead:
 * call again after that, never spin.
 */
void tcpserve_accept(struct tcpserve *t);

#endif
