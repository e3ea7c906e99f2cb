/* test_tcpserve.c: connections over loopback, each served by a handler
 * in the UCSPI environment or refused (the rules, the per-source limit,
 * a handler that cannot start) and counted; the limit and a shortage
 * stop the accepting. */
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "tap.h"
#include "tcpserve.h"
#include "tcpsock.h"

static struct tcpserve t;
static struct handlers run;

/* client: a connection to the server, reads timing out after 5 s; the
 * server's port has it waiting when this returns. */
static int
client(void)
{
	struct timeval tv = { 5, 0 };
	struct pollfd p = { t.fd, POLLIN, 0 };
	const char *step;
	int fd;

	if ((fd = tcpsock_connect(&t.bound, NULL, 0, &step)) == -1)
		abort();
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	poll(&p, 1, 5000);
	return fd;
}

/* heard: what fd reads up to a newline or EOF, NUL-terminated. */
static const char *
heard(int fd)
{
	static char buf[128];
	size_t got = 0;

	while (got < sizeof buf - 1 && read(fd, buf + got, 1) == 1)
		if (buf[got++] == '\n')
			break;
	buf[got] = '\0';
	return buf;
}

/* reapall: reap until none runs, or 5 s. */
static void
reapall(void)
{
	uint64_t end = clock_mono() + 5 * NS_PER_S;

	while (run.kids.n > 0 && clock_mono() < end)
		if (handlers_reap(&run) == 0)
			usleep(5000);
}

/* refusing: the rules and a handler that cannot start. */
static void
refusing(void)
{
	struct rules deny, *allow = (struct rules *)t.rules;
	struct rulesrcs src = { NULL, 0 };
	char *bad[] = { "/nonexistent/x", NULL }, **argv = t.argv, why[128];
	const char *e;
	int st, c;

	rulesrc_add(&src, 'X', "127.0.0.0/8", &e);
	memset(&deny, 0, sizeof deny);
	rules_build(&deny, &src, why, sizeof why, &st);
	t.rules = &deny;
	c = client();
	tcpserve_accept(&t);
	ok(t.accepted == 5 && t.denied == 1 && run.kids.n == 0,
	    "a client the rules deny: accepted, denied, no handler");
	is_str(heard(c), "", "  and closed");
	close(c);
	t.rules = allow;
	t.argv = bad;
	c = client();
	tcpserve_accept(&t);
	ok(t.accepted == 6 && t.failed == 1 && run.kids.n == 0,
	    "a handler that cannot start: failed");
	is_str(heard(c), "", "  the connection closed");
	ok(t.paused == 0, "  no pause for what is not a shortage");
	close(c);
	t.argv = argv;
	rules_free(&deny);
	free(src.v);
}

/* shortage: accept(2) out of fds: counted, told, paused. */
static void
shortage(void)
{
	struct rlimit rl, low;
	int c, next;

	c = client();
	getrlimit(RLIMIT_NOFILE, &rl);
	next = dup(0);
	close(next);
	low = rl;
	low.rlim_cur = (rlim_t)next;
	setrlimit(RLIMIT_NOFILE, &low);
	tcpserve_accept(&t);
	setrlimit(RLIMIT_NOFILE, &rl);
	ok(t.accepterrs == 1 && t.accepted == 6,
	    "EMFILE: an accept error, nothing accepted");
	ok(t.paused > clock_mono(), "  the port paused");
	tcpserve_accept(&t);
	ok(t.accepted == 7, "the connection still waits: accepted after");
	is_str(heard(c), "TCP 127.0.0.1 1\n", "  and served");
	close(c);
	reapall();
}

int
main(void)
{
	char *sh[] = { "sh", "-c",
	    "echo $PROTO $TCPREMOTEIP $TCPCONCURRENCY; exec cat", NULL };
	struct rules none;
	struct addr a;
	const char *step;
	int c1, c2, c3;

	memset(&none, 0, sizeof none);
	addr_parse("127.0.0.1:0", &a);
	t.fd = tcpsock_listen(&a, 16, 0, &step);
	ok(t.fd != -1 && tcpsock_name(t.fd, &t.bound) == 0, "listening");
	ok(handlers_init(&run, 2, "test_tcpserve") == 0 &&
	    tcpserve_init(&t) == 0, "tcpserve_init");
	t.rules = &none;
	t.run = &run;
	t.argv = sh;
	t.perip = 1;
	t.msg = "busy";

	tcpserve_accept(&t);
	is_int(t.accepted, 0, "nothing waiting: nothing accepted");
	c1 = client();
	tcpserve_accept(&t);
	is_int(t.accepted, 1, "a client accepted");
	is_str(heard(c1), "TCP 127.0.0.1 1\n",
	    "  its handler on the socket, in the UCSPI environment");
	ok(write(c1, "hi\n", 3) == 3, "  write to it");
	is_str(heard(c1), "hi\n", "  the socket its standard input too");
	c2 = client();
	tcpserve_accept(&t);
	ok(t.accepted == 2 && t.limited == 1 && run.kids.n == 1,
	    "a second from the same client: over the per-source limit");
	is_str(heard(c2), "busy\r\n", "  told the message");
	is_str(heard(c2), "", "  then closed");
	close(c2);
	t.perip = 0;
	c2 = client();
	tcpserve_accept(&t);
	is_int(run.kids.n, 2, "no per-source limit: a second handler");
	is_str(heard(c2), "TCP 127.0.0.1 2\n", "  TCPCONCURRENCY 2");
	c3 = client();
	tcpserve_accept(&t);
	ok(t.accepted == 3 && run.full,
	    "the handlers at their limit: not accepted");
	close(c1);
	close(c2);
	reapall();
	ok(run.exited == 2 && run.kids.n == 0, "the handlers ended");
	tcpserve_accept(&t);
	is_str(heard(c3), "TCP 127.0.0.1 1\n", "below it: the waiting one");
	close(c3);
	reapall();
	refusing();
	shortage();
	close(t.fd);
	return tap_done();
}
