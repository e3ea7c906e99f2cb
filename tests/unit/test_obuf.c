/* test_obuf.c: buffered output keeps every byte, in order, and reports
 * write errors. */
#include <sys/wait.h>

#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "obuf.h"
#include "tap.h"

static size_t
drain(int fd, unsigned char *out, size_t cap)
{
	ssize_t r;
	size_t n = 0;

	while (n < cap && (r = read(fd, out + n, cap - n)) > 0)
		n += (size_t)r;
	return n;
}

/* failing: obuf_fail(b) in a child after errno e: its exit status and
 * what it said, in msg */
static int
failing(int e, char *msg, size_t len)
{
	struct obuf b;
	int p[2], st;
	size_t n;
	pid_t pid;

	fflush(stdout);
	if (pipe(p) == -1 || (pid = fork()) == -1)
		abort();
	if (pid == 0) {
		close(p[0]);
		dup2(p[1], 2);
		obuf_init(&b, p[1], 64);
		obuf_track(&b);
		errno = e;
		obuf_fail(&b);
	}
	close(p[1]);
	n = drain(p[0], (unsigned char *)msg, len - 1);
	msg[n] = '\0';
	close(p[0]);
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int
main(void)
{
	struct obuf b;
	struct iovec rec[2] = { { "line", 4 }, { "\n", 1 } };
	unsigned char want[100000], got[100001], *p;
	int pfd[2], fd, i;
	size_t n;

	for (i = 0; i < (int)sizeof want; i++)
		want[i] = (unsigned char)(i * 7);
	ok(pipe(pfd) == 0, "pipe");
	fcntl(pfd[0], F_SETFL, O_NONBLOCK);
	ok(obuf_init(&b, pfd[1], 1024) == 0, "init");
	ok(obuf_write(&b, want, 10) == 0, "small write is buffered");
	is_int(b.len, 10, "10 bytes held");
	is_int(read(pfd[0], got, 10), -1, "nothing reached the pipe yet");
	p = obuf_reserve(&b, 100);
	ok(p != NULL, "reserve");
	memcpy(p, want + 10, 100);
	obuf_commit(&b, 100);
	ok(obuf_reserve(&b, 1000) != NULL, "reserve past the end flushes");
	is_int(b.len, 0, "buffer empty after the flush");
	is_int(drain(pfd[0], got, 110), 110, "110 bytes arrived");
	ok(memcmp(got, want, 110) == 0, "in order");
	ok(obuf_write(&b, want, 5000) == 0, "write larger than the buffer");
	is_int(drain(pfd[0], got, 5000), 5000, "it went straight out");
	ok(memcmp(got, want, 5000) == 0, "intact");
	ok(obuf_write(&b, want, 1) == 0 && obuf_flush(&b) == 0 &&
	    obuf_flush(&b) == 0, "flush twice is harmless");
	drain(pfd[0], got, 1);
	ok(obuf_record(&b, rec, 2) == 0 && b.len == 5 && b.marks == 1,
	    "obuf_record: its pieces held, one record marked");
	ok(obuf_flush(&b) == 0 && drain(pfd[0], got, 5) == 5 &&
	    memcmp(got, "line\n", 5) == 0, "  in order");
	obuf_free(&b);
	close(pfd[0]);
	close(pfd[1]);

	/* a big write through a pipe someone reads slowly */
	ok(pipe(pfd) == 0, "second pipe");
	if (fork() == 0) {
		close(pfd[0]);
		obuf_init(&b, pfd[1], 4096);
		for (i = 0; i < 100; i++)
			if (obuf_write(&b, want + i * 1000, 1000) == -1)
				_exit(1);
		_exit(obuf_flush(&b) == -1);
	}
	close(pfd[1]);
	n = drain(pfd[0], got, sizeof got);
	is_int(n, sizeof want, "100000 bytes through a 64 KiB pipe");
	ok(memcmp(got, want, sizeof want) == 0, "every byte in order");
	close(pfd[0]);

	fd = open("/dev/full", O_WRONLY);
	if (fd != -1) {
		obuf_init(&b, fd, 64);
		obuf_write(&b, "x", 1);
		errno = 0;
		ok(obuf_flush(&b) == -1 && errno == ENOSPC,
		    "/dev/full: the flush fails with ENOSPC");
		obuf_free(&b);
		close(fd);
	}
	is_int(failing(ENOSPC, (char *)got, 256), 111, "obuf_fail: exit 111");
	ok(strstr((char *)got, ": unable to write output: No space left") !=
	    NULL, "  saying why");
	is_int(failing(EPIPE, (char *)got, 256), 111, "  EPIPE: exit 111");
	ok(strstr((char *)got, "its reader is gone; lost=0 records") != NULL,
	    "  the reader is gone, what it lost");
	return tap_done();
}
