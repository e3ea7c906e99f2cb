/*
 * tcp-connect: connect to a TCP address, then either run a program with
 * the socket on fds 6 and 7 (the UCSPI client contract of tcpclient) or
 * copy standard input to the socket and the socket to standard output.
 */
#include <sys/socket.h>
#include <netinet/in.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "arg.h"
#include "backoff.h"
#include "bridge.h"
#include "clock.h"
#include "num.h"
#include "tcpsock.h"
#include "ucspi.h"

#define USAGE "usage: tcp-connect [-46hv] [-n RETRIES] [-s SOURCE] " \
	"[-w TIMEOUT] ADDRESS [PROGRAM [ARG...]]"
#define OPTSTRING	"+46hn:s:vw:"

#define TIMEOUT_DEFAULT	(10 * NS_PER_S)
#define BACKOFF_FIRST	(NS_PER_S / 10)
#define BACKOFF_MAX	(2 * NS_PER_S)

struct opts {
	struct addr addr, src;
	const char *address;
	char **argv;		/* PROGRAM [ARG...], or NULL: bridge */
	uint64_t timeout;
	long long retries;
	int family, hassrc, verbose;
};

static const char *target;	/* ADDRESS as written, for messages */

static int
family(const struct addr *a)
{
	const struct sockaddr_in6 *s6 = (const void *)&a->ss;

	if (a->ss.ss_family == AF_INET6 &&
	    IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
		return AF_INET;
	return a->ss.ss_family;
}

/* thishost: ":PORT" means 127.0.0.1:PORT, or [::1]:PORT with -6. */
static void
thishost(struct opts *o)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&o->addr.ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&o->addr.ss;

	o->addr.wildcard = 0;
	if (o->family == AF_INET6) {
		s6->sin6_addr = in6addr_loopback;
		return;
	}
	addr_v4any(&o->addr);
	s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}

static void
source(struct opts *o, const char *s)
{
	const char *e;

	if ((e = addr_parse_source(s, &o->src)) != NULL)
		arg_fail("source", s, e);
	o->hassrc = 1;
}

static void
getopts(struct opts *o, int argc, char **argv)
{
	int c;

	memset(o, 0, sizeof *o);
	o->timeout = TIMEOUT_DEFAULT;
	opterr = 0;
	while ((c = getopt(argc, argv, OPTSTRING)) != -1) {
		switch (c) {
		case '4': o->family = AF_INET; break;
		case '6': o->family = AF_INET6; break;
		case 'h': arg_help(0); break;
		case 'n':
			o->retries = num_arg("retries", optarg, 0, 1000000);
			break;
		case 's': source(o, optarg); break;
		case 'v': o->verbose = 1; break;
		case 'w':
			o->timeout = dur_arg("timeout", optarg, 1000000,
			    86400 * NS_PER_S);
			break;
		default:
			arg_badopt(OPTSTRING);
		}
	}
	argv += optind;
	argc -= optind;
	if (argc < 1)
		arg_misuse("%s", "missing ADDRESS");
	target = o->address = argv[0];
	addr_arg("address", argv[0], &o->addr);
	if (o->addr.wildcard)
		thishost(o);
	if (o->family && family(&o->addr) != o->family)
		arg_fail("address", argv[0], o->family == AF_INET ?
		    "not IPv4 (-4)" : "not IPv6 (-6)");
	if (o->hassrc && family(&o->src) != family(&o->addr))
		arg_misuse("%s", "the source and ADDRESS differ in family");
	o->argv = argc > 1 ? argv + 1 : NULL;
}

static void
pause_ns(uint64_t ns)
{
	struct timespec ts = clock_ts(ns);

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* dial: connect, retrying with backoff; exits 111 when it cannot. */
static int
dial(const struct opts *o)
{
	struct backoff wait;
	const char *step;
	long long i;
	int fd;

	backoff_init(&wait, BACKOFF_FIRST, BACKOFF_MAX);
	for (i = 0;; i++) {
		fd = tcpsock_connect(&o->addr, o->hassrc ? &o->src : NULL,
		    o->timeout, &step);
		if (fd != -1)
			return fd;
		if (i >= o->retries)
			break;
		if (o->verbose)
			warn("unable to %s %s (retry %lld of %lld)", step,
			    o->address, i + 1, o->retries);
		pause_ns(backoff_next(&wait));
	}
	if (errno == ETIMEDOUT)
		errx(111, "unable to %s %s: timed out", step, o->address);
	err(111, "unable to %s %s", step, o->address);
}

static void
announce(int fd)
{
	struct sockaddr_storage l, r;
	socklen_t ll = sizeof l, rl = sizeof r;
	char ltext[ADDR_STRLEN], rtext[ADDR_STRLEN];

	if (getsockname(fd, (struct sockaddr *)&l, &ll) == -1 ||
	    getpeername(fd, (struct sockaddr *)&r, &rl) == -1)
		err(111, "unable to read the addresses of %s", target);
	warnx("connected to %s from %s", addr_format((struct sockaddr *)&r,
	    rtext), addr_format((struct sockaddr *)&l, ltext));
}

/* runprog: the UCSPI client contract: socket on fds 6 and 7, TCP*. */
static void
runprog(const struct opts *o, int fd)
{
	struct ucspi env;
	int high;

	/* above 7, so that dup2 onto 6 and 7 never meets itself */
	if ((high = fcntl(fd, F_DUPFD_CLOEXEC, 8)) == -1 ||
	    dup2(high, 6) == -1 || dup2(high, 7) == -1)
		err(111, "unable to pass the socket to %s", o->argv[0]);
	if (ucspi_init(&env) == -1 || ucspi_set(&env, high, -1) == -1)
		err(111, "unable to set the environment for %s", o->argv[0]);
	execvpe(o->argv[0], o->argv, env.envp);
	err(111, "unable to run %s", o->argv[0]);
}

/*
 * bridge: stdin to the socket, the socket to stdout. Input EOF shuts the
 * write side down (the peer reads EOF); the peer's EOF, once written
 * out, ends the run even while stdin is open.
 */
static int
bridge(const struct opts *o, int fd)
{
	static struct bridge b;
	char why[256];

	if (bridge_run(&b, fd, target, why, sizeof why) == -1)
		err(111, "%s", why);
	if (o->verbose)
		warnx("sent %llu bytes, received %llu bytes", b.up.bytes,
		    b.down.bytes);
	return 0;
}

int
main(int argc, char **argv)
{
	struct opts o;
	int fd;

	arg_usage = USAGE;
	getopts(&o, argc, argv);
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		err(111, "unable to ignore SIGPIPE");
	fd = dial(&o);
	if (o.verbose)
		announce(fd);
	if (o.argv) {
		if (signal(SIGPIPE, SIG_DFL) == SIG_ERR)
			err(111, "unable to reset SIGPIPE");
		runprog(&o, fd);
	}
	return bridge(&o, fd);
}
