/*
 * spawn-cost: the parent's own CPU per child for the ways a server can
 * start a handler, the floor under tcp-listen's per-connection cost.
 * usage: spawn-cost [COUNT]   (default 3000; /bin/true as the program)
 * Prints one line per way: vfork+_exit, vfork+exec, fork+exec,
 * posix_spawn, and a getppid loop as the cost of a bare system call.
 */
#include <sys/resource.h>
#include <sys/wait.h>

#include <err.h>
#include <spawn.h>
#include <stdio.h>
#include <unistd.h>

#include "arg.h"
#include "num.h"

extern char **environ;

static char *const argv_true[] = { "/bin/true", NULL };

static double
selfcpu(void)
{
	struct rusage r;

	if (getrusage(RUSAGE_SELF, &r) == -1)
		err(111, "unable to read the CPU time");
	return (double)(r.ru_utime.tv_sec + r.ru_stime.tv_sec) +
	    (double)(r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6;
}

/* one: start and reap one child the given way; -1 for no child. */
static pid_t
one(int way)
{
	pid_t pid = -1;

	switch (way) {
	case 0:
		if ((pid = vfork()) == 0)
			_exit(0);
		break;
	case 1:
		if ((pid = vfork()) == 0) {
			execve(argv_true[0], argv_true, environ);
			_exit(127);
		}
		break;
	case 2:
		if ((pid = fork()) == 0) {
			execve(argv_true[0], argv_true, environ);
			_exit(127);
		}
		break;
	case 3:
		if (posix_spawn(&pid, argv_true[0], NULL, NULL, argv_true,
		    environ) != 0)
			pid = -1;
		break;
	default:
		(void)getppid();
		return 0;
	}
	if (pid == -1)
		err(111, "unable to start a child");
	if (waitpid(pid, NULL, 0) == -1)
		err(111, "unable to wait for a child");
	return pid;
}

int
main(int argc, char **argv)
{
	static const char *name[] = { "vfork+_exit", "vfork+exec",
	    "fork+exec", "posix_spawn", "getppid" };
	long long n = 3000, i;
	double t;
	int way;

	arg_usage = "usage: spawn-cost [COUNT]";
	if (argc > 2)
		arg_help(100);
	if (argc == 2)
		n = num_arg("count", argv[1], 1, 10000000);
	for (way = 0; way < 5; way++) {
		t = selfcpu();
		for (i = 0; i < n; i++)
			one(way);
		printf("%-12s %6.1f us of parent CPU each\n", name[way],
		    (selfcpu() - t) / (double)n * 1e6);
	}
	return 0;
}
