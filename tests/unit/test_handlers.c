/* test_handlers.c: a server's handlers: counted per client, reaped and
 * counted as exited or killed, the ones left at the end sent SIGTERM. */
#include <sys/socket.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "handlers.h"
#include "tap.h"

/* spawn: a child that sleeps (or exits st at once), for client ip. */
static pid_t
spawn(struct handlers *h, unsigned char last, int st)
{
	struct handler *c;
	pid_t pid;

	fflush(stdout);
	if ((pid = fork()) == 0) {
		if (st < 0)
			pause();
		_exit(st);
	}
	if ((c = calloc(1, sizeof *c)) == NULL)
		abort();
	c->af = AF_INET;
	c->ip[15] = last;
	strcpy(c->remote, "127.0.0.x:1");
	handlers_add(h, pid, c);
	return pid;
}

/* reapall: reap until n more have ended, or 5 s. */
static int
reapall(struct handlers *h, int n)
{
	uint64_t end = clock_mono() + 5 * NS_PER_S;
	int got = 0;

	while (got < n && clock_mono() < end) {
		got += handlers_reap(h);
		if (got < n)
			usleep(5000);
	}
	return got;
}

/* starting: handlers_start and the limit. */
static void
starting(void)
{
	struct handlers h;
	struct handler c;
	unsigned char ip[16] = { 0 };
	char *cat[] = { "cat", NULL }, *bad[] = { "/nonexistent/x", NULL };
	char buf[2];
	int sv[2];

	memset(&h, 0, sizeof h);
	memset(&c, 0, sizeof c);
	handlers_init(&h, 1, "test_handlers");
	c.af = AF_INET;
	c.ip[15] = ip[15] = 9;
	strcpy(c.remote, "127.0.0.9:1");
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
		abort();
	ok(handlers_start(&h, cat, NULL, sv[1], &c) > 0,
	    "handlers_start: cat on a socket");
	close(sv[1]);
	is_int(handlers_serving(&h, AF_INET, ip), 1, "  serving its client");
	ok(write(sv[0], "hi", 2) == 2 && read(sv[0], buf, 2) == 2 &&
	    memcmp(buf, "hi", 2) == 0, "  the socket its stdin and stdout");
	ok(handlers_full(&h) && h.full, "handlers_full: at the limit");
	shutdown(sv[0], SHUT_WR);
	is_int(reapall(&h, 1), 1, "  the handler ends");
	ok(!h.full && !handlers_full(&h), "  below it again");
	ok(handlers_start(&h, bad, NULL, sv[0], &c) == -1,
	    "a program that cannot start: -1");
	is_int(h.kids.n, 0, "  none added");
	close(sv[0]);
	free(h.kids.v);
}

int
main(void)
{
	struct handlers h;
	unsigned char ip[16] = { 0 };
	pid_t a;
	int st;

	memset(&h, 0, sizeof h);
	ok(handlers_init(&h, 4, "test_handlers") == 0, "a table for 4");
	a = spawn(&h, 1, -1);
	spawn(&h, 1, -1);
	spawn(&h, 2, 7);
	is_int(h.kids.n, 3, "three running");
	ip[15] = 1;
	is_int(handlers_serving(&h, AF_INET, ip), 2, "two for client 1");
	ip[15] = 3;
	is_int(handlers_serving(&h, AF_INET, ip), 0, "none for client 3");
	ip[15] = 1;
	is_int(handlers_serving(&h, AF_INET6, ip), 0,
	    "the family counts too");
	is_int(reapall(&h, 1), 1, "the one that exits is reaped");
	ok(h.exited == 1 && h.crashed == 0 && h.kids.n == 2,
	    "counted as exited, out of the table");
	kill(a, SIGKILL);
	is_int(reapall(&h, 1), 1, "a killed one is reaped");
	ok(h.crashed == 1 && h.kids.n == 1, "counted as crashed");
	ip[15] = 1;
	is_int(handlers_serving(&h, AF_INET, ip), 1, "one left for client 1");
	handlers_stop(&h);
	is_int(reapall(&h, 1), 1, "stop: the last one got SIGTERM");
	ok(h.crashed == 2 && h.kids.n == 0, "and ended by it");
	handlers_stop(&h);
	ok(1, "stop with none running: nothing to do");
	free(h.kids.v);
	starting();
	fflush(stdout);
	if ((a = fork()) == 0) {
		close(0);
		close(2);
		handlers_stdfds();
		a = open("/dev/null", O_RDONLY);
		_exit(fcntl(0, F_GETFD) != -1 && fcntl(2, F_GETFD) != -1 &&
		    a > 2 ? 0 : 1);
	}
	ok(a > 0 && waitpid(a, &st, 0) == a && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0,
	    "handlers_stdfds: closed 0 and 2 open again, the next fd above 2");
	return tap_done();
}
