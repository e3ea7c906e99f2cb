/*
 * recvmmsg-bare: the benchmark's ceiling for a socket receiver. The least
 * a receiver that keeps datagrams whole can do: recvmmsg into 64 KiB slots
 * in batches of 32, one writev of the payloads per batch, with the same
 * receive buffer udp-recv asks for by default, and its drops counted.
 *
 * usage: recvmmsg-bare [-c COUNT] [-o FILE] [-R BYTES] [-T IDLEMS] ADDR:PORT
 *
 * Exits after COUNT datagrams, after IDLEMS without one, or on INT/TERM
 * (after reading what the kernel already queued), and prints to stderr
 *   recvmmsg-bare: received=N written=N dropped=N
 * (the format of udp-recv's counters). Standalone on purpose (no lib/).
 */
#include <arpa/inet.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "num.h"

#define BATCH 32
#define SLOT 65536

static volatile sig_atomic_t stop;

struct bare {
	int fd, out;
	unsigned long long limit, received, written;
	uint32_t ovfl;			/* last SO_RXQ_OVFL value seen */
	struct mmsghdr msgs[BATCH];
	struct iovec riov[BATCH], wiov[BATCH];
	unsigned char ctl[BATCH][CMSG_SPACE(sizeof(uint32_t))];
	unsigned char *slots;
};

static void
usage(void)
{
	fprintf(stderr, "usage: recvmmsg-bare [-c COUNT] [-o FILE] [-R BYTES] "
	    "[-T IDLEMS] ADDR:PORT\n");
	exit(100);
}

static void
onsig(int sig)
{
	(void)sig;
	stop = 1;
}

/*
 * Bind, with the receive buffer udp-recv asks for by default: FORCE passes
 * net.core.rmem_max when privileged, plain SO_RCVBUF is clamped to it.
 */
static void
bare_open(struct bare *b, const char *addr, int rcvbuf)
{
	struct addr a;
	struct sockaddr_storage ss;
	socklen_t len;
	int on = 1, got = 0;
	socklen_t gl = sizeof got;

	addr_arg("address", addr, &a);
	ss = a.ss;
	len = a.len;

	b->fd = socket(ss.ss_family, SOCK_DGRAM, 0);
	if (b->fd == -1)
		err(111, "unable to create socket");
	if (setsockopt(b->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
	    sizeof rcvbuf) == -1 &&
	    setsockopt(b->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
	    sizeof rcvbuf) == -1)
		err(111, "unable to set receive buffer");
	if (setsockopt(b->fd, SOL_SOCKET, SO_RXQ_OVFL, &on, sizeof on) == -1)
		err(111, "unable to enable SO_RXQ_OVFL");
	if (bind(b->fd, (struct sockaddr *)&ss, len) == -1)
		err(111, "unable to bind %s", addr);
	if (getsockopt(b->fd, SOL_SOCKET, SO_RCVBUF, &got, &gl) == -1)
		err(111, "unable to read receive buffer");
	fprintf(stderr, "recvmmsg-bare: bound %s rcvbuf=%d\n", addr, got);
}

static void
bare_init(struct bare *b)
{
	int i;

	/* Untouched slot pages stay unmapped: small datagrams cost a page. */
	b->slots = malloc((size_t)BATCH * SLOT);
	if (b->slots == NULL)
		err(111, "unable to allocate buffers");
	for (i = 0; i < BATCH; i++) {
		b->riov[i].iov_base = b->slots + (size_t)i * SLOT;
		b->riov[i].iov_len = SLOT;
		b->msgs[i].msg_hdr.msg_iov = &b->riov[i];
		b->msgs[i].msg_hdr.msg_iovlen = 1;
		b->msgs[i].msg_hdr.msg_control = b->ctl[i];
	}
}

/* Write all iovcnt buffers, resuming after short writes. */
static void
writeall(int fd, struct iovec *iov, int iovcnt)
{
	ssize_t w;

	while (iovcnt > 0) {
		w = writev(fd, iov, iovcnt);
		if (w == -1) {
			if (errno == EINTR)
				continue;
			err(111, "unable to write output");
		}
		while (iovcnt > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			iovcnt--;
		}
		if (iovcnt > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
}

/*
 * Read one batch (flags: MSG_WAITFORONE, or MSG_DONTWAIT to drain) and
 * write it. Returns the number of datagrams, 0 when none was queued.
 */
static int
bare_batch(struct bare *b, int flags)
{
	struct cmsghdr *cm;
	unsigned vlen = BATCH;
	int i, n;

	if (b->limit - b->received < vlen)
		vlen = (unsigned)(b->limit - b->received);
	for (i = 0; i < (int)vlen; i++)
		b->msgs[i].msg_hdr.msg_controllen = sizeof b->ctl[i];
	n = recvmmsg(b->fd, b->msgs, vlen, flags, NULL);
	if (n == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return 0;
		err(111, "unable to receive");
	}
	for (i = 0; i < n; i++) {
		struct msghdr *mh = &b->msgs[i].msg_hdr;

		for (cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm))
			if (cm->cmsg_level == SOL_SOCKET &&
			    cm->cmsg_type == SO_RXQ_OVFL)
				memcpy(&b->ovfl, CMSG_DATA(cm), sizeof b->ovfl);
		b->wiov[i].iov_base = b->riov[i].iov_base;
		b->wiov[i].iov_len = b->msgs[i].msg_len;
	}
	b->received += (unsigned)n;
	writeall(b->out, b->wiov, n);
	b->written += (unsigned)n;
	return n;
}

/* The socket's drop count: SO_MEMINFO also sees drops after the last
 * datagram read, which SO_RXQ_OVFL (carried by datagrams) cannot. */
static unsigned long long
bare_dropped(const struct bare *b)
{
	uint32_t mi[SK_MEMINFO_VARS];
	socklen_t len = sizeof mi;

	if (getsockopt(b->fd, SOL_SOCKET, SO_MEMINFO, mi, &len) == -1 ||
	    len < (SK_MEMINFO_DROPS + 1) * sizeof mi[0] ||
	    mi[SK_MEMINFO_DROPS] < b->ovfl)
		return b->ovfl;
	return mi[SK_MEMINFO_DROPS];
}

int
main(int argc, char *argv[])
{
	static struct bare b;
	struct sigaction sa;
	struct pollfd pfd;
	const char *file = NULL;
	int c, idle = -1, rcvbuf = 4 << 20, r;

	b.limit = LLONG_MAX;
	while ((c = getopt(argc, argv, "c:o:R:T:")) != -1) {
		switch (c) {
		case 'c': b.limit = num_arg("count", optarg, 1, LLONG_MAX); break;
		case 'o': file = optarg; break;
		case 'R': rcvbuf = (int)num_arg("size", optarg, 1, INT_MAX / 2);
			break;
		case 'T': idle = (int)num_arg("idle", optarg, 1, INT_MAX); break;
		default: usage();
		}
	}
	if (optind != argc - 1)
		usage();

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = onsig;	/* no SA_RESTART: poll must return */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	b.out = STDOUT_FILENO;
	if (file != NULL &&
	    (b.out = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0666)) == -1)
		err(111, "unable to open %s", file);
	bare_init(&b);
	bare_open(&b, argv[optind], rcvbuf);
	pfd.fd = b.fd;
	pfd.events = POLLIN;
	while (!stop && b.received < b.limit) {
		r = poll(&pfd, 1, idle);
		if (r == 0)
			break;
		if (r == -1) {
			if (errno == EINTR)
				continue;
			err(111, "unable to poll");
		}
		bare_batch(&b, MSG_WAITFORONE);
	}
	/* Stopped by a signal: what the kernel queued is still ours. */
	while (stop && b.received < b.limit && bare_batch(&b, MSG_DONTWAIT) > 0)
		;
	if (b.out != STDOUT_FILENO && close(b.out) == -1)
		err(111, "unable to close %s", file);
	fprintf(stderr, "recvmmsg-bare: received=%llu written=%llu "
	    "dropped=%llu\n", b.received, b.written, bare_dropped(&b));
	return 0;
}
