/* writeall.c: write a whole buffer to a file descriptor. */
#include <errno.h>
#include <poll.h>
#include <unistd.h>

#include "writeall.h"

/* A non-blocking output (a shared pipe) waits for room instead of failing.
 * *done is what was written, also when it fails part way. */
int
writesome(int fd, const void *p, size_t n, size_t *done)
{
	const unsigned char *s = p;
	struct pollfd pfd;
	ssize_t w;

	*done = 0;
	while (n > 0) {
		w = write(fd, s, n);
		if (w >= 0) {
			s += w;
			n -= (size_t)w;
			*done += (size_t)w;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return -1;
		pfd.fd = fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, -1) == -1 && errno != EINTR)
			return -1;
	}
	return 0;
}

int
writeall(int fd, const void *p, size_t n)
{
	size_t done;

	return writesome(fd, p, n, &done);
}
