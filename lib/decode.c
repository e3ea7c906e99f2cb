/* decode.c: find UDP in a captured frame of a known link type. */
#include <sys/socket.h>

#include <stdint.h>
#include <string.h>

#include "decode.h"
#include "extract.h"
#include "pcapw.h"

#define DLT_RAW_BSD	12	/* DLT_RAW as most BSDs number it */
#define DLT_RAW_OBSD	14	/* DLT_RAW on OpenBSD */
#define LINKTYPE_IPV4	228	/* raw IP, one version only */
#define LINKTYPE_IPV6	229

#define ETHERTYPE_IP	0x0800
#define ETHERTYPE_IPV6	0x86dd
#define ETHERTYPE_VLAN	0x8100
#define ETHERTYPE_QINQ	0x88a8
#define ETHERTYPE_QINQ_OLD 0x9100

#define IPPROTO_HOPOPT_	0
#define IPPROTO_UDP_	17
#define IPPROTO_ROUTE_	43
#define IPPROTO_FRAG_	44
#define IPPROTO_DSTOPT_	60

/* what the layer below IP said the packet is */
enum { NET_UNKNOWN, NET_IP4, NET_IP6, NET_SNIFF };

/* decode_udphdr: the UDP header at c, bounded by the IP layer already.
 * Returns 1, or 0 when the header is cut short or its length is
 * impossible (below 8). */
static int
decode_udphdr(struct cursor *c, struct udpinfo *u)
{
	uint16_t ulen;

	if (!cur_be16(c, &u->sport) || !cur_be16(c, &u->dport) ||
	    !cur_be16(c, &ulen) || !cur_skip(c, 2))
		return 0;
	if (ulen < 8)
		return 0;
	u->paylen_orig = ulen - 8u;
	cur_limit(c, u->paylen_orig);
	u->payload = c->p;
	u->paylen = (uint32_t)c->n;
	return 1;
}

/*
 * decode_ip4: an IPv4 packet at c. The payload is bounded by the total
 * length (Ethernet pads short frames) unless that is 0, which is what a
 * capture of a TSO send shows: then by the capture, as tcpdump does.
 * Any fragment sets frag: without reassembly there is no datagram.
 */
static int
decode_ip4(struct cursor *c, struct udpinfo *u)
{
	struct cursor h = *c;
	uint8_t vihl, proto;
	uint16_t tlen, frag;
	size_t hlen;

	if (!cur_u8(&h, &vihl) || !cur_skip(&h, 1) || !cur_be16(&h, &tlen) ||
	    !cur_skip(&h, 2) || !cur_be16(&h, &frag) || !cur_skip(&h, 1) ||
	    !cur_u8(&h, &proto) || !cur_skip(&h, 2) ||
	    !cur_copy(&h, u->src, 4) || !cur_copy(&h, u->dst, 4))
		return 0;
	hlen = (size_t)(vihl & 0x0f) * 4;
	if (vihl >> 4 != 4 || hlen < 20 || (tlen != 0 && tlen < hlen))
		return 0;
	if (frag & 0x3fff) {		/* MF or a fragment offset */
		u->frag = 1;
		return 0;
	}
	if (proto != IPPROTO_UDP_)
		return 0;
	if (tlen != 0)
		cur_limit(c, tlen);
	if (!cur_skip(c, hlen))
		return 0;
	u->af = AF_INET;
	return decode_udphdr(c, u);
}

/*
 * decode_ip6: an IPv6 packet at c, through hop-by-hop, routing and
 * destination options headers to UDP. A fragment header sets frag. A
 * payload length of 0 (a jumbogram, or a TSO send) leaves the capture as
 * the bound. Every extension header is at least 8 bytes, so the loop
 * ends with the capture.
 */
static int
decode_ip6(struct cursor *c, struct udpinfo *u)
{
	uint8_t v, nh, elen;
	uint16_t plen;

	if (!cur_u8(c, &v) || v >> 4 != 6 || !cur_skip(c, 3) ||
	    !cur_be16(c, &plen) || !cur_u8(c, &nh) || !cur_skip(c, 1) ||
	    !cur_copy(c, u->src, 16) || !cur_copy(c, u->dst, 16))
		return 0;
	if (plen != 0)
		cur_limit(c, plen);
	for (;;) {
		switch (nh) {
		case IPPROTO_UDP_:
			u->af = AF_INET6;
			return decode_udphdr(c, u);
		case IPPROTO_FRAG_:
			u->frag = 1;
			return 0;
		case IPPROTO_HOPOPT_:
		case IPPROTO_ROUTE_:
		case IPPROTO_DSTOPT_:
			if (!cur_u8(c, &nh) || !cur_u8(c, &elen) ||
			    !cur_skip(c, (size_t)elen * 8 + 6))
				return 0;
			break;
		default:
			return 0;
		}
	}
}

/* decode_net: IP of the version the link layer announced, or of the
 * version in its first nibble when the link layer says nothing. */
static int
decode_net(int net, struct cursor *c, struct udpinfo *u)
{
	uint8_t v;

	if (net == NET_SNIFF) {
		if (!cur_peek8(c, 0, &v))
			return 0;
		net = v >> 4 == 4 ? NET_IP4 : v >> 4 == 6 ? NET_IP6 :
		    NET_UNKNOWN;
	}
	if (net == NET_IP4)
		return decode_ip4(c, u);
	if (net == NET_IP6)
		return decode_ip6(c, u);
	return 0;
}

/* ethertype_net: skip 802.1Q / 802.1ad tags (stacked to any depth, each
 * 4 bytes: the tag, then the next ethertype) after an ethertype. */
static int
ethertype_net(struct cursor *c, uint16_t et)
{
	while (et == ETHERTYPE_VLAN || et == ETHERTYPE_QINQ ||
	    et == ETHERTYPE_QINQ_OLD) {
		if (!cur_skip(c, 2) || !cur_be16(c, &et))
			return NET_UNKNOWN;
	}
	if (et == ETHERTYPE_IP)
		return NET_IP4;
	if (et == ETHERTYPE_IPV6)
		return NET_IP6;
	return NET_UNKNOWN;
}

/* The address family values NULL and LOOP headers use for IPv6: Linux,
 * NetBSD/OpenBSD, FreeBSD, Darwin. AF_INET is 2 everywhere. */
static int
family_net(uint32_t af)
{
	switch (af) {
	case 2:
		return NET_IP4;
	case 10:
	case 24:
	case 28:
	case 30:
		return NET_IP6;
	}
	return NET_UNKNOWN;
}

/* link_net: skip the link-layer header of c; returns the NET_ kind.
 * Values from pcap_datalink() work too: DLT_ and LINKTYPE_ agree for
 * all of these but DLT_RAW, which is 12 or 14. */
static int
link_net(uint32_t linktype, struct cursor *c)
{
	uint32_t af, afs;
	uint16_t et;
	int net;

	switch (linktype) {
	case LINKTYPE_RAW:
	case DLT_RAW_BSD:
	case DLT_RAW_OBSD:
		return NET_SNIFF;
	case LINKTYPE_IPV4:
		return NET_IP4;
	case LINKTYPE_IPV6:
		return NET_IP6;
	case LINKTYPE_EN10MB:
		if (!cur_skip(c, 12) || !cur_be16(c, &et))
			return NET_UNKNOWN;
		return ethertype_net(c, et);
	case LINKTYPE_LINUX_SLL:
		if (!cur_skip(c, 14) || !cur_be16(c, &et))
			return NET_UNKNOWN;
		return ethertype_net(c, et);
	case LINKTYPE_LINUX_SLL2:
		if (!cur_be16(c, &et) || !cur_skip(c, 18))
			return NET_UNKNOWN;
		return ethertype_net(c, et);
	case LINKTYPE_NULL:
		/* the capturing host's order, which we do not know:
		 * whichever reading is a known family wins */
		if (!cur_le32(c, &af))
			return NET_UNKNOWN;
		afs = (af >> 24) | (af >> 8 & 0xff00) | (af << 8 & 0xff0000) |
		    af << 24;
		net = family_net(af);
		return net != NET_UNKNOWN ? net : family_net(afs);
	case LINKTYPE_LOOP:
		if (!cur_be32(c, &af))
			return NET_UNKNOWN;
		return family_net(af);
	}
	return NET_UNKNOWN;
}

int
decode_udp(uint32_t linktype, const unsigned char *frame, uint32_t caplen,
    struct udpinfo *u)
{
	struct cursor c;
	int net;

	memset(u, 0, sizeof *u);
	cur_init(&c, frame, caplen);
	if ((net = link_net(linktype, &c)) == NET_UNKNOWN)
		return 0;
	if (decode_net(net, &c, u) == 1)
		return 1;
	/* a failed decode leaves nothing half-filled behind but frag */
	net = u->frag;
	memset(u, 0, sizeof *u);
	u->frag = net;
	return 0;
}

void
decode_meta(const struct udpinfo *u, int64_t sec, uint32_t nsec,
    struct udpmeta *m)
{
	memset(m, 0, sizeof *m);
	m->af = u->af;
	memcpy(m->src, u->src, sizeof m->src);
	memcpy(m->dst, u->dst, sizeof m->dst);
	m->sport = u->sport;
	m->dport = u->dport;
	m->ts.tv_sec = (time_t)sec;
	m->ts.tv_nsec = nsec;
}

int
decode_payload(uint32_t linktype, const unsigned char *frame,
    uint32_t caplen, struct iovec *v)
{
	struct udpinfo u;

	if (decode_udp(linktype, frame, caplen, &u) != 1 ||
	    u.paylen != u.paylen_orig)
		return 0;
	v->iov_base = (void *)u.payload;
	v->iov_len = u.paylen;
	return 1;
}
