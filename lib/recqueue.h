/* recqueue.h: a bounded queue of whole records, written without blocking. */
#ifndef RECQUEUE_H
#define RECQUEUE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

/*
 * Record bytes live in a ring of cap bytes, their lengths in a second
 * ring, so a stream consumer is written straight from the ring (writev of
 * at most two pieces) and a datagram consumer record by record. headoff
 * bytes of the head record have been written: it can no longer be
 * dropped, only finished.
 */
struct recqueue {
	unsigned char *buf;
	size_t cap, head, used;
	uint32_t *lens;
	size_t lcap, lhead, count;
	size_t headoff;
};

/* recqueue_init: an empty queue of cap bytes (allocated as records arrive). */
void recqueue_init(struct recqueue *q, size_t cap);

/* recqueue_room: 1 if a record of n bytes fits now. */
int recqueue_room(const struct recqueue *q, size_t n);

/* recqueue_push: append one record made of v[0..cnt). Returns 0, or -1 when it
 * does not fit (or memory is short): nothing is queued then. */
int recqueue_push(struct recqueue *q, const struct iovec *v, int cnt);

/* recqueue_drop_oldest: drop the oldest record not yet started. Returns 1, or
 * 0 when there is none. */
int recqueue_drop_oldest(struct recqueue *q);

/*
 * recqueue_write: write queued bytes to the stream fd without blocking (fd is
 * O_NONBLOCK). Returns the whole records completed, with *err 0; or -1
 * with *err the errno (EAGAIN is not an error: 0 records, *err 0).
 */
long recqueue_write(struct recqueue *q, int fd, int *err);

/* recqueue_head: the oldest record as one or two pieces in v; returns the
 * count of pieces, 0 when the queue is empty. */
int recqueue_head(const struct recqueue *q, struct iovec v[2]);

/* recqueue_pop: remove the oldest record. */
void recqueue_pop(struct recqueue *q);

/* recqueue_restart: forget how much of the head record was written (a new
 * connection starts at a record boundary): that record is dropped if it
 * was started. Returns 1 if one was dropped. */
int recqueue_restart(struct recqueue *q);

/* recqueue_clear: drop everything. Returns the records dropped. */
size_t recqueue_clear(struct recqueue *q);

#endif
