/* obuf.h: buffered output to a file descriptor, flushed on demand. */
#ifndef OBUF_H
#define OBUF_H

#include <sys/uio.h>
#include <stddef.h>

struct obuf {
	int fd;
	unsigned char *buf;
	size_t len, cap;
	unsigned long long out;	/* bytes written to fd so far */
	unsigned long long *ends;	/* obuf_track: the last records' ends */
	unsigned long long marks;	/* records marked */
};

/* How many records back obuf_unread can tell where they ended. */
#define OBUF_RING	4096

/* obuf_init: a buffer of cap bytes for fd. Returns 0, -1 on ENOMEM. */
int obuf_init(struct obuf *b, int fd, size_t cap);

/*
 * obuf_reserve: room for n bytes (n <= cap) at the end of the buffer,
 * flushing first when there is not enough. Returns a pointer to write to,
 * then obuf_commit(b, n) once written; NULL on a write error (errno set).
 */
unsigned char *obuf_reserve(struct obuf *b, size_t n);
void obuf_commit(struct obuf *b, size_t n);

/* obuf_write: append n bytes (any size). Returns 0, -1 on a write error. */
int obuf_write(struct obuf *b, const void *p, size_t n);

/* obuf_flush: write out everything buffered, retrying short writes and
 * EINTR, waiting on EAGAIN. Returns 0, -1 on a write error (errno set);
 * then what was written before it is gone from the buffer, the rest is
 * still there (b->len). */
int obuf_flush(struct obuf *b);

/*
 * Records, for the count of what is lost when the reader goes away:
 * obuf_track keeps where the last OBUF_RING records ended (0, -1 on
 * ENOMEM); obuf_mark marks the end of a record just put in the buffer.
 * obuf_unread: how many records the reader never read whole: those still
 * in the buffer, and those of which some byte is among the inpipe bytes
 * left in the pipe (FIONREAD); *atleast is set when the count reaches
 * OBUF_RING and is a lower bound.
 */
int obuf_track(struct obuf *b);
void obuf_mark(struct obuf *b);

/*
 * obuf_writev: write out what is buffered, then the pieces v[1] to
 * v[cnt - 1] (v[0] is taken for the buffer), without copying them in:
 * for records written whole and at once. The caller marks each record
 * before, with obuf_mark_past of the bytes of the pieces up to its end.
 * Returns 0; -1 on a write error (errno set): then what was written
 * before it is counted in out, the buffer keeps what it did not write,
 * and the pieces not written are lost (the caller exits).
 */
void obuf_mark_past(struct obuf *b, size_t n);
int obuf_writev(struct obuf *b, struct iovec *v, int cnt);

/* obuf_record: obuf_write of the cnt pieces of one record, then
 * obuf_mark. Returns 0, -1 on a write error. */
int obuf_record(struct obuf *b, const struct iovec *v, int cnt);
unsigned long long obuf_unread(const struct obuf *b, unsigned long long inpipe,
    int *atleast);

/* obuf_gone: after EPIPE on b's pipe (or its POLLERR): "PROG: unable to
 * write output: its reader is gone; lost=N records it did not read", and
 * exit 111. */
void obuf_gone(const struct obuf *b) __attribute__((noreturn));

/* obuf_fail: after a write error on b: obuf_gone when its reader went
 * away (EPIPE), else "PROG: unable to write output: ERROR", exit 111. */
void obuf_fail(const struct obuf *b) __attribute__((noreturn));

void obuf_free(struct obuf *b);

#endif
