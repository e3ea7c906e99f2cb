/* tcpstat.h: the kernel's TCP counters of this network namespace. */
#ifndef TCPSTAT_H
#define TCPSTAT_H

#include <stdint.h>

#define TCPSTAT_NONE	UINT64_MAX	/* a counter that could not be read */

/* TcpExt ListenOverflows (accept queue full) and ListenDrops (SYNs
 * dropped, overflows included); ok is 0 when they could not be read. */
struct tcpstat {
	uint64_t overflows, drops;
	int ok;
};

/* tcpstat_parse_netstat: the counters from the text of /proc/net/netstat
 * (a "TcpExt:" line of names, then one of values). Returns them, ok 0
 * when the text has no such lines or they lack either counter. */
struct tcpstat tcpstat_parse_netstat(const char *text);

/* tcpstat_parse_tw: the sockets in TIME_WAIT ("tw") on the "TCP:" line of
 * the text of /proc/net/sockstat (not its first line), or TCPSTAT_NONE. */
uint64_t tcpstat_parse_tw(const char *text);

/* tcpstat_read: tcpstat_parse_netstat on /proc/net/netstat; ok 0 when it
 * cannot be read. */
struct tcpstat tcpstat_read(void);

/* tcpstat_timewait: tcpstat_parse_tw on /proc/net/sockstat, or TCPSTAT_NONE
 * when it cannot be read. */
uint64_t tcpstat_timewait(void);

#endif
