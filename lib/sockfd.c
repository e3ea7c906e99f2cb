/* sockfd.c: sockets handed over by a parent, and the state of a socket. */
#include <sys/socket.h>
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

int
sockfd_error(int fd)
{
	socklen_t len = sizeof(int);
	int e = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) == -1)
		return errno;
	return e;
}
