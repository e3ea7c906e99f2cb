/* udptx.h: a batch of datagrams sent by sendmmsg on a connected UDP
 * socket, and what became of each one. */
#ifndef UDPTX_H
#define UDPTX_H

#include <sys/socket.h>
#include <sys/uio.h>
#include <stddef.h>
#include <stdint.h>

#define UDPTX_MAX	1024		/* UIO_MAXIOV: sendmmsg's limit */
#define UDPTX_ARENA	(1u << 20)	/* payload bytes a batch holds */
#define UDPTX_SEGS	64		/* UDP_MAX_SEGMENTS: a train's limit */
#define UDPTX_TRAIN	65507		/* and its payload: one IPv4 datagram's */

/* The control message that makes one send a train (UDP_SEGMENT). */
union udptx_ctl {
	char buf[CMSG_SPACE(sizeof(uint16_t))];
	struct cmsghdr align;
};

/*
 * A batch: datagrams copied out of the reader, sent by one sendmmsg.
 * With gso, a run of datagrams of one size (the last may be shorter) is
 * one message of the sendmmsg, a train the kernel cuts into datagrams
 * (UDP_SEGMENT): one trip through the stack for up to UDPTX_SEGS.
 */
struct udptx {
	struct mmsghdr msg[UDPTX_MAX];	/* the messages of the next send */
	unsigned first[UDPTX_MAX + 1];	/* msg[k]: datagrams first[k].. */
	union udptx_ctl ctl[UDPTX_MAX];
	struct iovec iov[UDPTX_MAX];	/* one a datagram */
	uint64_t due[UDPTX_MAX];	/* 0: not paced */
	unsigned n;			/* datagrams in the batch */
	unsigned i;			/* the first one not sent yet */
	int tries;			/* refusals of datagram i */
	unsigned char *arena;
	size_t used;
	int fd;
	int paced;	/* count the late ones (due times given) */
	int synth;	/* stamp synthetic records (synth_stamp) */
	int fatal;	/* a refusal is for the caller (udptx_send) */
	int gso;	/* send trains (set after udptx_init; cleared when
			 * the kernel or the path refuses them) */
	int exact;	/* trains only of datagrams due at one time */
	int verbose;	/* say when trains are given up */
	uint64_t giveup;	/* udptx_flush: when retries end (0: never) */
	uint64_t sent, skipped, refused, retried, late, maxlate, abandoned;
	uint64_t bytes;		/* payload bytes of those sent */
	uint64_t trains;	/* sends of more than one datagram (gso) */
};

/* udptx_init: batches for the connected socket fd (or t->fd, set
 * later); paced: count the late ones; synth: stamp synthetic records as
 * they go; fatal: a refusal is for the caller. Returns 0, -1 when out of
 * memory. */
int udptx_init(struct udptx *t, int fd, int paced, int synth, int fatal);

/* udptx_fits: 1 when len more payload bytes fit in the batch, else 0
 * (send it first). */
int udptx_fits(const struct udptx *t, size_t len);

/* udptx_add: a datagram of len bytes (it must fit), due at due (0 when
 * not paced). Returns where its payload is to be copied. */
unsigned char *udptx_add(struct udptx *t, size_t len, uint64_t due);

/*
 * udptx_send: send what is left of the batch. Returns 0 once it is all
 * handled (sent, or skipped and counted: a datagram too large, one
 * refused twice) and the batch is empty. Else an errno: EAGAIN or
 * ENOBUFS when the kernel takes no more now (wait, count the retry, call
 * again, or udptx_abandon), any other: the send failed (with fatal, a
 * refusal). A refusal is an ICMP error about an earlier datagram,
 * reported on this send, which did not go out: that datagram is sent
 * once more, and skipped if refused again. A train the kernel or the
 * path refuses (EIO, EINVAL, ENOPROTOOPT, EMSGSIZE: no checksum offload,
 * a segment over the MTU) is sent again datagram by datagram, and gso
 * is off for the rest of the run.
 */
int udptx_send(struct udptx *t);

/*
 * udptx_flush: udptx_send; when the kernel takes no more (EAGAIN, or
 * ENOBUFS without fatal): past t->giveup (when set: clock_mono), the
 * rest abandoned (udptx_abandon) and 0; else the retry counted and a
 * wait of up to UDPTX_RETRY_NS, woken early by sigfd (the signal
 * self-pipe) and, after EAGAIN, the socket taking more: then
 * UDPTX_WAITED (take the signals, call again). Returns 0 once the batch
 * is handled, else the errno of a failed send (with fatal, a refusal or
 * ENOBUFS). Exits 111 when the wait fails.
 */
#define UDPTX_RETRY_NS	1000000ull	/* the wait before a retry */
#define UDPTX_WAITED	(-1)
int udptx_flush(struct udptx *t, int sigfd);

/* udptx_pending: take a refusal of the last datagrams still pending on
 * the socket, which no send reported: counted, or with fatal returned
 * (its errno) for the caller. Returns 0 or that errno. */
int udptx_pending(struct udptx *t);

/* udptx_abandon: give up the rest of the batch, counted, and empty it. */
void udptx_abandon(struct udptx *t);

/* udptx_refusal: 1 when send error e is the peer's (ICMP) refusal. */
int udptx_refusal(int e);

void udptx_free(struct udptx *t);

#endif
