/* test_tcpsock.c: listening and connecting TCP sockets over loopback: the
 * flags they carry, bytes both ways, and each failing step by name. */
#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "tap.h"
#include "tcpsock.h"

/* at: the address fd is bound to */
static struct addr
at(int fd)
{
	struct addr a;

	memset(&a, 0, sizeof a);
	a.len = sizeof a.ss;
	getsockname(fd, (struct sockaddr *)&a.ss, &a.len);
	return a;
}

int
main(void)
{
	struct addr a, src, taken, named, any;
	struct sockaddr_storage local;
	const char *step = NULL;
	char buf[16], text[ADDR_STRLEN];
	size_t got;
	ssize_t n;
	int l, l2, c, s;

	ok(tcpsock_somaxconn() > 0, "somaxconn %d", tcpsock_somaxconn());
	addr_parse("127.0.0.1:0", &a);
	l = tcpsock_listen(&a, 16, 0, &step);
	ok(l >= 0, "listen on 127.0.0.1:0");
	ok(fcntl(l, F_GETFL) & O_NONBLOCK, "  non-blocking");
	ok(fcntl(l, F_GETFD) & FD_CLOEXEC, "  close-on-exec");
	taken = at(l);
	ok(addr_port((struct sockaddr *)&taken.ss) != 0, "  on a port of its own");
	named = a;
	named.wildcard = 7;
	ok(tcpsock_name(l, &named) == 0 && named.len == taken.len &&
	    memcmp(&named.ss, &taken.ss, taken.len) == 0 &&
	    named.wildcard == 7, "tcpsock_name: the port filled in");
	is_int(tcpsock_name(-1, &named), -1, "  -1 for no socket");
	is_int(tcpsock_backlog(-1), tcpsock_somaxconn(),
	    "tcpsock_backlog: none asked, somaxconn");
	is_int(tcpsock_backlog(1), 1, "  one asked below it");
	is_int(tcpsock_backlog(tcpsock_somaxconn() + 1), tcpsock_somaxconn(),
	    "  one above it capped (told on stderr)");

	c = tcpsock_connect(&taken, NULL, 5000000000ull, &step);
	ok(c >= 0, "connect to it");
	ok(!(fcntl(c, F_GETFL) & O_NONBLOCK), "  blocking");
	ok(fcntl(c, F_GETFD) & FD_CLOEXEC, "  close-on-exec");
	s = tcpsock_accept(l, &local);
	ok(s >= 0 && fcntl(s, F_GETFD) & FD_CLOEXEC,
	    "tcpsock_accept: close-on-exec");
	addr_format((struct sockaddr *)&local, text);
	ok(strncmp(text, "127.0.0.1:", 10) == 0, "  the peer's address");
	errno = 0;
	ok(tcpsock_accept(l, &local) == -1 && errno == EAGAIN,
	    "  none waiting: EAGAIN");
	ok(s >= 0 && write(c, "ping", 4) == 4 && read(s, buf, 4) == 4 &&
	    memcmp(buf, "ping", 4) == 0, "  bytes reach the accepted end");
	ok(write(s, "pong", 4) == 4 && read(c, buf, 4) == 4 &&
	    memcmp(buf, "pong", 4) == 0, "  and come back");
	memset(&local, 0, sizeof local);
	tcpsock_local(s, &taken, &local);
	ok(memcmp(&local, &taken.ss, sizeof local) == 0,
	    "tcpsock_local: a bound listener's own address");
	addr_parse(":0", &any);
	memset(&local, 0, sizeof local);
	tcpsock_local(s, &any, &local);
	addr_format((struct sockaddr *)&local, text);
	ok(strncmp(text, "127.0.0.1:", 10) == 0,
	    "  a wildcard's: the one hit (%s)", text);
	tcpsock_local(-1, &any, &local);
	ok(memcmp(&local, &any.ss, sizeof local) == 0,
	    "  the wildcard when that cannot be read");
	tcpsock_tell(s, "busy");
	memset(buf, 0, sizeof buf);
	for (got = 0; got < 6; got += (size_t)n)
		if ((n = read(c, buf + got, 6 - got)) <= 0)
			break;
	ok(got == 6 && memcmp(buf, "busy\r\n", 6) == 0,
	    "tcpsock_tell: the line and CRLF");
	close(c);
	tcpsock_tell(s, "to nobody");
	ok(1, "  to a closed peer: no SIGPIPE");
	close(s);

	addr_parse("127.0.0.1:0", &src);
	c = tcpsock_connect(&taken, &src, 0, &step);
	ok(c >= 0, "connect from a source address, port 0");
	src = at(c);
	addr_format((struct sockaddr *)&src.ss, text);
	ok(strncmp(text, "127.0.0.1:", 10) == 0 &&
	    addr_port((struct sockaddr *)&src.ss) != 0,
	    "  bound to it, a port picked (%s)", text);
	close(c);
	if ((s = accept(l, NULL, NULL)) >= 0)
		close(s);

	errno = 0;
	l2 = tcpsock_listen(&taken, 16, 0, &step);
	is_int(l2, -1, "a port in use cannot be listened on again");
	is_int(errno, EADDRINUSE, "  EADDRINUSE");
	is_str(step, "bind", "  the step: bind");
	l2 = tcpsock_listen(&taken, 16, 1, &step);
	is_int(l2, -1, "  nor with SO_REUSEPORT when the first has it not");
	close(l);

	errno = 0;
	c = tcpsock_connect(&taken, NULL, 0, &step);
	is_int(c, -1, "connect where nobody listens");
	is_int(errno, ECONNREFUSED, "  ECONNREFUSED");
	is_str(step, "connect to", "  the step: connect to");
	addr_parse("192.0.2.1:0", &src);
	c = tcpsock_connect(&taken, &src, 0, &step);
	is_int(c, -1, "a source address not of this host");
	is_int(errno, EADDRNOTAVAIL, "  EADDRNOTAVAIL");
	is_str(step, "bind the source of", "  the step: bind the source of");
	s = socket(AF_INET, SOCK_STREAM, 0);
	is_int(tcpsock_bindsrc(s, &src), -1, "tcpsock_bindsrc: not ours, -1");
	addr_parse("127.0.0.1:0", &src);
	is_int(tcpsock_bindsrc(s, &src), 0, "tcpsock_bindsrc 127.0.0.1:0");
	close(s);

	l = tcpsock_listen(&a, 16, 1, &step);
	taken = at(l);
	l2 = tcpsock_listen(&taken, 16, 1, &step);
	ok(l >= 0 && l2 >= 0, "two listeners on one port with SO_REUSEPORT");
	close(l);
	close(l2);
	return tap_done();
}
