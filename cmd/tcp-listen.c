/*
 * tcp-listen: accept TCP connections and run a program for each one, the
 * socket as its standard input and output, in the UCSPI environment of
 * tcpserver (PROTO, TCPLOCALIP, TCPREMOTEIP, ...). No name lookups.
 */
#include <sys/socket.h>
#include <netinet/in.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "addrfile.h"
#include "arg.h"
#include "clock.h"
#include "handlers.h"
#include "launch.h"
#include "num.h"
#include "priv.h"
#include "rules.h"
#include "sig.h"
#include "tcpsock.h"
#include "ucspi.h"
#include "warnrate.h"

#define USAGE "usage: tcp-listen [-1hRv] [-A PREFIX] [-a FILE] " \
	"[-b BACKLOG] [-L N[:MSG]] [-l LIMIT] [-U USER] [-X PREFIX] " \
	"[-x FILE] ADDRESS PROGRAM [ARG...]"
#define OPTSTRING	"+1A:a:b:hL:l:RU:vX:x:"

#define LIMIT_DEFAULT	100
#define ACCEPT_BATCH	64	/* accepts between looks at the signals */
#define PAUSE_NS	(NS_PER_S / 10)	/* after EMFILE and friends */
#define DRAIN_NS	(5 * NS_PER_S)	/* after TERM: the handlers' time */

struct opts {
	const char *addrfile, *user, *msg;
	struct addr addr;
	struct rulesrcs src;	/* -A, -X and -x, in order */
	char **argv;		/* PROGRAM [ARG...] */
	int backlog, limit, perip, reuseport, verbose, print1;
};

struct srv {
	struct opts o;
	struct rules rules;
	struct ucspi env;
	struct addr bound;	/* the listening address, port filled in */
	struct handlers run;	/* the handlers, one a connection */
	sigset_t waitmask;	/* the signal mask inside ppoll */
	int fd, full, fulllogged;
	uint64_t paused;	/* no accept before this (clock_mono) */
	struct warnrate acceptlog, spawnlog, fulllog;	/* one line a second */
	unsigned long long accepted, denied, limited, failed;
	unsigned long long accepterrs;
};

static void
addsrc(struct opts *o, int kind, const char *arg)
{
	const char *e;
	int r;

	if ((r = rulesrc_add(&o->src, kind, arg, &e)) == 1)
		arg_fail("prefix", arg, e);
	if (r == -1)
		err(111, "unable to allocate the rules");
}

static void
perip(struct opts *o, const char *s)
{
	const char *colon = strchr(s, ':');
	char num[16];
	size_t n = colon ? (size_t)(colon - s) : strlen(s);

	if (n >= sizeof num)
		arg_fail("per-source limit", s, "invalid");
	memcpy(num, s, n);
	num[n] = '\0';
	o->perip = (int)num_arg("per-source limit", num, 1, 65535);
	o->msg = colon ? colon + 1 : NULL;
}

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
		case 'A': case 'X': case 'x': addsrc(o, c, optarg); break;
		case 'a': o->addrfile = optarg; break;
		case 'b':
			o->backlog = (int)num_arg("backlog", optarg, 1, 65535);
			break;
		case 'h': arg_help(0); break;
		case 'L': perip(o, optarg); break;
		case 'l':
			o->limit = (int)num_arg("limit", optarg, 1, 65535);
			break;
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
	if (o->user && getpwnam(o->user) == NULL)
		arg_fail("user", o->user, "no such user");
}

static void
counters(const struct srv *s)
{
	fprintf(stderr, "tcp-listen: accepted %llu, running %d, denied %llu, "
	    "limited %llu, failed %llu, exited %llu, crashed %llu, "
	    "accept errors %llu\n", s->accepted, s->run.kids.n, s->denied,
	    s->limited, s->failed, s->run.exited, s->run.crashed,
	    s->accepterrs);
}

/* reap: every handler that ended; accepting again below the limit. */
static void
reap(struct srv *s)
{
	handlers_reap(&s->run);
	if (s->full && s->run.kids.n < s->o.limit) {
		s->full = 0;
		if (s->fulllogged)
			warnx("accepting again: %d/%d handlers running",
			    s->run.kids.n, s->o.limit);
		s->fulllogged = 0;
	}
}

/* refuse: close a connection the rules or the per-source limit refused. */
static int
refuse(struct srv *s, int fd, const char *remote, int n)
{
	if (n < 0) {
		s->denied++;
		if (s->o.verbose)
			warnx("deny %s", remote);
	} else {
		s->limited++;
		if (s->o.msg)
			(void)!send(fd, s->o.msg, strlen(s->o.msg),
			    MSG_DONTWAIT | MSG_NOSIGNAL);
		if (s->o.msg)
			(void)!send(fd, "\r\n", 2, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (s->o.verbose)
			warnx("limit %s (per-source %d)", remote, n);
	}
	close(fd);
	return 0;
}

/* serve: one accepted connection: check it, then start its handler. */
static void
serve(struct srv *s, int fd, const struct sockaddr *remote)
{
	struct sockaddr_storage local;
	socklen_t ll = sizeof local;
	struct handler c, *k;
	int n, e;
	pid_t pid = -1;

	s->accepted++;
	c.af = addr_ip(remote, c.ip);
	addr_format(remote, c.remote);
	if (!rules_allow(&s->rules, remote)) {
		refuse(s, fd, c.remote, -1);
		return;
	}
	n = handlers_serving(&s->run, c.af, c.ip);
	if (s->o.perip && n >= s->o.perip) {
		refuse(s, fd, c.remote, n);
		return;
	}
	/* only a wildcard listener needs asking which address was hit */
	if (!s->bound.wildcard)
		memcpy(&local, &s->bound.ss, sizeof local);
	else if (getsockname(fd, (struct sockaddr *)&local, &ll) == -1)
		memcpy(&local, &s->bound.ss, sizeof local);
	ucspi_setaddr(&s->env, (struct sockaddr *)&local, remote, n + 1);
	if ((k = malloc(sizeof *k)) == NULL ||
	    (pid = launch_prog(s->o.argv, s->env.envp, fd, fd)) == -1) {
		e = errno;
		s->failed++;
		warnrate_warnx(&s->spawnlog, 0, "unable to run %s: %s",
		    s->o.argv[0], strerror(e));
		if (e == EAGAIN || e == ENOMEM)
			s->paused = clock_mono() + PAUSE_NS;
		free(k);
		close(fd);
		return;
	}
	close(fd);
	*k = c;
	handlers_add(&s->run, pid, k);
}

/* acceptsome: accept what is waiting, up to the limit and a batch. */
static void
acceptsome(struct srv *s)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int i, fd;

	for (i = 0; i < ACCEPT_BATCH && s->run.kids.n < s->o.limit; i++) {
		len = sizeof ss;
		fd = accept4(s->fd, (struct sockaddr *)&ss, &len,
		    SOCK_CLOEXEC);
		if (fd >= 0) {
			serve(s, fd, (struct sockaddr *)&ss);
			continue;
		}
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return;
		if (errno == EINTR || errno == ECONNABORTED ||
		    errno == EPROTO || errno == EPERM)
			continue;
		/* EMFILE, ENFILE, ENOBUFS, ENOMEM: wait, never spin */
		s->accepterrs++;
		warnrate_warnx(&s->acceptlog, 0, "unable to accept: %s",
		    strerror(errno));
		s->paused = clock_mono() + PAUSE_NS;
		return;
	}
	if (s->run.kids.n >= s->o.limit && !s->full) {
		s->full = 1;
		if (warnrate_due(&s->fulllog, 0)) {
			s->fulllogged = 1;
			warnx("%d/%d handlers running, not accepting",
			    s->run.kids.n, s->o.limit);
		}
	}
}

static void
reload(struct srv *s)
{
	struct rules rs;
	char why[512];
	int st;

	if (rules_build(&rs, &s->o.src, why, sizeof why, &st) == -1) {
		warnx("%s (keeping the old rules)", why);
		return;
	}
	rules_free(&s->rules);
	s->rules = rs;
}

/* signals: act on what arrived; returns 1 when it is time to stop. */
static int
signals(struct srv *s)
{
	if (sig_take(SIGCHLD))
		reap(s);
	if (sig_take(SIGHUP))
		reload(s);
	if (sig_take(SIGUSR1))
		counters(s);
	return sig_take(SIGTERM) | sig_take(SIGINT);
}

/*
 * loop: the signals we catch are blocked except inside ppoll, so they
 * arrive only there, never between an accept and its handler's start.
 */
static void
loop(struct srv *s, int sigfd)
{
	struct pollfd p[2];
	struct timespec ts, *tp;
	uint64_t now;
	int n;

	for (;;) {
		if (signals(s))
			return;
		p[0].fd = sigfd;
		p[0].events = POLLIN;
		p[1].fd = s->fd;
		p[1].events = POLLIN;
		n = 2, tp = NULL;
		now = clock_mono();
		if (s->run.kids.n >= s->o.limit)
			n = 1;
		else if (now < s->paused) {
			n = 1;
			ts = clock_ts(s->paused - now);
			tp = &ts;
		}
		if (ppoll(p, (nfds_t)n, tp, &s->waitmask) == -1 &&
		    errno != EINTR)
			err(111, "unable to wait for events");
		if (n == 2 && (p[1].revents & (POLLIN | POLLERR)))
			acceptsome(s);
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
	struct timespec ts;
	uint64_t end = clock_mono() + DRAIN_NS, now;

	s->full = 0;		/* nothing is accepted again */
	while (s->run.kids.n > 0 && (now = clock_mono()) < end) {
		ts = clock_ts(end - now);
		if (ppoll(&p, 1, &ts, &s->waitmask) == -1 && errno != EINTR)
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
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	char text[ADDR_STRLEN];
	int null;

	if (getsockname(s->fd, (struct sockaddr *)&ss, &len) == -1)
		err(111, "unable to read the socket's address");
	memcpy(&s->bound.ss, &ss, sizeof ss);
	s->bound.len = len;
	s->bound.wildcard = s->o.addr.wildcard;
	addr_format((struct sockaddr *)&ss, text);
	if (s->o.addrfile && addrfile_write(s->o.addrfile, text) == -1)
		err(111, "unable to write %s", s->o.addrfile);
	if (s->o.print1) {
		printf("%s\n", strrchr(text, ':') + 1);
		if (fflush(stdout) == EOF)
			err(111, "unable to write the port");
		/* readiness: a reader of our stdout sees EOF now */
		if ((null = open("/dev/null", O_WRONLY)) == -1 ||
		    dup2(null, 1) == -1)
			err(111, "unable to close standard output");
		close(null);
	}
	if (s->o.verbose)
		warnx("listening on %s, backlog %d, limit %d", text,
		    s->o.backlog, s->o.limit);
}

/* stdfds: fds 0, 1 and 2 open, so an accepted socket is never one. */
static void
stdfds(void)
{
	int fd;

	while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd <= 2)
		;
	if (fd > 2)
		close(fd);
}

static void
setup(struct srv *s)
{
	const char *step;
	char why[512];
	int st, max = tcpsock_somaxconn();

	if (rules_build(&s->rules, &s->o.src, why, sizeof why, &st) == -1) {
		if (st == 100)
			arg_misuse("%s", why);
		errx(st, "%s", why);
	}
	if (s->o.backlog == -1)
		s->o.backlog = max;
	else if (s->o.backlog > max) {
		warnx("backlog %d is above somaxconn, using %d",
		    s->o.backlog, max);
		s->o.backlog = max;
	}
	if (handlers_init(&s->run, s->o.limit, "tcp-listen") == -1 ||
	    ucspi_init(&s->env) == -1)
		err(111, "unable to allocate the child table");
	s->fd = tcpsock_listen(&s->o.addr, s->o.backlog, s->o.reuseport,
	    &step);
	if (s->fd == -1) {
		addr_format((struct sockaddr *)&s->o.addr.ss, why);
		err(111, "unable to %s %s", step, why);
	}
}

int
main(int argc, char **argv)
{
	static struct srv s;
	sigset_t caught;
	int sigfd;

	arg_usage = USAGE;
	getopts(&s.o, argc, argv);
	stdfds();
	sigfd = sig_setup(SIG_HUP | SIG_CHLD);
	sigemptyset(&caught);
	sigaddset(&caught, SIGTERM);
	sigaddset(&caught, SIGINT);
	sigaddset(&caught, SIGUSR1);
	sigaddset(&caught, SIGHUP);
	sigaddset(&caught, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &caught, &s.waitmask) == -1)
		err(111, "unable to block signals");
	sigdelset(&s.waitmask, SIGTERM);
	sigdelset(&s.waitmask, SIGINT);
	sigdelset(&s.waitmask, SIGUSR1);
	sigdelset(&s.waitmask, SIGHUP);
	sigdelset(&s.waitmask, SIGCHLD);
	warnrate_init(&s.acceptlog, NS_PER_S);
	warnrate_init(&s.spawnlog, NS_PER_S);
	warnrate_init(&s.fulllog, NS_PER_S);
	s.run.verbose = s.o.verbose;
	setup(&s);
	announce(&s);
	if (s.o.user)
		priv_drop(s.o.user);
	loop(&s, sigfd);
	/* the port closes now: a new connection is refused at once */
	close(s.fd);
	drain(&s, sigfd);
	counters(&s);
	return 0;
}
