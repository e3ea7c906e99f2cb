/* handlers.c: a server's table of handlers and their clients. */
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "handlers.h"
#include "launch.h"

/* glibc has sigabbrev_np from 2.32; musl has none: the standard
 * signals by name, the others NULL (as glibc's realtime ones) */
#if !defined(__GLIBC__) || __GLIBC__ < 2 || \
    (__GLIBC__ == 2 && __GLIBC_MINOR__ < 32)
static const char *
sigabbrev_np(int sig)
{
	static const char *const name[] = {
		[SIGHUP] = "HUP", [SIGINT] = "INT", [SIGQUIT] = "QUIT",
		[SIGILL] = "ILL", [SIGTRAP] = "TRAP", [SIGABRT] = "ABRT",
		[SIGBUS] = "BUS", [SIGFPE] = "FPE", [SIGKILL] = "KILL",
		[SIGUSR1] = "USR1", [SIGSEGV] = "SEGV", [SIGUSR2] = "USR2",
		[SIGPIPE] = "PIPE", [SIGALRM] = "ALRM", [SIGTERM] = "TERM",
		[SIGCHLD] = "CHLD", [SIGCONT] = "CONT", [SIGSTOP] = "STOP",
		[SIGTSTP] = "TSTP", [SIGTTIN] = "TTIN", [SIGTTOU] = "TTOU",
		[SIGURG] = "URG", [SIGXCPU] = "XCPU", [SIGXFSZ] = "XFSZ",
		[SIGVTALRM] = "VTALRM", [SIGPROF] = "PROF",
		[SIGWINCH] = "WINCH", [SIGIO] = "IO", [SIGSYS] = "SYS",
	};

	if (sig <= 0 || (size_t)sig >= sizeof name / sizeof name[0])
		return NULL;
	return name[sig];
}
#endif

void
handlers_stdfds(void)
{
	int fd;

	while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd <= 2)
		;
	if (fd > 2)
		close(fd);
}

int
handlers_init(struct handlers *h, int limit, const char *prog)
{
	h->limit = limit;
	h->prog = prog;
	warnrate_init(&h->fulllog, NS_PER_S);
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

pid_t
handlers_start(struct handlers *h, char *const argv[], char *const envp[],
    int fd, const struct handler *c)
{
	struct handler *k;
	pid_t pid;
	int e;

	if ((k = malloc(sizeof *k)) == NULL)
		return -1;
	if ((pid = launch_prog(argv, envp, fd, fd)) == -1) {
		e = errno;
		free(k);
		errno = e;
		return -1;
	}
	*k = *c;
	handlers_add(h, pid, k);
	return pid;
}

int
handlers_full(struct handlers *h)
{
	if (h->kids.n < h->limit)
		return 0;
	if (!h->full) {
		h->full = 1;
		if (warnrate_due(&h->fulllog, 0)) {
			h->fulltold = 1;
			warnx("%d/%d handlers running, not accepting",
			    h->kids.n, h->limit);
		}
	}
	return 1;
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
	if (h->full && h->kids.n < h->limit) {
		h->full = 0;
		if (h->fulltold)
			warnx("accepting again: %d/%d handlers running",
			    h->kids.n, h->limit);
		h->fulltold = 0;
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
