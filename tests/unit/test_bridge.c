/* test_bridge.c: standard input to a socket and the socket to standard
 * output, both EOFs passed on, and a failing step named. */
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "bridge.h"
#include "tap.h"

static struct bridge b;

/*
 * run: bridge_run on the socket fd with in as standard input and out as
 * standard output (-1: closed), ours put back after; its return in *rc,
 * its errno in *e.
 */
static void
run(int in, int out, int fd, char *why, size_t n, int *rc, int *e)
{
	int keep0, keep1;

	fflush(stdout);
	keep0 = dup(0);
	keep1 = dup(1);
	if (in == -1)
		close(0);
	else
		dup2(in, 0);
	if (out == -1)
		close(1);
	else
		dup2(out, 1);
	*rc = bridge_run(&b, fd, "PEER", why, n);
	*e = errno;
	dup2(keep0, 0);
	dup2(keep1, 1);
	close(keep0);
	close(keep1);
}

/* slurp: what fd holds up to EOF, into buf (NUL-terminated). */
static size_t
slurp(int fd, char *buf, size_t n)
{
	size_t got = 0;
	ssize_t r;

	while (got < n - 1 && (r = read(fd, buf + got, n - 1 - got)) > 0)
		got += (size_t)r;
	buf[got] = '\0';
	return got;
}

/* both: bytes both ways; the peer sees our EOF after them. */
static void
both(void)
{
	int sp[2], in[2], out[2], rc, e;
	char why[64] = "", buf[64];

	socketpair(AF_UNIX, SOCK_STREAM, 0, sp);
	pipe(in);
	pipe(out);
	write(in[1], "up", 2);
	close(in[1]);
	write(sp[1], "down!", 5);
	shutdown(sp[1], SHUT_WR);
	run(in[0], out[1], sp[0], why, sizeof why, &rc, &e);
	is_int(rc, 0, "bridge_run returns 0 at the peer's EOF");
	is_int(b.up.bytes, 2, "2 bytes up");
	is_int(b.down.bytes, 5, "5 bytes down");
	ok(fcntl(sp[0], F_GETFL) & O_NONBLOCK, "the socket made non-blocking");
	close(out[1]);
	slurp(out[0], buf, sizeof buf);
	is_str(buf, "down!", "standard output got the peer's bytes");
	close(sp[0]);
	slurp(sp[1], buf, sizeof buf);
	is_str(buf, "up", "the peer got ours");
	close(in[0]);
	close(out[0]);
	close(sp[1]);
}

/* peerfirst: the peer's EOF ends the run while standard input is open;
 * a closed standard input is an empty one. */
static void
peerfirst(void)
{
	int sp[2], in[2], out[2], rc, e;
	char why[64] = "", buf[64];

	socketpair(AF_UNIX, SOCK_STREAM, 0, sp);
	pipe(in);
	pipe(out);
	shutdown(sp[1], SHUT_WR);
	run(in[0], out[1], sp[0], why, sizeof why, &rc, &e);
	is_int(rc, 0, "the peer's EOF ends it, standard input still open");
	is_int(b.up.bytes + b.down.bytes, 0, "nothing either way");
	close(sp[0]);
	close(sp[1]);

	socketpair(AF_UNIX, SOCK_STREAM, 0, sp);
	write(sp[1], "x", 1);
	shutdown(sp[1], SHUT_WR);
	run(-1, out[1], sp[0], why, sizeof why, &rc, &e);
	ok(slurp(sp[1], buf, sizeof buf) == 0,
	    "standard input closed: the peer read EOF (write side shut)");
	close(sp[1]);
	is_int(rc, 0, "and the run ends at the peer's EOF");
	is_int(b.down.bytes, 1, "after its byte");
	close(sp[0]);
	close(in[0]);
	close(in[1]);
	close(out[0]);
	close(out[1]);
}

/* failing: each failure names its step, errno kept. */
static void
failing(void)
{
	int sp[2], in[2], out[2], rc, e, dir;
	char why[64] = "";

	socketpair(AF_UNIX, SOCK_STREAM, 0, sp);
	pipe(in);
	pipe(out);
	close(out[0]);
	write(sp[1], "x", 1);
	run(in[0], out[1], sp[0], why, sizeof why, &rc, &e);
	is_int(rc, -1, "a write to a closed pipe fails");
	is_int(e, EPIPE, "with EPIPE");
	is_str(why, "unable to write to standard output", "named");
	close(sp[0]);
	close(sp[1]);

	socketpair(AF_UNIX, SOCK_STREAM, 0, sp);
	shutdown(sp[1], SHUT_RD);
	write(in[1], "x", 1);
	run(in[0], -1, sp[0], why, sizeof why, &rc, &e);
	is_int(rc, -1, "a write to a peer that reads no more fails");
	is_int(e, EPIPE, "with EPIPE");
	is_str(why, "unable to write to PEER", "named with the peer");
	close(sp[0]);
	close(sp[1]);

	socketpair(AF_UNIX, SOCK_STREAM, 0, sp);
	dir = open(".", O_RDONLY);
	run(dir, -1, sp[0], why, sizeof why, &rc, &e);
	is_int(rc, -1, "a read that fails ends it");
	is_int(e, EISDIR, "with the read's errno");
	is_str(why, "unable to read from standard input", "named");
	close(dir);
	close(sp[0]);
	close(sp[1]);

	run(in[0], -1, 42, why, sizeof why, &rc, &e);
	is_int(rc, -1, "a socket not open fails");
	is_int(e, EBADF, "with EBADF");
	is_str(why, "unable to set non-blocking mode on the socket",
	    "named");
	close(in[0]);
	close(in[1]);
	close(out[1]);
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	both();
	peerfirst();
	failing();
	return tap_done();
}
