/*
 * tcp-listen: accept TCP connections and run a program for each one, the
 * socket as its standard input and output, in the UCSPI environment of
 * tcpserver (PROTO, TCPLOCALIP, TCPREMOTEIP, ...). No name lookups.
 */
#include <sys/socket.h>

#include <err.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "addrfile.h"
#include "arg.h"
#include "clock.h"
#include "counters.h"
#include "handlers.h"
#include "metrics.h"
#include "num.h"
#include "priv.h"
#include "rules.h"
#include "sig.h"
#include "tcpserve.h"
#include "tcpsock.h"

#define USAGE "usage: tcp-listen [-1hRv] [-A PREFIX] [-a FILE] " \
	"[-b BACKLOG] [-L N[:MSG]] [-l LIMIT] [-M FILE] [-U USER] " \
	"[-X PREFIX] [-x FILE] ADDRESS PROGRAM [ARG...]"
#define OPTSTRING	"+1A:a:b:hL:l:M:RU:vX:x:"

#define LIMIT_DEFAULT	100
#define DRAIN_NS	(5 * NS_PER_S)	/* after TERM: the handlers' time */

struct opts {
	const char *addrfile, *user, *msg, *metrics;
	struct addr addr;
	struct rulesrcs src;	/* -A, -X and -x, in order */
	char **argv;		/* PROGRAM [ARG...] */
	int backlog, limit, perip, reuseport, verbose, print1;
};

struct srv {
	struct opts o;
	struct rules rules;
	struct handlers run;	/* the handlers, one a connection */
	struct tcpserve t;	/* the port, its connections and counts */
	sigset_t waitmask;	/* the signal mask inside ppoll */
	struct metrics m;
};

static void
getopts(struct opts *o, int argc, char **argv)
{
	int c;

	memset(o, 0, sizeof *o);
	o->limit = LIMIT_DEFAULT;
	o->backlog = -1;
	opterr = 0;
	while ((c = getopt(argc, argv, OPTSTRING)) != -1) {
		switch (c) {
		case '1': o->print1 = 1; break;
		case 'A': case 'X': case 'x':
			rulesrc_arg(&o->src, c, optarg);
			break;
		case 'a': o->addrfile = optarg; break;
		case 'b':
			o->backlog = (int)num_arg("backlog", optarg, 1, 65535);
			break;
		case 'h': arg_help(0); break;
		case 'L':
			o->perip = (int)num_arg_head("per-source limit",
			    optarg, ':', 1, 65535, &o->msg);
			break;
		case 'l':
			o->limit = (int)num_arg("limit", optarg, 1, 65535);
			break;
		case 'M': o->metrics = optarg; break;
		case 'R': o->reuseport = 1; break;
		case 'U': o->user = optarg; break;
		case 'v': o->verbose = 1; break;
		default:
			arg_badopt(OPTSTRING);
		}
	}
	argv += optind;
	argc -= optind;
	if (argc < 1)
		arg_misuse("%s", "missing ADDRESS");
	addr_arg("address", argv[0], &o->addr);
	if (argc < 2)
		arg_misuse("%s", "missing PROGRAM");
	o->argv = argv + 1;
	/* before binding, so a script never sees a port that then closes */
	if (o->user)
		priv_arg(o->user);
}

/* report: the counters, as the line of USR1 and exit (line) or as the
 * metrics file, tcp-listen(1) METRICS. The line, in its own order and
 * not key=value, has its own printer. */
static void
report(struct srv *s, int line)
{
	const char *ref = "chanrelay_connections_refused_total";
	const struct tcpserve *t = &s->t;
	const struct counter c[] = {
		{ NULL, "chanrelay_connections_accepted_total", NULL,
		    "Connections accepted.", t->accepted, 0, NULL },
		{ NULL, ref, "reason=denied", "Connections closed without a "
		    "handler, by reason: denied (the rules), limited (per "
		    "source), failed (the handler could not start).",
		    t->denied, 0, NULL },
		{ NULL, ref, "reason=limited", NULL, t->limited, 0, NULL },
		{ NULL, ref, "reason=failed", NULL, t->failed, 0, NULL },
		{ NULL, "chanrelay_handlers_running", NULL, "Handlers running.",
		    (uint64_t)s->run.kids.n, 1, NULL },
		{ NULL, "chanrelay_handlers_exited_total", NULL,
		    "Handlers that exited.", s->run.exited, 0, NULL },
		{ NULL, "chanrelay_handlers_crashed_total", NULL,
		    "Handlers a signal killed.", s->run.crashed, 0, NULL },
		{ NULL, "chanrelay_accept_errors_total", NULL,
		    "Failed calls of accept(2).", t->accepterrs, 0, NULL },
	};

	if (!line) {
		counters_metrics(&s->m, c, sizeof c / sizeof c[0]);
		return;
	}
	fprintf(stderr, "tcp-listen: accepted %llu, running %d, denied %llu, "
	    "limited %llu, failed %llu, exited %llu, crashed %llu, "
	    "accept errors %llu\n", t->accepted, s->run.kids.n, t->denied,
	    t->limited, t->failed, s->run.exited, s->run.crashed,
	    t->accepterrs);
}

/* signals: act on what arrived; returns 1 when it is time to stop. */
static int
signals(struct srv *s)
{
	char why[512];

	if (sig_take(SIGCHLD))
		handlers_reap(&s->run);
	if (sig_take(SIGHUP) &&
	    rules_reload(&s->rules, &s->o.src, why, sizeof why) == -1)
		warnx("%s (keeping the old rules)", why);
	if (sig_take(SIGUSR1))
		report(s, 1);
	if (metrics_due(&s->m))
		report(s, 0);
	return sig_take(SIGTERM) | sig_take(SIGINT);
}

/*
 * loop: the signals we catch are blocked except inside ppoll, so they
 * arrive only there, never between an accept and its handler's start.
 */
static void
loop(struct srv *s, int sigfd)
{
	struct pollfd p[2] = { { sigfd, POLLIN, 0 }, { s->t.fd, POLLIN, 0 } };
	uint64_t until;
	int n;

	for (;;) {
		if (signals(s))
			return;
		/* the port is left alone at the limit, and paused for a while
		 * after a shortage */
		n = 2, until = UINT64_MAX;
		if (s->run.kids.n >= s->o.limit)
			n = 1;
		else if (clock_mono() < s->t.paused) {
			n = 1;
			until = s->t.paused;
		}
		if (clock_poll(p, (nfds_t)n, until, &s->waitmask) == -1 &&
		    errno != EINTR)
			err(111, "unable to wait for events");
		if (n == 2 && (p[1].revents & (POLLIN | POLLERR)))
			tcpserve_accept(&s->t);
	}
}

/*
 * drain: after TERM or INT, the port closed: the running handlers get
 * DRAIN_NS to finish their connections, as the other programs get time
 * to write out what they hold; a second TERM or INT cuts it short. The
 * ones still running then get SIGTERM and end on their own.
 */
static void
drain(struct srv *s, int sigfd)
{
	struct pollfd p = { sigfd, POLLIN, 0 };
	uint64_t end = clock_mono() + DRAIN_NS;

	s->run.full = 0;	/* nothing is accepted again: no line */
	while (s->run.kids.n > 0 && clock_mono() < end) {
		if (clock_poll(&p, 1, end, &s->waitmask) == -1 &&
		    errno != EINTR)
			err(111, "unable to wait for events");
		if (signals(s))
			break;
	}
	handlers_stop(&s->run);
}

/* announce: tell scripts and people where we listen. */
static void
announce(struct srv *s)
{
	const char *step;
	char text[ADDR_STRLEN];

	s->t.bound.wildcard = s->o.addr.wildcard;
	if (tcpsock_name(s->t.fd, &s->t.bound) == -1)
		err(111, "unable to read the socket's address");
	addr_format((struct sockaddr *)&s->t.bound.ss, text);
	if (s->o.addrfile && addrfile_write(s->o.addrfile, text) == -1)
		err(111, "unable to write %s", s->o.addrfile);
	/* readiness: a reader of our stdout sees EOF once the port is out */
	if (s->o.print1 && addrfile_port(text, &step) == -1)
		err(111, "unable to %s", step);
	if (s->o.verbose)
		warnx("listening on %s, backlog %d, limit %d", text,
		    s->o.backlog, s->o.limit);
}

static void
setup(struct srv *s)
{
	const char *step;
	char text[ADDR_STRLEN];

	rules_start(&s->rules, &s->o.src);
	s->o.backlog = tcpsock_backlog(s->o.backlog);
	if (handlers_init(&s->run, s->o.limit, "tcp-listen") == -1 ||
	    tcpserve_init(&s->t) == -1)
		err(111, "unable to allocate the child table");
	s->run.verbose = s->t.verbose = s->o.verbose;
	s->t.rules = &s->rules;
	s->t.run = &s->run;
	s->t.argv = s->o.argv;
	s->t.perip = s->o.perip;
	s->t.msg = s->o.msg;
	s->t.fd = tcpsock_listen(&s->o.addr, s->o.backlog, s->o.reuseport,
	    &step);
	if (s->t.fd == -1) {
		addr_format((struct sockaddr *)&s->o.addr.ss, text);
		err(111, "unable to %s %s", step, text);
	}
}

int
main(int argc, char **argv)
{
	static struct srv s;
	int sigfd;

	arg_usage = USAGE;
	getopts(&s.o, argc, argv);
	handlers_stdfds();	/* an accepted socket is never fd 0, 1, 2 */
	sigfd = sig_setup(SIG_HUP | SIG_CHLD);
	sig_block(SIG_HUP | SIG_CHLD, &s.waitmask);
	metrics_setup(&s.m, s.o.metrics, "tcp-listen");
	setup(&s);
	announce(&s);
	if (s.o.user)
		priv_drop(s.o.user);
	if (s.m.path != NULL)
		report(&s, 0);
	loop(&s, sigfd);
	/* the port closes now: a new connection is refused at once */
	close(s.t.fd);
	drain(&s, sigfd);
	report(&s, 1);
	if (s.m.path != NULL)
		report(&s, 0);
	metrics_free(&s.m);
	return 0;
}
