/* addr.h: numeric socket addresses: HOST:PORT, [V6]:PORT, :PORT. */
#ifndef ADDR_H
#define ADDR_H

#include <sys/socket.h>
#include <netinet/in.h>

#include <stddef.h>

/* Longest text addr_format writes, NUL included: "[v6%ifname]:65535". */
#define ADDR_STRLEN (INET6_ADDRSTRLEN + 16 + 8)

/* Most addresses addr_list_parse returns. */
#define ADDR_LIST_MAX 65536

struct addr {
	struct sockaddr_storage ss;
	socklen_t len;
	int wildcard;		/* written as ":PORT": every interface */
};

/*
 * addr_parse: parse "1.2.3.4:5", "[::1]:5", "[fe80::1%lo]:5" or ":5"
 * (port 0..65535) into a. Never resolves a name. ":PORT" gives an IPv6
 * wildcard address (::) with a->wildcard set, so a caller may bind it
 * dual-stack. Returns NULL, or a short reason on failure ("missing port",
 * "invalid port", "invalid host", ...).
 */
const char *addr_parse(const char *s, struct addr *a);

/* addr_parse_host: a numeric host without a port: "1.2.3.4", "::1",
 * "[::1]", "fe80::1%lo"; the port is 0. Returns NULL or a reason. */
const char *addr_parse_host(const char *s, struct addr *a);

/*
 * addr_parse_source: a source to bind: "HOST:PORT" as addr_parse (":PORT"
 * the wildcard) or a bare HOST as addr_parse_host (port 0: any). Returns
 * NULL, or the reason of the form s has: the host's when s has no ':' or
 * ends in ']', else addr_parse's ("invalid port", ...).
 */
const char *addr_parse_source(const char *s, struct addr *a);

/*
 * addr_list_parse: a comma list of numeric hosts (as addr_parse_host, port
 * 0) and IPv4 ranges "A-B" (A <= B, both included), in order, at most
 * ADDR_LIST_MAX addresses in all, into a new array *list of *n (free it).
 * Families may mix. Returns 0; 1 when s is bad, *why saying how ("no
 * address", "a range must go upwards", ...); -1 with errno set when out
 * of memory. *list and *n are set only on success.
 */
int addr_list_parse(const char *s, struct addr **list, size_t *n,
    const char **why);

/* addr_port: the port of an IPv4 or IPv6 sa, in host order (0 for
 * another family). */
unsigned addr_port(const struct sockaddr *sa);

/* addr_v4any: turn the ":PORT" wildcard [::]:PORT into 0.0.0.0:PORT, for
 * a host without IPv6. */
void addr_v4any(struct addr *a);

/* addr_arg: addr_parse, or "PROG: invalid WHAT 'S': REASON" and exit 100. */
void addr_arg(const char *what, const char *s, struct addr *a);

/*
 * addr_format: write sa as "1.2.3.4:5" or "[::1]:5" into buf (ADDR_STRLEN
 * bytes). An IPv4-mapped IPv6 address is written as IPv4. Returns buf.
 */
char *addr_format(const struct sockaddr *sa, char *buf);

/* addr_format_ip: the same from raw bytes: af AF_INET (4 bytes) or
 * AF_INET6 (16 bytes) and a port in host order. Returns buf. */
char *addr_format_ip(int af, const unsigned char *ip, unsigned port,
    char *buf);

/* addr_ip: the address bytes of sa (IPv4-mapped IPv6 as IPv4) into ip[16];
 * returns the family, AF_INET or AF_INET6, or -1 for another family. */
int addr_ip(const struct sockaddr *sa, unsigned char *ip);

/*
 * addr_islocal: 1 when sa is an address of this host: IPv4 127/8 or
 * 0.0.0.0, IPv6 :: or ::1 (IPv4-mapped as IPv4), or the address of an
 * interface; else 0, also for another family or when the interfaces
 * cannot be listed.
 */
int addr_islocal(const struct sockaddr *sa);

#endif
