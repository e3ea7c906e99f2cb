/*
 * gen-pcap: benchmark input for pcap writers. Writes a pcap file of COUNT
 * records to stdout: nanosecond-resolution magic (0xa1b23c4d, written
 * little-endian), link type RAW (101, the record starts with the IP
 * header), snaplen 65535.
 *
 * usage: gen-pcap [-s PAYLOAD] COUNT
 *
 * Each record is an IPv4/UDP datagram 127.0.0.1:40000 -> 127.0.0.2:9 with
 * a PAYLOAD-byte payload (default 64, 8 to 65507) that begins with the
 * record's number (8 bytes, big-endian); record i is stamped
 * 2026-11-21T10:00:00Z + i microseconds. A record is 16 + 28 + PAYLOAD
 * bytes, so the file is 24 + COUNT * (44 + PAYLOAD) bytes. The IPv4
 * header checksum is right; the UDP checksum is 0 (none, legal in IPv4).
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

#include "num.h"
#include "obuf.h"
#include "put.h"
#include "writeall.h"

#define MINPAYLOAD 8
#define MAXPAYLOAD 65507
#define OUTBUF (1024 * 1024)
#define START_SEC 1795255200ULL	/* 2026-11-21T10:00:00Z */

static void
usage(void)
{
	fprintf(stderr, "usage: gen-pcap [-s PAYLOAD] COUNT\n");
	exit(100);
}

/* Writes all of buf to stdout (lib's writeall); exits 111 on an error. */
static void
put(const unsigned char *buf, size_t n)
{
	if (writeall(STDOUT_FILENO, buf, n) == -1)
		err(111, "unable to write to stdout");
}

/* The 24-byte file header: nanosecond magic, v2.4, RAW, snaplen 65535. */
static void
file_header(unsigned char *p)
{
	put_le32(p, 0xa1b23c4dU);
	put_le16(p + 4, 2);
	put_le16(p + 6, 4);
	put_le32(p + 8, 0);
	put_le32(p + 12, 0);
	put_le32(p + 16, 65535);
	put_le32(p + 20, 101);
}

/* The IPv4 + UDP headers of a datagram with n payload bytes at p. */
static void
ip_udp(unsigned char *p, size_t n, unsigned id)
{
	static const unsigned char addrs[8] = { 127, 0, 0, 1, 127, 0, 0, 2 };
	uint32_t sum = 0;
	size_t k;

	memset(p, 0, 28);
	p[0] = 0x45;
	put_be16(p + 2, (unsigned)(20 + 8 + n));
	put_be16(p + 4, id & 0xffff);
	p[8] = 64;
	p[9] = 17;
	memcpy(p + 12, addrs, sizeof(addrs));
	for (k = 0; k < 20; k += 2)
		sum += (uint32_t)p[k] << 8 | p[k + 1];
	while (sum > 0xffff)
		sum = (sum & 0xffff) + (sum >> 16);
	put_be16(p + 10, ~sum & 0xffff);
	put_be16(p + 20, 40000);
	put_be16(p + 22, 9);
	put_be16(p + 24, (unsigned)(8 + n));
}

/* Writes record i (rec bytes, payload n) into p. */
static void
record(unsigned char *p, size_t rec, size_t n, unsigned long long i)
{
	unsigned long long ns = i * 1000ULL;
	size_t k;

	put_le32(p, (uint32_t)(START_SEC + ns / 1000000000ULL));
	put_le32(p + 4, (uint32_t)(ns % 1000000000ULL));
	put_le32(p + 8, (uint32_t)(rec - 16));
	put_le32(p + 12, (uint32_t)(rec - 16));
	ip_udp(p + 16, n, (unsigned)i);
	for (k = 0; k < 8; k++)
		p[44 + k] = (unsigned char)(i >> (56 - 8 * k));
	for (k = 8; k < n; k++)
		p[44 + k] = (unsigned char)('a' + (i + k) % 26);
}

int
main(int argc, char **argv)
{
	unsigned long long count, i;
	size_t n = 64, rec, used;
	unsigned char *buf;
	int c;

	while ((c = getopt(argc, argv, "s:")) != -1) {
		switch (c) {
		case 's':
			n = (size_t)num_arg("payload size", optarg, MINPAYLOAD,
			    MAXPAYLOAD);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 1)
		usage();
	count = num_arg("count", argv[0], 0, 999999999999ULL);
	rec = 16 + 28 + n;

	if ((buf = malloc(OUTBUF + 16 + 28 + MAXPAYLOAD)) == NULL)
		err(111, "unable to allocate the output buffer");
	file_header(buf);
	used = 24;
	for (i = 0; i < count; i++) {
		record(buf + used, rec, n, i);
		used += rec;
		if (used >= OUTBUF) {
			put(buf, used);
			used = 0;
		}
	}
	put(buf, used);
	free(buf);
	return 0;
}
