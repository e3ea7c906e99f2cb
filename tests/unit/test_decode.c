/* test_decode.c: decode_udp over every link type, malformed and cut frames. */
#include <sys/socket.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "pcapw.h"
#include "tap.h"

#define PAY	"payload!"	/* 8 bytes */

/* A frame under construction: link header, then the packet. */
struct frame {
	unsigned char b[4096];
	size_t n;
};

static const unsigned char src4[4] = { 192, 0, 2, 1 };
static const unsigned char dst4[4] = { 198, 51, 100, 2 };
static const unsigned char src6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const unsigned char dst6[16] = { 0xfe, 0x80, [14] = 0xab, 0xcd };

static void
put(struct frame *f, const void *p, size_t n)
{
	memcpy(f->b + f->n, p, n);
	f->n += n;
}

static void
put8(struct frame *f, unsigned v)
{
	f->b[f->n++] = (unsigned char)v;
}

static void
put16(struct frame *f, unsigned v)
{
	put8(f, v >> 8 & 0xff);
	put8(f, v & 0xff);
}

static void
put32be(struct frame *f, uint32_t v)
{
	put16(f, v >> 16);
	put16(f, v & 0xffff);
}

static void
put32le(struct frame *f, uint32_t v)
{
	put8(f, v & 0xff);
	put8(f, v >> 8 & 0xff);
	put8(f, v >> 16 & 0xff);
	put8(f, v >> 24);
}

/* the UDP header and payload; ulen 0 means the right length */
static void
put_udp(struct frame *f, size_t paylen, unsigned ulen)
{
	size_t i;

	put16(f, 5353);
	put16(f, 53);
	put16(f, ulen ? ulen : 8 + paylen);
	put16(f, 0xbeef);
	for (i = 0; i < paylen; i++)
		put8(f, PAY[i % 8]);
}

/* IPv4: hlen in 32-bit words, fragment field, total length (0: right) */
static void
put_ip4(struct frame *f, unsigned ihl, unsigned proto, unsigned frag,
    unsigned tlen, size_t paylen)
{
	unsigned i;

	put8(f, 0x40 | ihl);
	put8(f, 0);
	put16(f, tlen ? tlen : ihl * 4 + 8 + paylen);
	put16(f, 0x1234);
	put16(f, frag);
	put8(f, 64);
	put8(f, proto);
	put16(f, 0);
	put(f, src4, 4);
	put(f, dst4, 4);
	for (i = 5; i < ihl; i++)
		put32be(f, 0x01010101);		/* NOP options */
}

static void
put_ip6(struct frame *f, unsigned nh, unsigned plen)
{
	put32be(f, 0x60000000);
	put16(f, plen);
	put8(f, nh);
	put8(f, 64);
	put(f, src6, 16);
	put(f, dst6, 16);
}

/* udp4, udp6: a whole well-formed datagram carrying paylen bytes */
static void
udp4(struct frame *f, size_t paylen)
{
	put_ip4(f, 5, 17, 0, 0, paylen);
	put_udp(f, paylen, 0);
}

static void
udp6(struct frame *f, size_t paylen)
{
	put_ip6(f, 17, (unsigned)(8 + paylen));
	put_udp(f, paylen, 0);
}

static int
payload_is(const struct udpinfo *u, size_t n)
{
	size_t i;

	if (u->paylen != n || (n > 0 && u->payload == NULL))
		return 0;
	for (i = 0; i < n; i++)
		if (u->payload[i] != PAY[i % 8])
			return 0;
	return 1;
}

/* expect_udp: f decodes to the test datagram with paylen bytes present */
static void
expect_udp(const char *what, uint32_t lt, const struct frame *f, int af,
    size_t paylen, size_t orig)
{
	struct udpinfo u;
	struct iovec v;
	int af4 = af == AF_INET;

	is_int(decode_udp(lt, f->b, (uint32_t)f->n, &u), 1, "%s: UDP", what);
	is_int(u.af, af, "  address family");
	ok(memcmp(u.src, af4 ? src4 : src6, af4 ? 4 : 16) == 0, "  source");
	ok(memcmp(u.dst, af4 ? dst4 : dst6, af4 ? 4 : 16) == 0, "  dest");
	is_int(u.sport, 5353, "  source port");
	is_int(u.dport, 53, "  destination port");
	is_int(u.paylen, paylen, "  paylen");
	is_int(u.paylen_orig, orig, "  paylen_orig");
	ok(payload_is(&u, paylen), "  payload bytes");
	is_int(u.frag, 0, "  not a fragment");
	memset(&v, 0, sizeof v);
	is_int(decode_payload(lt, f->b, (uint32_t)f->n, &v), paylen == orig,
	    "  decode_payload: %s", paylen == orig ? "whole" : "cut short");
	ok(paylen != orig || (v.iov_base == u.payload &&
	    v.iov_len == paylen), "  the payload in the iovec");
}

static void
expect_none(const char *what, uint32_t lt, const struct frame *f, int frag)
{
	struct udpinfo u;
	struct iovec v;

	memset(&u, 0xa5, sizeof u);
	is_int(decode_udp(lt, f->b, (uint32_t)f->n, &u), 0, "%s: not UDP",
	    what);
	is_int(u.frag, frag, "  frag %d", frag);
	is_int(u.paylen | u.sport | u.af, 0, "  the rest zeroed");
	is_int(decode_payload(lt, f->b, (uint32_t)f->n, &v), 0,
	    "  no payload");
}

static void
test_raw(void)
{
	static const uint32_t lts[] = { LINKTYPE_RAW, 12, 14 };
	struct frame f;
	size_t i;

	for (i = 0; i < 3; i++) {
		f.n = 0;
		udp4(&f, 21);
		expect_udp("RAW IPv4", lts[i], &f, AF_INET, 21, 21);
		f.n = 0;
		udp6(&f, 3);
		expect_udp("RAW IPv6", lts[i], &f, AF_INET6, 3, 3);
	}
	f.n = 0;
	udp4(&f, 21);
	expect_udp("IPV4 (228)", 228, &f, AF_INET, 21, 21);
	expect_none("IPV6 (229), IPv4 packet", 229, &f, 0);
	f.n = 0;
	udp6(&f, 3);
	expect_udp("IPV6 (229)", 229, &f, AF_INET6, 3, 3);
	expect_none("IPV4 (228), IPv6 packet", 228, &f, 0);
	f.n = 0;
	udp4(&f, 0);
	expect_udp("RAW IPv4, empty payload", LINKTYPE_RAW, &f, AF_INET, 0, 0);
	f.n = 0;
	udp6(&f, 0);
	expect_udp("RAW IPv6, empty payload", LINKTYPE_RAW, &f, AF_INET6, 0,
	    0);
	f.n = 0;
	udp4(&f, 8);
	f.b[0] = 0x55;
	expect_none("RAW, version 5", LINKTYPE_RAW, &f, 0);
	expect_none("unknown link type 147", 147, &f, 0);
	expect_none("empty frame", LINKTYPE_RAW, &(struct frame){ .n = 0 }, 0);
}

static void
eth(struct frame *f, const unsigned *tags, size_t ntags, unsigned et)
{
	size_t i;

	f->n = 0;
	put32be(f, 0x00112233), put16(f, 0x4455);	/* destination */
	put32be(f, 0x02aabbcc), put16(f, 0xddee);	/* source */
	for (i = 0; i < ntags; i++) {
		put16(f, tags[i]);
		put16(f, 100 + (unsigned)i);		/* PCP, DEI, VID */
	}
	put16(f, et);
}

static void
test_ethernet(void)
{
	static const unsigned q[] = { 0x8100 }, qinq[] = { 0x88a8, 0x8100 },
	    old[] = { 0x9100, 0x8100 }, deep[] = { 0x88a8, 0x9100, 0x8100,
	    0x8100 };
	struct frame f;
	size_t n;

	eth(&f, NULL, 0, 0x0800);
	udp4(&f, 18);
	expect_udp("Ethernet IPv4", LINKTYPE_EN10MB, &f, AF_INET, 18, 18);
	eth(&f, NULL, 0, 0x86dd);
	udp6(&f, 100);
	expect_udp("Ethernet IPv6", LINKTYPE_EN10MB, &f, AF_INET6, 100, 100);
	eth(&f, q, 1, 0x0800);
	udp4(&f, 5);
	expect_udp("802.1Q IPv4", LINKTYPE_EN10MB, &f, AF_INET, 5, 5);
	eth(&f, q, 1, 0x86dd);
	udp6(&f, 5);
	expect_udp("802.1Q IPv6", LINKTYPE_EN10MB, &f, AF_INET6, 5, 5);
	eth(&f, qinq, 2, 0x0800);
	udp4(&f, 9);
	expect_udp("802.1ad double tag", LINKTYPE_EN10MB, &f, AF_INET, 9, 9);
	eth(&f, old, 2, 0x86dd);
	udp6(&f, 9);
	expect_udp("0x9100 double tag", LINKTYPE_EN10MB, &f, AF_INET6, 9, 9);
	eth(&f, deep, 4, 0x0800);
	udp4(&f, 1);
	expect_udp("four stacked tags", LINKTYPE_EN10MB, &f, AF_INET, 1, 1);

	/* a short packet padded to the 60-byte minimum: the IP total
	 * length, not the frame, bounds the payload */
	eth(&f, NULL, 0, 0x0800);
	udp4(&f, 2);
	n = f.n;
	memset(f.b + n, 0xff, 60 - n);
	f.n = 60;
	expect_udp("padded Ethernet frame", LINKTYPE_EN10MB, &f, AF_INET, 2,
	    2);
	eth(&f, NULL, 0, 0x0806);
	put32be(&f, 0x00010800);
	expect_none("ARP", LINKTYPE_EN10MB, &f, 0);
	eth(&f, q, 1, 0x0800);
	f.n -= 2;
	expect_none("tag without its ethertype", LINKTYPE_EN10MB, &f, 0);
	eth(&f, NULL, 0, 0x86dd);
	udp4(&f, 4);
	expect_none("IPv6 ethertype, IPv4 packet", LINKTYPE_EN10MB, &f, 0);
}

static void
test_sll(void)
{
	struct frame f;

	f.n = 0;
	put16(&f, 0), put16(&f, 1), put16(&f, 6);
	put32be(&f, 0x02aabbcc), put32be(&f, 0xddee0000);
	put16(&f, 0x0800);
	udp4(&f, 30);
	expect_udp("LINUX_SLL IPv4", LINKTYPE_LINUX_SLL, &f, AF_INET, 30, 30);
	f.n = 14;
	put16(&f, 0x86dd);
	udp6(&f, 30);
	expect_udp("LINUX_SLL IPv6", LINKTYPE_LINUX_SLL, &f, AF_INET6, 30,
	    30);
	f.n = 14;
	put16(&f, 0x8100), put16(&f, 7), put16(&f, 0x0800);
	udp4(&f, 30);
	expect_udp("LINUX_SLL with a VLAN tag", LINKTYPE_LINUX_SLL, &f,
	    AF_INET, 30, 30);
	f.n = 14;
	put16(&f, 0x0004);
	udp4(&f, 30);
	expect_none("LINUX_SLL 802.2", LINKTYPE_LINUX_SLL, &f, 0);

	f.n = 0;
	put16(&f, 0x0800), put16(&f, 0), put32be(&f, 3);
	put16(&f, 1), put8(&f, 4), put8(&f, 6);
	put32be(&f, 0x02aabbcc), put32be(&f, 0xddee0000);
	udp4(&f, 12);
	expect_udp("LINUX_SLL2 IPv4", LINKTYPE_LINUX_SLL2, &f, AF_INET, 12,
	    12);
	f.b[0] = 0x86, f.b[1] = 0xdd;
	f.n = 20;
	udp6(&f, 12);
	expect_udp("LINUX_SLL2 IPv6", LINKTYPE_LINUX_SLL2, &f, AF_INET6, 12,
	    12);
	f.n = 19;
	expect_none("LINUX_SLL2 header cut", LINKTYPE_LINUX_SLL2, &f, 0);
}

static void
test_null_loop(void)
{
	static const uint32_t fam6[] = { 10, 24, 28, 30 };
	struct frame f;
	size_t i;

	f.n = 0;
	put32le(&f, 2);
	udp4(&f, 6);
	expect_udp("NULL IPv4, little-endian host", LINKTYPE_NULL, &f,
	    AF_INET, 6, 6);
	f.n = 0;
	put32be(&f, 2);
	udp4(&f, 6);
	expect_udp("NULL IPv4, big-endian host", LINKTYPE_NULL, &f, AF_INET,
	    6, 6);
	for (i = 0; i < 4; i++) {
		f.n = 0;
		put32le(&f, fam6[i]);
		udp6(&f, 6);
		expect_udp("NULL IPv6 le", LINKTYPE_NULL, &f, AF_INET6, 6, 6);
		f.n = 0;
		put32be(&f, fam6[i]);
		udp6(&f, 6);
		expect_udp("NULL IPv6 be", LINKTYPE_NULL, &f, AF_INET6, 6, 6);
		f.n = 0;
		put32be(&f, fam6[i]);
		udp6(&f, 6);
		expect_udp("LOOP IPv6", LINKTYPE_LOOP, &f, AF_INET6, 6, 6);
	}
	f.n = 0;
	put32le(&f, 17);
	udp4(&f, 6);
	expect_none("NULL family 17", LINKTYPE_NULL, &f, 0);
	f.n = 0;
	put32be(&f, 2);
	udp4(&f, 6);
	expect_udp("LOOP IPv4", LINKTYPE_LOOP, &f, AF_INET, 6, 6);
	f.n = 0;
	put32le(&f, 2);
	udp4(&f, 6);
	expect_none("LOOP in host order", LINKTYPE_LOOP, &f, 0);
	f.n = 0;
	put32be(&f, 2);
	udp6(&f, 6);
	expect_none("NULL says IPv4, packet is IPv6", LINKTYPE_NULL, &f, 0);
}

static void
test_ip4(void)
{
	struct frame f;

	f.n = 0;
	put_ip4(&f, 7, 17, 0, 0, 10);
	put_udp(&f, 10, 0);
	expect_udp("IPv4 with options", LINKTYPE_RAW, &f, AF_INET, 10, 10);
	f.n = 0;
	put_ip4(&f, 4, 17, 0, 0, 10);
	put32be(&f, 0);
	put_udp(&f, 10, 0);
	expect_none("IHL 4", LINKTYPE_RAW, &f, 0);
	f.n = 0;
	put_ip4(&f, 15, 17, 0, 0, 10);
	expect_none("IHL 15, options cut", LINKTYPE_RAW, &f, 0);
	f.n = 0;
	put_ip4(&f, 5, 6, 0, 0, 10);
	put_udp(&f, 10, 0);
	expect_none("TCP", LINKTYPE_RAW, &f, 0);
	f.n = 0;
	put_ip4(&f, 5, 17, 0x4000, 0, 10);
	put_udp(&f, 10, 0);
	expect_udp("DF set", LINKTYPE_RAW, &f, AF_INET, 10, 10);
	f.n = 0;
	put_ip4(&f, 5, 17, 0x2000, 0, 10);
	put_udp(&f, 10, 0);
	expect_none("first fragment (MF)", LINKTYPE_RAW, &f, 1);
	f.n = 0;
	put_ip4(&f, 5, 17, 0x00b9, 0, 10);
	put_udp(&f, 10, 0);
	expect_none("last fragment (offset)", LINKTYPE_RAW, &f, 1);
	f.n = 0;
	put_ip4(&f, 5, 17, 0x6001, 0, 10);
	put_udp(&f, 10, 0);
	expect_none("middle fragment", LINKTYPE_RAW, &f, 1);
	f.n = 0;
	put_ip4(&f, 5, 6, 0x2000, 0, 10);
	expect_none("TCP fragment", LINKTYPE_RAW, &f, 1);
	f.n = 0;
	put_ip4(&f, 5, 17, 0, 19, 10);
	put_udp(&f, 10, 0);
	expect_none("total length below the header", LINKTYPE_RAW, &f, 0);
	f.n = 0;
	put_ip4(&f, 5, 17, 0, 20 + 8 + 4, 10);
	put_udp(&f, 10, 0);
	expect_udp("total length cuts the UDP length", LINKTYPE_RAW, &f,
	    AF_INET, 4, 10);
	f.n = 0;
	put_ip4(&f, 5, 17, 0, 0, 10);
	f.b[2] = f.b[3] = 0;
	put_udp(&f, 10, 0);
	expect_udp("total length 0 (TSO)", LINKTYPE_RAW, &f, AF_INET, 10, 10);
	f.n = 0;
	put_ip4(&f, 5, 17, 0, 0, 10);
	put_udp(&f, 10, 7);
	expect_none("UDP length 7", LINKTYPE_RAW, &f, 0);
	f.n = 0;
	put_ip4(&f, 5, 17, 0, 0, 10);
	put_udp(&f, 10, 14);
	expect_udp("UDP length below the IP length", LINKTYPE_RAW, &f, AF_INET,
	    6, 6);
	f.n = 0;
	put_ip4(&f, 5, 17, 0, 0, 10);
	put_udp(&f, 10, 0);
	f.n -= 3;
	expect_udp("cut by the capture", LINKTYPE_RAW, &f, AF_INET, 7, 10);
	f.n -= 7;
	expect_udp("cut at the UDP header", LINKTYPE_RAW, &f, AF_INET, 0, 10);
	f.n -= 1;
	expect_none("UDP header cut", LINKTYPE_RAW, &f, 0);
}

/* an extension header of (len + 1) * 8 bytes */
static void
put_ext(struct frame *f, unsigned nh, unsigned len)
{
	unsigned i;

	put8(f, nh);
	put8(f, len);
	for (i = 0; i < len * 8 + 6; i++)
		put8(f, i == 0 ? 1 : 0);	/* a PadN option, or junk */
}

static void
test_ip6(void)
{
	struct frame f;

	f.n = 0;
	put_ip6(&f, 0, 8 + 24 + 16 + 8 + 4);
	put_ext(&f, 43, 2);
	put_ext(&f, 60, 1);
	put_ext(&f, 17, 0);
	put_udp(&f, 4, 0);
	expect_udp("hop-by-hop, routing, dest. options", LINKTYPE_RAW, &f,
	    AF_INET6, 4, 4);
	f.n = 0;
	put_ip6(&f, 60, 8 + 8 + 4);
	put_ext(&f, 44, 0);
	put_udp(&f, 4, 0);
	expect_none("fragment header after options", LINKTYPE_RAW, &f, 1);
	f.n = 0;
	put_ip6(&f, 44, 8 + 8 + 4);
	put_ext(&f, 17, 0);
	expect_none("fragment header", LINKTYPE_RAW, &f, 1);
	f.n = 0;
	put_ip6(&f, 6, 20);
	expect_none("TCP", LINKTYPE_RAW, &f, 0);
	f.n = 0;
	put_ip6(&f, 0, 200);
	put_ext(&f, 17, 30);
	f.n -= 10;
	expect_none("extension header cut", LINKTYPE_RAW, &f, 0);
	f.n = 0;
	put_ip6(&f, 0, 8);
	put_ext(&f, 17, 0);
	put_udp(&f, 4, 0);
	expect_none("payload length ends inside the options", LINKTYPE_RAW,
	    &f, 0);
	f.n = 0;
	put_ip6(&f, 17, 8 + 2);
	put_udp(&f, 10, 0);
	expect_udp("payload length cuts the UDP length", LINKTYPE_RAW, &f,
	    AF_INET6, 2, 10);
	f.n = 0;
	put_ip6(&f, 17, 0);
	put_udp(&f, 10, 0);
	expect_udp("payload length 0", LINKTYPE_RAW, &f, AF_INET6, 10, 10);
	f.n = 0;
	put_ip6(&f, 17, 8 + 10);
	put_udp(&f, 10, 0);
	f.b[0] = 0x40;
	expect_none("IPv6 header, version 4", LINKTYPE_RAW, &f, 0);
}

/*
 * Every prefix of every frame, each in a buffer of exactly that size so
 * that ASan sees any read past caplen: no crash, and the answer is
 * consistent (decoded iff the UDP header is all there).
 */
static void
test_prefixes(void)
{
	static const unsigned qinq[] = { 0x88a8, 0x8100 };
	struct frame fr[6];
	static const uint32_t lt[6] = { LINKTYPE_RAW, LINKTYPE_RAW,
	    LINKTYPE_EN10MB, LINKTYPE_LINUX_SLL2, LINKTYPE_NULL, LINKTYPE_RAW };
	static const size_t hdrs[6] = { 28, 48, 22 + 48, 20 + 28, 4 + 28,
	    40 + 16 + 8 };
	struct udpinfo u;
	unsigned char *b;
	size_t i, k, bad = 0;
	int r;

	memset(fr, 0, sizeof fr);
	udp4(&fr[0], 40);
	udp6(&fr[1], 40);
	eth(&fr[2], qinq, 2, 0x86dd);
	udp6(&fr[2], 40);
	put16(&fr[3], 0x0800);
	memset(fr[3].b + 2, 0, 18);
	fr[3].n = 20;
	udp4(&fr[3], 40);
	put32le(&fr[4], 2);
	udp4(&fr[4], 40);
	put_ip6(&fr[5], 0, 16 + 8 + 40);
	put_ext(&fr[5], 60, 0);
	put_ext(&fr[5], 17, 0);
	put_udp(&fr[5], 40, 0);
	for (i = 0; i < 6; i++) {
		for (k = 0; k <= fr[i].n; k++) {
			if ((b = malloc(k ? k : 1)) == NULL)
				abort();
			memcpy(b, fr[i].b, k);
			r = decode_udp(lt[i], b, (uint32_t)k, &u);
			if (r != (k >= hdrs[i]) || (r == 1 &&
			    u.paylen != k - hdrs[i]) || (r == 1 &&
			    u.paylen_orig != 40))
				bad++;
			free(b);
		}
		is_int(bad, 0, "frame %zu: all %zu prefixes decode as they should",
		    i, fr[i].n + 1);
	}
}

int
main(void)
{
	test_raw();
	test_ethernet();
	test_sll();
	test_null_loop();
	test_ip4();
	test_ip6();
	test_prefixes();
	return tap_done();
}
