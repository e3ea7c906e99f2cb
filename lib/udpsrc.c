/* udpsrc.c: a receiver's datagrams, from its socket or a capture. */
#include <err.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "udpsrc.h"

void
udpsrc_init(struct udpsrc *s, struct recout *w, uint64_t count)
{
	memset(s, 0, sizeof *s);
	s->fd = -1;
	s->w = w;
	s->count = count;
}

/* sock_pull: one recvmmsg, every datagram written (up to the count: a
 * train may hold more than are wanted). */
static int
sock_pull(struct udpsrc *s)
{
	unsigned vlen = UDPRX_BATCH;
	int n;

	if (s->count && s->count - s->rx.received < vlen)
		vlen = (unsigned)(s->count - s->rx.received);
	if ((n = udprx_pull(&s->rx, vlen, s->count, s->w)) == -1)
		err(111, "unable to receive");
	if (n == -2)
		recout_fail(s->w);
	return n;
}

/* A capture file that cannot be read to its end ends the run as its end
 * would, with exit 1, as chanlog and udp-send treat a damaged pcap
 * stream; a read error or a failed live capture exits 111 (udpcap_pull). */
int
udpsrc_pull(struct udpsrc *s)
{
	int n;

	if (s->count && s->w->written >= s->count)
		return -1;
	if (s->cap.p == NULL)
		return sock_pull(s);
	if ((n = udpcap_pull(&s->cap)) == -2)
		recout_fail(s->w);
	return n;
}

int
udpsrc_more(const struct udpsrc *s, int n)
{
	if (s->cap.path != NULL)
		return 1;
	return n > 0 && (s->cap.p != NULL || n == UDPRX_BATCH);
}

void
udpsrc_wait(struct udpsrc *s, int sigfd, uint64_t now, uint64_t due)
{
	struct timespec ts;
	int n;

	if (s->cap.p && due - now > UDPSRC_CAPWAIT_NS)
		due = now + UDPSRC_CAPWAIT_NS;
	ts = clock_ts(due - now);
	if ((n = recout_wait(s->w, s->fd, sigfd,
	    due == UINT64_MAX ? NULL : &ts)) == -1)
		recout_fail(s->w);
	if (n == -2)
		err(111, "unable to wait for datagrams");
}

void
udpsrc_drain(struct udpsrc *s, uint64_t ns)
{
	uint64_t end = clock_mono() + ns;

	if (s->cap.path != NULL)
		return;
	while (udpsrc_pull(s) > 0 && clock_mono() < end)
		;
}

uint64_t
udpsrc_received(const struct udpsrc *s)
{
	return s->cap.p ? s->cap.received : s->rx.received;
}

uint64_t
udpsrc_dropped(struct udpsrc *s, uint64_t *iface)
{
	struct pcap_stat st;

	*iface = 0;
	if (s->cap.p == NULL)
		return (uint64_t)udprx_dropped(&s->rx);
	udpcap_stats(&s->cap, &st);
	*iface = st.ps_ifdrop;
	return st.ps_drop;
}

long long
udpsrc_lost(struct udpsrc *s)
{
	return s->cap.p ? udpcap_lost(&s->cap) : udprx_dropped(&s->rx);
}

void
udpsrc_close(struct udpsrc *s)
{
	if (s->cap.p)
		pcapdl.close(s->cap.p);
	s->cap.p = NULL;
	udprx_free(&s->rx);
}
