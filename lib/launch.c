/* launch.c: start a program as a child with chosen stdin and stdout and
 * nothing of our signal state. */
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "launch.h"
#include "sig.h"

extern char **environ;

static volatile int childerr;	/* written by a vfork child, see launch_prog */

/* setfd: make want refer to have (or /dev/null when have is -1). */
static int
setfd(int have, int want, int flags)
{
	int fd = have;

	if (fd == -1 && (fd = open("/dev/null", flags)) == -1)
		return -1;
	if (fd != want && dup2(fd, want) == -1)
		return -1;
	if (fd != have && fd != want)
		close(fd);
	return 0;
}

/* child: the child's side of a spawn; returns only when exec failed. */
static void
child(const char *file, char *const argv[], char *const envp[], int in,
    int out)
{
	sigset_t none;

	if (setfd(in, 0, O_RDONLY) == -1 || setfd(out, 1, O_WRONLY) == -1)
		return;
	/* still with every signal blocked, so no handler of ours runs in
	 * here while the child borrows our memory */
	sig_all_default();
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execvpe(file, argv, envp ? envp : environ);
}

/*
 * start: vfork: the child borrows our memory until it execs, so we
 * copy no page tables, and an exec failure comes back through that
 * shared memory (childerr). Every signal is blocked around it, so none
 * of our handlers runs in the child; bench/tcp-listen measures this
 * against fork and posix_spawn (bench/spawn-alt.c).
 */
static pid_t
start(const char *file, char *const argv[], char *const envp[], int in,
    int out)
{
	sigset_t all, old;
	pid_t pid;
	int e;

	sigfillset(&all);
	if (sigprocmask(SIG_SETMASK, &all, &old) == -1)
		return -1;
	childerr = 0;
	if ((pid = vfork()) == 0) {
		child(file, argv, envp, in, out);
		childerr = errno;
		_exit(127);
	}
	e = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (pid == -1)
		return errno = e, -1;
	if (childerr != 0) {
		/* it is ours to reap: it never ran the program */
		while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
			;
		return errno = childerr, -1;
	}
	return pid;
}

pid_t
launch_prog(char *const argv[], char *const envp[], int in, int out)
{
	return start(argv[0], argv, envp, in, out);
}

pid_t
launch_sh(const char *script, const char *name, const char *arg, int in,
    int out)
{
	char *argv[] = { "sh", "-c", (char *)script, (char *)name,
	    (char *)arg, NULL };

	return start("/bin/sh", argv, NULL, in, out);
}
