/* test_pcapw.c: the record writer, read back by pcapr and decode_udp. */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "pcapr.h"
#include "pcapw.h"
#include "tap.h"

static uint16_t
be16(const unsigned char *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
ne32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint16_t
ne16(const unsigned char *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return v;
}

/* the one's complement sum of a header that carries its checksum */
static uint16_t
cksum_fold(const unsigned char *h, size_t n)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += be16(h + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static void
meta4(struct udpmeta *m, const char *src, uint16_t sp, const char *dst,
    uint16_t dp)
{
	memset(m, 0, sizeof *m);
	m->af = AF_INET;
	inet_pton(AF_INET, src, m->src);
	inet_pton(AF_INET, dst, m->dst);
	m->sport = sp;
	m->dport = dp;
	m->ts.tv_sec = 1700000000;
	m->ts.tv_nsec = 123456789;
}

static void
meta6(struct udpmeta *m, const char *src, uint16_t sp, const char *dst,
    uint16_t dp)
{
	memset(m, 0, sizeof *m);
	m->af = AF_INET6;
	inet_pton(AF_INET6, src, m->src);
	inet_pton(AF_INET6, dst, m->dst);
	m->sport = sp;
	m->dport = dp;
	m->ts.tv_sec = 1700000001;
	m->ts.tv_nsec = 999999999;
}

static void
test_filehdr(void)
{
	unsigned char h[PCAP_FILEHDR_LEN + 8];

	memset(h, 0xee, sizeof h);
	is_int(pcapw_filehdr(h, LINKTYPE_RAW), 24, "file header is 24 bytes");
	is_int(h[24], 0xee, "nothing written past 24 bytes");
	is_int(ne32(h), PCAP_MAGIC_NS, "magic: ns, native order");
	is_int(ne16(h + 4), 2, "version major 2");
	is_int(ne16(h + 6), 4, "version minor 4");
	is_int(ne32(h + 8), 0, "thiszone 0");
	is_int(ne32(h + 12), 0, "sigfigs 0");
	is_int(ne32(h + 16), PCAPW_SNAPLEN, "snaplen");
	is_int(ne32(h + 20), LINKTYPE_RAW, "link type RAW");
	pcapw_filehdr(h, LINKTYPE_EN10MB);
	is_int(ne32(h + 20), LINKTYPE_EN10MB, "link type as given");
}

static void
test_ip4(void)
{
	unsigned char b[PCAPW_UDPHDR_MAX + 8], *ip = b + 16, *udp = b + 36;
	struct udpmeta m;
	size_t n;

	meta4(&m, "192.0.2.1", 5001, "198.51.100.7", 53);
	memset(b, 0xee, sizeof b);
	n = pcapw_udp(b, &m, 100);
	is_int(n, 16 + 20 + 8, "IPv4 record: 44 header bytes");
	is_int(b[n], 0xee, "nothing written past them");
	is_int(ne32(b), 1700000000, "ts sec");
	is_int(ne32(b + 4), 123456789, "ts nsec");
	is_int(ne32(b + 8), 128, "caplen = 20 + 8 + 100");
	is_int(ne32(b + 12), 128, "origlen = caplen");
	is_int(ip[0], 0x45, "version 4, IHL 5");
	is_int(ip[1], 0, "TOS 0");
	is_int(be16(ip + 2), 128, "total length");
	is_int(be16(ip + 6), 0, "flags/offset 0: DF clear, not a fragment");
	is_int(ip[8], 64, "TTL 64");
	is_int(ip[9], 17, "protocol UDP");
	is_int(cksum_fold(ip, 20), 0xffff, "IP header checksum verifies");
	ok(be16(ip + 10) != 0, "IP header checksum set");
	ok(memcmp(ip + 12, m.src, 4) == 0, "source address");
	ok(memcmp(ip + 16, m.dst, 4) == 0, "destination address");
	is_int(be16(udp), 5001, "source port big-endian");
	is_int(be16(udp + 2), 53, "destination port big-endian");
	is_int(be16(udp + 4), 108, "UDP length = 8 + 100");
	is_int(be16(udp + 6), 0, "UDP checksum 0");

	/* a checksum that needs the end-around carry */
	meta4(&m, "255.255.255.255", 65535, "255.255.255.254", 65535);
	pcapw_udp(b, &m, 65507);
	is_int(cksum_fold(ip, 20), 0xffff, "checksum of an all-ones header");
	is_int(be16(ip + 2), 65535, "total length of the largest datagram");
}

static void
test_ip6(void)
{
	unsigned char b[PCAPW_UDPHDR_MAX + 8], *ip = b + 16, *udp = b + 56;
	struct udpmeta m;
	size_t n;

	meta6(&m, "2001:db8::1", 40000, "2001:db8::2:1", 9);
	memset(b, 0xee, sizeof b);
	n = pcapw_udp(b, &m, 7);
	is_int(n, PCAPW_UDPHDR_MAX, "IPv6 record: 64 header bytes");
	is_int(b[n], 0xee, "nothing written past them");
	is_int(ne32(b + 8), 40 + 8 + 7, "caplen");
	is_int(ne32(b + 12), 40 + 8 + 7, "origlen");
	is_int(ip[0], 0x60, "version 6, class 0");
	is_int(ip[1] | ip[2] | ip[3], 0, "flow label 0");
	is_int(be16(ip + 4), 15, "payload length = 8 + 7");
	is_int(ip[6], 17, "next header UDP");
	is_int(ip[7], 64, "hop limit 64");
	ok(memcmp(ip + 8, m.src, 16) == 0, "source address");
	ok(memcmp(ip + 24, m.dst, 16) == 0, "destination address");
	is_int(be16(udp), 40000, "source port");
	is_int(be16(udp + 2), 9, "destination port");
	is_int(be16(udp + 4), 15, "UDP length");
	is_int(be16(udp + 6), 0, "UDP checksum 0");

	/* IPv6 needs a real UDP checksum: it must verify over the
	 * pseudo-header, the UDP header and the payload */
	{
		unsigned char v[40 + 8 + 7 + 1];	/* padded to even */

		memcpy(udp + 8, "abcdefg", 7);
		pcapw_cksum6(b, 7);
		ok(be16(udp + 6) != 0, "IPv6 UDP checksum set");
		memcpy(v, ip + 8, 32);
		memset(v + 32, 0, 8);
		v[35] = 15;		/* upper-layer length */
		v[39] = 17;		/* next header */
		memcpy(v + 40, udp, 15);
		v[55] = 0;
		is_int(cksum_fold(v, sizeof v), 0xffff,
		    "IPv6 UDP checksum verifies");
	}
}

/* append one record with a recognizable payload of n bytes */
static size_t
put_rec(unsigned char *p, const struct udpmeta *m, size_t n)
{
	size_t h = pcapw_udp(p, m, n), i;

	for (i = 0; i < n; i++)
		p[h + i] = (unsigned char)(i * 7 + n);
	return h + n;
}

static int
payload_ok(const struct udpinfo *u, size_t n)
{
	size_t i;

	if (u->paylen != n || u->paylen_orig != n)
		return 0;
	for (i = 0; i < n; i++)
		if (u->payload[i] != (unsigned char)(i * 7 + n))
			return 0;
	return 1;
}

static void
check_rec(struct pcapr *r, const struct udpmeta *m, size_t n)
{
	struct pcaprec rec;
	struct udpinfo u;
	size_t alen = m->af == AF_INET ? 4 : 16;

	is_int(pcapr_next(r, &rec), 1, "record with %zu bytes read back", n);
	is_int(rec.sec, m->ts.tv_sec, "  its seconds");
	is_int(rec.nsec, m->ts.tv_nsec, "  its nanoseconds");
	is_int(rec.caplen, (m->af == AF_INET ? 28 : 48) + n, "  its caplen");
	is_int(rec.origlen, rec.caplen, "  its origlen");
	is_int(decode_udp(r->linktype, rec.data, rec.caplen, &u), 1,
	    "  decodes as UDP");
	is_int(u.af, m->af, "  address family");
	ok(memcmp(u.src, m->src, alen) == 0, "  source address");
	ok(memcmp(u.dst, m->dst, alen) == 0, "  destination address");
	is_int(u.sport, m->sport, "  source port");
	is_int(u.dport, m->dport, "  destination port");
	ok(payload_ok(&u, n), "  payload intact (%u of %u bytes)",
	    u.paylen, u.paylen_orig);
	is_int(u.frag, 0, "  not a fragment");
}

static void
test_roundtrip(void)
{
	static const size_t sizes[] = { 0, 1, 1472, 65507 };
	struct udpmeta m4, m6;
	struct pcapr r;
	struct pcaprec rec;
	unsigned char *buf, *p;
	size_t i;

	if ((buf = malloc(24 + 8 * (PCAPW_UDPHDR_MAX + 65527))) == NULL)
		abort();
	meta4(&m4, "10.0.0.1", 1234, "10.0.0.2", 5001);
	meta6(&m6, "::1", 4321, "fe80::1:2:3:4", 5002);
	p = buf + pcapw_filehdr(buf, LINKTYPE_RAW);
	for (i = 0; i < 4; i++) {
		p += put_rec(p, &m4, sizes[i]);
		p += put_rec(p, &m6, sizes[i]);
	}
	p += put_rec(p, &m6, 65527);	/* the largest IPv6 datagram */
	is_int(pcapr_open_mem(&r, buf, (size_t)(p - buf)), 0,
	    "writer output opens");
	is_int(r.linktype, LINKTYPE_RAW, "link type RAW");
	is_int(r.snaplen, PCAPW_SNAPLEN, "snaplen");
	is_int(r.nsec, 1, "nanosecond file");
	is_int(r.swap, 0, "native byte order: nothing to swap");
	for (i = 0; i < 4; i++) {
		check_rec(&r, &m4, sizes[i]);
		check_rec(&r, &m6, sizes[i]);
	}
	check_rec(&r, &m6, 65527);
	is_int(pcapr_next(&r, &rec), 0, "then a clean end");
	pcapr_close(&r);
	free(buf);
}

int
main(void)
{
	test_filehdr();
	test_ip4();
	test_ip6();
	test_roundtrip();
	return tap_done();
}
