/* udpsend: test sender: one datagram per payload spec, in order, from one socket. */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <net/if.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "esc.h"

#define MAXDGRAM 65535

static const char *prog = "udpsend";
static unsigned char buf[MAXDGRAM];
static unsigned long nsent;

static void
usage(void)
{
	fprintf(stderr, "usage: udpsend [-6v] [-m IFACE] [-s SRCADDR:PORT] "
	    "ADDR:PORT PAYLOAD-SPEC...\n"
	    "  PAYLOAD-SPEC: str:TEXT hex:HEX zero:N seq:N:SIZE file:PATH\n"
	    "  -v: \"from HOST:PORT\" before sending, \"sent N\" after\n");
	exit(100);
}

static void
die(int code, const char *what, const char *obj, const char *reason)
{
	fprintf(stderr, "%s: unable to %s %s: %s\n", prog, what, obj, reason);
	exit(code);
}

/* Parses a decimal number in [min, max]; exits 100 on anything else. */
static unsigned long
num(const char *s, unsigned long min, unsigned long max, const char *spec)
{
	char *end;
	unsigned long v;

	errno = 0;
	if (*s < '0' || *s > '9')
		die(100, "parse", spec, "not a number");
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		die(100, "parse", spec, "number out of range");
	return v;
}

/*
 * Resolves a numeric "HOST:PORT" or "[V6ADDR]:PORT" (scope id allowed) into
 * ss; when family is AF_INET6, an IPv4 address becomes v4-mapped.
 */
static void
addr_parse(const char *arg, int family, struct sockaddr_storage *ss,
    socklen_t *len)
{
	char host[256], mapped[280];
	const char *port, *h;
	struct addrinfo hints, *res;
	size_t hl;
	int e;

	if (arg[0] == '[') {
		const char *close = strchr(arg, ']');
		if (close == NULL || close[1] != ':')
			die(100, "parse address", arg, "expected [V6ADDR]:PORT");
		h = arg + 1;
		hl = (size_t)(close - h);
		port = close + 2;
	} else {
		port = strrchr(arg, ':');
		if (port == NULL)
			die(100, "parse address", arg, "expected HOST:PORT");
		h = arg;
		hl = (size_t)(port - arg);
		port++;
	}
	if (hl == 0 || hl >= sizeof(host))
		die(100, "parse address", arg, "bad host");
	memcpy(host, h, hl);
	host[hl] = '\0';
	num(port, 0, 65535, arg);
	if (family == AF_INET6 && strchr(host, ':') == NULL) {
		snprintf(mapped, sizeof(mapped), "::ffff:%s", host);
		h = mapped;
	} else
		h = host;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	if ((e = getaddrinfo(h, port, &hints, &res)) != 0)
		die(100, "parse address", arg, gai_strerror(e));
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
}

static int
is_multicast(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
		return (ntohl(sin->sin_addr.s_addr) >> 28) == 14;
	}
	return IN6_IS_ADDR_MULTICAST(
	    &((const struct sockaddr_in6 *)ss)->sin6_addr);
}

/* Sets the outgoing multicast interface and keeps loopback on. */
static void
mcast_setup(int fd, int family, const char *ifname)
{
	unsigned int idx = 0;
	int one = 1;

	if (ifname != NULL && (idx = if_nametoindex(ifname)) == 0)
		die(100, "find interface", ifname, strerror(errno));
	if (family == AF_INET) {
		struct ip_mreqn mr;
		unsigned char loop = 1;

		memset(&mr, 0, sizeof(mr));
		mr.imr_ifindex = (int)idx;
		if (idx != 0 && setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF,
		    &mr, sizeof(mr)) == -1)
			die(111, "set IP_MULTICAST_IF", ifname, strerror(errno));
		if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop,
		    sizeof(loop)) == -1)
			die(111, "set", "IP_MULTICAST_LOOP", strerror(errno));
	} else {
		if (idx != 0 && setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF,
		    &idx, sizeof(idx)) == -1)
			die(111, "set IPV6_MULTICAST_IF", ifname,
			    strerror(errno));
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &one,
		    sizeof(one)) == -1)
			die(111, "set", "IPV6_MULTICAST_LOOP", strerror(errno));
	}
}

static void
send1(int fd, const struct sockaddr_storage *to, socklen_t tolen,
    const unsigned char *p, size_t n)
{
	ssize_t r;

	do
		r = sendto(fd, p, n, 0, (const struct sockaddr *)to, tolen);
	while (r == -1 && errno == EINTR);
	if (r == -1)
		die(111, "send", "datagram", strerror(errno));
	if ((size_t)r != n)
		die(111, "send", "datagram", "short send");
	nsent++;
}

/* Returns the length of the datagram the file holds; exits on error. */
static size_t
file_load(const char *path)
{
	size_t n = 0;
	ssize_t r;
	int fd;

	if ((fd = open(path, O_RDONLY)) == -1)
		die(111, "open", path, strerror(errno));
	for (;;) {
		r = read(fd, buf + n, sizeof(buf) - n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			die(111, "read", path, strerror(errno));
		if (r == 0)
			break;
		n += (size_t)r;
		if (n == sizeof(buf)) {
			char c;
			if (read(fd, &c, 1) > 0)
				die(100, "send", path, "file too large");
			break;
		}
	}
	close(fd);
	return n;
}

static void
seq_send(int fd, const struct sockaddr_storage *to, socklen_t tolen,
    const char *spec)
{
	char tmp[64];
	char *colon;
	unsigned long n, size, i, j;

	if (strlen(spec) >= sizeof(tmp))
		die(100, "parse", spec, "too long");
	strcpy(tmp, spec + 4);
	if ((colon = strchr(tmp, ':')) == NULL)
		die(100, "parse", spec, "expected seq:N:SIZE");
	*colon = '\0';
	n = num(tmp, 0, 100000000UL, spec);
	size = num(colon + 1, 4, MAXDGRAM, spec);
	for (i = 0; i < n; i++) {
		buf[0] = (unsigned char)(i >> 24);
		buf[1] = (unsigned char)(i >> 16);
		buf[2] = (unsigned char)(i >> 8);
		buf[3] = (unsigned char)i;
		for (j = 4; j < size; j++)
			buf[j] = (unsigned char)((i + j) & 0xff);
		send1(fd, to, tolen, buf, size);
	}
}

static void
spec_send(int fd, const struct sockaddr_storage *to, socklen_t tolen,
    const char *spec)
{
	size_t n, i;
	int hi, lo;

	if (strncmp(spec, "str:", 4) == 0) {
		n = strlen(spec + 4);
		if (n > MAXDGRAM)
			die(100, "send", "str:", "too long");
		send1(fd, to, tolen, (const unsigned char *)spec + 4, n);
	} else if (strncmp(spec, "hex:", 4) == 0) {
		const char *h = spec + 4;
		if (strlen(h) % 2 != 0 || strlen(h) / 2 > MAXDGRAM)
			die(100, "parse", spec, "odd or too long hex");
		for (n = 0; h[2 * n] != '\0'; n++) {
			if ((hi = esc_hexval(h[2 * n])) < 0 ||
			    (lo = esc_hexval(h[2 * n + 1])) < 0)
				die(100, "parse", spec, "bad hex digit");
			buf[n] = (unsigned char)(hi << 4 | lo);
		}
		send1(fd, to, tolen, buf, n);
	} else if (strncmp(spec, "zero:", 5) == 0) {
		n = num(spec + 5, 0, MAXDGRAM, spec);
		for (i = 0; i < n; i++)
			buf[i] = 0;
		send1(fd, to, tolen, buf, n);
	} else if (strncmp(spec, "seq:", 4) == 0) {
		seq_send(fd, to, tolen, spec);
	} else if (strncmp(spec, "file:", 5) == 0) {
		n = file_load(spec + 5);
		send1(fd, to, tolen, buf, n);
	} else
		die(100, "parse", spec, "unknown payload spec");
}

/* Prints "from HOST:PORT", the socket's local address, to stderr. */
static void
from_print(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char host[INET6_ADDRSTRLEN + IF_NAMESIZE + 2], port[8];
	int e;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		die(111, "read", "local address", strerror(errno));
	if ((e = getnameinfo((struct sockaddr *)&ss, len, host, sizeof(host),
	    port, sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV)) != 0)
		die(111, "format", "local address", gai_strerror(e));
	if (ss.ss_family == AF_INET6)
		fprintf(stderr, "from [%s]:%s\n", host, port);
	else
		fprintf(stderr, "from %s:%s\n", host, port);
}

int
main(int argc, char **argv)
{
	struct sockaddr_storage to, from;
	socklen_t tolen, fromlen;
	const char *src = NULL, *ifname = NULL;
	int c, fd, family = AF_UNSPEC, verbose = 0, one = 1, i;

	while ((c = getopt(argc, argv, "6m:s:v")) != -1) {
		switch (c) {
		case '6': family = AF_INET6; break;
		case 'm': ifname = optarg; break;
		case 's': src = optarg; break;
		case 'v': verbose = 1; break;
		default: usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 2)
		usage();
	addr_parse(argv[0], family, &to, &tolen);
	if ((fd = socket(to.ss_family, SOCK_DGRAM, 0)) == -1)
		die(111, "create", "socket", strerror(errno));
	/* Bind now, to the wildcard when no -s, so -v can report the port. */
	addr_parse(src != NULL ? src : to.ss_family == AF_INET ? "0.0.0.0:0" :
	    "[::]:0", to.ss_family, &from, &fromlen);
	if (src != NULL)
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
		    sizeof(one));
	if (bind(fd, (struct sockaddr *)&from, fromlen) == -1)
		die(111, "bind", src != NULL ? src : "source", strerror(errno));
	if (verbose)
		from_print(fd);
	if (is_multicast(&to) || ifname != NULL)
		mcast_setup(fd, to.ss_family, ifname);
	for (i = 1; i < argc; i++)
		spec_send(fd, &to, tolen, argv[i]);
	if (close(fd) == -1)
		die(111, "close", "socket", strerror(errno));
	if (verbose)
		fprintf(stderr, "sent %lu\n", nsent);
	return 0;
}
