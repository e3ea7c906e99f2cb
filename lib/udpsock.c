/* udpsock.c: set up a UDP socket for receiving: buffer, metadata, groups. */
#include <sys/socket.h>
#include <netinet/in.h>
#include <linux/sock_diag.h>

#include <err.h>
#include <errno.h>
#include <net/if.h>
#include <limits.h>
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
	int on = 1;

	if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &on, sizeof on) == -1)
		return -1;
	/* on a dual-stack IPv6 socket IPv4 datagrams still report IP_PKTINFO */
	if (setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof on) == -1 &&
	    af == AF_INET)
		return -1;
	if (af == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO,
	    &on, sizeof on) == -1)
		return -1;
	return 0;
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

int
udpsock_join(int fd, const struct sockaddr *group, unsigned ifindex,
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

long long
udpsock_drops(int fd)
{
	uint32_t mem[SK_MEMINFO_VARS];
	socklen_t len = sizeof mem;

	if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mem, &len) == -1 ||
	    len < (SK_MEMINFO_DROPS + 1) * sizeof mem[0])
		return -1;
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
