/* addr.c: numeric socket addresses: HOST:PORT, [V6]:PORT, :PORT. */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <net/if.h>

#include <err.h>
#include <ifaddrs.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "arg.h"
#include "num.h"

/* Room for a v6 address and an interface name or a 10-digit scope. */
#define HOSTMAX (INET6_ADDRSTRLEN + IF_NAMESIZE + 12)

/* parseport: "0".."65535", decimal digits only. Returns -1 if invalid. */
static long
parseport(const char *s)
{
	long v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
		if (v > 65535)
			return -1;
	}
	return v;
}

/* parsescope: an interface name or index after '%'; 0 if there is none. */
static uint32_t
parsescope(const char *s)
{
	uint64_t v = 0;
	const char *p;

	for (p = s; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (*p - '0');
		if (v > UINT32_MAX)
			return 0;
	}
	if (p != s && *p == '\0')
		return (uint32_t)v;
	return if_nametoindex(s);
}

/* parse6: host h (brackets removed, maybe "%scope") into a. */
static const char *
parse6(char *h, struct addr *a, unsigned port)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&a->ss;
	char *pct;

	if ((pct = strchr(h, '%')) != NULL)
		*pct++ = '\0';
	if (inet_pton(AF_INET6, h, &s6->sin6_addr) != 1)
		return "invalid host";
	if (pct != NULL && (s6->sin6_scope_id = parsescope(pct)) == 0)
		return "unknown interface";
	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons(port);
	a->len = sizeof(*s6);
	return NULL;
}

static const char *
parse4(const char *h, struct addr *a, unsigned port)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)&a->ss;

	if (inet_pton(AF_INET, h, &s4->sin_addr) != 1)
		return "invalid host";
	s4->sin_family = AF_INET;
	s4->sin_port = htons(port);
	a->len = sizeof(*s4);
	return NULL;
}

/*
 * addr_parse: IPv6 must be bracketed, so "::1:5" is refused rather than
 * guessed at. Names, "localhost" included, are refused: no lookup ever
 * blocks or depends on the resolver.
 */
const char *
addr_parse(const char *s, struct addr *a)
{
	char host[HOSTMAX];
	const char *hs, *he, *ps;
	long port;
	int v6 = 0;

	memset(a, 0, sizeof(*a));
	hs = s;
	if (*s == '[') {
		v6 = 1;
		hs = s + 1;
		if ((he = strchr(hs, ']')) == NULL)
			return "missing ]";
		if (he[1] != ':')
			return "missing port";
		ps = he + 2;
	} else {
		if ((he = strrchr(s, ':')) == NULL)
			return "missing port";
		ps = he + 1;
	}
	if ((port = parseport(ps)) < 0)
		return *ps == '\0' ? "missing port" : "invalid port";
	if ((size_t)(he - hs) >= sizeof(host))
		return "invalid host";
	memcpy(host, hs, he - hs);
	host[he - hs] = '\0';
	if (v6)
		return parse6(host, a, port);
	if (host[0] == '\0') {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&a->ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_addr = in6addr_any;
		s6->sin6_port = htons(port);
		a->len = sizeof(*s6);
		a->wildcard = 1;
		return NULL;
	}
	if (strchr(host, ':') != NULL)
		return "invalid host";
	return parse4(host, a, port);
}

const char *
addr_parse_host(const char *s, struct addr *a)
{
	char host[HOSTMAX];
	size_t n = strlen(s);

	memset(a, 0, sizeof(*a));
	if (n == 0 || n >= sizeof(host))
		return "invalid host";
	if (strchr(s, ':') == NULL)
		return parse4(s, a, 0);
	/* an IPv6 host may come with or without its brackets */
	if (s[0] == '[') {
		if (s[n - 1] != ']')
			return "missing ]";
		memcpy(host, s + 1, n - 2);
		host[n - 2] = '\0';
	} else
		memcpy(host, s, n + 1);
	return parse6(host, a, 0);
}

const char *
addr_parse_source(const char *s, struct addr *a)
{
	const char *e, *eh;
	size_t n = strlen(s);

	if ((e = addr_parse(s, a)) == NULL ||
	    (eh = addr_parse_host(s, a)) == NULL)
		return NULL;
	return strchr(s, ':') == NULL || (n > 0 && s[n - 1] == ']') ? eh : e;
}

void
addr_arg(const char *what, const char *s, struct addr *a)
{
	const char *e;

	if ((e = addr_parse(s, a)) != NULL)
		arg_fail(what, s, e);
}

/* fmt4: "a.b.c.d:port" without printf: this runs once per record. */
static char *
fmt4(const unsigned char *ip, unsigned port, char *buf)
{
	char *p = buf, tmp[8];
	int i, n;

	for (i = 0; i < 4; i++) {
		unsigned b = ip[i];

		if (b >= 100)
			*p++ = '0' + b / 100;
		if (b >= 10)
			*p++ = '0' + b / 10 % 10;
		*p++ = '0' + b % 10;
		*p++ = i < 3 ? '.' : ':';
	}
	n = 0;
	do
		tmp[n++] = '0' + port % 10;
	while ((port /= 10) != 0 && n < 5);
	while (n > 0)
		*p++ = tmp[--n];
	*p = '\0';
	return buf;
}

static char *
fmt6(const unsigned char *ip, unsigned port, uint32_t scope, char *buf)
{
	static const unsigned char mapped[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
	};
	char host[INET6_ADDRSTRLEN], ifname[IF_NAMESIZE];
	char sc[IF_NAMESIZE + 1] = "";	/* "%" and a name or an index */

	if (memcmp(ip, mapped, sizeof(mapped)) == 0)
		return fmt4(ip + 12, port, buf);
	if (inet_ntop(AF_INET6, ip, host, sizeof(host)) == NULL)
		strcpy(host, "?");
	if (scope != 0) {
		if (if_indextoname(scope, ifname) != NULL)
			snprintf(sc, sizeof(sc), "%%%s", ifname);
		else
			snprintf(sc, sizeof(sc), "%%%lu",
			    (unsigned long)scope);
	}
	snprintf(buf, ADDR_STRLEN, "[%s%s]:%u", host, sc, port & 0xffff);
	return buf;
}

char *
addr_format(const struct sockaddr *sa, char *buf)
{
	struct sockaddr_in s4;
	struct sockaddr_in6 s6;

	/* Copies, not casts: sa may point into a buffer of any alignment. */
	switch (sa->sa_family) {
	case AF_INET:
		memcpy(&s4, sa, sizeof(s4));
		return fmt4((const unsigned char *)&s4.sin_addr,
		    ntohs(s4.sin_port), buf);
	case AF_INET6:
		memcpy(&s6, sa, sizeof(s6));
		return fmt6(s6.sin6_addr.s6_addr, ntohs(s6.sin6_port),
		    s6.sin6_scope_id, buf);
	}
	snprintf(buf, ADDR_STRLEN, "?af%d", (int)sa->sa_family);
	return buf;
}

char *
addr_format_ip(int af, const unsigned char *ip, unsigned port, char *buf)
{
	port &= 0xffff;
	if (af == AF_INET)
		return fmt4(ip, port, buf);
	if (af == AF_INET6)
		return fmt6(ip, port, 0, buf);
	snprintf(buf, ADDR_STRLEN, "?af%d", af);
	return buf;
}

void
addr_v4any(struct addr *a)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&a->ss;
	struct sockaddr_in s4;

	memset(&s4, 0, sizeof s4);
	s4.sin_family = AF_INET;
	s4.sin_port = s6->sin6_port;
	memcpy(&a->ss, &s4, sizeof s4);
	a->len = sizeof s4;
}

/* what addr_list_parse says past ADDR_LIST_MAX */
#define TOOMANY "more than 65536 addresses"

/* list_add: append a to v (n long; room for 256, then doubled whenever
 * n reaches a power of two, so a range of 65536 is not copied 256 times).
 * Returns 0, 1 when v is full, -1 when out of memory. */
static int
list_add(struct addr **v, size_t *n, const struct addr *a)
{
	struct addr *p;

	if (*n >= ADDR_LIST_MAX)
		return 1;
	if (*n == 0 || (*n >= 256 && (*n & (*n - 1)) == 0)) {
		p = reallocarray(*v, *n == 0 ? 256 : *n * 2, sizeof *p);
		if (p == NULL)
			return -1;
		*v = p;
	}
	(*v)[(*n)++] = *a;
	return 0;
}

/* list_range: append the range "A-B" in item, cut at its dash. Returns
 * as addr_list_parse. */
static int
list_range(char *item, struct addr **v, size_t *n, const char **why)
{
	char *dash = strchr(item, '-');
	struct sockaddr_in *sin;
	struct in_addr x, y;
	struct addr a;
	uint32_t i, lo, hi;
	int e;

	*dash = '\0';
	if (inet_pton(AF_INET, item, &x) != 1 ||
	    inet_pton(AF_INET, dash + 1, &y) != 1)
		return *why = "a range is two IPv4 addresses A-B", 1;
	lo = ntohl(x.s_addr);
	hi = ntohl(y.s_addr);
	if (lo > hi)
		return *why = "a range must go upwards", 1;
	if (hi - lo >= ADDR_LIST_MAX)
		return *why = TOOMANY, 1;
	memset(&a, 0, sizeof a);
	a.len = sizeof *sin;
	sin = (struct sockaddr_in *)&a.ss;
	sin->sin_family = AF_INET;
	for (i = lo;; i++) {	/* not i <= hi: hi may be 255.255.255.255 */
		sin->sin_addr.s_addr = htonl(i);
		if ((e = list_add(v, n, &a)) != 0)
			return *why = TOOMANY, e;
		if (i == hi)
			return 0;
	}
}

int
addr_list_parse(const char *s, struct addr **list, size_t *n,
    const char **why)
{
	char *copy, *item, *save = NULL;
	struct addr a, *v = NULL;
	size_t k = 0;
	int e = 0, saved;

	if ((copy = strdup(s)) == NULL)
		return -1;
	for (item = strtok_r(copy, ",", &save); item != NULL && e == 0;
	    item = strtok_r(NULL, ",", &save)) {
		if (strchr(item, '-') != NULL)
			e = list_range(item, &v, &k, why);
		else if ((*why = addr_parse_host(item, &a)) != NULL)
			e = 1;
		else if ((e = list_add(&v, &k, &a)) == 1)
			*why = TOOMANY;
	}
	free(copy);
	if (e == 0 && k == 0) {
		*why = "no address";
		e = 1;
	}
	if (e != 0) {
		saved = errno;
		free(v);
		errno = saved;
		return e;
	}
	*list = v;
	*n = k;
	return 0;
}

unsigned
addr_port(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)(const void *)sa)
		    ->sin6_port);
	if (sa->sa_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)(const void *)sa)
		    ->sin_port);
	return 0;
}

int
addr_ip(const struct sockaddr *sa, unsigned char *ip)
{
	static const unsigned char mapped[12] =
	    { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	const struct sockaddr_in6 *s6;
	const struct sockaddr_in *s4;

	memset(ip, 0, 16);
	if (sa->sa_family == AF_INET) {
		s4 = (const struct sockaddr_in *)(const void *)sa;
		memcpy(ip, &s4->sin_addr, 4);
		return AF_INET;
	}
	if (sa->sa_family != AF_INET6)
		return -1;
	s6 = (const struct sockaddr_in6 *)(const void *)sa;
	if (memcmp(s6->sin6_addr.s6_addr, mapped, sizeof mapped) == 0) {
		memcpy(ip, s6->sin6_addr.s6_addr + 12, 4);
		return AF_INET;
	}
	memcpy(ip, s6->sin6_addr.s6_addr, 16);
	return AF_INET6;
}

int
addr_islocal(const struct sockaddr *sa)
{
	unsigned char ip[16], ip2[16];
	static const unsigned char zero[16];
	struct ifaddrs *ifa, *p;
	int af, found = 0;

	if ((af = addr_ip(sa, ip)) == -1)
		return 0;
	if ((af == AF_INET && (ip[0] == 127 || memcmp(ip, zero, 4) == 0)) ||
	    (af == AF_INET6 && (memcmp(ip, zero, 15) == 0 && ip[15] <= 1)))
		return 1;
	if (getifaddrs(&ifa) == -1)
		return 0;
	for (p = ifa; p != NULL && !found; p = p->ifa_next)
		if (p->ifa_addr != NULL && addr_ip(p->ifa_addr, ip2) == af &&
		    memcmp(ip, ip2, af == AF_INET ? 4 : 16) == 0)
			found = 1;
	freeifaddrs(ifa);
	return found;
}
