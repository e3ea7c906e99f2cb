/* test_recqueue.c: the record queue keeps whole records, in order, through
 * wrap-around, partial writes and drops. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "recqueue.h"
#include "tap.h"

/* release: the queue's memory (a program keeps its queues to the end). */
static void
release(struct recqueue *q)
{
	free(q->buf);
	free(q->lens);
}

static int
push(struct recqueue *q, const char *s)
{
	struct iovec v = { (void *)s, strlen(s) };

	return recqueue_push(q, &v, 1);
}

static void
drain(int fd, char *out, size_t cap)
{
	ssize_t n;
	size_t got = 0;

	while (got < cap - 1 && (n = read(fd, out + got, cap - 1 - got)) > 0)
		got += (size_t)n;
	out[got] = '\0';
}

int
main(void)
{
	struct recqueue q;
	struct iovec v[2];
	char out[65536], big[3000];
	int pfd[2], e, i;
	long n;

	signal(SIGPIPE, SIG_IGN);
	recqueue_init(&q, 16);
	ok(push(&q, "abcde") == 0 && push(&q, "fghij") == 0, "two records");
	ok(!recqueue_room(&q, 7), "no room for 7 more in 16");
	is_int(push(&q, "1234567"), -1, "a record that does not fit is refused");
	is_int(q.count, 2, "still two");
	ok(push(&q, "klmnop") == 0, "a 6-byte one fills it exactly");
	is_int(q.used, 16, "16 bytes used");
	is_int(recqueue_head(&q, v), 1, "head in one piece");
	ok(v[0].iov_len == 5 && memcmp(v[0].iov_base, "abcde", 5) == 0,
	    "head is abcde");
	recqueue_clear(&q);
	push(&q, "abcdefghij");
	push(&q, "kl");
	recqueue_pop(&q);
	ok(push(&q, "mnopqrst") == 0, "a record that wraps around");
	recqueue_pop(&q);
	is_int(recqueue_head(&q, v), 2, "the wrapped record comes in two pieces");
	ok(v[0].iov_len == 4 && memcmp(v[0].iov_base, "mnop", 4) == 0 &&
	    v[1].iov_len == 4 && memcmp(v[1].iov_base, "qrst", 4) == 0,
	    "mnop then qrst");
	recqueue_clear(&q);
	is_int(q.count, 0, "cleared");

	/* a stream written through a pipe that takes only part of it */
	ok(pipe(pfd) == 0, "pipe");
	fcntl(pfd[1], F_SETFL, O_NONBLOCK);
	fcntl(pfd[0], F_SETFL, O_NONBLOCK);
	fcntl(pfd[1], F_SETPIPE_SZ, 4096);
	release(&q);
	recqueue_init(&q, 16384);
	memset(big, 'x', sizeof big);
	for (i = 0; i < 4; i++) {
		struct iovec b = { big, sizeof big };

		big[0] = (char)('0' + i);
		recqueue_push(&q, &b, 1);
	}
	n = recqueue_write(&q, pfd[1], &e);
	ok(n >= 1 && n < 4 && e == 0, "a full pipe: %ld whole records, no "
	    "error", n);
	ok(q.headoff > 0, "the next record is half written");
	is_int(recqueue_drop_oldest(&q), 1, "drop-oldest drops one");
	is_int(q.count, 4 - n - 1, "the started record stays");
	drain(pfd[0], out, sizeof out);
	n = recqueue_write(&q, pfd[1], &e);
	is_int(n, 1, "the started record is finished");
	drain(pfd[0], out, sizeof out);
	n = recqueue_write(&q, pfd[1], &e);
	is_int(n, 1, "then the last one");
	drain(pfd[0], out, sizeof out);
	is_int(q.count, 0, "nothing left");
	is_int(q.used, 0, "no bytes left");
	/* restart: a started record is dropped, the next starts whole */
	push(&q, "hello");
	{
		struct iovec b = { big, sizeof big };

		recqueue_push(&q, &b, 1);
	}
	close(pfd[0]);
	close(pfd[1]);
	ok(pipe(pfd) == 0, "second pipe");
	fcntl(pfd[1], F_SETFL, O_NONBLOCK);
	fcntl(pfd[1], F_SETPIPE_SZ, 4096);
	memset(big, 'y', sizeof big);
	for (i = 0; i < 2; i++) {
		struct iovec b = { big, sizeof big };

		recqueue_push(&q, &b, 1);
	}
	n = recqueue_write(&q, pfd[1], &e);
	ok(q.headoff > 0, "a record cut by a full pipe");
	is_int(recqueue_restart(&q), 1, "restart drops it");
	is_int(q.headoff, 0, "the queue starts at a record again");
	close(pfd[0]);
	n = recqueue_write(&q, pfd[1], &e);
	is_int(n, -1, "a closed reader: an error");
	is_int(e, EPIPE, "EPIPE");
	close(pfd[1]);
	release(&q);
	return tap_done();
}
