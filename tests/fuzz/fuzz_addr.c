/*
 * fuzz_addr.c: libFuzzer harness for the address parsers: addr_parse,
 * addr_parse_host, addr_list_parse and cidr_parse. The first input byte
 * picks the parser, the rest up to a NUL is the text. What parses must be
 * well formed and must come back the same when written out (addr_format,
 * inet_ntop) and parsed again.
 *
 * Built by `make build/fuzz/fuzz_addr`; run by tests/fuzz/run.sh addr.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "cidr.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);


/* wellformed: a parsed address has a family, its length, and a port */
static void
wellformed(const struct addr *a, int anyport)
{
	if (a->ss.ss_family == AF_INET) {
		if (a->len != sizeof(struct sockaddr_in) || a->wildcard)
			abort();
	} else if (a->ss.ss_family == AF_INET6) {
		if (a->len != sizeof(struct sockaddr_in6))
			abort();
	} else
		abort();
	if (!anyport && addr_port((const struct sockaddr *)&a->ss) != 0)
		abort();
}

/* same: a and b name the same endpoint, an IPv4-mapped IPv6 address and
 * its IPv4 address alike (addr_format writes the one as the other) */
static int
same(const struct addr *a, const struct addr *b)
{
	const struct sockaddr *sa = (const struct sockaddr *)&a->ss;
	const struct sockaddr *sb = (const struct sockaddr *)&b->ss;
	unsigned char x[16], y[16];
	int fa, fb;

	if (addr_port(sa) != addr_port(sb))
		return 0;
	fa = addr_ip(sa, x);
	fb = addr_ip(sb, y);
	return fa == fb && memcmp(x, y, 16) == 0;
}

static void
check_addr(const char *s, int host)
{
	struct addr a, b;
	char buf[ADDR_STRLEN];
	const char *e;

	e = host ? addr_parse_host(s, &a) : addr_parse(s, &a);
	if (e != NULL) {
		if (*e == '\0')
			abort();
		return;
	}
	wellformed(&a, !host);
	if (a.wildcard && (a.ss.ss_family != AF_INET6 || s[0] != ':'))
		abort();
	addr_format((const struct sockaddr *)&a.ss, buf);
	if (strlen(buf) >= ADDR_STRLEN || addr_parse(buf, &b) != NULL ||
	    !same(&a, &b))
		abort();
	/* the scope survives unless the address is written as IPv4 */
	if (a.ss.ss_family == AF_INET6 && b.ss.ss_family == AF_INET6 &&
	    ((struct sockaddr_in6 *)&a.ss)->sin6_scope_id !=
	    ((struct sockaddr_in6 *)&b.ss)->sin6_scope_id)
		abort();
}

static void
check_list(const char *s)
{
	struct addr *v;
	const char *why = NULL;
	size_t n = 0, i;
	int r;

	r = addr_list_parse(s, &v, &n, &why);
	if (r == 1 && (why == NULL || *why == '\0'))
		abort();
	if (r != 0)
		return;
	if (n == 0 || n > ADDR_LIST_MAX)
		abort();
	for (i = 0; i < n; i++)
		wellformed(&v[i], 0);
	free(v);
}

static void
check_cidr(const char *s)
{
	struct cidr c, d;
	char text[INET6_ADDRSTRLEN + 8];
	size_t len;
	int i;

	memset(&c, 0, sizeof c);
	if (cidr_parse(s, &c) != NULL)
		return;
	len = c.af == AF_INET ? 4 : 16;
	if ((c.af != AF_INET && c.af != AF_INET6) || c.bits < 0 ||
	    (size_t)c.bits > 8 * len)
		abort();
	for (i = c.bits; i < (int)(8 * len); i++)
		if (c.ip[i / 8] & (0x80 >> i % 8))
			abort();
	for (i = (int)len; i < 16; i++)
		if (c.ip[i] != 0)
			abort();
	if (inet_ntop(c.af, c.ip, text, sizeof text) == NULL)
		abort();
	snprintf(text + strlen(text), 8, "/%d", c.bits);
	memset(&d, 0, sizeof d);
	if (cidr_parse(text, &d) != NULL || memcmp(&c, &d, sizeof c) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size < 1 || (s = malloc(size)) == NULL)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	switch (data[0] % 4) {
	case 0:
		check_addr(s, 0);
		break;
	case 1:
		check_addr(s, 1);
		break;
	case 2:
		check_list(s);
		break;
	case 3:
		check_cidr(s);
		break;
	}
	free(s);
	return 0;
}
