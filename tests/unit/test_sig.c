/* test_sig.c: a caught signal becomes a flag and a readable self-pipe. */
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include "sig.h"
#include "tap.h"

int
main(void)
{
	struct sigaction sa;
	sigset_t set, wait;
	struct pollfd p;
	int fd;

	fd = sig_init();
	ok(fd >= 0, "self-pipe created");
	is_int(sig_init(), fd, "sig_init twice gives the same pipe");
	ok(sig_catch(SIGUSR1) == 0 && sig_catch(SIGUSR2) == 0, "catch");
	ok(sig_catch(0) == -1, "signal 0 refused");
	is_int(sig_take(SIGUSR1), 0, "nothing pending yet");
	raise(SIGUSR1);
	p.fd = fd;
	p.events = POLLIN;
	is_int(poll(&p, 1, 1000), 1, "the pipe wakes a poll");
	is_int(sig_take(SIGUSR2), 0, "USR2 did not arrive");
	is_int(sig_take(SIGUSR1), 1, "USR1 arrived");
	is_int(sig_take(SIGUSR1), 0, "and is cleared");
	is_int(poll(&p, 1, 0), 0, "pipe drained");
	raise(SIGUSR1);
	raise(SIGUSR1);
	is_int(sig_take(SIGUSR1), 1, "two arrivals, one event");
	ok(sig_ignore(SIGUSR2) == 0, "ignore");
	raise(SIGUSR2);
	is_int(sig_take(SIGUSR2), 0, "an ignored signal is not recorded");

	signal(SIGRTMIN + 1, SIG_IGN);
	sig_all_default();
	sigaction(SIGUSR1, NULL, &sa);
	ok(sa.sa_handler == SIG_DFL, "sig_all_default: a caught one is default");
	sigaction(SIGUSR2, NULL, &sa);
	ok(sa.sa_handler == SIG_DFL, "  an ignored one too");
	sigaction(SIGRTMIN + 1, NULL, &sa);
	ok(sa.sa_handler == SIG_DFL, "  and a realtime one");

	is_int(sig_setup(0), fd, "sig_setup: the same self-pipe");
	sigaction(SIGHUP, NULL, &sa);
	ok(sa.sa_handler == SIG_IGN, "  HUP ignored without SIG_HUP");
	sigaction(SIGPIPE, NULL, &sa);
	ok(sa.sa_handler == SIG_IGN, "  PIPE ignored");
	sig_setup(SIG_HUP | SIG_CHLD | SIG_XFSZ);
	raise(SIGHUP);
	is_int(sig_take(SIGHUP), 1, "  HUP recorded with SIG_HUP");
	raise(SIGCHLD);
	is_int(sig_take(SIGCHLD), 1, "  CHLD with SIG_CHLD");
	sigaction(SIGXFSZ, NULL, &sa);
	ok(sa.sa_handler == SIG_IGN, "  XFSZ ignored with SIG_XFSZ");
	raise(SIGTERM);
	is_int(sig_take(SIGTERM), 1, "  TERM recorded");

	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_SETMASK, &set, NULL);
	sig_block(SIG_CHLD, &wait);
	sigprocmask(SIG_SETMASK, NULL, &set);
	ok(sigismember(&set, SIGTERM) && sigismember(&set, SIGINT) &&
	    sigismember(&set, SIGUSR1) && sigismember(&set, SIGCHLD),
	    "sig_block: TERM, INT, USR1 and CHLD blocked");
	ok(!sigismember(&set, SIGHUP), "  HUP not, without SIG_HUP");
	ok(sigismember(&wait, SIGUSR2) && !sigismember(&wait, SIGTERM) &&
	    !sigismember(&wait, SIGCHLD),
	    "  the wait mask: the one before, without them");
	raise(SIGUSR1);
	is_int(sig_take(SIGUSR1), 0, "  a blocked one waits");
	sigprocmask(SIG_SETMASK, &wait, NULL);
	is_int(sig_take(SIGUSR1), 1, "  and arrives when the wait mask is on");
	return tap_done();
}
