/* pcapw.c: write the record stream: nanosecond pcap, link type RAW. */
#include <sys/socket.h>

#include <stdint.h>
#include <string.h>

#include "pcapw.h"
#include "put.h"

#define IP4_HDRLEN	20
#define IP6_HDRLEN	40
#define UDP_HDRLEN	8
#define IP_MAXLEN	65535

/* Fields of the file and record headers are in the writer's own byte
 * order (readers tell it by the magic); memcpy of the integer is exactly
 * that, without assuming anything about alignment of out. */
static void
put_ne16(unsigned char *p, uint16_t v)
{
	memcpy(p, &v, sizeof v);
}

static void
put_ne32(unsigned char *p, uint32_t v)
{
	memcpy(p, &v, sizeof v);
}

size_t
pcapw_filehdr(unsigned char *out, uint32_t linktype)
{
	put_ne32(out, PCAP_MAGIC_NS);
	put_ne16(out + 4, 2);		/* version 2.4 */
	put_ne16(out + 6, 4);
	put_ne32(out + 8, 0);		/* thiszone: timestamps are UTC */
	put_ne32(out + 12, 0);		/* sigfigs */
	put_ne32(out + 16, PCAPW_SNAPLEN);
	put_ne32(out + 20, linktype);
	return PCAP_FILEHDR_LEN;
}

/* ip4_cksum: the Internet checksum (RFC 1071) of a 20-byte header whose
 * checksum field is still zero. */
static uint16_t
ip4_cksum(const unsigned char *h)
{
	uint32_t sum = 0;
	int i;

	for (i = 0; i < IP4_HDRLEN; i += 2)
		sum += (uint32_t)(h[i] << 8 | h[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* A length field is 16 bits: a datagram too large for it (which no UDP
 * socket delivers) gets 65535 there rather than a wrapped value, and the
 * record still holds all of it. */
static uint16_t
len16(size_t n)
{
	return n > IP_MAXLEN ? IP_MAXLEN : (uint16_t)n;
}

static size_t
put_ip4(unsigned char *p, const struct udpmeta *m, size_t paylen)
{
	memset(p, 0, IP4_HDRLEN);
	p[0] = 0x45;			/* version 4, IHL 5 */
	put_be16(p + 2, len16(IP4_HDRLEN + UDP_HDRLEN + paylen));
	/* identification 0, flags and fragment offset 0: DF clear */
	p[8] = 64;			/* TTL */
	p[9] = 17;			/* UDP */
	memcpy(p + 12, m->src, 4);
	memcpy(p + 16, m->dst, 4);
	put_be16(p + 10, ip4_cksum(p));
	return IP4_HDRLEN;
}

static size_t
put_ip6(unsigned char *p, const struct udpmeta *m, size_t paylen)
{
	memset(p, 0, IP6_HDRLEN);
	p[0] = 0x60;			/* version 6, class 0, flow 0 */
	put_be16(p + 4, len16(UDP_HDRLEN + paylen));
	p[6] = 17;			/* next header: UDP */
	p[7] = 64;			/* hop limit */
	memcpy(p + 8, m->src, 16);
	memcpy(p + 24, m->dst, 16);
	return IP6_HDRLEN;
}

size_t
pcapw_udp(unsigned char *out, const struct udpmeta *m, size_t paylen)
{
	unsigned char *p = out + PCAP_RECHDR_LEN;
	size_t iplen;

	if (m->af == AF_INET6)
		iplen = put_ip6(p, m, paylen);
	else
		iplen = put_ip4(p, m, paylen);
	p += iplen;
	put_be16(p, m->sport);
	put_be16(p + 2, m->dport);
	put_be16(p + 4, len16(UDP_HDRLEN + paylen));
	put_be16(p + 6, 0);		/* checksum not computed */

	pcapw_rechdr(out, m->ts.tv_sec, (uint32_t)m->ts.tv_nsec,
	    (uint32_t)(iplen + UDP_HDRLEN + paylen),
	    (uint32_t)(iplen + UDP_HDRLEN + paylen));
	return PCAP_RECHDR_LEN + iplen + UDP_HDRLEN;
}

size_t
pcapw_rechdr(unsigned char *out, int64_t sec, uint32_t nsec, uint32_t caplen,
    uint32_t origlen)
{
	/* The seconds field is 32 bits, unsigned by convention: good
	 * until 2106. */
	put_ne32(out, (uint32_t)sec);
	put_ne32(out + 4, nsec);
	put_ne32(out + 8, caplen);
	put_ne32(out + 12, origlen);
	return PCAP_RECHDR_LEN;
}

/* sum16: add the bytes of p as big-endian 16-bit words (RFC 1071),
 * an odd last byte padded with zero. */
static uint64_t
sum16(uint64_t sum, const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

void
pcapw_cksum6(unsigned char *rec, size_t paylen)
{
	unsigned char *ip = rec + PCAP_RECHDR_LEN;
	unsigned char *udp = ip + IP6_HDRLEN;
	size_t ulen = UDP_HDRLEN + paylen;
	uint64_t sum;

	/* pseudo-header: source, destination, length, next header */
	sum = sum16(0, ip + 8, 32);
	sum += (uint32_t)(ulen >> 16) + (uint32_t)(ulen & 0xffff) + 17;
	put_be16(udp + 6, 0);
	sum = sum16(sum, udp, ulen);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	/* 0 means "no checksum", which IPv6 forbids: RFC 8200 sends 0xffff */
	put_be16(udp + 6, sum == 0 ? 0xffff : (uint16_t)sum);
}
