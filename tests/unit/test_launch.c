/* test_launch.c: a program or a shell command as a child: its arguments,
 * environment, standard input and output, /dev/null for -1, an exec that
 * fails, and every signal back at the default, none blocked. */
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "launch.h"
#include "tap.h"

/* out_of: run script with stdin in, read what it writes; its status */
static int
out_of(const char *script, const char *arg, int in, char *buf, size_t len)
{
	int p[2], st;
	ssize_t n;
	size_t got = 0;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) == -1)
		abort();
	pid = launch_sh(script, "NAME", arg, in, p[1]);
	close(p[1]);
	while (got < len - 1 && (n = read(p[0], buf + got, len - 1 - got)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	close(p[0]);
	if (pid == -1 || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* first_fails: a failed exec on a process's first spawn, while launch.c
 * still learns what vfork does (it uses its pipe): exit 0 when seen */
static void
first_fails(const void *arg)
{
	char *none[] = { "no-such-program-chanrelay", NULL };

	(void)arg;
	_exit(launch_prog(none, NULL, -1, -1) == -1 && errno == ENOENT &&
	    waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD ? 0 : 1);
}

int
main(void)
{
	char buf[256];
	int p[2], st, st0 = 0;
	pid_t pid;

	is_int(tap_child(first_fails, NULL, buf, sizeof buf), 0,
	    "a failed exec on the first spawn: -1, ENOENT, reaped");
	is_int(out_of("echo \"$0 $1\"", "ARG", -1, buf, sizeof buf), 0,
	    "runs sh -c");
	is_str(buf, "NAME ARG\n", "  $0 is name, $1 is arg");
	out_of("echo \"$# ${1-unset}\"", NULL, -1, buf, sizeof buf);
	is_str(buf, "0 unset\n", "  no arg: no $1");
	if (pipe2(p, O_CLOEXEC) == -1)
		abort();
	(void)write(p[1], "from the pipe\n", 14);
	close(p[1]);
	out_of("tr a-z A-Z", NULL, p[0], buf, sizeof buf);
	close(p[0]);
	is_str(buf, "FROM THE PIPE\n", "stdin is in");
	out_of("wc -c", NULL, -1, buf, sizeof buf);
	ok(atoi(buf) == 0, "in -1: stdin is /dev/null");
	pid = launch_sh("echo lost", "NAME", NULL, -1, -1);
	ok(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0, "out -1: stdout is /dev/null, the write works");
	is_int(out_of("exit 7", NULL, -1, buf, sizeof buf), 7,
	    "the command's exit status");
	is_int(out_of("no-such-command-chanrelay 2>/dev/null", NULL, -1, buf,
	    sizeof buf), 127, "a missing command: 127, from sh");

	signal(SIGTERM, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	is_int(out_of("kill -TERM $$; echo survived", NULL, -1, buf,
	    sizeof buf), 128 + SIGTERM, "our ignored TERM is the default again");
	is_str(buf, "", "  the child died of it");
	{
		sigset_t block;

		sigemptyset(&block);
		sigaddset(&block, SIGUSR1);
		sigprocmask(SIG_BLOCK, &block, NULL);
		is_int(out_of("kill -USR1 $$; echo survived", NULL, -1, buf,
		    sizeof buf), 128 + SIGUSR1, "  our blocked USR1 is not blocked");
		sigprocmask(SIG_UNBLOCK, &block, NULL);
	}
	{
		char *argv[] = { "sh", "-c", "echo \"$0 $V\"", "ARG0", NULL };
		char *envp[] = { "V=from-envp", NULL };
		char *none[] = { "no-such-program-chanrelay", NULL };
		char *rt[] = { "sh", "-c", "kill -s RTMIN $$; echo survived",
		    NULL };
		struct sigaction sa;

		if (pipe2(p, O_CLOEXEC) == -1)
			abort();
		pid = launch_prog(argv, envp, -1, p[1]);
		close(p[1]);
		memset(buf, 0, sizeof buf);
		(void)!read(p[0], buf, sizeof buf - 1);
		close(p[0]);
		ok(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
		    WEXITSTATUS(st) == 0, "launch_prog: argv[0] found in PATH");
		is_str(buf, "ARG0 from-envp\n", "  its argv and envp");
		errno = 0;
		is_int(launch_prog(none, NULL, -1, -1), -1,
		    "a program that cannot run: -1");
		is_int(errno, ENOENT, "  with the exec's errno");
		ok(waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD,
		    "  and no child left to reap");
		/* a death by RTMIN as this system reports it: qemu-user
		 * 7.2 says signal 32 for an arm64 child's 34 */
		pid = launch_prog(rt, NULL, -1, -1);
		ok(pid > 0 && waitpid(pid, &st0, 0) == pid && WIFSIGNALED(st0),
		    "a child's own RTMIN ends it");
		if (WIFSIGNALED(st0) && WTERMSIG(st0) != SIGRTMIN)
			printf("# reported as signal %d, not %d\n",
			    WTERMSIG(st0), SIGRTMIN);
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = SIG_IGN;
		sigaction(SIGRTMIN, &sa, NULL);
		pid = launch_prog(rt, NULL, -1, -1);
		ok(pid > 0 && waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) &&
		    WTERMSIG(st) == WTERMSIG(st0),
		    "our ignored realtime signal is the default again");
	}
	return tap_done();
}
