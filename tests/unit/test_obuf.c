/* test_obuf.c: buffered output keeps every byte, in order, and reports
 * write errors. */
#include <errno.h>
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

int
main(void)
{
	struct obuf b;
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
	return tap_done();
}
