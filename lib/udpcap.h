/* udpcap.h: the UDP datagrams of a libpcap capture, written as records:
 * what is not a whole datagram is counted, not written. */
#ifndef UDPCAP_H
#define UDPCAP_H

#include <stdint.h>

#include "pcapdl.h"
#include "recout.h"

struct udpcap {
	pcap_t *p;
	const char *iface;	/* a live capture, or */
	const char *path;	/* a capture file */
	int linktype;
	struct recout *w;
	uint64_t count;		/* stop once w has written this many (0: no) */
	uint64_t received;	/* packets seen */
	uint64_t skipped;	/* not UDP, a fragment, malformed */
	uint64_t truncated;	/* UDP cut short by the capture's snaplen */
	int wfailed;		/* a write failed: stop */
	int werr;		/* its errno */
	int damaged;		/* the file could not be read to its end */
};

/* udpcap_init: the datagrams of capture p (opened, filtered: live on
 * iface, or the file path, the other NULL) go to w, up to count records
 * (0: no limit). */
void udpcap_init(struct udpcap *c, pcap_t *p, const char *iface,
    const char *path, struct recout *w, uint64_t count);

/*
 * udpcap_open: capture_open (live on iface, or the file path, the other
 * NULL; bufsize and the filter expr as capture_open takes them), its
 * warning told, then udpcap_init of it. Exits with the status and the
 * reason capture_open gives when it cannot open.
 */
void udpcap_open(struct udpcap *c, const char *iface, const char *path,
    size_t bufsize, const char *expr, struct recout *w, uint64_t count);

/* udpcap_live: a live capture made non-blocking; returns the fd to wait
 * on. Exits 111 when it cannot ("unable to capture on IFACE: WHY"). */
int udpcap_live(struct udpcap *c);

/* udpcap_stats: the counts of a live capture (pcap_stats) in *st; zero
 * for a file, and when they cannot be read (then a warning). */
void udpcap_stats(struct udpcap *c, struct pcap_stat *st);

/* udpcap_lost: what the capture lost, for the exit: a live capture's
 * drops (ps_drop); of a file, or when they cannot be read, 1 when it
 * could not be read to its end (damaged), else 0. */
long long udpcap_lost(struct udpcap *c);

/*
 * udpcap_dispatch: pcap_dispatch of up to cnt packets (-1: what the
 * capture holds), each UDP datagram written whole to w, with the time
 * it was captured. Returns what pcap_dispatch returned: the packets
 * seen, or PCAP_ERROR; it breaks off (PCAP_ERROR_BREAK when no packet
 * was seen) once count records are written or a write failed
 * (c->wfailed set, c->werr its errno).
 */
int udpcap_dispatch(struct udpcap *c, int cnt);

/*
 * udpcap_pull: udpcap_dispatch of what the capture holds (of a file, up
 * to 1024 packets). Returns the packets seen (0 after a break), -1 at the
 * end of a capture file, -2 when a write failed (errno set). A failure
 * of the capture writes out the records decoded before it first. A file
 * that cannot be read to its end (cut short, a malformed record) ends as
 * its end would (-1), c->damaged set, with a warning "unable to read PATH
 * after packet N: WHY"; a read error of the file or a failed live
 * capture exits 111 ("unable to read PATH: WHY", "unable to capture on
 * IFACE: WHY").
 */
int udpcap_pull(struct udpcap *c);

#endif
