/* test_udpsock.c: receive buffer, metadata options, multicast test, drops. */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

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

int
main(void)
{
	int fd, tcp;
	long got;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	ok(fd >= 0, "socket");
	got = udpsock_rcvbuf(fd, 1 << 20);
	ok(got >= 4096, "a receive buffer was granted (%ld)", got);
	ok(udpsock_meta(fd, AF_INET) == 0, "metadata options on IPv4");
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
		ok(udpsock_meta(fd, AF_INET6) == 0, "metadata options on IPv6");
		close(fd);
	}
	ok(is_mcast(AF_INET, "224.0.0.1"), "224.0.0.1 is multicast");
	ok(is_mcast(AF_INET, "239.255.255.255"), "239.255.255.255 too");
	ok(!is_mcast(AF_INET, "240.0.0.1"), "240.0.0.1 is not");
	ok(!is_mcast(AF_INET, "127.0.0.1"), "127.0.0.1 is not");
	ok(is_mcast(AF_INET6, "ff02::1"), "ff02::1 is multicast");
	ok(!is_mcast(AF_INET6, "fe80::1"), "fe80::1 is not");
	refused();
	return tap_done();
}
