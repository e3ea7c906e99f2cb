/* udprx.c: receive datagrams in batches, each with its metadata; a
 * UDP_GRO train split back into its datagrams. */
#include <sys/time.h>
#include <netinet/udp.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "udprx.h"
#include "udpsock.h"

int
udprx_init(struct udprx *x, int fd, int inherited)
{
	socklen_t len = sizeof x->local;
	int i;

	memset(x, 0, sizeof *x);
	x->fd = fd;
	if (getsockname(fd, (struct sockaddr *)&x->local, &len) == -1)
		return -1;
	if ((x->slots = malloc((size_t)UDPRX_BATCH * UDPRX_SLOT)) == NULL)
		return -1;
	/* an inherited socket's earlier drops are not ours to report; a
	 * socket we bound has dropped nothing that was not ours */
	x->drops0 = inherited ? udpsock_drops(fd) : 0;
	if (x->drops0 < 0)
		x->drops0 = 0;
	for (i = 0; i < UDPRX_BATCH; i++) {
		x->iov[i].iov_base = x->slots + (size_t)i * UDPRX_SLOT;
		x->iov[i].iov_len = UDPRX_SLOT;
	}
	return 0;
}

int
udprx_batch(struct udprx *x, unsigned vlen)
{
	unsigned i;
	int n;

	for (i = 0; i < vlen; i++) {
		struct msghdr *h = &x->msg[i].msg_hdr;

		h->msg_name = &x->from[i];
		h->msg_namelen = sizeof x->from[i];
		h->msg_iov = &x->iov[i];
		h->msg_iovlen = 1;
		h->msg_control = x->ctl[i].buf;
		h->msg_controllen = sizeof x->ctl[i].buf;
		h->msg_flags = 0;
	}
	n = recvmmsg(x->fd, x->msg, vlen, MSG_DONTWAIT, NULL);
	if (n >= 0)
		return n;
	/* an ICMP error queued on the socket is no reason to stop */
	if (errno == EAGAIN || errno == EINTR || errno == ECONNREFUSED ||
	    errno == EHOSTUNREACH || errno == ENETUNREACH)
		return 0;
	return -1;
}

int
udprx_pull(struct udprx *x, unsigned vlen, uint64_t max, struct recout *w)
{
	struct udpmeta m;
	uint64_t took;
	size_t seg;
	int i, n;

	if ((n = udprx_batch(x, vlen)) == -1)
		return -1;
	for (i = 0; i < n && (max == 0 || x->received < max); i++) {
		seg = udprx_meta(x, i, &m);
		if (recout_train(w, &m, x->iov[i].iov_base, x->msg[i].msg_len,
		    seg, max ? max - x->received : 0, &took) == -1) {
			x->received += took;
			return -2;
		}
		x->received += took;
		x->trains += took > 1;
	}
	return n;
}

/* An IPv4-mapped IPv6 address is an IPv4 peer on a dual-stack socket. */
static void
ip_from_sa(const struct sockaddr_storage *ss, int *af, unsigned char *ip,
    uint16_t *port)
{
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;

	if (ss->ss_family == AF_INET) {
		*af = AF_INET;
		memcpy(ip, &s4->sin_addr, 4);
		*port = ntohs(s4->sin_port);
	} else if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
		*af = AF_INET;
		memcpy(ip, s6->sin6_addr.s6_addr + 12, 4);
		*port = ntohs(s6->sin6_port);
	} else {
		*af = AF_INET6;
		memcpy(ip, &s6->sin6_addr, 16);
		*port = ntohs(s6->sin6_port);
	}
}

/* pktinfo: the destination from IP_PKTINFO / IPV6_PKTINFO. 1 if found. */
static int
pktinfo(const struct cmsghdr *c, struct udpmeta *m)
{
	struct in6_pktinfo p6;
	struct in_pktinfo p4;

	if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO &&
	    m->af == AF_INET) {
		memcpy(&p4, CMSG_DATA(c), sizeof p4);
		memcpy(m->dst, &p4.ipi_addr, 4);
		return 1;
	}
	if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
		memcpy(&p6, CMSG_DATA(c), sizeof p6);
		if (m->af == AF_INET6)
			memcpy(m->dst, &p6.ipi6_addr, 16);
		else if (IN6_IS_ADDR_V4MAPPED(&p6.ipi6_addr))
			memcpy(m->dst, p6.ipi6_addr.s6_addr + 12, 4);
		else
			return 0;
		return 1;
	}
	return 0;
}

/* cmsg_int: the int a control message carries (UDP_GRO's segment size). */
static int
cmsg_int(const struct cmsghdr *c)
{
	int v;

	memcpy(&v, CMSG_DATA(c), sizeof v);
	return v;
}

size_t
udprx_meta(struct udprx *x, int i, struct udpmeta *m)
{
	struct msghdr *h = &x->msg[i].msg_hdr;
	struct cmsghdr *c;
	struct timeval tv;
	int laf, found = 0, seg = 0;

	memset(m, 0, sizeof *m);
	ip_from_sa(&x->from[i], &m->af, m->src, &m->sport);
	/* the bound address, until IP_PKTINFO says better */
	ip_from_sa(&x->local, &laf, m->dst, &m->dport);
	if (laf != m->af)
		memset(m->dst, 0, sizeof m->dst);
	for (c = CMSG_FIRSTHDR(h); c != NULL; c = CMSG_NXTHDR(h, c)) {
		if (c->cmsg_level == SOL_SOCKET &&
		    c->cmsg_type == SCM_TIMESTAMPNS)
			memcpy(&m->ts, CMSG_DATA(c), sizeof m->ts);
		else if (c->cmsg_level == SOL_SOCKET &&
		    c->cmsg_type == SCM_TIMESTAMP) {
			memcpy(&tv, CMSG_DATA(c), sizeof tv);
			m->ts.tv_sec = tv.tv_sec;
			m->ts.tv_nsec = (long)tv.tv_usec * 1000;
		} else if (c->cmsg_level == SOL_SOCKET &&
		    c->cmsg_type == SO_RXQ_OVFL)
			memcpy(&x->ovfl, CMSG_DATA(c), sizeof x->ovfl);
		else if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO)
			seg = cmsg_int(c);
		else if (!found)
			found = pktinfo(c, m);
	}
	if (m->ts.tv_sec == 0 && m->ts.tv_nsec == 0)
		clock_gettime(CLOCK_REALTIME, &m->ts);
	return seg > 0 ? (size_t)seg : 0;
}

long long
udprx_dropped(const struct udprx *x)
{
	long long d = udpsock_drops(x->fd);

	if (d < (long long)x->ovfl)
		d = x->ovfl;
	return d > x->drops0 ? d - x->drops0 : 0;
}

void
udprx_free(struct udprx *x)
{
	free(x->slots);
	x->slots = NULL;
}
