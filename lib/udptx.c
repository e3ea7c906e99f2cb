/* udptx.c: a batch of datagrams sent by sendmmsg, and what became of
 * each one. */
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/udp.h>

#include <err.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "pace.h"
#include "sockfd.h"
#include "synth.h"
#include "udptx.h"

int
udptx_init(struct udptx *t, int fd, int paced, int synth, int fatal)
{
	memset(t, 0, sizeof *t);
	t->fd = fd;
	t->paced = paced;
	t->synth = synth;
	t->fatal = fatal;
	if ((t->arena = malloc(UDPTX_ARENA)) == NULL)
		return -1;
	return 0;
}

int
udptx_fits(const struct udptx *t, size_t len)
{
	return t->used + len <= UDPTX_ARENA;
}

unsigned char *
udptx_add(struct udptx *t, size_t len, uint64_t due)
{
	unsigned char *p = t->arena + t->used;

	t->iov[t->n].iov_base = p;
	t->iov[t->n].iov_len = len;
	t->due[t->n] = due;
	t->n++;
	t->used += len;
	return p;
}

int
udptx_refusal(int e)
{
	return e == ECONNREFUSED || e == EHOSTUNREACH || e == ENETUNREACH ||
	    e == EHOSTDOWN || e == ENETDOWN;
}

/* empty: the batch is done with. */
static void
empty(struct udptx *t)
{
	t->n = 0;
	t->i = 0;
	t->used = 0;
	t->tries = 0;
}

/* account: n datagrams from slot i went out, handed over at now; late
 * ones are counted. */
static void
account(struct udptx *t, unsigned i, int n, uint64_t now)
{
	uint64_t d;
	unsigned k;

	t->sent += (uint64_t)n;
	for (k = i; k < i + (unsigned)n; k++)
		t->bytes += t->iov[k].iov_len;
	for (k = i; t->paced && k < i + (unsigned)n; k++) {
		d = t->due[k];
		if (now <= d)
			continue;
		if (now - d > PACE_SLIP)
			t->late++;
		if (now - d > t->maxlate)
			t->maxlate = now - d;
	}
}

/* stamp: the synthetic records get the time they are handed over. */
static void
stamp(struct udptx *t)
{
	uint64_t ns;
	unsigned k;

	if (!t->synth)
		return;
	ns = clock_wall();
	for (k = t->i; k < t->n; k++)
		synth_stamp(t->iov[k].iov_base, ns);
}

/* train: the datagrams from slot a that go as one send: one size (the
 * last may be shorter, not empty), one due time when exact, within the
 * kernel's limits. Returns the slot after the last. */
static unsigned
train(const struct udptx *t, unsigned a)
{
	size_t len = t->iov[a].iov_len, total = len, l;
	unsigned b = a + 1;

	if (!t->gso || len == 0)
		return b;
	while (b < t->n && b - a < UDPTX_SEGS) {
		l = t->iov[b].iov_len;
		if (l > len || l == 0 || total + l > UDPTX_TRAIN ||
		    (t->exact && t->due[b] != t->due[a]))
			break;
		total += l;
		b++;
		if (l < len)
			break;	/* a shorter one ends the train */
	}
	return b;
}

/* build: the messages for what is left of the batch, a train each
 * (UDP_SEGMENT with the size of its first datagram) or one datagram
 * each. Returns how many. */
static unsigned
build(struct udptx *t)
{
	struct msghdr *h;
	struct cmsghdr *c;
	uint16_t seg;
	unsigned a, b, k;

	for (k = 0, a = t->i; a < t->n; k++, a = b) {
		b = train(t, a);
		t->first[k] = a;
		h = &t->msg[k].msg_hdr;
		memset(h, 0, sizeof *h);
		h->msg_iov = &t->iov[a];
		h->msg_iovlen = b - a;
		if (b - a == 1)
			continue;
		h->msg_control = t->ctl[k].buf;
		h->msg_controllen = sizeof t->ctl[k].buf;
		c = CMSG_FIRSTHDR(h);
		c->cmsg_level = SOL_UDP;
		c->cmsg_type = UDP_SEGMENT;
		c->cmsg_len = CMSG_LEN(sizeof seg);
		seg = (uint16_t)t->iov[a].iov_len;
		memcpy(CMSG_DATA(c), &seg, sizeof seg);
	}
	t->first[k] = a;
	return k;
}

/* refused_gso: message 0, a train, failed with e: the kernel or the path
 * does not take trains. Then they are off for good, said under -v, and
 * its datagrams go again one by one: nothing is lost. */
static int
refused_gso(struct udptx *t, int e)
{
	if (t->first[1] - t->first[0] < 2)
		return 0;
	if (e != EIO && e != EINVAL && e != ENOPROTOOPT && e != EMSGSIZE)
		return 0;
	t->gso = 0;
	if (t->verbose) {
		errno = e;
		warn("UDP_SEGMENT refused: sending one datagram at a time");
	}
	return 1;
}

/* failed: a sendmmsg that sent nothing failed with e on slot i. Returns
 * how many slots to move past (0: send slot i again), -1 when e is for
 * the caller. */
static int
failed(struct udptx *t, int e)
{
	if (e == EINTR)
		return 0;
	if (udptx_refusal(e)) {
		if (t->fatal)
			return -1;
		if (t->tries++ == 0) {
			t->refused++;
			return 0;
		}
		t->tries = 0;
		return 1;
	}
	if (e == EMSGSIZE) {
		errno = e;
		warn("skipped a datagram of %zu bytes", t->iov[t->i].iov_len);
		t->skipped++;
		return 1;
	}
	return -1;
}

int
udptx_send(struct udptx *t)
{
	uint64_t now;
	unsigned m, k;
	int n, e;

	while (t->i < t->n) {
		stamp(t);
		m = build(t);
		now = t->paced ? clock_mono() : 0;
		n = sendmmsg(t->fd, t->msg, m, 0);
		if (n > 0) {
			k = t->first[n];
			for (m = 0; m < (unsigned)n; m++)
				t->trains += t->first[m + 1] - t->first[m] > 1;
			account(t, t->i, (int)(k - t->i), now);
			t->i = k;
			t->tries = 0;
			continue;
		}
		e = errno;
		if (refused_gso(t, e))
			continue;
		if ((n = failed(t, e)) == -1)
			return e;
		t->i += (unsigned)n;
	}
	empty(t);
	return 0;
}

int
udptx_flush(struct udptx *t, int sigfd)
{
	struct pollfd pfd[2] = { { sigfd, POLLIN, 0 }, { -1, POLLOUT, 0 } };
	struct timespec ts = { 0, (long)UDPTX_RETRY_NS };
	int e;

	if ((e = udptx_send(t)) == 0)
		return 0;
	if ((e != EAGAIN && e != ENOBUFS) || (e == ENOBUFS && t->fatal))
		return e;
	if (t->giveup && clock_mono() > t->giveup) {
		udptx_abandon(t);
		return 0;
	}
	t->retried++;
	pfd[1].fd = e == EAGAIN ? t->fd : -1;
	if (ppoll(pfd, 2, &ts, NULL) == -1 && errno != EINTR)
		err(111, "unable to wait for the socket");
	return UDPTX_WAITED;
}

int
udptx_pending(struct udptx *t)
{
	int e = sockfd_error(t->fd);

	if (!udptx_refusal(e))
		return 0;
	if (t->fatal)
		return e;
	t->refused++;
	return 0;
}

void
udptx_abandon(struct udptx *t)
{
	t->abandoned += t->n - t->i;
	empty(t);
}

void
udptx_free(struct udptx *t)
{
	free(t->arena);
	t->arena = NULL;
}
