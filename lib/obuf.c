/* obuf.c: buffered output to a file descriptor, flushed on demand. */
#include <sys/ioctl.h>
#include <sys/uio.h>

#include <err.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "obuf.h"
#include "writeall.h"

int
obuf_init(struct obuf *b, int fd, size_t cap)
{
	b->fd = fd;
	b->len = 0;
	b->cap = cap;
	b->out = 0;
	b->ends = NULL;
	b->marks = 0;
	b->buf = malloc(cap);
	return b->buf ? 0 : -1;
}

/* On a failure, what was written leaves the buffer; the rest stays. */
int
obuf_flush(struct obuf *b)
{
	size_t done;
	int r;

	if (b->len == 0)
		return 0;
	r = writesome(b->fd, b->buf, b->len, &done);
	b->out += done;
	if (done < b->len)
		memmove(b->buf, b->buf + done, b->len - done);
	b->len -= done;
	return r;
}

unsigned char *
obuf_reserve(struct obuf *b, size_t n)
{
	if (b->cap - b->len < n && obuf_flush(b) == -1)
		return NULL;
	return b->buf + b->len;
}

void
obuf_commit(struct obuf *b, size_t n)
{
	b->len += n;
}

int
obuf_write(struct obuf *b, const void *p, size_t n)
{
	size_t done;
	int r;

	if (b->cap - b->len < n && obuf_flush(b) == -1)
		return -1;
	if (n >= b->cap) {
		r = writesome(b->fd, p, n, &done);
		b->out += done;
		return r;
	}
	memcpy(b->buf + b->len, p, n);
	b->len += n;
	return 0;
}

int
obuf_track(struct obuf *b)
{
	b->ends = calloc(OBUF_RING, sizeof *b->ends);
	return b->ends ? 0 : -1;
}

void
obuf_mark(struct obuf *b)
{
	if (b->ends)
		b->ends[b->marks % OBUF_RING] = b->out + b->len;
	b->marks++;
}

int
obuf_record(struct obuf *b, const struct iovec *v, int cnt)
{
	int i;

	for (i = 0; i < cnt; i++)
		if (obuf_write(b, v[i].iov_base, v[i].iov_len) == -1)
			return -1;
	obuf_mark(b);
	return 0;
}

void
obuf_mark_past(struct obuf *b, size_t n)
{
	if (b->ends)
		b->ends[b->marks % OBUF_RING] = b->out + b->len + n;
	b->marks++;
}

/* advance: the first done bytes of the cnt pieces at *v are written:
 * drop them. */
static void
advance(struct iovec **v, int *cnt, size_t done)
{
	while (*cnt > 0 && done >= (*v)->iov_len) {
		done -= (*v)->iov_len;
		(*v)++;
		(*cnt)--;
	}
	if (*cnt > 0) {
		(*v)->iov_base = (unsigned char *)(*v)->iov_base + done;
		(*v)->iov_len -= done;
	}
}

int
obuf_writev(struct obuf *b, struct iovec *v, int cnt)
{
	struct pollfd pfd = { b->fd, POLLOUT, 0 };
	size_t held = b->len;
	ssize_t w;

	v[0].iov_base = b->buf;
	v[0].iov_len = b->len;
	while (cnt > 0) {
		if ((w = writev(b->fd, v, cnt)) >= 0) {
			b->out += (size_t)w;
			held -= (size_t)w < held ? (size_t)w : held;
			advance(&v, &cnt, (size_t)w);
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN ||
		    (poll(&pfd, 1, -1) == -1 && errno != EINTR))
			break;
	}
	/* what is left of the buffer stays; the pieces are the caller's */
	if (held > 0)
		memmove(b->buf, b->buf + b->len - held, held);
	b->len = held;
	return cnt > 0 ? -1 : 0;
}

unsigned long long
obuf_unread(const struct obuf *b, unsigned long long inpipe, int *atleast)
{
	unsigned long long read, k;

	/* the reader took everything written out but the inpipe bytes */
	read = inpipe < b->out ? b->out - inpipe : 0;
	*atleast = 0;
	for (k = 0; k < b->marks && b->ends; k++) {
		if (k == OBUF_RING) {
			*atleast = 1;
			break;
		}
		if (b->ends[(b->marks - 1 - k) % OBUF_RING] <= read)
			break;
	}
	return k;
}

void
obuf_gone(const struct obuf *b)
{
	int inpipe = 0, atleast;
	unsigned long long lost;

	if (ioctl(b->fd, FIONREAD, &inpipe) == -1 || inpipe < 0)
		inpipe = 0;
	lost = obuf_unread(b, (unsigned long long)inpipe, &atleast);
	errx(111, "unable to write output: its reader is gone; lost=%s%llu "
	    "records it did not read", atleast ? ">=" : "", lost);
}

void
obuf_fail(const struct obuf *b)
{
	if (errno == EPIPE)
		obuf_gone(b);
	err(111, "unable to write output");
}

void
obuf_free(struct obuf *b)
{
	free(b->buf);
	free(b->ends);
	b->buf = NULL;
	b->ends = NULL;
}
