/* test_fdlim.c: fdlim_raise from a lowered soft limit, and under a hard
 * limit below what is needed (in a child, as a hard limit only falls). */
#include <sys/resource.h>
#include <sys/wait.h>

#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "fdlim.h"
#include "tap.h"

/* child: under soft 50 and hard 100, what fdlim_raise(need) gives and
 * leaves in effect, as the exit status: 0 when both are 100. */
static int
child(uint64_t need)
{
	struct rlimit rl = { 50, 100 };
	uint64_t lim = 0;
	pid_t pid;
	int st;

	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1 ||
		    fdlim_raise(need, &lim) == -1 ||
		    getrlimit(RLIMIT_NOFILE, &rl) == -1)
			_exit(2);
		_exit(lim == 100 && rl.rlim_cur == 100 ? 0 : 1);
	}
	if (waitpid(pid, &st, 0) == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

int
main(void)
{
	struct rlimit rl, now;
	uint64_t lim = 0;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return printf("Bail out! getrlimit\n"), 1;
	now = rl;
	now.rlim_cur = rl.rlim_max < 32 ? rl.rlim_max : 32;
	ok(setrlimit(RLIMIT_NOFILE, &now) == 0, "soft limit lowered to %llu",
	    (unsigned long long)now.rlim_cur);
	is_int(fdlim_raise(0, &lim), 0, "fdlim_raise succeeds");
	ok(getrlimit(RLIMIT_NOFILE, &now) == 0 && now.rlim_cur == lim,
	    "the limit it returns is in effect: %llu", (unsigned long long)lim);
	ok(lim == rl.rlim_max || (rl.rlim_max == RLIM_INFINITY &&
	    lim >= 32), "raised to the hard limit, %llu",
	    (unsigned long long)rl.rlim_max);
	is_int(child(10), 0, "soft 50, hard 100: raised to 100");
	is_int(child(1000), 0, "needing 1000 under hard 100: still 100");
	return tap_done();
}
