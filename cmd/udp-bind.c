/*
 * udp-bind: bind a UDP socket, put it on a descriptor, and run a program
 * with it: the chain-loading half of a receiver, in the style of
 * tcpserver and s6-tcpserver-socketbinder. Whoever runs under it (a shell
 * that restarts udp-recv -d, chanrelay's channel) keeps the port bound
 * for as long as it lives; what arrives meanwhile waits in the socket.
 */
#include <sys/socket.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "addr.h"
#include "arg.h"
#include "num.h"
#include "udpsock.h"

#define USAGE "usage: udp-bind [-hRv] [-b SIZE] [-d FD] [-m IFACE] " \
	"[-S SOURCE] ADDRESS PROGRAM [ARG...]"
#define OPTSTRING	"+b:d:hm:RS:v"

#define RCVBUF_DEFAULT	(4u << 20)	/* udp-recv's: see its -b */

struct opts {
	const char *address, *mcif, *source;
	struct addr addr, src;
	uint64_t rcvbuf;
	char **argv;
	int fd, reuseport, verbose;
};

static void
parse(int argc, char **argv, struct opts *o)
{
	int c;

	arg_usage = USAGE;
	o->fd = 3;
	o->rcvbuf = RCVBUF_DEFAULT;
	opterr = 0;
	while ((c = getopt(argc, argv, OPTSTRING)) != -1) {
		switch (c) {
		case 'b': o->rcvbuf = size_arg("buffer size", optarg, 4096,
		    1ull << 30); break;
		case 'd': o->fd = num_arg("fd", optarg, 3, 1023); break;
		case 'h': arg_help(0); break;
		case 'm': o->mcif = optarg; break;
		case 'R': o->reuseport = 1; break;
		case 'S': o->source = optarg; break;
		case 'v': o->verbose = 1; break;
		default: arg_badopt(OPTSTRING);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		arg_misuse("%s", "missing ADDRESS");
	if (argc < 2)
		arg_misuse("%s", "missing PROGRAM");
	o->address = argv[0];
	o->argv = argv + 1;
	addr_arg("address", o->address, &o->addr);
	udpsock_mcast_arg(o->address, &o->addr, o->mcif, o->source, &o->src);
}

/* onfd: move the socket to fd, open across exec. */
static void
onfd(int s, int fd)
{
	if (s != fd) {
		if (dup2(s, fd) == -1)
			err(111, "unable to move the socket to fd %d", fd);
		close(s);
	} else if (fcntl(fd, F_SETFD, 0) == -1)
		err(111, "unable to keep fd %d open across exec", fd);
}

int
main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	char text[ADDR_STRLEN];
	struct opts o = { 0 };
	const char *step;
	int s;

	parse(argc, argv, &o);
	if ((s = udpsock_bind(&o.addr, o.reuseport,
	    o.mcif ? udpsock_ifindex(o.mcif) : 0,
	    o.source ? (struct sockaddr *)&o.src.ss : NULL, o.rcvbuf,
	    &step)) == -1)
		err(111, "unable to %s %s", step, o.address);
	onfd(s, o.fd);
	if (o.verbose) {
		if (getsockname(o.fd, (struct sockaddr *)&ss, &len) == -1)
			err(111, "unable to read the socket's address");
		warnx("bound %s on fd %d", addr_format((struct sockaddr *)&ss,
		    text), o.fd);
	}
	execvp(o.argv[0], o.argv);
	err(errno == ENOENT ? 100 : 111, "unable to run %s", o.argv[0]);
}
