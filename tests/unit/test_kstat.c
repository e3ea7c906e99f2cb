/* test_kstat.c: the /proc/net/netstat and /proc/net/sockstat parsers on
 * fixed texts, the live readers, and kstat_islocal. */
#include <sys/socket.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <ifaddrs.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kstat.h"
#include "tap.h"

/* Cut from a Linux 6.1 /proc/net/netstat: the counters are mid-line and
 * an IpExt table follows with names of its own. */
static const char netstat[] =
    "TcpExt: SyncookiesSent SyncookiesRecv TW DelayedACKs ListenOverflows "
    "ListenDrops TCPHPHits\n"
    "TcpExt: 0 0 46671 1087 5886 5887 261008\n"
    "IpExt: InNoRoutes ListenOverflows InOctets\n"
    "IpExt: 0 77 123456\n";

static const char sockstat[] =
    "sockets: used 10\n"
    "TCP: inuse 1 orphan 0 tw 100 alloc 1 mem 144\n"
    "UDP: inuse 0 mem 101\n";

static void
test_netstat(void)
{
	struct kstat k;

	k = kstat_parse_netstat(netstat);
	ok(k.ok && k.overflows == 5886 && k.drops == 5887,
	    "netstat: overflows %llu drops %llu", (unsigned long long)
	    k.overflows, (unsigned long long)k.drops);
	k = kstat_parse_netstat("TcpExt: ListenDrops ListenOverflows\n"
	    "TcpExt: 12345678901234 7");
	ok(k.ok && k.overflows == 7 && k.drops == 12345678901234ull,
	    "netstat: other order, big value, no final newline");
	k = kstat_parse_netstat("TcpExt: ListenOverflows ListenDrops\n");
	ok(!k.ok, "netstat: names without values");
	k = kstat_parse_netstat("TcpExt: ListenOverflows ListenDrops\n"
	    "TcpExt: 3\n");
	ok(!k.ok, "netstat: a value missing");
	k = kstat_parse_netstat("TcpExt: ListenOverflowsX ListenDrops\n"
	    "TcpExt: 3 4\n");
	ok(!k.ok, "netstat: a name is matched whole");
	k = kstat_parse_netstat("IpExt: ListenOverflows ListenDrops\n"
	    "IpExt: 3 4\n");
	ok(!k.ok, "netstat: no TcpExt table");
	k = kstat_parse_netstat("TcpExt: ListenOverflows ListenDrops\n"
	    "TcpExt: x 4\n");
	ok(!k.ok, "netstat: a value that is not a number");
	ok(!kstat_parse_netstat("").ok, "netstat: empty");
}

static void
test_sockstat(void)
{
	is_int(kstat_parse_tw(sockstat), 100, "sockstat: tw");
	is_int(kstat_parse_tw("sockets: used 1\nTCP: inuse 0 tw 0"), 0,
	    "sockstat: tw 0 at the end of the text");
	ok(kstat_parse_tw("TCP: inuse 1 tw 5\n") == KSTAT_NONE,
	    "sockstat: the TCP line must not be the first");
	ok(kstat_parse_tw("sockets: used 1\nTCP: inuse 1 orphan 0\n") ==
	    KSTAT_NONE, "sockstat: no tw");
	ok(kstat_parse_tw("sockets: used 1\nTCP: inuse 1 tw\n") ==
	    KSTAT_NONE, "sockstat: tw without a value");
	ok(kstat_parse_tw("sockets: used 1\nUDP: inuse 1 tw 3\n") ==
	    KSTAT_NONE, "sockstat: tw of another table");
	ok(kstat_parse_tw("") == KSTAT_NONE, "sockstat: empty");
}

static void
test_live(void)
{
	struct kstat a, b;

	if (access("/proc/net/netstat", R_OK) == -1) {
		ok(1, "# SKIP no /proc/net/netstat");
		return;
	}
	a = kstat_read();
	b = kstat_read();
	ok(a.ok && b.ok && b.overflows >= a.overflows &&
	    b.drops >= a.drops, "kstat_read on this host");
	ok(kstat_timewait() != KSTAT_NONE, "kstat_timewait on this host");
}

/* local: kstat_islocal of the numeric address s. */
static int
local(const char *s)
{
	struct sockaddr_in s4;
	struct sockaddr_in6 s6;

	memset(&s4, 0, sizeof s4);
	memset(&s6, 0, sizeof s6);
	if (inet_pton(AF_INET, s, &s4.sin_addr) == 1) {
		s4.sin_family = AF_INET;
		return kstat_islocal((struct sockaddr *)&s4);
	}
	if (inet_pton(AF_INET6, s, &s6.sin6_addr) == 1) {
		s6.sin6_family = AF_INET6;
		return kstat_islocal((struct sockaddr *)&s6);
	}
	return -1;
}

static void
test_islocal(void)
{
	struct ifaddrs *ifa, *p;
	struct sockaddr_un un;
	int n = 0, good = 1;

	is_int(local("127.0.0.1"), 1, "127.0.0.1 is local");
	is_int(local("127.200.0.9"), 1, "127.200.0.9 is local");
	is_int(local("0.0.0.0"), 1, "0.0.0.0 is local");
	is_int(local("::1"), 1, "::1 is local");
	is_int(local("::"), 1, ":: is local");
	is_int(local("::ffff:127.0.0.1"), 1, "::ffff:127.0.0.1 is local");
	is_int(local("192.0.2.1"), 0, "192.0.2.1 (TEST-NET-1) is not");
	is_int(local("2001:db8::1"), 0, "2001:db8::1 (documentation) is not");
	is_int(local("::2"), 0, "::2 is not");
	memset(&un, 0, sizeof un);
	un.sun_family = AF_UNIX;
	is_int(kstat_islocal((struct sockaddr *)&un), 0, "AF_UNIX is not");
	if (getifaddrs(&ifa) == -1) {
		ok(1, "# SKIP getifaddrs failed");
		return;
	}
	for (p = ifa; p != NULL; p = p->ifa_next)
		if (p->ifa_addr != NULL && (p->ifa_addr->sa_family ==
		    AF_INET || p->ifa_addr->sa_family == AF_INET6)) {
			n++;
			good &= kstat_islocal(p->ifa_addr) == 1;
		}
	freeifaddrs(ifa);
	ok(good, "each of the %d interface addresses is local", n);
}

int
main(void)
{
	test_netstat();
	test_sockstat();
	test_live();
	test_islocal();
	return tap_done();
}
