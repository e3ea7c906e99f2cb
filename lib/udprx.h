/* udprx.h: receive datagrams in batches, each with its metadata. */
#ifndef UDPRX_H
#define UDPRX_H

#include <sys/socket.h>
#include <netinet/in.h>
#include <stdint.h>

#include "pcapw.h"
#include "recout.h"

#define UDPRX_BATCH	32	/* datagrams per recvmmsg */
#define UDPRX_SLOT	65536	/* bytes per datagram: none is ever cut */

struct udprx {
	struct mmsghdr msg[UDPRX_BATCH];
	struct iovec iov[UDPRX_BATCH];
	struct sockaddr_storage from[UDPRX_BATCH];
	union {
		char buf[CMSG_SPACE(sizeof(struct timespec)) +
		    CMSG_SPACE(sizeof(uint32_t)) +
		    CMSG_SPACE(sizeof(struct in6_pktinfo)) +
		    CMSG_SPACE(sizeof(struct in_pktinfo))];
		struct cmsghdr align;
	} ctl[UDPRX_BATCH];
	unsigned char *slots;	/* touched only as far as datagrams reach */
	struct sockaddr_storage local;
	uint32_t ovfl;		/* last SO_RXQ_OVFL: the socket's drop count */
	long long drops0;	/* the drop count at udprx_init */
	uint64_t received;	/* datagrams udprx_pull took */
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
 * udprx_pull: one udprx_batch of up to vlen datagrams, each counted in
 * x->received and written to w with its metadata (recout_udp). Returns
 * how many arrived, -1 on a receive error, -2 when a write failed
 * (errno set).
 */
int udprx_pull(struct udprx *x, unsigned vlen, struct recout *w);

/* udprx_meta: the metadata of datagram i of the last batch: sender,
 * the address it was sent to, kernel receive time. */
void udprx_meta(struct udprx *x, int i, struct udpmeta *m);

/* udprx_dropped: datagrams the kernel dropped on the socket (since
 * udprx_init when inherited; SO_MEMINFO, or the last SO_RXQ_OVFL when
 * larger). */
long long udprx_dropped(const struct udprx *x);

void udprx_free(struct udprx *x);

#endif
