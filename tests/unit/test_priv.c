/* test_priv.c: dropping root: to a user's uid, gid and groups for good;
 * an unknown user is a usage error (100), a failing call a system one
 * (111). Each case runs in a child. */
#include <sys/types.h>
#include <sys/wait.h>

#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "priv.h"
#include "tap.h"

/* run: priv_drop(user) in a child, which then reports what it is as its
 * exit status: 0 when uid, gid and groups are user's and setuid(0)
 * fails, 1 otherwise. The child's standard error in err. */
static int
run(const char *user, char *err, size_t len)
{
	struct passwd *pw;
	gid_t g[4];
	int e[2], st;
	size_t got;
	ssize_t n;
	pid_t pid;

	fflush(stdout);
	if (pipe(e) == -1 || (pid = fork()) == -1)
		abort();
	if (pid == 0) {
		close(e[0]);
		dup2(e[1], 2);
		priv_drop(user);
		pw = getpwnam(user);
		_exit(pw != NULL && getuid() == pw->pw_uid &&
		    geteuid() == pw->pw_uid && getgid() == pw->pw_gid &&
		    getgroups(4, g) == 1 && g[0] == pw->pw_gid &&
		    setuid(0) == -1 ? 0 : 1);
	}
	close(e[1]);
	/* to the end: stderr is unbuffered, err(3) writes in pieces, and a
	 * pipe closed after the first would kill the child with SIGPIPE */
	for (got = 0; got < len - 1; got += (size_t)n)
		if ((n = read(e[0], err + got, len - 1 - got)) <= 0)
			break;
	err[got] = '\0';
	close(e[0]);
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* checking: priv_arg(user) in a child; its exit status (0 when it
 * returned), its standard error in err. */
static int
checking(const char *user, char *err, size_t len)
{
	int e[2], st;
	size_t got;
	ssize_t n;
	pid_t pid;

	fflush(stdout);
	if (pipe(e) == -1 || (pid = fork()) == -1)
		abort();
	if (pid == 0) {
		close(e[0]);
		dup2(e[1], 2);
		priv_arg(user);
		_exit(0);
	}
	close(e[1]);
	/* to the end, as run does */
	for (got = 0; got < len - 1; got += (size_t)n)
		if ((n = read(e[0], err + got, len - 1 - got)) <= 0)
			break;
	err[got] = '\0';
	close(e[0]);
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int
main(void)
{
	char err[256];

	is_int(checking("root", err, sizeof err), 0, "priv_arg: root exists");
	is_int(checking("no-such-user-chanrelay", err, sizeof err), 100,
	    "  an unknown user: exit 100");
	is_str(err, "test_priv: invalid user 'no-such-user-chanrelay': no "
	    "such user\n", "  naming it");

	is_int(run("no-such-user-chanrelay", err, sizeof err), 100,
	    "an unknown user exits 100");
	is_str(err, "test_priv: unknown user 'no-such-user-chanrelay'\n",
	    "  naming the user");
	if (getpwnam("nobody") == NULL) {
		ok(1, "# SKIP no user nobody");
		return tap_done();
	}
	if (geteuid() != 0) {
		is_int(run("nobody", err, sizeof err), 111,
		    "not root: the drop fails, exit 111");
		ok(strncmp(err, "test_priv: unable to set groups for nobody: ",
		    44) == 0, "  saying which step (%s)", err);
		return tap_done();
	}
	is_int(run("nobody", err, sizeof err), 0,
	    "root to nobody: its uid, gid and only group, root not regained");
	is_str(err, "", "  without a word");
	return tap_done();
}
