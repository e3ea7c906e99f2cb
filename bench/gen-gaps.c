/*
 * gen-gaps: benchmark input for senders and replayers. Writes a pcap file
 * of COUNT Ethernet-framed IPv4/UDP records to stdout, with known gaps
 * between their timestamps; with -d, reads a pcap and prints each
 * record's time and sequence number instead.
 *
 * usage: gen-gaps [-g MIN-MAX] [-i USEC] [-p PORT] [-s PAYLOAD] [-S SEED]
 *                 COUNT
 *        gen-gaps -d < FILE
 *
 * The file: microsecond magic (0xa1b2c3d4, written little-endian, what
 * tcpdump writes and every tcpreplay reads), link type EN10MB (1), so it
 * can be sent by tcpreplay -i lo as well as by udp-send. Each record is an
 * Ethernet frame with zero MAC addresses (lo's own), type IPv4,
 * 127.0.0.1:40000 -> 127.0.0.1:PORT (default 9000), a PAYLOAD-byte payload
 * (default 64, 8 to 1472) that begins with the record's number (8 bytes,
 * big-endian). The IPv4 header checksum is right; the UDP checksum is 0
 * (none, legal in IPv4). Record 0 is stamped 2026-11-21T10:00:00Z; the gap
 * to each next record is -i USEC microseconds (default 1), or with -g a
 * whole number of microseconds drawn about log-uniformly from MIN to MAX
 * (every decade of gaps about as common: 64 geometric steps, linear within
 * a step, so no libm), from a fixed generator seeded with -S (default 1),
 * so the same options always make the same file.
 *
 * -d: reads a pcap (microsecond or nanosecond magic, either byte order;
 * link type EN10MB, RAW or IPV4) on stdin and prints one line per UDP
 * record: its time in nanoseconds after the first record's, and the first
 * 8 payload bytes as a big-endian number (the sequence number of this
 * file's records, of bench/gen-pcap's and of bench/udpblast's payloads).
 * Records that are not IPv4/UDP with at least 8 payload bytes are skipped.
 * Both numbers fit awk's doubles (times up to 104 days).
 *
 * Standalone on purpose (no lib/): the benchmark must not share code with
 * what it measures.
 */
#include <err.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "put.h"

#define MINPAYLOAD 8
#define MAXPAYLOAD 1472		/* one Ethernet MTU: tcpreplay sends frames */
#define MAXREC (14 + 28 + MAXPAYLOAD)
#define START_SEC 1795255200ULL	/* 2026-11-21T10:00:00Z */
#define LINK_EN10MB 1
#define LINK_RAW 101
#define LINK_IPV4 228
#define SNAPMAX 262144

static void
usage(void)
{
	fprintf(stderr, "usage: gen-gaps [-g MIN-MAX] [-i USEC] [-p PORT] "
	    "[-s PAYLOAD] [-S SEED] COUNT\n"
	    "       gen-gaps -d < FILE\n");
	exit(100);
}

/* The decimal number at the start of s, between lo and hi; *end is set to
 * what follows it. Exits 100 when there is no such number. */
static unsigned long long
number_at(const char *s, char **end, unsigned long long lo,
    unsigned long long hi, const char *what)
{
	unsigned long long v;

	if (*s < '0' || *s > '9')
		errx(100, "invalid %s '%s'", what, s);
	errno = 0;
	v = strtoull(s, end, 10);
	if (errno != 0 || v < lo || v > hi)
		errx(100, "invalid %s '%s': not %llu to %llu", what, s, lo, hi);
	return v;
}

static unsigned long long
number(const char *s, unsigned long long lo, unsigned long long hi,
    const char *what)
{
	char *end;
	unsigned long long v = number_at(s, &end, lo, hi, what);

	if (*end != '\0')
		errx(100, "invalid %s '%s'", what, s);
	return v;
}

static void
put(const unsigned char *buf, size_t n)
{
	if (n > 0 && fwrite(buf, 1, n, stdout) != n)
		err(111, "unable to write to stdout");
}

/* The Ethernet, IPv4 and UDP headers of a datagram with n payload bytes
 * to port at p (42 bytes). */
static void
headers(unsigned char *p, size_t n, unsigned port, unsigned id)
{
	static const unsigned char addrs[8] = { 127, 0, 0, 1, 127, 0, 0, 1 };
	unsigned char *ip = p + 14;
	uint32_t sum = 0;
	size_t k;

	memset(p, 0, 42);
	put_be16(p + 12, 0x0800);
	ip[0] = 0x45;
	put_be16(ip + 2, (unsigned)(20 + 8 + n));
	put_be16(ip + 4, id & 0xffff);
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, addrs, sizeof addrs);
	for (k = 0; k < 20; k += 2)
		sum += (uint32_t)ip[k] << 8 | ip[k + 1];
	while (sum > 0xffff)
		sum = (sum & 0xffff) + (sum >> 16);
	put_be16(ip + 10, ~sum & 0xffff);
	put_be16(ip + 20, 40000);
	put_be16(ip + 22, port);
	put_be16(ip + 24, (unsigned)(8 + n));
}

/* xorshift64*: a fixed sequence for a seed, the same on every machine. */
static double
uniform(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return (double)((*s * 0x2545F4914F6CDD1DULL) >> 11) / 9007199254740992.0;
}

#define STEPS 64

struct gen {
	unsigned long long count, interval, gmin, gmax, seed;
	double step;		/* (gmax / gmin) ^ (1 / STEPS) */
	unsigned port;
	size_t payload;
};

/* The STEPS-th root of r >= 1, by bisection: x^64 is six squarings. */
static double
root(double r)
{
	double lo = 1, hi = r, mid, p;
	int i, k;

	for (i = 0; i < 200; i++) {
		mid = (lo + hi) / 2;
		for (p = mid, k = 0; k < 6; k++)
			p *= p;
		if (p < r)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* A gap from gmin to gmax, about log-uniform. */
static unsigned long long
draw_gap(const struct gen *g, uint64_t *state)
{
	double x = uniform(state) * STEPS, v = (double)g->gmin;
	int k, n = (int)x;

	for (k = 0; k < n; k++)
		v *= g->step;
	v *= 1 + (x - n) * (g->step - 1);
	if (v > (double)g->gmax)
		v = (double)g->gmax;
	return (unsigned long long)(v + 0.5);
}

static void
generate(const struct gen *g)
{
	unsigned char hdr[24], rec[16 + MAXREC];
	unsigned long long i, us = 0, gap;
	uint64_t state = g->seed * 0x9E3779B97F4A7C15ULL + 1;
	size_t len = 14 + 28 + g->payload, k;

	put_le32(hdr, 0xa1b2c3d4U);
	put_le16(hdr + 4, 2);
	put_le16(hdr + 6, 4);
	put_le32(hdr + 8, 0);
	put_le32(hdr + 12, 0);
	put_le32(hdr + 16, 65535);
	put_le32(hdr + 20, LINK_EN10MB);
	put(hdr, sizeof hdr);
	for (i = 0; i < g->count; i++) {
		put_le32(rec, (uint32_t)(START_SEC + us / 1000000ULL));
		put_le32(rec + 4, (uint32_t)(us % 1000000ULL));
		put_le32(rec + 8, (uint32_t)len);
		put_le32(rec + 12, (uint32_t)len);
		headers(rec + 16, g->payload, g->port, (unsigned)i);
		for (k = 0; k < 8; k++)
			rec[16 + 42 + k] = (unsigned char)(i >> (56 - 8 * k));
		for (k = 8; k < g->payload; k++)
			rec[16 + 42 + k] = (unsigned char)('a' + (i + k) % 26);
		put(rec, 16 + len);
		gap = g->gmax > 0 ? draw_gap(g, &state) : g->interval;
		us += gap;
	}
	if (fflush(stdout) == EOF)
		err(111, "unable to write to stdout");
}

/* Reads exactly n bytes; 0 at a clean end of file, exits on a short one. */
static int
get(unsigned char *p, size_t n)
{
	size_t r = fread(p, 1, n, stdin);

	if (r == n)
		return 1;
	if (ferror(stdin))
		err(111, "unable to read stdin");
	if (r != 0)
		errx(111, "unable to read stdin: truncated record");
	return 0;
}

static uint32_t
rd32(const unsigned char *p, int swap)
{
	if (swap)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		    (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[1] << 8 | p[0];
}

/* The offset of the UDP payload in a captured packet, or -1 when it is not
 * an unfragmented IPv4/UDP datagram with 8 payload bytes captured. */
static long
udp_payload(const unsigned char *p, size_t caplen, uint32_t link)
{
	size_t ip = 0, ihl;

	if (link == LINK_EN10MB) {
		if (caplen < 14 || p[12] != 0x08 || p[13] != 0x00)
			return -1;
		ip = 14;
	}
	if (caplen < ip + 20 || p[ip] >> 4 != 4 || p[ip + 9] != 17)
		return -1;
	if ((p[ip + 6] & 0x3f) != 0 || p[ip + 7] != 0)
		return -1;
	ihl = (size_t)(p[ip] & 0x0f) * 4;
	if (ihl < 20 || caplen < ip + ihl + 8 + 8)
		return -1;
	return (long)(ip + ihl + 8);
}

static void
dump(void)
{
	unsigned char hdr[24], rh[16], *pkt;
	unsigned long long t, t0 = 0, seq;
	uint32_t magic, link, caplen, frac;
	int swap, nano, first = 1;
	long off;
	size_t k;

	if ((pkt = malloc(SNAPMAX)) == NULL)
		err(111, "unable to allocate a packet buffer");
	if (!get(hdr, sizeof hdr))
		errx(100, "invalid pcap: empty input");
	magic = rd32(hdr, 0);
	swap = magic == 0xd4c3b2a1U || magic == 0x4d3cb2a1U;
	magic = rd32(hdr, swap);
	if (magic != 0xa1b2c3d4U && magic != 0xa1b23c4dU)
		errx(100, "invalid pcap: bad magic number");
	nano = magic == 0xa1b23c4dU;
	link = rd32(hdr + 20, swap) & 0x0fffffff;
	if (link != LINK_EN10MB && link != LINK_RAW && link != LINK_IPV4)
		errx(100, "invalid pcap: link type %u not supported", link);
	while (get(rh, sizeof rh)) {
		caplen = rd32(rh + 8, swap);
		if (caplen > SNAPMAX)
			errx(100, "invalid pcap: record of %u bytes", caplen);
		if (caplen > 0 && !get(pkt, caplen))
			errx(111, "unable to read stdin: truncated record");
		frac = rd32(rh + 4, swap);
		t = (unsigned long long)rd32(rh, swap) * 1000000000ULL +
		    (nano ? frac : (unsigned long long)frac * 1000ULL);
		if ((off = udp_payload(pkt, caplen, link)) < 0)
			continue;
		if (first) {
			t0 = t;
			first = 0;
		}
		for (seq = 0, k = 0; k < 8; k++)
			seq = seq << 8 | pkt[off + (long)k];
		printf("%lld %llu\n", (long long)(t - t0), seq);
	}
	free(pkt);
	if (fflush(stdout) == EOF || ferror(stdout))
		err(111, "unable to write to stdout");
}

/* "MIN-MAX" in microseconds, 1 <= MIN <= MAX. */
static void
range(const char *s, struct gen *g)
{
	char *end;

	g->gmin = number_at(s, &end, 1, 3600000000ULL, "gap range");
	if (*end != '-')
		errx(100, "invalid gap range '%s': not MIN-MAX", s);
	g->gmax = number(end + 1, g->gmin, 3600000000ULL, "gap range");
	g->step = root((double)g->gmax / (double)g->gmin);
}

int
main(int argc, char **argv)
{
	struct gen g = { .interval = 1, .seed = 1, .port = 9000,
	    .payload = 64 };
	int c, dflag = 0;

	while ((c = getopt(argc, argv, "dg:i:p:s:S:")) != -1) {
		switch (c) {
		case 'd': dflag = 1; break;
		case 'g': range(optarg, &g); break;
		case 'i': g.interval = number(optarg, 0, 3600000000ULL,
		    "interval"); break;
		case 'p': g.port = (unsigned)number(optarg, 1, 65535, "port");
			break;
		case 's': g.payload = (size_t)number(optarg, MINPAYLOAD,
		    MAXPAYLOAD, "payload size"); break;
		case 'S': g.seed = number(optarg, 0, UINT64_MAX, "seed"); break;
		default: usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (dflag) {
		if (argc != 0)
			usage();
		dump();
		return 0;
	}
	if (argc != 1)
		usage();
	g.count = number(argv[0], 0, 999999999999ULL, "count");
	generate(&g);
	return 0;
}
