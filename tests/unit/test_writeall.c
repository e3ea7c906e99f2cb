/* test_writeall.c: a whole buffer reaches a slow reader through a full
 * non-blocking pipe; write errors are reported with what was written. */
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "writeall.h"

#define BIG (1 << 20)

int
main(void)
{
	static unsigned char want[BIG], got[BIG];
	size_t done, n = 0, i;
	ssize_t r;
	int p[2], fd;
	pid_t pid;

	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < BIG; i++)
		want[i] = (unsigned char)(i * 13 + i / 256);
	if (pipe(p) == -1 || (pid = fork()) == -1)
		abort();
	if (pid == 0) {		/* the writer: a non-blocking end */
		close(p[0]);
		fcntl(p[1], F_SETFL, O_NONBLOCK);
		_exit(writeall(p[1], want, BIG) == 0 ? 0 : 1);
	}
	close(p[1]);
	while (n < BIG && (r = read(p[0], got + n,
	    BIG - n < 1000 ? BIG - n : 1000)) > 0)
		n += (size_t)r;	/* small reads: the pipe fills again */
	close(p[0]);
	waitpid(pid, &fd, 0);
	ok(WIFEXITED(fd) && WEXITSTATUS(fd) == 0,
	    "writeall on a non-blocking pipe waits for room, returns 0");
	is_int(n, BIG, "  every byte arrived");
	ok(memcmp(got, want, BIG) == 0, "  in order");

	if (pipe(p) == -1)
		abort();
	close(p[0]);
	errno = 0;
	is_int(writesome(p[1], want, 10, &done), -1,
	    "writesome to a pipe without a reader fails");
	is_int(errno, EPIPE, "  EPIPE");
	is_int(done, 0, "  nothing written");
	close(p[1]);

	if ((fd = open("/dev/full", O_WRONLY)) == -1)
		ok(1, "# SKIP no /dev/full");
	else {
		is_int(writeall(fd, want, 100), -1, "writeall to /dev/full fails");
		is_int(errno, ENOSPC, "  ENOSPC");
		close(fd);
	}
	errno = 0;
	is_int(writeall(-1, want, 1), -1, "writeall to a closed fd fails");
	is_int(errno, EBADF, "  EBADF");
	is_int(writeall(-1, want, 0), 0, "nothing to write: 0, the fd untouched");

	if (pipe(p) == -1)
		abort();
	fcntl(p[1], F_SETPIPE_SZ, 4096);
	if ((pid = fork()) == 0) {	/* reads 5000 bytes, then goes */
		close(p[1]);
		for (n = 0; n < 5000 && (r = read(p[0], got, 5000 - n)) > 0;)
			n += (size_t)r;
		_exit(0);
	}
	close(p[0]);
	is_int(writesome(p[1], want, 100000, &done), -1,
	    "writesome: the reader goes part way");
	ok(done >= 5000 && done < 100000, "  *done counts what went (%zu)",
	    done);
	close(p[1]);
	waitpid(pid, NULL, 0);
	return tap_done();
}
