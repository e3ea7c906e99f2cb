/* test_cidr.c: prefixes: parsing, host bits, and what a prefix matches. */
#include <sys/socket.h>
#include <arpa/inet.h>

#include <string.h>

#include "cidr.h"
#include "tap.h"

static void
parsing(void)
{
	struct cidr c;

	is_str(cidr_parse("10.1.2.3/8", &c), NULL, "10.1.2.3/8 parses");
	is_int(c.bits, 8, "length 8");
	is_int(c.ip[1], 0, "host bits cleared");
	is_str(cidr_parse("::1", &c), NULL, "::1 parses");
	is_int(c.bits, 128, "a bare IPv6 address is /128");
	is_str(cidr_parse("10.0.0.0/33", &c), "invalid prefix length",
	    "/33 is too long for IPv4");
	is_str(cidr_parse("2001:db8::/129", &c), "invalid prefix length",
	    "/129 is too long for IPv6");
	is_str(cidr_parse("10.0.0.0/", &c), "invalid prefix length",
	    "an empty length");
	is_str(cidr_parse("host.example", &c), "invalid address",
	    "a name is not a prefix");
	is_str(cidr_parse("", &c), "invalid address", "empty");
	is_str(cidr_parse("1.2.3.4/8x", &c), "invalid prefix length",
	    "trailing garbage");
}

/* in: whether the numeric address ip is in prefix p */
static int
in(const char *p, const char *ip)
{
	unsigned char b[16] = { 0 };
	struct cidr c;
	int af = strchr(ip, ':') ? AF_INET6 : AF_INET;

	if (cidr_parse(p, &c) != NULL || inet_pton(af, ip, b) != 1)
		return -1;
	return cidr_match(&c, af, b);
}

static void
matching(void)
{
	is_int(in("10.0.0.0/8", "10.255.1.2"), 1, "10.255.1.2 is in 10/8");
	is_int(in("10.0.0.0/8", "11.0.0.0"), 0, "11.0.0.0 is not");
	is_int(in("10.1.2.3/8", "10.9.9.9"), 1, 
	    "host bits of the prefix ignored");
	is_int(in("192.0.2.128/25", "192.0.2.127"), 0, "/25: below the half");
	is_int(in("192.0.2.128/25", "192.0.2.200"), 1, "/25: above it");
	is_int(in("0.0.0.0/0", "203.0.113.9"), 1, "/0 holds every IPv4");
	is_int(in("127.0.0.1", "127.0.0.1"), 1, "a bare address is itself");
	is_int(in("127.0.0.1", "127.0.0.2"), 0, "  and nothing else");
	is_int(in("2001:db8::/32", "2001:db8:ffff::1"), 1, "IPv6 /32");
	is_int(in("2001:db8::/32", "2001:db9::1"), 0, "  not the next one");
	is_int(in("::/0", "10.0.0.1"), 0, "an IPv6 prefix holds no IPv4");
	is_int(in("0.0.0.0/0", "::1"), 0, "an IPv4 prefix holds no IPv6");
}

int
main(void)
{
	parsing();
	matching();
	return tap_done();
}
