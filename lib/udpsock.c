/* udpsock.c: set up a UDP socket for receiving: buffer, metadata, groups. */
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <linux/sock_diag.h>

#include <err.h>
#include <errno.h>
#include <net/if.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "arg.h"
#include "num.h"
#include "sockfd.h"
#include "udpsock.h"

long
udpsock_rcvbuf(int fd, size_t want)
{
	int v, got;
	socklen_t len = sizeof got;

	v = want > INT_MAX / 2 ? INT_MAX / 2 : (int)want;
	/* FORCE needs CAP_NET_ADMIN; without it, SO_RCVBUF clamps quietly */
	if (want > 0 &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof v) == -1 &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof v) == -1)
		return -1;
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &got, &len) == -1)
		return -1;
	return got;
}

long
udpsock_rcvbuf_want(int fd, size_t want, int set)
{
	long got;

	if ((got = udpsock_rcvbuf(fd, set ? want : 0)) == -1)
		err(111, "unable to set the receive buffer");
	/* Linux reports twice the request: its bookkeeping overhead */
	if ((unsigned long)got / 2 < want)
		warnx("receive buffer is %ld bytes, asked for %llu: "
		    "raise net.core.rmem_max or run with CAP_NET_ADMIN",
		    got / 2, (unsigned long long)want);
	return got;
}

int
udpsock_meta(int fd, int af)
{
	int on = 1, miss = 0;

	/* qemu-user refuses SO_TIMESTAMPNS (ENOPROTOOPT) and knows the
	 * microsecond one; a socket without either is stamped on receipt */
	if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) == -1) {
		miss |= UDPSOCK_NOTSNS;
		if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMP, &on,
		    sizeof on) == -1)
			miss |= UDPSOCK_NOTS;
	}
	/* without it the drops still come from SO_MEMINFO */
	if (setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &on, sizeof on) == -1)
		miss |= UDPSOCK_NOOVFL;
	/* on a dual-stack IPv6 socket IPv4 datagrams still report IP_PKTINFO */
	if (setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof on) == -1 &&
	    af == AF_INET)
		return -1;
	if (af == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO,
	    &on, sizeof on) == -1)
		return -1;
	return miss;
}

int
udpsock_gro(int fd, int on)
{
	return setsockopt(fd, SOL_UDP, UDP_GRO, &on, sizeof on);
}

int
udpsock_rx(int fd, int af, int gro, int verbose)
{
	int miss, on;

	if ((miss = udpsock_meta(fd, af)) == -1)
		err(111, "unable to ask for datagram metadata");
	if (verbose && (miss & UDPSOCK_NOTS))
		warnx("no kernel receive time: records carry the time read");
	else if (verbose && (miss & UDPSOCK_NOTSNS))
		warnx("no SO_TIMESTAMPNS: receive times in microseconds");
	if (verbose && (miss & UDPSOCK_NOOVFL))
		warnx("no SO_RXQ_OVFL: drops from SO_MEMINFO or /proc/net/udp");
	/* off too: an inherited socket keeps what an earlier run set */
	on = udpsock_gro(fd, gro) == 0 && gro;
	if (gro && !on && verbose)
		warn("receiving without UDP_GRO");
	return on;
}

int
udpsock_ismcast(const struct sockaddr *sa)
{
	const struct sockaddr_in *s4;
	const struct sockaddr_in6 *s6;

	if (sa->sa_family == AF_INET) {
		s4 = (const struct sockaddr_in *)sa;
		return (ntohl(s4->sin_addr.s_addr) >> 28) == 0xe;
	}
	if (sa->sa_family == AF_INET6) {
		s6 = (const struct sockaddr_in6 *)sa;
		return s6->sin6_addr.s6_addr[0] == 0xff;
	}
	return 0;
}

static socklen_t
salen(const struct sockaddr *sa)
{
	return sa->sa_family == AF_INET ? sizeof(struct sockaddr_in) :
	    sizeof(struct sockaddr_in6);
}

/* if_addr4: the IPv4 address of interface ifindex (0: any), for the
 * options that name an interface by its address. 0, -1 when none. */
static int
if_addr4(int fd, unsigned ifindex, struct in_addr *a)
{
	struct ifreq ifr;

	a->s_addr = htonl(INADDR_ANY);
	if (ifindex == 0)
		return 0;
	memset(&ifr, 0, sizeof ifr);
	if (if_indextoname(ifindex, ifr.ifr_name) == NULL ||
	    ioctl(fd, SIOCGIFADDR, &ifr) == -1)
		return -1;
	memcpy(a, &((struct sockaddr_in *)&ifr.ifr_addr)->sin_addr,
	    sizeof *a);
	return 0;
}

/* join_old: the join with the older options of each family, which
 * qemu-user knows where it refuses MCAST_JOIN_* (ENOPROTOOPT); IPv6 has
 * no source-specific one. */
static int
join_old(int fd, const struct sockaddr *group, unsigned ifindex,
    const struct sockaddr *source)
{
	const struct sockaddr_in *g4 = (const struct sockaddr_in *)group;
	struct ip_mreq_source ms;
	struct ipv6_mreq m6;
	struct ip_mreq mr;

	if (group->sa_family == AF_INET6 && source == NULL) {
		memset(&m6, 0, sizeof m6);
		m6.ipv6mr_multiaddr =
		    ((const struct sockaddr_in6 *)group)->sin6_addr;
		m6.ipv6mr_interface = ifindex;
		return setsockopt(fd, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &m6,
		    sizeof m6);
	}
	/* struct ip_mreq, by address: qemu 7.2 reads an ip_mreqn's index
	 * as a long, and loses it on a 64-bit target */
	if (group->sa_family == AF_INET && source == NULL) {
		if (if_addr4(fd, ifindex, &mr.imr_interface) == -1)
			return -1;
		mr.imr_multiaddr = g4->sin_addr;
		return setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr,
		    sizeof mr);
	}
	if (group->sa_family != AF_INET || if_addr4(fd, ifindex,
	    &ms.imr_interface) == -1) {
		errno = ENOPROTOOPT;
		return -1;
	}
	ms.imr_multiaddr = g4->sin_addr;
	ms.imr_sourceaddr = ((const struct sockaddr_in *)source)->sin_addr;
	return setsockopt(fd, IPPROTO_IP, IP_ADD_SOURCE_MEMBERSHIP, &ms,
	    sizeof ms);
}

/* join_new: the join with the options of both families. */
static int
join_new(int fd, const struct sockaddr *group, unsigned ifindex,
    const struct sockaddr *source)
{
	struct group_source_req gsr;
	struct group_req gr;
	int level;

	level = group->sa_family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6;
	if (source != NULL) {
		if (source->sa_family != group->sa_family) {
			errno = EAFNOSUPPORT;
			return -1;
		}
		memset(&gsr, 0, sizeof gsr);
		gsr.gsr_interface = ifindex;
		memcpy(&gsr.gsr_group, group, salen(group));
		memcpy(&gsr.gsr_source, source, salen(source));
		return setsockopt(fd, level, MCAST_JOIN_SOURCE_GROUP, &gsr,
		    sizeof gsr);
	}
	memset(&gr, 0, sizeof gr);
	gr.gr_interface = ifindex;
	memcpy(&gr.gr_group, group, salen(group));
	return setsockopt(fd, level, MCAST_JOIN_GROUP, &gr, sizeof gr);
}

int
udpsock_join(int fd, const struct sockaddr *group, unsigned ifindex,
    const struct sockaddr *source)
{
	if (join_new(fd, group, ifindex, source) == 0)
		return 0;
	if (errno != ENOPROTOOPT)
		return -1;
	return join_old(fd, group, ifindex, source);
}

/* proc_drops: the drops column of fd's line (by its inode) in
 * /proc/net/udp or udp6, for where SO_MEMINFO is refused (qemu-user
 * passes /proc/net through). -1 when not found. */
static long long
proc_drops(int fd)
{
	static const char *const files[] = { "/proc/net/udp",
	    "/proc/net/udp6" };
	struct stat st;
	unsigned long ino;
	long long drops;
	char line[512];
	size_t i;
	FILE *f;

	if (fstat(fd, &st) == -1)
		return -1;
	for (i = 0; i < sizeof files / sizeof files[0]; i++) {
		if ((f = fopen(files[i], "re")) == NULL)
			continue;
		while (fgets(line, sizeof line, f) != NULL)
			if (sscanf(line, "%*s %*s %*s %*s %*s %*s %*s %*s "
			    "%*s %lu %*s %*s %lld", &ino, &drops) == 2 &&
			    ino == st.st_ino) {
				fclose(f);
				return drops;
			}
		fclose(f);
	}
	return -1;
}

long long
udpsock_drops(int fd)
{
	uint32_t mem[SK_MEMINFO_VARS];
	socklen_t len = sizeof mem;

	if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mem, &len) == -1 ||
	    len < (SK_MEMINFO_DROPS + 1) * sizeof mem[0])
		return proc_drops(fd);
	return mem[SK_MEMINFO_DROPS];
}

int
udpsock_bind(const struct addr *addr, int reuseport, unsigned ifindex,
    const struct sockaddr *source, size_t rcvbuf, const char **step)
{
	struct addr a;
	struct sockaddr *sa = (struct sockaddr *)&a.ss;
	int fd, on = 1, off = 0, mc;

	memcpy(&a, addr, sizeof a);
	fd = socket(a.ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd == -1 && a.wildcard && errno == EAFNOSUPPORT) {
		addr_v4any(&a);
		fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	}
	if (fd == -1)
		return sockfd_fail(fd, step, "create");
	mc = udpsock_ismcast(sa);
	if (a.ss.ss_family == AF_INET6 && a.wildcard &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off) == -1)
		return sockfd_fail(fd, step, "accept IPv4 on");
	/* several receivers of one group on one host is the normal case */
	if (mc && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on,
	    sizeof on) == -1)
		return sockfd_fail(fd, step, "set SO_REUSEADDR on");
	if (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on,
	    sizeof on) == -1)
		return sockfd_fail(fd, step, "set SO_REUSEPORT on");
	/* before bind: a datagram may arrive the moment it is bound, and
	 * one dropped then must be counted and carry its metadata */
	if (udpsock_meta(fd, a.ss.ss_family) == -1)
		return sockfd_fail(fd, step, "ask for metadata on");
	if (rcvbuf > 0 && udpsock_rcvbuf(fd, rcvbuf) == -1)
		return sockfd_fail(fd, step, "size the receive buffer of");
	if (bind(fd, sa, a.len) == -1)
		return sockfd_fail(fd, step, "bind");
	if (mc && udpsock_join(fd, sa, ifindex, source) == -1)
		return sockfd_fail(fd, step, "join");
	return fd;
}

unsigned
udpsock_ifindex(const char *name)
{
	unsigned i = if_nametoindex(name);
	const char *e;

	if (i == 0) {
		i = (unsigned)num_parse(name, 1, INT32_MAX, &e);
		if (e != NULL)
			arg_fail("interface", name, "no such interface");
	}
	return i;
}

/* mcast_out: the multicast interface, hop limit and loopback of fd. */
static int
mcast_out(int fd, int v6, unsigned ifindex, int ttl, int loop,
    const char **step)
{
	struct ip_mreqn mr;
	int idx = (int)ifindex, on = loop != 0;

	if (ifindex != 0) {
		memset(&mr, 0, sizeof mr);
		mr.imr_ifindex = idx;
		if ((v6 ? setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF,
		    &idx, sizeof idx) : setsockopt(fd, IPPROTO_IP,
		    IP_MULTICAST_IF, &mr, sizeof mr)) == -1)
			return sockfd_fail(-1, step, "choose the interface of");
	}
	if (ttl != -1 && (v6 ? setsockopt(fd, IPPROTO_IPV6,
	    IPV6_MULTICAST_HOPS, &ttl, sizeof ttl) : setsockopt(fd,
	    IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl)) == -1)
		return sockfd_fail(-1, step, "set the TTL of");
	if ((v6 ? setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &on,
	    sizeof on) : setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &on,
	    sizeof on)) == -1)
		return sockfd_fail(-1, step, "set multicast loopback of");
	return 0;
}

const char udpsock_bind_step[] = "bind the source of";

int
udpsock_connect(const struct addr *dst, const struct addr *src,
    unsigned ifindex, int ttl, int loop, const char **step)
{
	const struct sockaddr *sa = (const struct sockaddr *)&dst->ss;
	int fd, v6 = dst->ss.ss_family == AF_INET6;

	fd = socket(dst->ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (fd == -1)
		return sockfd_fail(fd, step, "create a socket for");
	if (src != NULL && bind(fd, (const struct sockaddr *)&src->ss,
	    src->len) == -1)
		return sockfd_fail(fd, step, udpsock_bind_step);
	if (udpsock_ismcast(sa)) {
		if (mcast_out(fd, v6, ifindex, ttl, loop, step) == -1)
			return sockfd_fail(fd, step, *step);
	} else if (ttl != -1 && (v6 ? setsockopt(fd, IPPROTO_IPV6,
	    IPV6_UNICAST_HOPS, &ttl, sizeof ttl) : setsockopt(fd, IPPROTO_IP,
	    IP_TTL, &ttl, sizeof ttl)) == -1)
		return sockfd_fail(fd, step, "set the TTL of");
	if (connect(fd, sa, dst->len) == -1)
		return sockfd_fail(fd, step, "connect to");
	return fd;
}

void
udpsock_mcast_arg(const char *address, const struct addr *a,
    const char *mcif, const char *source, struct addr *src)
{
	const char *e;

	if ((mcif || source) && !udpsock_ismcast((const struct sockaddr *)&a->ss))
		arg_misuse("-m and -S need a multicast ADDRESS, not '%s'",
		    address);
	if (source && (e = addr_parse_host(source, src)) != NULL)
		arg_fail("source", source, e);
}

void
udpsock_dest_arg(const char *address, struct addr *dst, const char *mcif,
    int noloop, int ttl)
{
	int mc;

	addr_arg("address", address, dst);
	if (dst->wildcard)
		arg_fail("address", address, "a destination needs a host");
	if (addr_port((const struct sockaddr *)&dst->ss) == 0)
		arg_fail("address", address, "port 0");
	mc = udpsock_ismcast((struct sockaddr *)&dst->ss);
	if ((mcif || noloop) && !mc)
		arg_misuse("-m and -L need a multicast ADDRESS, not '%s'",
		    address);
	if (ttl == 0 && !mc)
		arg_fail("TTL", "0", "0 is for multicast only");
}

void
udpsock_source_arg(const char *source, const struct addr *dst,
    struct addr *src)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)&src->ss;
	const char *e;
	in_port_t port;

	if ((e = addr_parse_source(source, src)) != NULL)
		arg_fail("source", source, e);
	if (src->wildcard && dst->ss.ss_family == AF_INET) {
		port = ((struct sockaddr_in6 *)&src->ss)->sin6_port;
		memset(&src->ss, 0, sizeof src->ss);
		s4->sin_family = AF_INET;
		s4->sin_port = port;
		src->len = sizeof *s4;
	}
	if (src->ss.ss_family != dst->ss.ss_family)
		arg_fail("source", source, dst->ss.ss_family == AF_INET ?
		    "not IPv4, as the address is" :
		    "not IPv6, as the address is");
}
