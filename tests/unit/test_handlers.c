/* test_handlers.c: a server's handlers: counted per client, reaped and
 * counted as exited or killed, the ones left at the end sent SIGTERM. */
#include <sys/wait.h>

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

int
main(void)
{
	struct handlers h;
	unsigned char ip[16] = { 0 };
	pid_t a;

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
	return tap_done();
}
