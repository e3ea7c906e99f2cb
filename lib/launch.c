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
 * What vfork does here, learnt on the first spawn: Linux's shares our
 * memory until the child execs, so a failed exec can come back through
 * it (childerr) at no cost; qemu-user runs vfork as fork, a copy, and
 * there it comes back on a close-on-exec pipe, whose read also waits for
 * the exec. The pipe costs a wait for the exec to close it: about 7 us
 * of the parent's CPU a spawn, so only where vfork copies.
 */
static enum { VF_UNKNOWN, VF_SHARED, VF_COPIED } vf;
static volatile int childran, childerr;	/* written by a vfork child */

/* errpipe: the close-on-exec pipe of a child's exec failure; its write
 * end not 0 or 1, which the child dup2s over. */
static int
errpipe(int p[2])
{
	int fd, e;

	if (pipe2(p, O_CLOEXEC) == -1)
		return -1;
	if (p[1] > 1)
		return 0;
	if ((fd = fcntl(p[1], F_DUPFD_CLOEXEC, 2)) == -1) {
		e = errno;
		close(p[0]);
		close(p[1]);
		return errno = e, -1;
	}
	close(p[1]);
	p[1] = fd;
	return 0;
}

/* report: the child's side: errno e of its failed exec on pipe fd; a
 * write of this size to a pipe is all or nothing. */
static void
report(int fd, int e)
{
	while (write(fd, &e, sizeof e) == -1 && errno == EINTR)
		;
}

/* heard: the errno a child wrote on pipe p, 0 when it wrote nothing (its
 * exec closed the close-on-exec end); the pipe closed. */
static int
heard(int p[2])
{
	ssize_t n;
	int e;

	close(p[1]);
	while ((n = read(p[0], &e, sizeof e)) == -1 && errno == EINTR)
		;
	close(p[0]);
	return n == (ssize_t)sizeof e ? e : 0;
}

/*
 * start: vfork: the child borrows our memory until it execs, so we copy
 * no page tables; an exec failure comes back as vf says. Every signal is
 * blocked around it, so none of our handlers runs in the child;
 * bench/tcp-listen measures this against fork and posix_spawn
 * (bench/spawn-alt.c).
 */
static pid_t
start(const char *file, char *const argv[], char *const envp[], int in,
    int out)
{
	sigset_t all, old;
	pid_t pid;
	int e, p[2] = { -1, -1 };

	if (vf != VF_SHARED && errpipe(p) == -1)
		return -1;
	sigfillset(&all);
	if (sigprocmask(SIG_SETMASK, &all, &old) == -1) {
		e = errno;
		if (p[0] != -1)
			heard(p);	/* to close it */
		return errno = e, -1;
	}
	childran = childerr = 0;
	if ((pid = vfork()) == 0) {
		childran = 1;
		child(file, argv, envp, in, out);
		childerr = errno != 0 ? errno : EIO;
		if (p[1] != -1)
			report(p[1], childerr);
		_exit(127);
	}
	e = errno;
	if (pid != -1) {
		if (vf == VF_UNKNOWN)
			vf = childran ? VF_SHARED : VF_COPIED;
		e = p[0] != -1 ? heard(p) : childerr;
	} else if (p[0] != -1)
		heard(p);	/* to close it */
	if (pid != -1 && e != 0) {
		/* it is ours to reap: it never ran the program */
		while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
			;
		pid = -1;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return pid == -1 ? (errno = e, -1) : pid;
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
