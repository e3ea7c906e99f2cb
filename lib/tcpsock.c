/* tcpsock.c: TCP listening and connecting sockets. */
#include <sys/socket.h>
#include <netinet/in.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "num.h"
#include "sockfd.h"
#include "tcpsock.h"

#define SOMAXCONN_PATH "/proc/sys/net/core/somaxconn"
#define SOMAXCONN_GUESS 4096

int
tcpsock_somaxconn(void)
{
	char buf[32];
	const char *e;
	ssize_t n;
	int fd, v;

	if ((fd = open(SOMAXCONN_PATH, O_RDONLY | O_CLOEXEC)) == -1)
		return SOMAXCONN_GUESS;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return SOMAXCONN_GUESS;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	v = (int)num_parse(buf, 1, 0x7fffffff, &e);
	return e ? SOMAXCONN_GUESS : v;
}

int
tcpsock_backlog(int asked)
{
	int max = tcpsock_somaxconn();

	if (asked == -1)
		return max;
	if (asked > max) {
		warnx("backlog %d is above somaxconn, using %d", asked, max);
		return max;
	}
	return asked;
}

int
tcpsock_listen(const struct addr *addr, int backlog, int reuseport,
    const char **step)
{
	struct addr a = *addr;
	int fd, on = 1, off = 0;

	fd = socket(a.ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0);
	if (fd == -1 && a.wildcard && errno == EAFNOSUPPORT) {
		addr_v4any(&a);
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC |
		    SOCK_NONBLOCK, 0);
	}
	if (fd == -1)
		return sockfd_fail(fd, step, "create");
	if (a.ss.ss_family == AF_INET6 && a.wildcard &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off) == -1)
		return sockfd_fail(fd, step, "accept IPv4 on");
	/* a restart must not wait for the last run's TIME_WAIT to expire */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) == -1)
		return sockfd_fail(fd, step, "set SO_REUSEADDR on");
	if (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on,
	    sizeof on) == -1)
		return sockfd_fail(fd, step, "set SO_REUSEPORT on");
	if (bind(fd, (struct sockaddr *)&a.ss, a.len) == -1)
		return sockfd_fail(fd, step, "bind");
	if (listen(fd, backlog) == -1)
		return sockfd_fail(fd, step, "listen on");
	return fd;
}

/* waitconnect: wait for a non-blocking connect on fd until deadline. */
static int
waitconnect(int fd, uint64_t deadline)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	uint64_t now;
	int e, r, ms;

	for (;;) {
		ms = -1;
		if (deadline) {
			if ((now = clock_mono()) >= deadline)
				return errno = ETIMEDOUT, -1;
			ms = (int)((deadline - now + 999999) / 1000000);
		}
		if ((r = poll(&p, 1, ms)) == -1 && errno != EINTR)
			return -1;
		if (r > 0)
			break;
	}
	if ((e = sockfd_error(fd)) != 0)
		return errno = e, -1;
	return 0;
}

int
tcpsock_bindsrc(int fd, const struct addr *src)
{
	int on = 1;

	/* an error only costs the TIME_WAIT reuse: bind still works */
	(void)setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &on,
	    sizeof on);
	return bind(fd, (const struct sockaddr *)&src->ss, src->len);
}

int
tcpsock_connect(const struct addr *a, const struct addr *src,
    uint64_t timeout, const char **step)
{
	uint64_t deadline = timeout ? clock_mono() + timeout : 0;
	int fd, fl;

	fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0);
	if (fd == -1)
		return sockfd_fail(fd, step, "create");
	if (src && tcpsock_bindsrc(fd, src) == -1)
		return sockfd_fail(fd, step, "bind the source of");
	if (connect(fd, (const struct sockaddr *)&a->ss, a->len) == -1 &&
	    (errno != EINPROGRESS || waitconnect(fd, deadline) == -1))
		return sockfd_fail(fd, step, "connect to");
	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) == -1)
		return sockfd_fail(fd, step, "set blocking mode on");
	return fd;
}

int
tcpsock_name(int fd, struct addr *a)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		return -1;
	memcpy(&a->ss, &ss, sizeof ss);
	a->len = len;
	return 0;
}

void
tcpsock_local(int fd, const struct addr *bound, struct sockaddr_storage *local)
{
	socklen_t len = sizeof *local;

	/* only a wildcard listener needs asking which address was hit */
	if (!bound->wildcard ||
	    getsockname(fd, (struct sockaddr *)local, &len) == -1)
		memcpy(local, &bound->ss, sizeof *local);
}

int
tcpsock_accept(int lfd, struct sockaddr_storage *ss)
{
	socklen_t len = sizeof *ss;
	int fd;

	if ((fd = accept4(lfd, (struct sockaddr *)ss, &len,
	    SOCK_CLOEXEC)) >= 0)
		return fd;
	if (errno == EWOULDBLOCK)
		errno = EAGAIN;
	else if (errno == EINTR || errno == EPROTO || errno == EPERM)
		errno = ECONNABORTED;
	return -1;
}

void
tcpsock_tell(int fd, const char *line)
{
	(void)!send(fd, line, strlen(line), MSG_DONTWAIT | MSG_NOSIGNAL);
	(void)!send(fd, "\r\n", 2, MSG_DONTWAIT | MSG_NOSIGNAL);
}
