/* udpsrc.h: where a receiver's datagrams come from: its UDP socket
 * (udprx) or a libpcap capture (udpcap), live or a file; each written
 * as a record to w, up to a count. One interface to both, so the
 * receiver's loop does not ask which. */
#ifndef UDPSRC_H
#define UDPSRC_H

#include <stdint.h>

#include "recout.h"
#include "udpcap.h"
#include "udprx.h"

#define UDPSRC_CAPWAIT_NS	100000000ull	/* libpcap may hold packets
						 * back: a live capture's
						 * longest wait */

struct udpsrc {
	struct udprx rx;	/* socket mode: udprx_init of it */
	struct udpcap cap;	/* capture mode: udpcap_open of it, cap.p set */
	int fd;			/* to wait on: the socket or a live
				 * capture's; -1 for a file */
	struct recout *w;
	uint64_t count;		/* stop once w has written this many (0: no) */
};

/* udpsrc_init: the datagrams go to w, up to count records (0: no
 * limit); then the caller opens the socket or the capture and sets fd. */
void udpsrc_init(struct udpsrc *s, struct recout *w, uint64_t count);

/*
 * udpsrc_pull: what the source holds, written. Returns how many
 * buffers (socket: a datagram, or a GRO train of them) or packets
 * (capture) were taken, 0 when none was there; -1 once count records
 * are written or at the end of a capture file. A file that cannot be
 * read to its end (cut short, a malformed record) ends as its end
 * would, cap.damaged set. Exits 111 when the receive or the capture
 * fails (udpcap_pull), or a write does (recout_fail).
 */
int udpsrc_pull(struct udpsrc *s);

/* udpsrc_more: 1 when pull should be called again at once after it took
 * n: a file is read on, a capture read while it gives, a socket while a
 * whole batch comes (a short batch emptied it); 0: wait first. */
int udpsrc_more(const struct udpsrc *s, int n);

/*
 * udpsrc_wait: flush w, then wait for data, a signal on sigfd (the
 * self-pipe), or due (clock_mono; UINT64_MAX: no bound; a live capture
 * waits UDPSRC_CAPWAIT_NS at most). Exits 111 when the output fails
 * (recout_fail) or the wait does.
 */
void udpsrc_wait(struct udpsrc *s, int sigfd, uint64_t now, uint64_t due);

/* udpsrc_drain: after TERM, what the kernel or the capture's ring holds
 * already is received and written, for ns at most; a file is not read
 * on. */
void udpsrc_drain(struct udpsrc *s, uint64_t ns);

/* udpsrc_received: datagrams received, or packets the capture saw. */
uint64_t udpsrc_received(const struct udpsrc *s);

/* udpsrc_dropped: datagrams lost before they were read: by the kernel
 * (the socket's buffer or the capture's ring was full), returned, and by
 * the interface (a live capture only), in *iface. */
uint64_t udpsrc_dropped(struct udpsrc *s, uint64_t *iface);

/* udpsrc_lost: what was lost, for the exit status: the kernel's drops;
 * of a capture, as udpcap_lost (a damaged file counts). */
long long udpsrc_lost(struct udpsrc *s);

/* udpsrc_close: the capture closed, the memory back (the socket stays). */
void udpsrc_close(struct udpsrc *s);

#endif
