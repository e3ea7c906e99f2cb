/* rq.h: a bounded queue of whole records, written without blocking. */
#ifndef RQ_H
#define RQ_H

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
struct rq {
	unsigned char *buf;
	size_t cap, head, used;
	uint32_t *lens;
	size_t lcap, lhead, count;
	size_t headoff;
};

/* rq_init: an empty queue of cap bytes (allocated as records arrive).
 * Returns 0. */
int rq_init(struct rq *q, size_t cap);

/* rq_room: 1 if a record of n bytes fits now. */
int rq_room(const struct rq *q, size_t n);

/* rq_push: append one record made of v[0..cnt). Returns 0, or -1 when it
 * does not fit (or memory is short): nothing is queued then. */
int rq_push(struct rq *q, const struct iovec *v, int cnt);

/* rq_drop_oldest: drop the oldest record not yet started. Returns 1, or
 * 0 when there is none. */
int rq_drop_oldest(struct rq *q);

/*
 * rq_write: write queued bytes to the stream fd without blocking (fd is
 * O_NONBLOCK). Returns the whole records completed, with *err 0; or -1
 * with *err the errno (EAGAIN is not an error: 0 records, *err 0).
 */
long rq_write(struct rq *q, int fd, int *err);

/* rq_head: the oldest record as one or two pieces in v; returns the
 * count of pieces, 0 when the queue is empty. */
int rq_head(const struct rq *q, struct iovec v[2]);

/* rq_pop: remove the oldest record. */
void rq_pop(struct rq *q);

/* rq_restart: forget how much of the head record was written (a new
 * connection starts at a record boundary): that record is dropped if it
 * was started. Returns 1 if one was dropped. */
int rq_restart(struct rq *q);

/* rq_clear: drop everything. Returns the records dropped. */
size_t rq_clear(struct rq *q);

void rq_free(struct rq *q);

#endif
