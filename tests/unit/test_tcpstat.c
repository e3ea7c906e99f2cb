/* test_tcpstat.c: the /proc/net/netstat and /proc/net/sockstat parsers on
 * fixed texts, and the live readers. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tcpstat.h"
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
	struct tcpstat k;

	k = tcpstat_parse_netstat(netstat);
	ok(k.ok && k.overflows == 5886 && k.drops == 5887,
	    "netstat: overflows %llu drops %llu", (unsigned long long)
	    k.overflows, (unsigned long long)k.drops);
	k = tcpstat_parse_netstat("TcpExt: ListenDrops ListenOverflows\n"
	    "TcpExt: 12345678901234 7");
	ok(k.ok && k.overflows == 7 && k.drops == 12345678901234ull,
	    "netstat: other order, big value, no final newline");
	k = tcpstat_parse_netstat("TcpExt: ListenOverflows ListenDrops\n");
	ok(!k.ok, "netstat: names without values");
	k = tcpstat_parse_netstat("TcpExt: ListenOverflows ListenDrops\n"
	    "TcpExt: 3\n");
	ok(!k.ok, "netstat: a value missing");
	k = tcpstat_parse_netstat("TcpExt: ListenOverflowsX ListenDrops\n"
	    "TcpExt: 3 4\n");
	ok(!k.ok, "netstat: a name is matched whole");
	k = tcpstat_parse_netstat("IpExt: ListenOverflows ListenDrops\n"
	    "IpExt: 3 4\n");
	ok(!k.ok, "netstat: no TcpExt table");
	k = tcpstat_parse_netstat("TcpExt: ListenOverflows ListenDrops\n"
	    "TcpExt: x 4\n");
	ok(!k.ok, "netstat: a value that is not a number");
	ok(!tcpstat_parse_netstat("").ok, "netstat: empty");
}

static void
test_sockstat(void)
{
	is_int(tcpstat_parse_tw(sockstat), 100, "sockstat: tw");
	is_int(tcpstat_parse_tw("sockets: used 1\nTCP: inuse 0 tw 0"), 0,
	    "sockstat: tw 0 at the end of the text");
	ok(tcpstat_parse_tw("TCP: inuse 1 tw 5\n") == TCPSTAT_NONE,
	    "sockstat: the TCP line must not be the first");
	ok(tcpstat_parse_tw("sockets: used 1\nTCP: inuse 1 orphan 0\n") ==
	    TCPSTAT_NONE, "sockstat: no tw");
	ok(tcpstat_parse_tw("sockets: used 1\nTCP: inuse 1 tw\n") ==
	    TCPSTAT_NONE, "sockstat: tw without a value");
	ok(tcpstat_parse_tw("sockets: used 1\nUDP: inuse 1 tw 3\n") ==
	    TCPSTAT_NONE, "sockstat: tw of another table");
	ok(tcpstat_parse_tw("") == TCPSTAT_NONE, "sockstat: empty");
}

static void
test_live(void)
{
	struct tcpstat a, b;

	if (access("/proc/net/netstat", R_OK) == -1) {
		ok(1, "# SKIP no /proc/net/netstat");
		return;
	}
	a = tcpstat_read();
	b = tcpstat_read();
	ok(a.ok && b.ok && b.overflows >= a.overflows &&
	    b.drops >= a.drops, "tcpstat_read on this host");
	ok(tcpstat_timewait() != TCPSTAT_NONE, "tcpstat_timewait on this host");
}

int
main(void)
{
	test_netstat();
	test_sockstat();
	test_live();
	return tap_done();
}
