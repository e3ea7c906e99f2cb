/* handlers.c: a server's table of handlers and their clients. */
#include <sys/wait.h>

#include <err.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "handlers.h"

int
handlers_init(struct handlers *h, int limit, const char *prog)
{
	h->limit = limit;
	h->prog = prog;
	return children_init(&h->kids, limit);
}

int
handlers_serving(const struct handlers *h, int af, const unsigned char *ip)
{
	const struct handler *c;
	int i, n = 0;

	for (i = 0; i < h->kids.n; i++) {
		c = h->kids.v[i].what;
		n += c->af == af && memcmp(c->ip, ip, 16) == 0;
	}
	return n;
}

void
handlers_add(struct handlers *h, pid_t pid, struct handler *c)
{
	/* never past the limit it was made for: it does not grow */
	children_add(&h->kids, pid, c);
	if (h->verbose)
		fprintf(stderr, "%s: start %ld %s (%d/%d)\n", h->prog,
		    (long)pid, c->remote, h->kids.n, h->limit);
}

/* ended: count and tell how handler k ended, with wait status st. */
static void
ended(struct handlers *h, const struct child *k, int st)
{
	const struct handler *c = k->what;
	char how[32];
	uint64_t d = clock_mono() - k->start;

	if (WIFSIGNALED(st)) {
		h->crashed++;
		snprintf(how, sizeof how, "signal %s",
		    sigabbrev_np(WTERMSIG(st)) ?
		    sigabbrev_np(WTERMSIG(st)) : "?");
	} else {
		h->exited++;
		snprintf(how, sizeof how, "exit %d", WEXITSTATUS(st));
	}
	if (h->verbose)
		fprintf(stderr, "%s: end %ld %s %s %llu.%03llus\n", h->prog,
		    (long)k->pid, c->remote, how,
		    (unsigned long long)(d / NS_PER_S),
		    (unsigned long long)(d % NS_PER_S / 1000000));
}

int
handlers_reap(struct handlers *h)
{
	struct child k;
	int st, n = 0;

	while (children_reap(&h->kids, &k, &st, 0) == 1) {
		ended(h, &k, st);
		free(k.what);
		n++;
	}
	return n;
}

void
handlers_stop(struct handlers *h)
{
	if (h->kids.n == 0)
		return;
	warnx("%d handler%s still running at the end of the drain: sent "
	    "SIGTERM", h->kids.n, h->kids.n == 1 ? "" : "s");
	children_kill(&h->kids, SIGTERM);
}
