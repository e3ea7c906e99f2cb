/* test_nonblock.c: stdin non-blocking while the program runs, the flag
 * back as it was on the description it shares, after exit and err. */
#include <sys/wait.h>

#include <err.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "nonblock.h"
#include "tap.h"

static int
nb(int fd)
{
	return (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0;
}

/* child: with stdin on the pipe's read end (a description this process
 * shares), set the flag, report it through status, leave by how. */
static int
child(int rd, int how)
{
	int st;
	pid_t pid;

	fflush(stdout);	/* the child must not print the TAP lines again */
	if ((pid = fork()) == 0) {
		dup2(rd, STDIN_FILENO);
		if (nonblock_stdin() == -1 || nonblock_stdin() == -1)
			_exit(2);
		if (!nb(STDIN_FILENO))
			_exit(3);
		if (how == 1) {
			dup2(open("/dev/null", O_WRONLY), STDERR_FILENO);
			errx(111, "leaving through err");
		}
		if (how == 2)
			_exit(0);
		exit(0);
	}
	if (waitpid(pid, &st, 0) == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

int
main(void)
{
	int p[2];

	if (pipe(p) == -1)
		err(1, "pipe");
	is_int(child(p[0], 0), 0, "set in the child");
	is_int(nb(p[0]), 0, "clear again after exit");
	is_int(child(p[0], 1), 111, "err(3)");
	is_int(nb(p[0]), 0, "clear again after err");
	is_int(child(p[0], 2), 0, "_exit(2)");
	is_int(nb(p[0]), 1, "_exit does not put it back (documented)");
	is_int(child(p[0], 0), 0, "set before: stays set");
	is_int(nb(p[0]), 1, "still set");
	return tap_done();
}
