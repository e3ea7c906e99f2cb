/* tcpserve.c: accepted connections, checked, then handed to handlers. */
#include <sys/socket.h>

#include <err.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "tcpserve.h"
#include "tcpsock.h"

int
tcpserve_init(struct tcpserve *t)
{
	t->paused = 0;
	t->accepted = t->denied = t->limited = t->failed = 0;
	t->accepterrs = 0;
	warnrate_init(&t->acceptlog, NS_PER_S);
	warnrate_init(&t->spawnlog, NS_PER_S);
	return ucspi_init(&t->env);
}

/* refuse: close a connection the rules (n < 0) or the per-source limit
 * (n running for its client) refused. */
static void
refuse(struct tcpserve *t, int fd, const char *remote, int n)
{
	if (n < 0) {
		t->denied++;
		if (t->verbose)
			warnx("deny %s", remote);
	} else {
		t->limited++;
		if (t->msg)
			tcpsock_tell(fd, t->msg);
		if (t->verbose)
			warnx("limit %s (per-source %d)", remote, n);
	}
	close(fd);
}

/* serve: one accepted connection: check it, then start its handler. */
static void
serve(struct tcpserve *t, int fd, const struct sockaddr *remote)
{
	struct sockaddr_storage local;
	struct handler c;
	int n, e;

	t->accepted++;
	c.af = addr_ip(remote, c.ip);
	addr_format(remote, c.remote);
	if (!rules_allow(t->rules, remote)) {
		refuse(t, fd, c.remote, -1);
		return;
	}
	n = handlers_serving(t->run, c.af, c.ip);
	if (t->perip && n >= t->perip) {
		refuse(t, fd, c.remote, n);
		return;
	}
	tcpsock_local(fd, &t->bound, &local);
	ucspi_setaddr(&t->env, (struct sockaddr *)&local, remote, n + 1);
	if (handlers_start(t->run, t->argv, t->env.envp, fd, &c) == -1) {
		e = errno;
		t->failed++;
		warnrate_warnx(&t->spawnlog, 0, "unable to run %s: %s",
		    t->argv[0], strerror(e));
		if (e == EAGAIN || e == ENOMEM)
			t->paused = clock_mono() + TCPSERVE_PAUSE;
	}
	close(fd);
}

void
tcpserve_accept(struct tcpserve *t)
{
	struct sockaddr_storage ss;
	int i, fd;

	/* at the limit, handlers_full says so once and accepting stops */
	for (i = 0; !handlers_full(t->run) && i < TCPSERVE_BATCH; i++) {
		if ((fd = tcpsock_accept(t->fd, &ss)) >= 0)
			serve(t, fd, (struct sockaddr *)&ss);
		else if (errno == EAGAIN)
			return;
		else if (errno != ECONNABORTED) {
			/* a shortage: wait, never spin */
			t->accepterrs++;
			warnrate_warnx(&t->acceptlog, 0,
			    "unable to accept: %s", strerror(errno));
			t->paused = clock_mono() + TCPSERVE_PAUSE;
			return;
		}
	}
}
