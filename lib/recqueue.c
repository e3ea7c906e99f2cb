/* recqueue.c: a bounded queue of whole records, written without blocking. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "recqueue.h"

void
recqueue_init(struct recqueue *q, size_t cap)
{
	memset(q, 0, sizeof *q);
	q->cap = cap;
}

int
recqueue_room(const struct recqueue *q, size_t n)
{
	return n <= q->cap - q->used;
}

/* grow_lens: room for one more length, the ring unrolled into the new
 * array. Returns 0, -1 when out of memory. */
static int
grow_lens(struct recqueue *q)
{
	size_t ncap = q->lcap ? q->lcap * 2 : 256, i;
	uint32_t *n;

	if ((n = malloc(ncap * sizeof *n)) == NULL)
		return -1;
	for (i = 0; i < q->count; i++)
		n[i] = q->lens[(q->lhead + i) % q->lcap];
	free(q->lens);
	q->lens = n;
	q->lcap = ncap;
	q->lhead = 0;
	return 0;
}

int
recqueue_push(struct recqueue *q, const struct iovec *v, int cnt)
{
	size_t n = 0, tail, k, first;
	const unsigned char *s;
	int i;

	for (i = 0; i < cnt; i++)
		n += v[i].iov_len;
	if (!recqueue_room(q, n) || n > UINT32_MAX)
		return -1;
	/* the ring is allocated whole on first use: cap is the bound */
	if (q->buf == NULL && (q->buf = malloc(q->cap)) == NULL)
		return -1;
	if (q->count == q->lcap && grow_lens(q) == -1)
		return -1;
	tail = (q->head + q->used) % q->cap;
	for (i = 0; i < cnt; i++) {
		s = v[i].iov_base;
		k = v[i].iov_len;
		first = k < q->cap - tail ? k : q->cap - tail;
		memcpy(q->buf + tail, s, first);
		memcpy(q->buf, s + first, k - first);
		tail = (tail + k) % q->cap;
	}
	q->lens[(q->lhead + q->count) % q->lcap] = (uint32_t)n;
	q->count++;
	q->used += n;
	return 0;
}

/* pop_len: forget the head record's length (its bytes are gone). */
static void
pop_len(struct recqueue *q)
{
	q->lhead = (q->lhead + 1) % q->lcap;
	q->count--;
	q->headoff = 0;
	if (q->count == 0)
		q->head = 0;	/* used is 0 too: start at the front again */
}

/* skip: n unwritten bytes at the head are gone. */
static void
skip(struct recqueue *q, size_t n)
{
	q->head = (q->head + n) % q->cap;
	q->used -= n;
}

void
recqueue_pop(struct recqueue *q)
{
	if (q->count == 0)
		return;
	skip(q, q->lens[q->lhead] - q->headoff);
	pop_len(q);
}

int
recqueue_drop_oldest(struct recqueue *q)
{
	size_t n, i, rest;

	if (q->count == 0)
		return 0;
	if (q->headoff == 0) {
		recqueue_pop(q);
		return 1;
	}
	if (q->count < 2)
		return 0;
	/* the head is half written: the second record goes instead, and
	 * the rest of the head moves up to close the gap */
	n = q->lens[(q->lhead + 1) % q->lcap];
	rest = q->lens[q->lhead] - q->headoff;
	for (i = rest; i-- > 0; )
		q->buf[(q->head + i + n) % q->cap] =
		    q->buf[(q->head + i) % q->cap];
	skip(q, n);
	q->lens[(q->lhead + 1) % q->lcap] = q->lens[q->lhead];
	q->lhead = (q->lhead + 1) % q->lcap;
	q->count--;
	return 1;
}

long
recqueue_write(struct recqueue *q, int fd, int *err)
{
	struct iovec v[2];
	size_t first, left, rem;
	ssize_t w;
	long recs = 0;

	*err = 0;
	while (q->used > 0) {
		first = q->cap - q->head;
		v[0].iov_base = q->buf + q->head;
		v[0].iov_len = q->used < first ? q->used : first;
		v[1].iov_base = q->buf;
		v[1].iov_len = q->used - v[0].iov_len;
		w = writev(fd, v, v[1].iov_len ? 2 : 1);
		if (w == -1) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				*err = errno;
			return *err ? -1 : recs;
		}
		for (left = (size_t)w; left > 0; ) {
			rem = q->lens[q->lhead] - q->headoff;
			if (left < rem) {
				skip(q, left);
				q->headoff += left;
				break;
			}
			skip(q, rem);
			left -= rem;
			pop_len(q);
			recs++;
		}
	}
	return recs;
}

int
recqueue_head(const struct recqueue *q, struct iovec v[2])
{
	size_t n, first;

	if (q->count == 0)
		return 0;
	n = q->lens[q->lhead];
	first = q->cap - q->head;
	v[0].iov_base = q->buf + q->head;
	v[0].iov_len = n < first ? n : first;
	v[1].iov_base = q->buf;
	v[1].iov_len = n - v[0].iov_len;
	return v[1].iov_len ? 2 : 1;
}

int
recqueue_restart(struct recqueue *q)
{
	if (q->headoff == 0)
		return 0;
	recqueue_pop(q);	/* what is left of the started record goes */
	return 1;
}

size_t
recqueue_clear(struct recqueue *q)
{
	size_t n = q->count;

	q->head = q->used = q->lhead = q->count = q->headoff = 0;
	return n;
}
