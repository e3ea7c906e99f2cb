/* kstat.h: the kernel's TCP counters of this network namespace, and
 * whether an address is one of this host's. */
#ifndef KSTAT_H
#define KSTAT_H

#include <sys/socket.h>

#include <stdint.h>

#define KSTAT_NONE	UINT64_MAX	/* a counter that could not be read */

/* TcpExt ListenOverflows (accept queue full) and ListenDrops (SYNs
 * dropped, overflows included); ok is 0 when they could not be read. */
struct kstat {
	uint64_t overflows, drops;
	int ok;
};

/* kstat_parse_netstat: the counters from the text of /proc/net/netstat
 * (a "TcpExt:" line of names, then one of values). Returns them, ok 0
 * when the text has no such lines or they lack either counter. */
struct kstat kstat_parse_netstat(const char *text);

/* kstat_parse_tw: the sockets in TIME_WAIT ("tw") on the "TCP:" line of
 * the text of /proc/net/sockstat (not its first line), or KSTAT_NONE. */
uint64_t kstat_parse_tw(const char *text);

/* kstat_read: kstat_parse_netstat on /proc/net/netstat; ok 0 when it
 * cannot be read. */
struct kstat kstat_read(void);

/* kstat_timewait: kstat_parse_tw on /proc/net/sockstat, or KSTAT_NONE
 * when it cannot be read. */
uint64_t kstat_timewait(void);

/*
 * kstat_islocal: 1 when sa is an address of this host: IPv4 127/8 or
 * 0.0.0.0, IPv6 :: or ::1 (IPv4-mapped as IPv4), or the address of an
 * interface; else 0, also for another family or when the interfaces
 * cannot be listed. The counters of this host are then the target's.
 */
int kstat_islocal(const struct sockaddr *sa);

#endif
