/* pcapw.h: write the record stream: nanosecond pcap, link type RAW. */
#ifndef PCAPW_H
#define PCAPW_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define PCAP_MAGIC_US		0xa1b2c3d4u
#define PCAP_MAGIC_NS		0xa1b23c4du
#define PCAP_FILEHDR_LEN	24
#define PCAP_RECHDR_LEN		16
#define LINKTYPE_NULL		0
#define LINKTYPE_EN10MB		1
#define LINKTYPE_RAW		101
#define LINKTYPE_LOOP		108
#define LINKTYPE_LINUX_SLL	113
#define LINKTYPE_LINUX_SLL2	276
#define PCAPW_SNAPLEN		262144	/* what the writer puts in the header */

/* Record header + IPv6 header + UDP header: the most pcapw_udp writes. */
#define PCAPW_UDPHDR_MAX	(PCAP_RECHDR_LEN + 40 + 8)

/* What the socket said about one datagram. Addresses in network order,
 * ports in host order. af is AF_INET or AF_INET6. */
struct udpmeta {
	int af;
	unsigned char src[16], dst[16];
	uint16_t sport, dport;
	struct timespec ts;
};

/* pcapw_filehdr: the 24-byte file header (native byte order, ns magic,
 * snaplen PCAPW_SNAPLEN, the given link type). Returns 24. */
size_t pcapw_filehdr(unsigned char *out, uint32_t linktype);

/*
 * pcapw_udp: write into out the pcap record header, an IPv4 or IPv6 header
 * and a UDP header for a datagram of paylen bytes whose payload the caller
 * appends right after. The IPv4 header checksum is computed; the UDP
 * checksum is 0 (not computed, which IPv4 allows) until pcapw_cksum6. Returns the bytes written (16+20+8 or
 * 16+40+8).
 */
size_t pcapw_udp(unsigned char *out, const struct udpmeta *m, size_t paylen);

/* pcapw_rechdr: the 16-byte record header (native order, ns). */
size_t pcapw_rechdr(unsigned char *out, int64_t sec, uint32_t nsec,
    uint32_t caplen, uint32_t origlen);

/*
 * pcapw_cksum6: compute the UDP checksum of an IPv6 record pcapw_udp wrote
 * at rec, once its paylen payload bytes follow it. IPv6 forbids a zero UDP
 * checksum (RFC 8200 8.1), so IPv6 records carry a real one.
 */
void pcapw_cksum6(unsigned char *rec, size_t paylen);

#endif
