/* sockfd.c: sockets handed over by a parent, and the state of a socket. */
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>

#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "num.h"
#include "sockfd.h"

int
sockfd_listen(void)
{
	const char *pid, *fds, *e;
	long long n, p;

	pid = getenv("LISTEN_PID");
	fds = getenv("LISTEN_FDS");
	if (pid == NULL || fds == NULL)
		return -1;
	p = num_parse(pid, 1, 0x7fffffff, &e);
	if (e != NULL || p != (long long)getpid())
		return -1;
	n = num_arg("LISTEN_FDS", fds, 0, 1 << 20);
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	if (n == 0)
		return -1;
	if (n > 1)
		errx(100, "invalid LISTEN_FDS '%s': only one socket is used",
		    fds);
	return 3;
}

const char *
sockfd_check(int fd, int type)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	struct stat st;
	int t;

	if (fstat(fd, &st) == -1)
		return "not open";
	if (!S_ISSOCK(st.st_mode))
		return "not a socket";
	len = sizeof t;
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &t, &len) == -1 || t != type)
		return type == SOCK_DGRAM ? "not a UDP socket" :
		    "not a TCP socket";
	len = sizeof ss;
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1 ||
	    (ss.ss_family != AF_INET && ss.ss_family != AF_INET6))
		return "not an IPv4 or IPv6 socket";
	return NULL;
}

void
sockfd_arg(int fd, int type, const char *address, const struct addr *a)
{
	const char *why;

	if ((why = sockfd_check(fd, type)) != NULL)
		errx(100, "invalid fd '%d': %s", fd, why);
	if (address && (why = sockfd_bound(fd, a)))
		errx(100, "invalid fd '%d': %s, not %s", fd, why, address);
}

const char *
sockfd_name(int fd, struct sockaddr_storage *ss, char *text)
{
	struct sockaddr_storage mine;
	socklen_t len = sizeof mine;

	if (ss == NULL)
		ss = &mine;
	if (getsockname(fd, (struct sockaddr *)ss, &len) == -1)
		err(111, "unable to read the socket's address");
	return addr_format((struct sockaddr *)ss, text);
}

int
sockfd_error(int fd)
{
	socklen_t len = sizeof(int);
	int e = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) == -1)
		return errno;
	return e;
}

/* anyaddr: sa is the wildcard address of its family. */
static int
anyaddr(const struct sockaddr *sa)
{
	const struct sockaddr_in *s4 = (const void *)sa;
	const struct sockaddr_in6 *s6 = (const void *)sa;

	if (sa->sa_family == AF_INET)
		return s4->sin_addr.s_addr == htonl(INADDR_ANY);
	return sa->sa_family == AF_INET6 &&
	    IN6_IS_ADDR_UNSPECIFIED(&s6->sin6_addr);
}

static int
sameaddr(const struct sockaddr *x, const struct sockaddr *y)
{
	const struct sockaddr_in *x4 = (const void *)x, *y4 = (const void *)y;
	const struct sockaddr_in6 *x6 = (const void *)x, *y6 = (const void *)y;

	if (x->sa_family != y->sa_family)
		return 0;
	if (x->sa_family == AF_INET)
		return x4->sin_addr.s_addr == y4->sin_addr.s_addr;
	return memcmp(&x6->sin6_addr, &y6->sin6_addr, sizeof x6->sin6_addr)
	    == 0;
}

const char *
sockfd_bound(int fd, const struct addr *a)
{
	static char why[ADDR_STRLEN + 32];
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	const struct sockaddr *sa = (const struct sockaddr *)&ss;
	const struct sockaddr *want = (const struct sockaddr *)&a->ss;
	char text[ADDR_STRLEN];

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		return "not a bound socket";
	if ((addr_port(want) == 0 || addr_port(want) == addr_port(sa)) &&
	    (a->wildcard ? anyaddr(sa) : sameaddr(sa, want)))
		return NULL;
	snprintf(why, sizeof why, "bound to %s", addr_format(sa, text));
	return why;
}

int
sockfd_fail(int fd, const char **step, const char *what)
{
	int e = errno;

	*step = what;
	if (fd != -1)
		close(fd);
	errno = e;
	return -1;
}
