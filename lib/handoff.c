/* handoff.c: a command run on each finished file, in the background. */
#include <sys/wait.h>

#include <err.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "handoff.h"
#include "launch.h"

void
handoff_init(struct handoff *h, const char *dir, const char *cmd)
{
	size_t n;

	h->dir = dir;
	h->script = NULL;
	if (children_init(&h->procs, HANDOFF_MAX) == -1)
		err(111, "unable to allocate");
	if (cmd) {
		n = strlen(cmd) + 8;
		if ((h->script = malloc(n)) == NULL)
			err(111, "unable to allocate");
		snprintf(h->script, n, "%s \"$1\"", cmd);
	}
}

/* ended: a run ended: say so when it failed. */
static void
ended(const struct handoff *h, struct child *k, int st)
{
	if (WIFEXITED(st) && WEXITSTATUS(st) != 0)
		warnx("processor for %s/%s exited %d", h->dir,
		    (char *)k->what, WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		warnx("processor for %s/%s killed by signal %d", h->dir,
		    (char *)k->what, WTERMSIG(st));
	free(k->what);
}

/* reap: the runs that ended; with until, the first one to end before
 * that deadline. */
static void
reap(struct handoff *h, uint64_t until)
{
	struct child k;
	int st;

	while (children_reap(&h->procs, &k, &st, until) == 1) {
		ended(h, &k, st);
		if (until)
			return;
	}
}

void
handoff_reap(struct handoff *h)
{
	reap(h, 0);
}

void
handoff_run(struct handoff *h, const char *name)
{
	char path[PATH_MAX], *what;
	pid_t pid;

	if (h->script == NULL)
		return;
	while (h->procs.n == HANDOFF_MAX)
		reap(h, UINT64_MAX);
	snprintf(path, sizeof path, "%s/%s", h->dir, name);
	if ((what = strdup(name)) == NULL ||
	    (pid = launch_sh(h->script, "chanlog", path, -1, 2)) == -1) {
		warn("unable to run the processor for %s", path);
		free(what);
		return;
	}
	children_add(&h->procs, pid, what);
}

void
handoff_wait(struct handoff *h)
{
	uint64_t end = clock_mono() + HANDOFF_WAIT * NS_PER_S;
	struct child k;
	int st;

	while (children_reap(&h->procs, &k, &st, end) == 1)
		ended(h, &k, st);
	if (h->procs.n > 0)
		warnx("%d processor(s) still running; not waiting",
		    h->procs.n);
}
