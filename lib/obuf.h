/* obuf.h: buffered output to a file descriptor, flushed on demand. */
#ifndef OBUF_H
#define OBUF_H

#include <stddef.h>

struct obuf {
	int fd;
	unsigned char *buf;
	size_t len, cap;
	unsigned long long out;	/* bytes written to fd so far */
};

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

/* writeall: write n bytes to fd the same way. Returns 0 or -1.
 * writesome: the same, and *done is what was written, also on -1. */
int writeall(int fd, const void *p, size_t n);
int writesome(int fd, const void *p, size_t n, size_t *done);

void obuf_free(struct obuf *b);

#endif
