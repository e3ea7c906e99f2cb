/*
 * spawn-alt.c: the two other ways to start a handler, fork and (with
 * -DSPAWN_POSIX) posix_spawn, each a launch_prog (lib/launch.h) linked
 * into tcp-listen ahead of lib/launch.c's vfork one: bench/tcp-listen-fork
 * and bench/tcp-listen-spawn, which bench/tcp-listen measures against
 * the tcp-listen that ships. fork copies the page tables for nothing;
 * posix_spawn is a vfork in glibc too, but glibc 2.36 leaves its two
 * internal signals (32, 33) ignored in the child when we got them so.
 */

#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <unistd.h>

#include "launch.h"
#include "sig.h"

extern char **environ;

#ifdef SPAWN_POSIX
pid_t
launch_prog(char *const argv[], char *const envp[], int in, int out)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t all, none;
	pid_t pid;
	int e;

	sigfillset(&all);
	sigemptyset(&none);
	if ((e = posix_spawn_file_actions_init(&fa)) != 0)
		return errno = e, -1;
	if ((e = posix_spawnattr_init(&at)) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return errno = e, -1;
	}
	if ((e = posix_spawn_file_actions_adddup2(&fa, in, 0)) == 0 &&
	    (e = posix_spawn_file_actions_adddup2(&fa, out, 1)) == 0 &&
	    (e = posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGDEF |
	    POSIX_SPAWN_SETSIGMASK)) == 0 &&
	    (e = posix_spawnattr_setsigdefault(&at, &all)) == 0 &&
	    (e = posix_spawnattr_setsigmask(&at, &none)) == 0)
		e = posix_spawnp(&pid, argv[0], &fa, &at, argv,
		    envp ? envp : environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	return e ? (errno = e, -1) : pid;
}
#else
pid_t
launch_prog(char *const argv[], char *const envp[], int in, int out)
{
	sigset_t all, old, none;
	pid_t pid;
	int e;

	sigfillset(&all);
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &all, &old) == -1)
		return -1;
	if ((pid = fork()) == 0) {
		if (dup2(in, 0) != -1 && dup2(out, 1) != -1) {
			sig_all_default();
			sigprocmask(SIG_SETMASK, &none, NULL);
			execvpe(argv[0], argv, envp ? envp : environ);
		}
		warn("unable to run %s", argv[0]);
		_exit(127);
	}
	e = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	return pid == -1 ? (errno = e, -1) : pid;
}
#endif
