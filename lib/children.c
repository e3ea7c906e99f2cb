/* children.c: the children a program runs, what each is for, and
 * reaping them when SIGCHLD says some ended. */
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>

#include "children.h"
#include "clock.h"

#define PAUSE_NS	10000000ull	/* between looks while waiting */

int
children_init(struct children *c, int cap)
{
	c->n = 0;
	c->cap = cap > 0 ? cap : 1;
	c->v = calloc((size_t)c->cap, sizeof *c->v);
	return c->v == NULL ? -1 : 0;
}

int
children_add(struct children *c, pid_t pid, void *what)
{
	struct child *v;

	if (c->n == c->cap) {
		if ((v = reallocarray(c->v, (size_t)c->cap, 2 * sizeof *v)) ==
		    NULL)
			return -1;
		c->v = v;
		c->cap *= 2;
	}
	c->v[c->n].pid = pid;
	c->v[c->n].what = what;
	c->v[c->n++].start = clock_mono();
	return 0;
}

/* take: pid ended: out of the table into *k. Returns 1, 0 if not ours. */
static int
take(struct children *c, pid_t pid, struct child *k)
{
	int i;

	for (i = 0; i < c->n && c->v[i].pid != pid; i++)
		;
	if (i == c->n)
		return 0;
	*k = c->v[i];
	c->v[i] = c->v[--c->n];
	return 1;
}

int
children_reap(struct children *c, struct child *k, int *status,
    uint64_t until)
{
	struct timespec ts;
	uint64_t now;
	pid_t pid;
	int st;

	for (;;) {
		if (c->n == 0 && until != 0)
			return 0;
		/* SIGCHLDs coalesce: whoever ended is asked for, not counted */
		pid = waitpid(-1, &st, until == UINT64_MAX ? 0 : WNOHANG);
		if (pid > 0) {
			if (!take(c, pid, k))
				continue;
			if (status != NULL)
				*status = st;
			return 1;
		}
		if (pid == -1 && errno != EINTR)
			return 0;
		if (pid == -1 || (now = clock_mono()) >= until)
			return 0;
		ts = clock_ts(until - now < PAUSE_NS ? until - now : PAUSE_NS);
		nanosleep(&ts, NULL);
	}
}

void
children_kill(const struct children *c, int signo)
{
	int i;

	for (i = 0; i < c->n; i++)
		kill(c->v[i].pid, signo);
}
