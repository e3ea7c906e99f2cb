/* dgramin.h: the datagrams of a record stream (recin): each text line
 * whole, or the UDP payload of each pcap record. */
#ifndef DGRAMIN_H
#define DGRAMIN_H

#include <stddef.h>
#include <stdint.h>

#include "recin.h"

/* One datagram to send: a payload and, from pcap, its record's time. */
struct dgram {
	const unsigned char *p;
	size_t len;
	int64_t sec;		/* text: 0 */
	uint32_t nsec;
};

#define DGRAMIN_MAX4	65507		/* the largest payloads: IPv4 */
#define DGRAMIN_MAX6	65527		/* IPv6, without jumbograms */

/* dgramin_init: recin_init of fd for datagrams to a destination of
 * family af (AF_INET, AF_INET6): a text line is whole up to the largest
 * payload of that family. */
void dgramin_init(struct recin *in, int fd, int af);

/*
 * dgramin_next: the next datagram of in in *d, pointing into in's buffer
 * (valid until the next call). Returns 1, 0 at the end of the input,
 * RECIN_AGAIN when none is whole yet, -1 when the input failed
 * (recin_fail). Every record read is counted in *read; a record that is
 * not a whole UDP datagram, and a line too long for one (longer than
 * in->maxline), is skipped and counted in *skipped, the caller's count
 * of all it skipped: the first line too long is warned about, unless
 * something was skipped before.
 */
int dgramin_next(struct recin *in, struct dgram *d, uint64_t *read,
    uint64_t *skipped);

#endif
