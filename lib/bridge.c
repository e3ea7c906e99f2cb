/* bridge.c: standard input to a socket, the socket to standard output. */
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bridge.h"

/* fill: read into an empty pipe; 0 at EOF, -1 on error. */
static ssize_t
fill(struct bridge_pipe *p)
{
	ssize_t n = read(p->in, p->buf, sizeof p->buf);

	if (n > 0) {
		p->off = 0;
		p->len = (size_t)n;
	} else if (n == 0 || (p->in == 0 && errno == EBADF)) {
		p->eof = 1;
		n = 0;
	}
	return n;
}

/* drain: write what the pipe holds; -1 on error. */
static ssize_t
drain(struct bridge_pipe *p)
{
	ssize_t n = write(p->out, p->buf + p->off, p->len - p->off);

	if (n > 0) {
		p->off += (size_t)n;
		p->bytes += (unsigned long long)n;
		if (p->off == p->len)
			p->off = p->len = 0;
	}
	return n;
}

/* want: the pollfd entries of one direction of the bridge. */
static void
want(struct bridge_pipe *p, struct pollfd *rd, struct pollfd *wr)
{
	rd->fd = !p->eof && p->len == 0 ? p->in : -1;
	rd->events = POLLIN;
	wr->fd = p->len > 0 ? p->out : -1;
	wr->events = POLLOUT;
}

/* fail: why and -1, errno kept. */
static int
fail(char *why, size_t n, const char *what, const char *name)
{
	int e = errno;

	snprintf(why, n, "unable to %s%s", what, name);
	errno = e;
	return -1;
}

/* step: what poll found ready in one direction; -1 on an error, with
 * the step in why. */
static int
step(struct bridge_pipe *p, const struct pollfd *rd,
    const struct pollfd *wr, const char *from, const char *to, char *why,
    size_t n)
{
	if (rd->fd != -1 && rd->revents && fill(p) == -1 &&
	    errno != EAGAIN && errno != EINTR)
		return fail(why, n, "read from ", from);
	if (wr->fd != -1 && wr->revents && drain(p) == -1 &&
	    errno != EAGAIN && errno != EINTR)
		return fail(why, n, "write to ", to);
	return 0;
}

int
bridge_run(struct bridge *b, int fd, const char *peer, char *why, size_t n)
{
	struct bridge_pipe *up = &b->up, *down = &b->down;
	struct pollfd p[4];
	int shut = 0;

	if (fcntl(fd, F_SETFL, O_NONBLOCK) == -1)
		return fail(why, n, "set non-blocking mode on the socket", "");
	memset(b, 0, sizeof *b);
	up->in = 0, up->out = fd;
	down->in = fd, down->out = 1;
	while (!(down->eof && down->len == 0)) {
		if (up->eof && up->len == 0 && !shut) {
			if (shutdown(fd, SHUT_WR) == -1 && errno != ENOTCONN)
				return fail(why, n, "shut down ", peer);
			shut = 1;
		}
		want(up, &p[0], &p[1]);
		want(down, &p[2], &p[3]);
		if (poll(p, 4, -1) == -1 && errno != EINTR)
			return fail(why, n, "wait for events", "");
		if (step(up, &p[0], &p[1], "standard input", peer, why, n) ||
		    step(down, &p[2], &p[3], peer, "standard output", why, n))
			return -1;
	}
	return 0;
}
