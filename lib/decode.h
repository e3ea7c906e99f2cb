/* decode.h: find UDP in a captured frame of a known link type. */
#ifndef DECODE_H
#define DECODE_H

#include <sys/uio.h>
#include <stdint.h>

#include "pcapw.h"

struct udpinfo {
	int af;			/* AF_INET or AF_INET6 */
	unsigned char src[16], dst[16];	/* network order */
	uint16_t sport, dport;	/* host order */
	const unsigned char *payload;	/* inside the frame */
	uint32_t paylen;	/* payload bytes present in the frame */
	uint32_t paylen_orig;	/* payload length the UDP header claims */
	int frag;		/* an IPv4 fragment (first or not) or an IPv6
				 * packet with a fragment header: not decoded */
};

/*
 * decode_udp: decode frame (caplen bytes captured, origlen on the wire) of
 * link type RAW (101, or DLT_RAW 12/14), IPV4/IPV6 (228/229), EN10MB
 * (802.1Q/802.1ad tags skipped), LINUX_SLL, LINUX_SLL2, NULL (family in
 * either byte order) or LOOP down to UDP over IPv4 or IPv6 (IPv6 extension
 * headers hop-by-hop, routing, destination options skipped).
 * Returns 1 for a UDP datagram (*u filled), 0 for anything else (u->frag
 * set when it was an IPv4 or IPv6 fragment, of any protocol; all else in
 * *u zeroed), and never reads past caplen. A UDP datagram cut short by
 * the capture has paylen < paylen_orig.
 */
int decode_udp(uint32_t linktype, const unsigned char *frame,
    uint32_t caplen, struct udpinfo *u);

/* decode_payload: 1 when frame holds a UDP datagram captured whole (not
 * cut short by the snap length), its payload in *v; 0 otherwise. */
int decode_payload(uint32_t linktype, const unsigned char *frame,
    uint32_t caplen, struct iovec *v);

/* decode_meta: the metadata a record of u, captured at sec.nsec, is
 * written with (pcapw, recout). */
void decode_meta(const struct udpinfo *u, int64_t sec, uint32_t nsec,
    struct udpmeta *m);

#endif
