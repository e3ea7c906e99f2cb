/* liner.c: read a stream line by line, long lines in pieces. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "liner.h"

#define LINER_BUFINIT	65536

int
liner_init(struct liner *l, int fd, const void *prefix, size_t plen,
    size_t max)
{
	memset(l, 0, sizeof *l);
	l->fd = fd;
	l->max = max > 0 ? max : 1;
	/* max + 1: a line of max bytes and its newline fit whole */
	l->cap = l->max < LINER_BUFINIT ? l->max + 1 : LINER_BUFINIT;
	if (l->cap < plen)
		l->cap = plen;
	if ((l->buf = malloc(l->cap)) == NULL)
		return -1;
	if (plen > 0)
		memcpy(l->buf, prefix, plen);
	l->len = plen;
	l->eof = fd < 0;
	return 0;
}

/*
 * liner_fill: read more after buf[len), making room first by moving the
 * unread bytes to the front, then by growing the buffer towards max + 1.
 * Returns 1 when bytes came, 0 at EOF, LINER_AGAIN when a non-blocking fd
 * has nothing yet, -1 on a read error or when out of memory (errno set).
 */
static int
liner_fill(struct liner *l)
{
	unsigned char *nb;
	size_t ncap;
	ssize_t n;

	if (l->off > 0) {
		memmove(l->buf, l->buf + l->off, l->len - l->off);
		l->len -= l->off;
		l->off = 0;
	}
	if (l->len == l->cap) {
		ncap = l->cap * 2 < l->max + 1 ? l->cap * 2 : l->max + 1;
		if (ncap <= l->cap || (nb = realloc(l->buf, ncap)) == NULL) {
			errno = ENOMEM;
			return -1;
		}
		l->buf = nb;
		l->cap = ncap;
	}
	do
		n = read(l->fd, l->buf + l->len, l->cap - l->len);
	while (n == -1 && errno == EINTR);
	if (n == -1 && errno == EAGAIN)
		return LINER_AGAIN;
	if (n == -1)
		return -1;
	if (n == 0) {
		l->eof = 1;
		return 0;
	}
	l->len += (size_t)n;
	return 1;
}

/* liner_take: hand out k bytes at buf[off], then skip skip more (the
 * newline). A piece that ends a split line keeps LINE_SPLIT. */
static int
liner_take(struct liner *l, const unsigned char **line, size_t *len,
    int *flags, size_t k, size_t skip, int fl)
{
	*line = l->buf + l->off;
	*len = k;
	l->off += k + skip;
	if (l->split)
		fl |= LINE_SPLIT;
	l->split = (fl & LINE_MORE) != 0;
	*flags = fl;
	return 1;
}

int
liner_next(struct liner *l, const unsigned char **line, size_t *len,
    int *flags)
{
	const unsigned char *nl;
	size_t scanned = 0, have, lim;
	int n = 0;

	for (;;) {
		have = l->len - l->off;
		/* only the first max + 1 bytes can hold the end of a line
		 * returned whole; bytes already scanned are not again */
		lim = have < l->max + 1 ? have : l->max + 1;
		nl = memchr(l->buf + l->off + scanned, '\n', lim - scanned);
		if (nl != NULL)
			return liner_take(l, line, len, flags,
			    (size_t)(nl - (l->buf + l->off)), 1, 0);
		if (have > l->max)
			return liner_take(l, line, len, flags, l->max, 0,
			    LINE_SPLIT | LINE_MORE);
		scanned = lim;
		if (l->eof || (n = liner_fill(l)) == 0) {
			if (have == 0)
				return 0;
			return liner_take(l, line, len, flags, have, 0,
			    LINE_NONL);
		}
		if (n == -1 || n == LINER_AGAIN)
			return n;
	}
}

void
liner_free(struct liner *l)
{
	free(l->buf);
	l->buf = NULL;
	l->cap = l->len = l->off = 0;
}
