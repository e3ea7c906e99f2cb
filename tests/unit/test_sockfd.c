/* test_sockfd.c: sockets handed over by a parent: socket activation's
 * variables, checks of an fd's kind and address (sockfd_arg's exits), a
 * pending error, the bound address. */
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "sockfd.h"
#include "tap.h"

/* bound: a socket of type bound to the address s (port 0: any) */
static int
bound(int type, const char *s, struct addr *a)
{
	int fd;

	if (addr_parse(s, a) != NULL ||
	    (fd = socket(a->ss.ss_family, type, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&a->ss, a->len) == -1)
		abort();
	return fd;
}

/* activated: sockfd_listen in a child activated with LISTEN_FDS fds; its
 * exit status */
static int
activated(const char *fds)
{
	char pid[32];
	int st;
	pid_t child;

	fflush(stdout);
	if ((child = fork()) == 0) {
		snprintf(pid, sizeof pid, "%ld", (long)getpid());
		setenv("LISTEN_PID", pid, 1);
		setenv("LISTEN_FDS", fds, 1);
		close(2);
		sockfd_listen();
		_exit(0);
	}
	waitpid(child, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void
test_listen(void)
{
	char pid[32];

	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	is_int(sockfd_listen(), -1, "not activated: -1");
	snprintf(pid, sizeof pid, "%ld", (long)getpid() + 1);
	setenv("LISTEN_PID", pid, 1);
	setenv("LISTEN_FDS", "1", 1);
	is_int(sockfd_listen(), -1, "another process's LISTEN_PID: -1");
	ok(getenv("LISTEN_FDS") != NULL, "  its variables left alone");
	snprintf(pid, sizeof pid, "%ld", (long)getpid());
	setenv("LISTEN_PID", pid, 1);
	setenv("LISTEN_FDNAMES", "x", 1);
	is_int(sockfd_listen(), 3, "ours, one fd: fd 3");
	ok(getenv("LISTEN_PID") == NULL && getenv("LISTEN_FDS") == NULL &&
	    getenv("LISTEN_FDNAMES") == NULL, "  the variables removed");
	setenv("LISTEN_PID", pid, 1);
	setenv("LISTEN_FDS", "0", 1);
	is_int(sockfd_listen(), -1, "ours, no fd: -1");
	is_int(activated("2"), 100, "two fds: a usage error, exit 100");
	is_int(activated("x"), 100, "LISTEN_FDS not a number: exit 100");
}

static void
test_check(void)
{
	struct addr a, b;
	int u, t, p[2], un;
	char why[64];

	u = bound(SOCK_DGRAM, "127.0.0.1:0", &a);
	t = bound(SOCK_STREAM, "127.0.0.1:0", &b);
	if (pipe(p) == -1 || (un = socket(AF_UNIX, SOCK_DGRAM, 0)) == -1)
		abort();
	is_str(sockfd_check(u, SOCK_DGRAM), NULL, "a UDP socket is one");
	is_str(sockfd_check(t, SOCK_STREAM), NULL, "a TCP socket is one");
	is_str(sockfd_check(t, SOCK_DGRAM), "not a UDP socket",
	    "TCP is not UDP");
	is_str(sockfd_check(u, SOCK_STREAM), "not a TCP socket",
	    "UDP is not TCP");
	is_str(sockfd_check(p[0], SOCK_DGRAM), "not a socket", "a pipe");
	is_str(sockfd_check(un, SOCK_DGRAM), "not an IPv4 or IPv6 socket",
	    "a unix socket");
	is_str(sockfd_check(999, SOCK_DGRAM), "not open", "a closed fd");

	is_str(sockfd_bound(u, &a), NULL, "bound to 127.0.0.1, any port");
	addr_parse("127.0.0.2:0", &b);
	snprintf(why, sizeof why, "%s", sockfd_bound(u, &b) ? sockfd_bound(u,
	    &b) : "(null)");
	ok(strncmp(why, "bound to 127.0.0.1:", 19) == 0,
	    "another address: says where it is bound (%s)", why);
	addr_parse(":0", &b);
	ok(sockfd_bound(u, &b) != NULL, "127.0.0.1 is not the wildcard");
	addr_parse("127.0.0.1:1", &b);
	ok(sockfd_bound(u, &b) != NULL, "another port is not ours");
	is_str(sockfd_bound(p[0], &a), "not a bound socket", "a pipe");
	close(u);
	close(t);
	close(p[0]);
	close(p[1]);
	close(un);
}

static void
test_error(void)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	struct pollfd pfd;
	struct addr a;
	int l, c;

	l = bound(SOCK_STREAM, "127.0.0.1:0", &a);
	getsockname(l, (struct sockaddr *)&ss, &len);
	close(l);		/* nobody listens there now */
	c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	is_int(sockfd_error(c), 0, "a fresh socket: no error");
	if (connect(c, (struct sockaddr *)&ss, len) == -1 &&
	    errno == EINPROGRESS) {
		pfd.fd = c;
		pfd.events = POLLOUT;
		poll(&pfd, 1, 5000);
		is_int(sockfd_error(c), ECONNREFUSED,
		    "a refused connect: ECONNREFUSED");
	} else
		is_int(errno, ECONNREFUSED, "a refused connect: ECONNREFUSED");
	is_int(sockfd_error(c), 0, "  taken: no error the second time");
	close(c);
	is_int(sockfd_error(999), EBADF, "a closed fd: EBADF");
}

/* arg_status: the exit status of sockfd_arg(fd, type, address, a) in a
 * child, 0 when it returned */
static int
arg_status(int fd, int type, const char *address, const struct addr *a)
{
	int st;
	pid_t child;

	fflush(stdout);
	if ((child = fork()) == 0) {
		close(2);
		sockfd_arg(fd, type, address, a);
		_exit(0);
	}
	waitpid(child, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void
test_arg(void)
{
	struct addr a, other;
	int fd;

	fd = bound(SOCK_DGRAM, "127.0.0.1:0", &a);
	is_int(arg_status(fd, SOCK_DGRAM, NULL, NULL), 0,
	    "sockfd_arg: a UDP socket, no address to match");
	is_int(arg_status(fd, SOCK_STREAM, NULL, NULL), 100,
	    "  a UDP socket for TCP: exit 100");
	is_int(arg_status(999, SOCK_DGRAM, NULL, NULL), 100,
	    "  a closed fd: exit 100");
	is_int(arg_status(fd, SOCK_DGRAM, "127.0.0.1:0", &a), 0,
	    "  bound to its address");
	if (addr_parse("127.0.0.2:9", &other) != NULL)
		abort();
	is_int(arg_status(fd, SOCK_DGRAM, "127.0.0.2:9", &other), 100,
	    "  bound elsewhere: exit 100");
	close(fd);
}

static void
test_name(void)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	char text[ADDR_STRLEN], want[ADDR_STRLEN];
	struct addr a;
	int fd;

	fd = bound(SOCK_DGRAM, "127.0.0.1:0", &a);
	ok(sockfd_name(fd, &ss, text) == text, "sockfd_name returns text");
	ok(ss.ss_family == AF_INET && sin->sin_port != 0,
	    "  the bound address in ss");
	snprintf(want, sizeof want, "127.0.0.1:%u", ntohs(sin->sin_port));
	is_str(text, want, "  formatted");
	is_str(sockfd_name(fd, NULL, text), want, "  ss NULL");
	close(fd);
}

int
main(void)
{
	test_listen();
	test_check();
	test_error();
	test_arg();
	test_name();
	return tap_done();
}
