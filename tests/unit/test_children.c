/* test_children.c: the table of children: what each is for, reaped one
 * by one as they end, a deadline on the wait, the table growing, strays
 * reaped and forgotten, and every child signalled. */
#include <sys/wait.h>

#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "children.h"
#include "clock.h"
#include "tap.h"

/* kid: a child that sleeps ms milliseconds, then exits with code */
static pid_t
kid(int ms, int code)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };
	pid_t pid = fork();

	if (pid == -1)
		abort();
	if (pid == 0) {
		nanosleep(&ts, NULL);
		_exit(code);
	}
	return pid;
}

int
main(void)
{
	static char a[] = "a", b[] = "b";
	struct children c;
	struct child k;
	uint64_t t0;
	pid_t pa, pb, stray;
	int st, i, n;

	ok(children_init(&c, 1) == 0 && c.n == 0, "an empty table");
	is_int(children_reap(&c, &k, &st, 0), 0, "nothing to reap");
	is_int(children_reap(&c, &k, &st, UINT64_MAX), 0,
	    "  nor to wait for: no wait");

	pa = kid(0, 3);
	pb = kid(300, 4);
	ok(children_add(&c, pa, a) == 0 && children_add(&c, pb, b) == 0 &&
	    c.n == 2 && c.cap >= 2, "two children: the table grew");
	is_int(children_reap(&c, &k, &st, UINT64_MAX), 1,
	    "waiting: the first to end");
	ok(k.pid == pa && k.what == a && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 3, "  its pid, what it was for, its status");
	is_int(c.n, 1, "  out of the table");
	t0 = clock_mono();
	is_int(children_reap(&c, &k, &st, 0), 0, "the other runs: no wait");
	is_int(children_reap(&c, &k, &st, clock_mono() + 50000000), 0,
	    "a deadline before it ends: 0");
	ok(clock_mono() - t0 >= 50000000, "  after the deadline");
	is_int(children_reap(&c, &k, &st, clock_mono() + 10 * NS_PER_S), 1,
	    "a deadline after it ends: it");
	ok(k.pid == pb && k.what == b && WEXITSTATUS(st) == 4 && c.n == 0,
	    "  the second, the table empty");

	stray = kid(0, 0);
	pa = kid(200, 5);	/* ends after the stray */
	children_add(&c, pa, a);
	is_int(children_reap(&c, &k, NULL, UINT64_MAX), 1,
	    "a child not in the table is passed over");
	ok(k.pid == pa && waitpid(stray, NULL, WNOHANG) == -1,
	    "  and reaped, the status may be NULL");

	for (i = 0; i < 5; i++)
		children_add(&c, kid(10000, 0), NULL);
	ok(c.n == 5 && c.cap >= 5, "five children");
	children_kill(&c, SIGTERM);
	for (n = 0; children_reap(&c, &k, &st, clock_mono() + 5 * NS_PER_S) ==
	    1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM; n++)
		;
	is_int(n, 5, "children_kill: every one got the signal");
	free(c.v);
	return tap_done();
}
