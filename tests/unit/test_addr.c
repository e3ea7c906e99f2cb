/* test_addr.c: addr_parse, addr_format, addr_format_ip, addr_list_parse,
 * addr_ip and addr_islocal. */
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>

#include <ifaddrs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "tap.h"

/* good: s parses, has family af, and formats back as want. */
static void
good(const char *s, int af, unsigned port, const char *want)
{
	struct addr a;
	char buf[ADDR_STRLEN];
	const char *e;
	struct sockaddr_in s4;
	struct sockaddr_in6 s6;
	unsigned got = 0;

	memset(&a, 0xa5, sizeof(a));
	e = addr_parse(s, &a);
	is_str(e, NULL, "addr_parse \"%s\"", s);
	if (e != NULL)
		return;
	is_int(a.ss.ss_family, af, "\"%s\" family", s);
	if (af == AF_INET) {
		memcpy(&s4, &a.ss, sizeof(s4));
		got = ntohs(s4.sin_port);
		is_int(a.len, sizeof(s4), "\"%s\" len", s);
	} else {
		memcpy(&s6, &a.ss, sizeof(s6));
		got = ntohs(s6.sin6_port);
		is_int(a.len, sizeof(s6), "\"%s\" len", s);
	}
	is_int(got, port, "\"%s\" port", s);
	is_str(addr_format((struct sockaddr *)&a.ss, buf), want,
	    "\"%s\" formats as \"%s\"", s, want);
}

static void
bad(const char *s, const char *why)
{
	struct addr a;

	is_str(addr_parse(s, &a), why, "addr_parse \"%s\": %s", s, why);
}

static void
test_parse(void)
{
	struct addr a;
	struct sockaddr_in6 s6;
	struct sockaddr_in s4;
	char buf[ADDR_STRLEN], in[ADDR_STRLEN + 8];
	unsigned lo;

	good("1.2.3.4:5", AF_INET, 5, "1.2.3.4:5");
	good("0.0.0.0:0", AF_INET, 0, "0.0.0.0:0");
	good("255.255.255.255:65535", AF_INET, 65535,
	    "255.255.255.255:65535");
	good("127.0.0.1:00080", AF_INET, 80, "127.0.0.1:80");
	good("10.20.100.199:5001", AF_INET, 5001, "10.20.100.199:5001");
	good("[::1]:5", AF_INET6, 5, "[::1]:5");
	good("[::]:0", AF_INET6, 0, "[::]:0");
	good("[2001:db8::1]:65535", AF_INET6, 65535, "[2001:db8::1]:65535");
	good("[2001:DB8:0:0:0:0:0:1]:7", AF_INET6, 7, "[2001:db8::1]:7");
	good("[ff02::1]:5353", AF_INET6, 5353, "[ff02::1]:5353");
	good("[::ffff:1.2.3.4]:5", AF_INET6, 5, "1.2.3.4:5");
	good("[fe80::1%4294967295]:5", AF_INET6, 5,
	    "[fe80::1%4294967295]:5");
	good(":5", AF_INET6, 5, "[::]:5");
	good(":0", AF_INET6, 0, "[::]:0");

	ok(addr_parse(":5", &a) == NULL && a.wildcard == 1, ":5 is wildcard");
	memcpy(&s6, &a.ss, sizeof(s6));
	ok(memcmp(&s6.sin6_addr, &in6addr_any, 16) == 0, ":5 is in6addr_any");
	ok(addr_parse("[::]:5", &a) == NULL && a.wildcard == 0,
	    "[::]:5 is not marked wildcard");
	ok(addr_parse("0.0.0.0:5", &a) == NULL && a.wildcard == 0,
	    "0.0.0.0:5 is not marked wildcard");
	ok(addr_parse("1.2.3.4:5", &a) == NULL, "parse 1.2.3.4:5");
	memcpy(&s4, &a.ss, sizeof(s4));
	is_int(ntohl(s4.sin_addr.s_addr), 0x01020304, "1.2.3.4 bytes");

	/* Scope by interface name and by number, "lo" being always there. */
	lo = if_nametoindex("lo");
	ok(lo != 0, "loopback interface has an index");
	ok(addr_parse("[fe80::1%lo]:5", &a) == NULL, "parse [fe80::1%%lo]:5");
	memcpy(&s6, &a.ss, sizeof(s6));
	is_int(s6.sin6_scope_id, lo, "scope id of lo");
	is_str(addr_format((struct sockaddr *)&a.ss, buf), "[fe80::1%lo]:5",
	    "scope formats by name");
	snprintf(in, sizeof(in), "[fe80::1%%%u]:5", lo);
	ok(addr_parse(in, &a) == NULL, "parse %s", in);
	memcpy(&s6, &a.ss, sizeof(s6));
	is_int(s6.sin6_scope_id, lo, "numeric scope id");
	is_str(addr_format((struct sockaddr *)&a.ss, buf), "[fe80::1%lo]:5",
	    "numeric scope of lo formats by name");

	bad("", "missing port");
	bad("1.2.3.4", "missing port");
	bad("1.2.3.4:", "missing port");
	bad(":", "missing port");
	bad("[::1]", "missing port");
	bad("[::1]:", "missing port");
	bad("[::1]5", "missing port");
	bad("[::1", "missing ]");
	bad("[::1:5", "missing ]");
	bad("[", "missing ]");
	bad("1.2.3.4:65536", "invalid port");
	bad("1.2.3.4:99999999999999999999", "invalid port");
	bad("1.2.3.4:5x", "invalid port");
	bad("1.2.3.4:-1", "invalid port");
	bad("1.2.3.4:+5", "invalid port");
	bad("1.2.3.4: 5", "invalid port");
	bad("1.2.3.4:5 ", "invalid port");
	bad("1.2.3.4:0x10", "invalid port");
	bad("[::1]:65536", "invalid port");
	bad("[::1]:5]", "invalid port");
	bad("::1:5", "invalid host");
	bad("::5", "invalid host");
	bad("fe80::1%lo:5", "invalid host");
	bad("localhost:5", "invalid host");
	bad("example.com:80", "invalid host");
	bad("[localhost]:5", "invalid host");
	bad("[1.2.3.4]:5", "invalid host");
	bad("[]:5", "invalid host");
	bad("1.2.3:5", "invalid host");
	bad("1.2.3.4.5:5", "invalid host");
	bad("256.1.1.1:5", "invalid host");
	bad(" 1.2.3.4:5", "invalid host");
	bad("1.2.3.4 :5", "invalid host");
	bad("1.2.3.4%lo:5", "invalid host");
	bad("[::1%lo%lo]:5", "unknown interface");
	bad("[fe80::1%]:5", "unknown interface");
	bad("[fe80::1%0]:5", "unknown interface");
	bad("[fe80::1%4294967296]:5", "unknown interface");
	bad("[fe80::1%nosuchif0]:5", "unknown interface");
	bad("[::1::2]:5", "invalid host");
	memset(in, 'a', sizeof(in) - 1);
	in[sizeof(in) - 1] = '\0';
	in[0] = '[';
	in[sizeof(in) - 4] = ']';
	in[sizeof(in) - 3] = ':';
	in[sizeof(in) - 2] = '5';
	bad(in, "invalid host");
	memmove(in, in + 1, strlen(in));
	bad(in, "invalid host");
}

static void
test_format(void)
{
	static const unsigned char v4[4] = { 192, 168, 0, 1 };
	static const unsigned char v6[16] = {
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1
	};
	static const unsigned char mapped[16] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 255
	};
	static const unsigned char compat[16] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 255
	};
	static const unsigned char zero[16];
	unsigned char ip[4];
	char buf[ADDR_STRLEN], want[ADDR_STRLEN];
	struct sockaddr_in6 s6;
	struct addr a;
	unsigned i, port;

	is_str(addr_format_ip(AF_INET, v4, 5001, buf), "192.168.0.1:5001",
	    "format_ip v4");
	is_str(addr_format_ip(AF_INET, zero, 0, buf), "0.0.0.0:0",
	    "format_ip v4 zero");
	is_str(addr_format_ip(AF_INET6, v6, 65535, buf), "[2001:db8::1]:65535",
	    "format_ip v6");
	is_str(addr_format_ip(AF_INET6, zero, 1, buf), "[::]:1",
	    "format_ip v6 zero");
	is_str(addr_format_ip(AF_INET6, mapped, 53, buf), "10.0.0.255:53",
	    "format_ip v4-mapped as v4");
	is_str(addr_format_ip(AF_INET6, compat, 53, buf), "[::10.0.0.255]:53",
	    "format_ip v4-compatible stays v6");

	/* The widest v6 text with the widest interface name still fits. */
	memset(&s6, 0, sizeof(s6));
	s6.sin6_family = AF_INET6;
	s6.sin6_port = htons(65535);
	inet_pton(AF_INET6, "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255",
	    &s6.sin6_addr);
	s6.sin6_scope_id = 4294967295U;
	addr_format((struct sockaddr *)&s6, buf);
	ok(strlen(buf) < ADDR_STRLEN, "widest address fits: %s", buf);
	is_str(buf, "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff%4294967295]:65535",
	    "widest address text");

	/* Round trips: every port width, every octet width. */
	for (i = 0; i < 300; i++) {
		ip[0] = i * 7;
		ip[1] = i;
		ip[2] = 255 - i;
		ip[3] = i * 13 + 1;
		port = (i * 2654435761U) & 0xffff;
		if (i < 6)
			port = (unsigned[]){ 0, 9, 10, 99, 100, 65535 }[i];
		snprintf(want, sizeof(want), "%u.%u.%u.%u:%u", ip[0], ip[1],
		    ip[2], ip[3], port);
		addr_format_ip(AF_INET, ip, port, buf);
		if (strcmp(buf, want) != 0 || addr_parse(buf, &a) != NULL ||
		    strcmp(addr_format((struct sockaddr *)&a.ss, buf),
		    want) != 0)
			break;
	}
	is_int(i, 300, "v4 round trips through format and parse");
	for (i = 0; i < 300; i++) {
		unsigned char b[16];
		char h[INET6_ADDRSTRLEN];
		unsigned j;

		for (j = 0; j < 16; j++)
			b[j] = (i >> (j % 8)) & (j & 1 ? 0xff : 0x0f) ? i * j : 0;
		port = (i * 40503U) & 0xffff;
		inet_ntop(AF_INET6, b, h, sizeof(h));
		snprintf(want, sizeof(want), "[%s]:%u", h, port);
		addr_format_ip(AF_INET6, b, port, buf);
		if (strcmp(buf, want) != 0 || addr_parse(buf, &a) != NULL ||
		    strcmp(addr_format((struct sockaddr *)&a.ss, buf),
		    want) != 0)
			break;
	}
	is_int(i, 300, "v6 round trips through format and parse");
}

static void
test_arg(void)
{
	struct addr a;
	char buf[256];
	int fd[2], st;
	ssize_t n;
	size_t len = 0;
	pid_t pid;

	addr_arg("address", "127.0.0.1:0", &a);
	is_int(a.ss.ss_family, AF_INET, "addr_arg ok");
	fflush(stdout);
	if (pipe(fd) == -1 || (pid = fork()) == -1) {
		ok(0, "unable to fork");
		return;
	}
	if (pid == 0) {
		dup2(fd[1], 2);
		close(fd[0]);
		addr_arg("address", "localhost:5", &a);
		_exit(0);
	}
	close(fd[1]);
	while (len < sizeof(buf) - 1 &&
	    (n = read(fd[0], buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	buf[len] = '\0';
	close(fd[0]);
	waitpid(pid, &st, 0);
	is_int(WIFEXITED(st) ? WEXITSTATUS(st) : -1, 100, "addr_arg exits 100");
	ok(strstr(buf, ": invalid address 'localhost:5': invalid host\n")
	    != NULL, "addr_arg message");
}

/* list_is: s parses as a list of n addresses, the first formatted as
 * first and the last as last. */
static void
list_is(const char *s, size_t n, const char *first, const char *last)
{
	struct addr *v = NULL;
	char b1[ADDR_STRLEN], b2[ADDR_STRLEN];
	const char *why = NULL;
	size_t k = 0;
	int e;

	e = addr_list_parse(s, &v, &k, &why);
	ok(e == 0 && k == n, "addr_list_parse \"%.40s\": %zu addresses", s,
	    n);
	if (e != 0 || k != n) {
		printf("#   got %d (%s), %zu addresses\n", e, why ? why : "",
		    k);
		return;
	}
	addr_format((struct sockaddr *)&v[0].ss, b1);
	addr_format((struct sockaddr *)&v[n - 1].ss, b2);
	ok(strcmp(b1, first) == 0 && strcmp(b2, last) == 0 &&
	    v[0].wildcard == 0, "  from %s to %s", b1, b2);
	free(v);
}

/* list_bad: s is refused with the reason want, nothing returned. */
static void
list_bad(const char *s, const char *want)
{
	struct addr *v = (struct addr *)&v;
	const char *why = NULL;
	size_t k = 77;
	int e;

	e = addr_list_parse(s, &v, &k, &why);
	is_int(e, 1, "addr_list_parse \"%.40s\" fails", s);
	is_str(why, want, "  because %s", want);
	ok(v == (struct addr *)&v && k == 77, "  and leaves the list alone");
}

static void
test_list(void)
{
	struct addr *v;
	const char *why;
	size_t k, i;
	int good = 1, e;

	list_is("127.0.0.1", 1, "127.0.0.1:0", "127.0.0.1:0");
	list_is(",,127.0.0.2,", 1, "127.0.0.2:0", "127.0.0.2:0");
	list_is("10.0.0.1-10.0.0.3,10.0.0.9", 4, "10.0.0.1:0", "10.0.0.9:0");
	list_is("10.0.0.255-10.0.1.1", 3, "10.0.0.255:0", "10.0.1.1:0");
	list_is("1.2.3.4-1.2.3.4", 1, "1.2.3.4:0", "1.2.3.4:0");
	list_is("255.255.255.254-255.255.255.255", 2, "255.255.255.254:0",
	    "255.255.255.255:0");
	list_is("::1,[fe80::1%1],127.0.0.1", 3, "[::1]:0", "127.0.0.1:0");
	list_is("10.0.0.0-10.0.255.255", 65536, "10.0.0.0:0",
	    "10.0.255.255:0");
	list_is("1.0.0.0-1.0.127.255,2.0.0.0-2.0.127.255", 65536,
	    "1.0.0.0:0", "2.0.127.255:0");
	e = addr_list_parse("10.0.0.0-10.0.0.255", &v, &k, &why);
	for (i = 0; e == 0 && i < k; i++)
		good &= v[i].ss.ss_family == AF_INET &&
		    v[i].len == sizeof(struct sockaddr_in) &&
		    ntohl(((struct sockaddr_in *)&v[i].ss)->sin_addr.s_addr)
		    == 0x0a000000 + i &&
		    ((struct sockaddr_in *)&v[i].ss)->sin_port == 0;
	ok(e == 0 && k == 256 && good, "a range is every address, in order");
	if (e == 0)
		free(v);

	list_bad("", "no address");
	list_bad(",,", "no address");
	list_bad("bogus", "invalid host");
	list_bad("1.2.3.4:80", "invalid host");
	list_bad("127.0.0.1,localhost", "invalid host");
	list_bad("1.2.3.4-x", "a range is two IPv4 addresses A-B");
	list_bad("::1-::2", "a range is two IPv4 addresses A-B");
	list_bad("1.2.3.4-1.2.3.5-1.2.3.6", "a range is two IPv4 addresses A-B");
	list_bad("10.0.0.5-10.0.0.1", "a range must go upwards");
	list_bad("10.0.0.0-10.1.0.0", "more than 65536 addresses");
	list_bad("0.0.0.0-255.255.255.255", "more than 65536 addresses");
	list_bad("10.0.0.0-10.0.255.255,1.2.3.4", "more than 65536 addresses");
	list_bad("1.2.3.4,10.0.0.0-10.0.255.255", "more than 65536 addresses");
}

/* ip_is: addr_ip of the numeric address s gives family af and bytes want */
static void
ip_is(const char *s, int af, const char *want)
{
	struct addr a;
	unsigned char ip[16], w[16] = { 0 };

	if (addr_parse_host(s, &a) != NULL) {
		ok(0, "parse %s", s);
		return;
	}
	inet_pton(af, want, w);
	is_int(addr_ip((struct sockaddr *)&a.ss, ip), af, "addr_ip %s: family", s);
	ok(memcmp(ip, w, 16) == 0, "  the bytes of %s", want);
}

static void
test_ip(void)
{
	struct sockaddr_un un;
	unsigned char ip[16];

	ip_is("192.0.2.7", AF_INET, "192.0.2.7");
	ip_is("2001:db8::7", AF_INET6, "2001:db8::7");
	ip_is("::ffff:192.0.2.7", AF_INET, "192.0.2.7");
	memset(&un, 0, sizeof un);
	un.sun_family = AF_UNIX;
	is_int(addr_ip((struct sockaddr *)&un, ip), -1, "addr_ip AF_UNIX: -1");
}

/* local: addr_islocal of the numeric address s. */
static int
local(const char *s)
{
	struct sockaddr_in s4;
	struct sockaddr_in6 s6;

	memset(&s4, 0, sizeof s4);
	memset(&s6, 0, sizeof s6);
	if (inet_pton(AF_INET, s, &s4.sin_addr) == 1) {
		s4.sin_family = AF_INET;
		return addr_islocal((struct sockaddr *)&s4);
	}
	if (inet_pton(AF_INET6, s, &s6.sin6_addr) == 1) {
		s6.sin6_family = AF_INET6;
		return addr_islocal((struct sockaddr *)&s6);
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
	is_int(addr_islocal((struct sockaddr *)&un), 0, "AF_UNIX is not");
	if (getifaddrs(&ifa) == -1) {
		ok(1, "# SKIP getifaddrs failed");
		return;
	}
	for (p = ifa; p != NULL; p = p->ifa_next)
		if (p->ifa_addr != NULL && (p->ifa_addr->sa_family ==
		    AF_INET || p->ifa_addr->sa_family == AF_INET6)) {
			n++;
			good &= addr_islocal(p->ifa_addr) == 1;
		}
	freeifaddrs(ifa);
	ok(good, "each of the %d interface addresses is local", n);
}

/* test_source: -s of udp-send and tcp-connect: HOST:PORT or a bare HOST,
 * the reason the one of the form written. */
static void
test_source(void)
{
	struct addr a;
	char b[ADDR_STRLEN];

	is_str(addr_parse_source("127.0.0.2", &a), NULL, "source 127.0.0.2");
	is_str(addr_format((struct sockaddr *)&a.ss, b), "127.0.0.2:0",
	    "  any port");
	is_str(addr_parse_source("127.0.0.1:7", &a), NULL,
	    "source 127.0.0.1:7");
	is_str(addr_format((struct sockaddr *)&a.ss, b), "127.0.0.1:7",
	    "  port 7");
	is_str(addr_parse_source("[::1]", &a), NULL, "source [::1]");
	is_str(addr_parse_source("::1", &a), NULL, "source ::1");
	is_str(addr_format((struct sockaddr *)&a.ss, b), "[::1]:0",
	    "  as [::1]:0");
	is_str(addr_parse_source("[::1]:7", &a), NULL, "source [::1]:7");
	ok(addr_parse_source(":7", &a) == NULL && a.wildcard,
	    "source :7: the wildcard");
	is_str(addr_parse_source("x", &a), "invalid host",
	    "source x: a bare host, the host's reason");
	is_str(addr_parse_source("localhost", &a), "invalid host",
	    "source localhost: no names");
	is_str(addr_parse_source("", &a), "invalid host", "empty source");
	is_str(addr_parse_source("[zz]", &a), "invalid host",
	    "source [zz]: the host's reason");
	is_str(addr_parse_source("127.0.0.1:70000", &a), "invalid port",
	    "source HOST:PORT: addr_parse's reason");
	is_str(addr_parse_source("[::1", &a), "missing ]", "source [::1");
}

int
main(void)
{
	test_ip();
	test_islocal();
	test_parse();
	test_format();
	test_arg();
	{
		struct addr h;
		char b[ADDR_STRLEN];

		is_str(addr_parse_host("127.0.0.1", &h), NULL, "host 127.0.0.1");
		is_str(addr_format((struct sockaddr *)&h.ss, b), "127.0.0.1:0",
		    "  as 127.0.0.1:0");
		is_str(addr_parse_host("::1", &h), NULL, "host ::1");
		is_str(addr_format((struct sockaddr *)&h.ss, b), "[::1]:0",
		    "  as [::1]:0");
		is_str(addr_parse_host("[::1]", &h), NULL, "host [::1]");
		is_str(addr_parse_host("[::1", &h), "missing ]", "host [::1");
		is_str(addr_parse_host("", &h), "invalid host", "empty host");
		is_str(addr_parse_host("1.2.3.4:5", &h), "invalid host",
		    "a port is not a host");
		is_str(addr_parse_host("localhost", &h), "invalid host",
		    "no names");
	}
	test_source();
	test_list();
	return tap_done();
}
