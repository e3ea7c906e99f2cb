/* sig.c: signals as events: handlers only set a flag and wake the loop. */
#include <sys/syscall.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "sig.h"

#define NSIG_MAX 65

static volatile sig_atomic_t pending[NSIG_MAX];
static volatile sig_atomic_t any;	/* a byte may be in the pipe */
static int selfpipe[2] = { -1, -1 };

static void
handler(int signo)
{
	int e = errno;

	if (signo > 0 && signo < NSIG_MAX)
		pending[signo] = 1;
	any = 1;
	/* a full pipe already wakes the loop; the byte is only a wake-up */
	(void)!write(selfpipe[1], "", 1);
	errno = e;
}

int
sig_init(void)
{
	int i;

	if (selfpipe[0] != -1)
		return selfpipe[0];
	if (pipe2(selfpipe, O_CLOEXEC | O_NONBLOCK) == -1)
		return -1;
	for (i = 0; i < NSIG_MAX; i++)
		pending[i] = 0;
	return selfpipe[0];
}

static int
setaction(int signo, void (*fn)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = fn;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;
	return sigaction(signo, &sa, NULL);
}

int
sig_catch(int signo)
{
	if (signo <= 0 || signo >= NSIG_MAX) {
		errno = EINVAL;
		return -1;
	}
	return setaction(signo, handler);
}

int
sig_ignore(int signo)
{
	return setaction(signo, SIG_IGN);
}

int
sig_take(int signo)
{
	char junk[64];

	/* the pipe is read only when a signal came: a busy loop that asks
	 * every pass pays a flag test, not a system call */
	if (any) {
		any = 0;
		while (read(selfpipe[0], junk, sizeof junk) > 0)
			;
	}
	if (signo <= 0 || signo >= NSIG_MAX || !pending[signo])
		return 0;
	pending[signo] = 0;
	return 1;
}

int
sig_setup(int flags)
{
	int fd;

	if ((fd = sig_init()) == -1)
		err(111, "unable to create the signal pipe");
	if (sig_catch(SIGTERM) == -1 || sig_catch(SIGINT) == -1 ||
	    sig_catch(SIGUSR1) == -1 || sig_ignore(SIGPIPE) == -1 ||
	    (flags & SIG_HUP ? sig_catch(SIGHUP) : sig_ignore(SIGHUP)) == -1 ||
	    (flags & SIG_CHLD && sig_catch(SIGCHLD) == -1) ||
	    (flags & SIG_XFSZ && sig_ignore(SIGXFSZ) == -1))
		err(111, "unable to set signal handlers");
	return fd;
}

void
sig_block(int flags, sigset_t *waitmask)
{
	sigset_t caught;
	int i;

	sigemptyset(&caught);
	sigaddset(&caught, SIGTERM);
	sigaddset(&caught, SIGINT);
	sigaddset(&caught, SIGUSR1);
	sigaddset(&caught, SIGALRM);	/* the metrics' interval */
	if (flags & SIG_HUP)
		sigaddset(&caught, SIGHUP);
	if (flags & SIG_CHLD)
		sigaddset(&caught, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &caught, waitmask) == -1)
		err(111, "unable to block signals");
	for (i = 1; i < NSIG; i++)
		if (sigismember(&caught, i) == 1)
			sigdelset(waitmask, i);
}

/*
 * sig_all_default: glibc keeps 32 and 33 for itself and refuses them to
 * sigaction(2), but an ignored one is inherited (from whoever started
 * us) and stays ignored across exec, so the kernel is asked directly,
 * with its own struct sigaction.
 */
void
sig_all_default(void)
{
	struct {
		void (*handler)(int);
		unsigned long flags;
		void (*restorer)(void);
		unsigned long mask;
	} k = { SIG_DFL, 0, NULL, 0 };
	struct sigaction dfl;
	int i;

	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	for (i = 1; i < NSIG; i++)
		if (i < 32 || i >= SIGRTMIN)
			sigaction(i, &dfl, NULL);
		else
			syscall(SYS_rt_sigaction, i, &k, NULL, sizeof k.mask);
}
