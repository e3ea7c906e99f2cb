/* capture.h: open a libpcap capture the way tcpdump does. */
#ifndef CAPTURE_H
#define CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#include "pcapdl.h"

/*
 * The filter a live capture gets when the user gives none: UDP, IPv6 whose
 * first next header is hop-by-hop, routing or destination options (the
 * decoder walks the chain to UDP or not), and fragments of UDP over IPv6;
 * the same behind one or two VLAN tags. pcap-filter's "udp" looks at the
 * fixed IPv6 header only and at untagged frames only; "protochain" loops,
 * which the Linux kernel refuses. A superset is enough: the decoder
 * decides, so this only keeps most of what is not UDP out of the ring.
 */
#define CAPTURE_UDP \
	"udp or (ip6 and (ip6[6] == 0 or ip6[6] == 43 or ip6[6] == 60 or " \
	"(ip6[6] == 44 and ip6[40] == 17)))"
#define CAPTURE_VLAN \
	CAPTURE_UDP " or (vlan and (" CAPTURE_UDP " or (vlan and (" \
	CAPTURE_UDP "))))"

/*
 * capture_open: a live capture on iface (pcap_create, then snaplen 256 KiB,
 * no promiscuous mode, immediate mode, a buffer of bufsize bytes and
 * nanosecond timestamps, then pcap_activate) or, when iface is NULL, the
 * capture file path ("-": standard input), with the filter expr set
 * (capture_filter). With expr NULL a file gets no filter at all: every
 * packet goes to the decoder, which sees more than a filter expression
 * can (any number of VLAN tags, every IPv6 extension header, any link
 * type it knows), and a filter on a file saves nothing.
 * Returns the handle, with a warning in err (or "" when none); or NULL
 * with the reason in err and in *status the exit status it deserves: 100
 * for a filter that does not compile, 111 for everything else (an
 * interface that is missing now may appear later).
 */
pcap_t *capture_open(const char *iface, const char *path, size_t bufsize,
    const char *expr, char *err, size_t len, int *status);

/*
 * capture_filter: set expr on p; with expr NULL, the default: CAPTURE_VLAN,
 * or CAPTURE_UDP where the link type has no VLAN tags, or, where libpcap
 * cannot filter the link type at all, none (a warning in err, if err is
 * still empty, says so).
 * Returns 0, or -1 with the reason in err and the exit status in *status:
 * 100 for a user's filter that does not compile, 111 if setting it fails.
 */
int capture_filter(pcap_t *p, const char *expr, char *err, size_t len,
    int *status);

/*
 * struct capture_hdr: libpcap's struct pcap_pkthdr as the library itself
 * was built, its struct timeval two longs (Linux; Debian 12's libpcap on
 * armhf has a 32-bit time_t). A program built with -D_TIME_BITS=64 on a
 * 32-bit target (make cross ARCH=armhf) has a struct timeval of 16 bytes
 * that libpcap never saw, and caplen and len at other offsets: every
 * header that crosses to or from libpcap goes through this one instead.
 * (A libpcap built with a 64-bit time_t on a 32-bit target, as Debian 13's
 * armhf one is, would need sec and usec of 64 bits.)
 */
struct capture_hdr {
	long sec;
	long usec;	/* nanoseconds where the precision is set so */
	uint32_t caplen;
	uint32_t len;
};

/* capture_hdr: the header libpcap handed over, as a struct capture_hdr. */
void capture_hdr(struct capture_hdr *h, const struct pcap_pkthdr *p);

/* capture_pkthdr: h, to hand to libpcap (pcap_offline_filter). */
const struct pcap_pkthdr *capture_pkthdr(const struct capture_hdr *h);

/*
 * capture_sec: the seconds of a packet's time. A pcap file holds them as
 * an unsigned 32-bit number (up to 2106-02-07), which libpcap up to 1.10
 * sign-extends (and a 32-bit long holds as negative past 2038): a
 * negative sec is taken back as unsigned. No capture has a real time
 * before 1970, and pcapng's times are unsigned too.
 */
int64_t capture_sec(const struct capture_hdr *h);

/*
 * capture_error: after pcap_dispatch failed on p, the exit status the
 * failure deserves: 111 for a live capture or a read error of the file
 * (the next try may work), 1 for a file that libpcap cannot read to its
 * end (cut short inside a record, a malformed record, a pcapng interface
 * of a second link type): what came before is good, and was written.
 */
int capture_error(pcap_t *p);

#endif
