/* test_udpsock.c: receive buffer, metadata options, multicast test, drops;
 * a sender's source and destination checked; the receive buffer wanted. */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <sys/wait.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"

#include "sockfd.h"
#include "tap.h"
#include "udpsock.h"

static int
is_mcast(int af, const char *s)
{
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof ss);
	ss.ss_family = (sa_family_t)af;
	if (af == AF_INET)
		inet_pton(af, s, &((struct sockaddr_in *)&ss)->sin_addr);
	else
		inet_pton(af, s, &((struct sockaddr_in6 *)&ss)->sin6_addr);
	return udpsock_ismcast((struct sockaddr *)&ss);
}

/* refused: sockfd_error after a non-blocking connect to a port that a
 * moment ago was bound and is now closed: the refusal, then nothing. */
static void
refused(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof sin;
	struct pollfd p;
	int fd;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	bind(fd, (struct sockaddr *)&sin, sizeof sin);
	getsockname(fd, (struct sockaddr *)&sin, &len);
	close(fd);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	is_int(sockfd_error(fd), 0, "no error on a new socket");
	connect(fd, (struct sockaddr *)&sin, sizeof sin);
	p.fd = fd;
	p.events = POLLOUT;
	poll(&p, 1, 5000);
	is_int(sockfd_error(fd), ECONNREFUSED, "the refusal is pending");
	is_int(sockfd_error(fd), 0, "and taken by reading it");
	close(fd);
	is_int(sockfd_error(fd), EBADF, "a closed fd gives errno");
}

/* source_status: the exit status of udpsock_source_arg(src, to dst) in a
 * child, 0 when it returned (then its result in *a) */
static int
source_status(const char *src, const char *dst, struct addr *a)
{
	struct addr d;
	int st;
	pid_t child;

	if (addr_parse(dst, &d) != NULL)
		abort();
	fflush(stdout);
	if ((child = fork()) == 0) {
		close(2);
		udpsock_source_arg(src, &d, a);
		_exit(0);
	}
	waitpid(child, &st, 0);
	if (!WIFEXITED(st))
		return -1;
	if (WEXITSTATUS(st) == 0)
		udpsock_source_arg(src, &d, a);
	return WEXITSTATUS(st);
}

static void
source(void)
{
	struct addr a;

	is_int(source_status("127.0.0.1:5000", "127.0.0.1:9", &a), 0,
	    "udpsock_source_arg: HOST:PORT");
	ok(a.ss.ss_family == AF_INET && addr_port((struct sockaddr *)&a.ss) ==
	    5000, "  IPv4, port 5000");
	is_int(source_status("127.0.0.1", "127.0.0.1:9", &a), 0,
	    "  a bare HOST");
	is_int(addr_port((struct sockaddr *)&a.ss), 0, "  any port");
	is_int(source_status(":5001", "127.0.0.1:9", &a), 0,
	    "  :PORT to an IPv4 destination");
	ok(a.ss.ss_family == AF_INET && a.len == sizeof(struct sockaddr_in) &&
	    addr_port((struct sockaddr *)&a.ss) == 5001,
	    "  the IPv4 wildcard, port kept");
	is_int(source_status(":5002", "[::1]:9", &a), 0,
	    "  :PORT to an IPv6 destination");
	ok(a.ss.ss_family == AF_INET6, "  the IPv6 wildcard");
	is_int(source_status("::1", "127.0.0.1:9", &a), 100,
	    "  IPv6 to an IPv4 destination: exit 100");
	is_int(source_status("127.0.0.1:5000", "[::1]:9", &a), 100,
	    "  IPv4 to an IPv6 destination: exit 100");
	is_int(source_status("127.0.0.1:x", "127.0.0.1:9", &a), 100,
	    "  a bad port: exit 100");
}

/* dest_status: the exit status of udpsock_dest_arg in a child */
static int
dest_status(const char *address, const char *mcif, int noloop, int ttl)
{
	struct addr d;
	int st;
	pid_t child;

	fflush(stdout);
	if ((child = fork()) == 0) {
		close(2);
		udpsock_dest_arg(address, &d, mcif, noloop, ttl);
		_exit(0);
	}
	waitpid(child, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void
dest(void)
{
	struct addr d;

	udpsock_dest_arg("127.0.0.1:9", &d, NULL, 0, -1);
	ok(d.ss.ss_family == AF_INET && addr_port((struct sockaddr *)&d.ss) ==
	    9, "udpsock_dest_arg: HOST:PORT");
	is_int(dest_status(":9", NULL, 0, -1), 100, "  no host: exit 100");
	is_int(dest_status("127.0.0.1:0", NULL, 0, -1), 100,
	    "  port 0: exit 100");
	is_int(dest_status("127.0.0.1:x", NULL, 0, -1), 100,
	    "  a bad port: exit 100");
	is_int(dest_status("127.0.0.1:9", "lo", 0, -1), 100,
	    "  -m to unicast: exit 100");
	is_int(dest_status("127.0.0.1:9", NULL, 1, -1), 100,
	    "  -L to unicast: exit 100");
	is_int(dest_status("127.0.0.1:9", NULL, 0, 0), 100,
	    "  TTL 0 to unicast: exit 100");
	is_int(dest_status("127.0.0.1:9", NULL, 0, 1), 0, "  TTL 1: fine");
	is_int(dest_status("239.1.2.3:9", "lo", 1, 0), 0,
	    "  -m, -L and TTL 0 to multicast: fine");
}

/* want_status: the exit status of udpsock_rcvbuf_want on fd in a child */
static int
want_status(int fd)
{
	int st;
	pid_t child;

	fflush(stdout);
	if ((child = fork()) == 0) {
		close(2);
		udpsock_rcvbuf_want(fd, 1 << 20, 1);
		_exit(0);
	}
	waitpid(child, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void
want(void)
{
	long got;
	int fd;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	got = udpsock_rcvbuf_want(fd, 1 << 16, 1);
	ok(got >= 1 << 16, "udpsock_rcvbuf_want: set, granted (%ld)", got);
	is_int(udpsock_rcvbuf_want(fd, 1 << 16, 0), got, "  read only");
	is_int(want_status(fd), 0, "  returns");
	close(fd);
	is_int(want_status(fd), 111, "  a closed fd: exit 111");
}

int
main(void)
{
	struct sockaddr_in lo;
	int fd, tcp;
	long got;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	ok(fd >= 0, "socket");
	got = udpsock_rcvbuf(fd, 1 << 20);
	ok(got >= 4096, "a receive buffer was granted (%ld)", got);
	ok(udpsock_meta(fd, AF_INET) >= 0, "metadata options on IPv4");
	ok(udpsock_gro(fd, 1) == 0 && udpsock_gro(fd, 0) == 0,
	    "UDP_GRO on and off");
	/* bound: where SO_MEMINFO is refused (qemu-user) the drops come
	 * from /proc/net/udp, which lists bound sockets only */
	memset(&lo, 0, sizeof lo);
	lo.sin_family = AF_INET;
	lo.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok(bind(fd, (struct sockaddr *)&lo, sizeof lo) == 0, "bound");
	is_int(udpsock_drops(fd), 0, "no drops on a new socket");
	is_str(sockfd_check(fd, SOCK_DGRAM), NULL, "a UDP socket passes");
	is_str(sockfd_check(fd, SOCK_STREAM), "not a TCP socket",
	    "but not as TCP");
	tcp = socket(AF_INET, SOCK_STREAM, 0);
	is_str(sockfd_check(tcp, SOCK_DGRAM), "not a UDP socket",
	    "a TCP socket is refused");
	is_str(sockfd_check(0 + 900, SOCK_DGRAM), "not open",
	    "a closed fd is refused");
	is_str(sockfd_check(STDERR_FILENO, SOCK_DGRAM) ? "x" : NULL, "x",
	    "stderr is not a socket");
	close(tcp);
	close(fd);
	fd = socket(AF_INET6, SOCK_DGRAM, 0);
	if (fd >= 0) {
		ok(udpsock_meta(fd, AF_INET6) >= 0, "metadata options on IPv6");
		close(fd);
	}
	ok(is_mcast(AF_INET, "224.0.0.1"), "224.0.0.1 is multicast");
	ok(is_mcast(AF_INET, "239.255.255.255"), "239.255.255.255 too");
	ok(!is_mcast(AF_INET, "240.0.0.1"), "240.0.0.1 is not");
	ok(!is_mcast(AF_INET, "127.0.0.1"), "127.0.0.1 is not");
	ok(is_mcast(AF_INET6, "ff02::1"), "ff02::1 is multicast");
	ok(!is_mcast(AF_INET6, "fe80::1"), "fe80::1 is not");
	refused();
	source();
	dest();
	want();
	return tap_done();
}
