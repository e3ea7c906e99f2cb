/* udprx.h: receive datagrams in batches, each with its metadata. */
#ifndef UDPRX_H
#define UDPRX_H

#include <sys/socket.h>
#include <netinet/in.h>
#include <stdint.h>

#include "pcapw.h"
#include "recout.h"

#define UDPRX_BATCH	32	/* buffers per recvmmsg: datagrams, trains */
#define UDPRX_SLOT	65536	/* bytes per buffer: no datagram is ever cut,
				 * nor a GRO train (UDP GRO and GSO stay
				 * within 64 KiB) */

struct udprx {
	struct mmsghdr msg[UDPRX_BATCH];
	struct iovec iov[UDPRX_BATCH];
	struct sockaddr_storage from[UDPRX_BATCH];
	union {
		char buf[CMSG_SPACE(sizeof(struct timespec)) +
		    CMSG_SPACE(sizeof(uint32_t)) + CMSG_SPACE(sizeof(int)) +
		    CMSG_SPACE(sizeof(struct in6_pktinfo)) +
		    CMSG_SPACE(sizeof(struct in_pktinfo))];
		struct cmsghdr align;
	} ctl[UDPRX_BATCH];
	unsigned char *slots;	/* touched only as far as datagrams reach:
				 * 2 MiB, reached only by trains */
	struct sockaddr_storage local;
	uint32_t ovfl;		/* last SO_RXQ_OVFL: the socket's drop count */
	long long drops0;	/* the drop count at udprx_init */
	uint64_t received;	/* datagrams udprx_pull took */
	uint64_t trains;	/* buffers of more than one of them */
	int fd;
};

/* udprx_init: receive from fd, a UDP socket set up by udpsock_meta;
 * inherited when another process may have used it before (its earlier
 * drops are then not counted). Returns 0, -1 with errno set. */
int udprx_init(struct udprx *x, int fd, int inherited);

/*
 * udprx_batch: one recvmmsg of up to vlen (<= UDPRX_BATCH) datagrams
 * without waiting. Returns how many arrived (0 when none was queued, or
 * the socket reported an ICMP error), -1 on a receive error (errno set).
 * Datagram i is x->iov[i].iov_base, x->msg[i].msg_len bytes.
 */
int udprx_batch(struct udprx *x, unsigned vlen);

/*
 * udprx_pull: one udprx_batch of up to vlen buffers, each split into its
 * datagrams (a UDP_GRO train holds several), and each datagram counted
 * in x->received and written to w with its metadata (recout_train), up
 * to max datagrams in all (0: no bound; the rest of a train past it is
 * not taken). Returns how many buffers arrived, -1 on a receive error,
 * -2 when a write failed (errno set).
 */
int udprx_pull(struct udprx *x, unsigned vlen, uint64_t max,
    struct recout *w);

/* udprx_meta: the metadata of buffer i of the last batch: sender, the
 * address it was sent to, kernel receive time (SO_TIMESTAMPNS, or
 * SO_TIMESTAMP's microseconds, else the time of reading). Returns the
 * UDP_GRO segment size when the buffer is a train of datagrams of that
 * size (the last may be shorter), else 0: one datagram. */
size_t udprx_meta(struct udprx *x, int i, struct udpmeta *m);

long long udprx_dropped(const struct udprx *x);

void udprx_free(struct udprx *x);

#endif
