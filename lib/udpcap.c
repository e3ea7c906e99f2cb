/* udpcap.c: the UDP datagrams of a libpcap capture, written as records. */
#include <err.h>
#include <errno.h>
#include <string.h>

#include "capture.h"
#include "decode.h"
#include "udpcap.h"

void
udpcap_init(struct udpcap *c, pcap_t *p, const char *iface,
    const char *path, struct recout *w, uint64_t count)
{
	memset(c, 0, sizeof *c);
	c->p = p;
	c->iface = iface;
	c->path = path;
	c->linktype = pcapdl.datalink(p);
	c->w = w;
	c->count = count;
}

void
udpcap_open(struct udpcap *c, const char *iface, const char *path,
    size_t bufsize, const char *expr, struct recout *w, uint64_t count)
{
	char msg[PCAP_ERRBUF_SIZE + 128];
	pcap_t *p;
	int status;

	p = capture_open(iface, path, bufsize, expr, msg, sizeof msg,
	    &status);
	if (p == NULL)
		errx(status, "%s", msg);
	if (msg[0] != '\0')
		warnx("%s", msg);
	udpcap_init(c, p, iface, path, w, count);
}

int
udpcap_live(struct udpcap *c)
{
	char msg[PCAP_ERRBUF_SIZE];

	if (pcapdl.setnonblock(c->p, 1, msg) == -1)
		errx(111, "unable to capture on %s: %s", c->iface, msg);
	return pcapdl.get_selectable_fd(c->p);
}

void
udpcap_stats(struct udpcap *c, struct pcap_stat *st)
{
	memset(st, 0, sizeof *st);
	if (c->iface && pcapdl.stats(c->p, st) == -1)
		warnx("unable to read capture statistics: %s",
		    pcapdl.geterr(c->p));
}

long long
udpcap_lost(struct udpcap *c)
{
	struct pcap_stat st;

	if (c->iface == NULL || pcapdl.stats(c->p, &st) == -1)
		return c->damaged;
	return st.ps_drop;
}

/* packet: one packet of the capture, written when it is a datagram. */
static void
packet(unsigned char *user, const struct pcap_pkthdr *ph,
    const unsigned char *bytes)
{
	struct udpcap *c = (struct udpcap *)user;
	struct capture_hdr hdr, *h = &hdr;
	struct udpinfo u;
	struct udpmeta m;

	if (c->wfailed)
		return;
	c->received++;
	capture_hdr(h, ph);
	/* not UDP, or an IPv4 or IPv6 fragment */
	if (decode_udp((uint32_t)c->linktype, bytes, h->caplen, &u) != 1) {
		c->skipped++;
		return;
	}
	/* a datagram is written whole or not at all: cut short by the
	 * capture's snapshot length, or malformed (a UDP length past the
	 * IP packet's) */
	if (u.paylen < u.paylen_orig) {
		if (h->caplen < h->len)
			c->truncated++;
		else
			c->skipped++;
		return;
	}
	/* tv_usec holds nanoseconds: the capture's precision is set so */
	decode_meta(&u, capture_sec(h), (uint32_t)h->usec, &m);
	if (recout_udp(c->w, &m, u.payload, u.paylen) == -1) {
		c->wfailed = 1;
		c->werr = errno;
		pcapdl.breakloop(c->p);
		return;
	}
	if (c->count && c->w->written >= c->count)
		pcapdl.breakloop(c->p);
}

int
udpcap_dispatch(struct udpcap *c, int cnt)
{
	return pcapdl.dispatch(c->p, cnt, packet, (unsigned char *)c);
}

int
udpcap_pull(struct udpcap *c)
{
	int n;

	n = udpcap_dispatch(c, c->path ? 1024 : -1);
	if (c->wfailed) {
		errno = c->werr;
		return -2;
	}
	if (n == PCAP_ERROR) {
		if (recout_flush(c->w) == -1)
			return -2;
		if (c->path == NULL)
			errx(111, "unable to capture on %s: %s", c->iface,
			    pcapdl.geterr(c->p));
		if (capture_error(c->p) == 111)
			errx(111, "unable to read %s: %s", c->path,
			    pcapdl.geterr(c->p));
		warnx("unable to read %s after packet %llu: %s", c->path,
		    (unsigned long long)c->received, pcapdl.geterr(c->p));
		c->damaged = 1;
		return -1;
	}
	if (n == 0 && c->path)
		return -1;
	return n == PCAP_ERROR_BREAK ? 0 : n;
}
