/* udpsock.h: set up a UDP socket for receiving: buffer, metadata, groups. */
#ifndef UDPSOCK_H
#define UDPSOCK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "addr.h"

/*
 * udpsock_bind: a UDP socket bound to a: ":PORT" binds [::] dual-stack
 * (0.0.0.0 on a host without IPv6); with reuseport, SO_REUSEPORT; the
 * metadata options (udpsock_meta) and, when rcvbuf is not 0, the receive
 * buffer set before it is bound; a multicast group is joined on ifindex
 * (0: the kernel's choice), for source only when source is non-NULL.
 * Returns the socket, or -1 with errno set and *step naming what failed
 * ("create", "bind", "join").
 */
int udpsock_bind(const struct addr *a, int reuseport, unsigned ifindex,
    const struct sockaddr *source, size_t rcvbuf, const char **step);

/*
 * udpsock_connect: a non-blocking UDP socket connected to dst (so ICMP
 * errors come back on later sends), bound to src first when not NULL;
 * ttl (-1: the kernel's) is the unicast TTL or, for a multicast dst, the
 * multicast hop limit, with ifindex (0: the kernel's choice) and loop
 * (IP_MULTICAST_LOOP). Returns the socket, or -1 with errno set and
 * *step naming what failed ("connect to", ...): udpsock_bind_step when
 * it was the bind of src, which a caller names by src, not dst.
 */
extern const char udpsock_bind_step[];
int udpsock_connect(const struct addr *dst, const struct addr *src,
    unsigned ifindex, int ttl, int loop, const char **step);

/*
 * udpsock_rcvbuf: ask for a receive buffer of want bytes, with
 * SO_RCVBUFFORCE when privileged (past net.core.rmem_max), else SO_RCVBUF.
 * Returns the size the kernel granted, as it counts it (Linux doubles the
 * request for its bookkeeping), or -1 with errno set. want 0 only reads
 * the size.
 */
long udpsock_rcvbuf(int fd, size_t want);

/*
 * udpsock_rcvbuf_want: the receive buffer of fd: asked for (udpsock_rcvbuf
 * of want) when set, else only read (a socket sized before its bind).
 * Exits 111 when it cannot; warns when granted less than want. Returns
 * the size granted, as the kernel counts it.
 */
long udpsock_rcvbuf_want(int fd, size_t want, int set);

/*
 * udpsock_meta: ask for the kernel receive time (SO_TIMESTAMPNS, else
 * SO_TIMESTAMP), the drop counter (SO_RXQ_OVFL) and the destination
 * address (IP_PKTINFO, and IPV6_RECVPKTINFO on an IPv6 socket). Returns
 * -1 when the destination cannot be had, else what the kernel refused
 * (qemu-user does), which the receiver can do without: 0 or the
 * UDPSOCK_NO* bits.
 */
#define UDPSOCK_NOTSNS	1	/* no SO_TIMESTAMPNS: microseconds */
#define UDPSOCK_NOTS	2	/* no kernel time at all: time of reading */
#define UDPSOCK_NOOVFL	4	/* no SO_RXQ_OVFL: drops from SO_MEMINFO */
int udpsock_meta(int fd, int af);

/* udpsock_gro: UDP_GRO on (on 1) or off: the kernel may hand the socket
 * a train of datagrams of one flow in one buffer (udprx splits it).
 * Returns 0, -1 when refused (errno set). */
int udpsock_gro(int fd, int on);

/* udpsock_rx: a receiver's set-up of fd: udpsock_meta, and UDP_GRO on
 * or off as gro says; what the kernel (or qemu-user) refuses is done
 * without, with a note when verbose. Returns 1 when GRO is on; exits 111
 * when the metadata cannot be had. */
int udpsock_rx(int fd, int af, int gro, int verbose);

/* udpsock_ismcast: 1 when sa is an IPv4 or IPv6 multicast address. */
int udpsock_ismcast(const struct sockaddr *sa);

/*
 * udpsock_join: join group on the interface ifindex (0: the kernel's
 * choice); with source non-NULL, a source-specific join. MCAST_JOIN_*,
 * else (qemu-user refuses those) IP_ADD_MEMBERSHIP and its kin. Returns
 * 0 or -1.
 */
int udpsock_join(int fd, const struct sockaddr *group, unsigned ifindex,
    const struct sockaddr *source);

/*
 * udpsock_mcast_arg: the checks of -m IFACE and -S SOURCE against the
 * receiving ADDRESS (text, and a parsed): either needs a multicast
 * address, and SOURCE must be a host (into *src); else a usage error,
 * exit 100. mcif and source may be NULL (not given).
 */
void udpsock_mcast_arg(const char *address, const struct addr *a,
    const char *mcif, const char *source, struct addr *src);

/*
 * udpsock_source_arg: the source a sender to dst binds (-s SOURCE):
 * HOST:PORT or a bare HOST (any port), of dst's family; ":PORT" is the
 * wildcard of that family. Into *src; else a usage error, exit 100.
 */
void udpsock_source_arg(const char *source, const struct addr *dst,
    struct addr *src);

/*
 * udpsock_dest_arg: the ADDRESS a sender sends to (text), into *dst: a
 * host and a port not 0; -m IFACE (mcif) and -L (noloop) need it to be
 * multicast, and a TTL of 0 (ttl; -1: not given) too. Else a usage
 * error, exit 100. mcif may be NULL (not given).
 */
void udpsock_dest_arg(const char *address, struct addr *dst,
    const char *mcif, int noloop, int ttl);

/* udpsock_ifindex: the index of an interface given by name or number;
 * an unknown one is a usage error (arg_fail, exit 100). */
unsigned udpsock_ifindex(const char *name);

/* udpsock_drops: datagrams the kernel dropped on this socket so far
 * (SO_MEMINFO, else the socket's line in /proc/net/udp or udp6), or -1
 * when the kernel cannot tell. */
long long udpsock_drops(int fd);

#endif
