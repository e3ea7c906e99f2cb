/* natsrec.c: the record's headers and id in a NATS message. */
#include <sys/socket.h>
#include <netinet/in.h>

#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "arg.h"
#include "natsrec.h"

uint64_t
natsrec_hash(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n-- > 0) {
		h ^= *b++;
		h *= 0x100000001b3ull;
	}
	return h;
}

/* put_dec: v in decimal at p; returns the end. snprintf costs as much
 * as the rest of a record's id. */
static char *
put_dec(char *p, uint64_t v)
{
	char t[20];
	int n = 0;

	do
		t[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (n > 0)
		*p++ = t[--n];
	return p;
}

/* put_id: "PREFIX" DEC "-" 16 hex digits of h, NUL-ended. */
static void
put_id(char *out, const char *prefix, int neg, uint64_t v, uint64_t h)
{
	static const char hex[] = "0123456789abcdef";
	char *p = out;
	int i;

	while (*prefix)
		*p++ = *prefix++;
	if (neg)
		*p++ = '-';
	p = put_dec(p, v);
	*p++ = '-';
	for (i = 60; i >= 0; i -= 4)
		*p++ = hex[(h >> i) & 0xf];
	*p = '\0';
}

/* hash_u64: v as 8 little-endian bytes, so ids agree across hosts. */
static uint64_t
hash_u64(uint64_t h, uint64_t v)
{
	unsigned char b[8];
	int i;

	for (i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	return natsrec_hash(h, b, sizeof b);
}

uint64_t
natsrec_id_udp(char *out, const char *subject, const struct udpmeta *m,
    const unsigned char *p, size_t n)
{
	size_t alen = m->af == AF_INET6 ? 16 : 4;
	uint64_t h;
	int64_t ns;

	h = natsrec_hash(NATSREC_HASH0, subject, strlen(subject) + 1);
	h = natsrec_hash(h, m->src, alen);
	h = natsrec_hash(h, m->dst, alen);
	h = hash_u64(h, (uint64_t)m->sport << 16 | m->dport);
	h = hash_u64(h, n);
	h = natsrec_hash(h, p, n);
	ns = (int64_t)m->ts.tv_sec * 1000000000 + m->ts.tv_nsec;
	put_id(out, "", ns < 0, ns < 0 ? -(uint64_t)ns : (uint64_t)ns, h);
	return h;
}

uint64_t
natsrec_id_frame(char *out, const char *subject, int64_t sec, uint32_t nsec,
    const unsigned char *p, size_t n)
{
	uint64_t h;

	h = natsrec_hash(NATSREC_HASH0, subject, strlen(subject) + 1);
	h = hash_u64(h, n);
	h = natsrec_hash(h, p, n);
	sec = sec * 1000000000 + nsec;
	put_id(out, "", sec < 0, sec < 0 ? -(uint64_t)sec : (uint64_t)sec, h);
	return h;
}

uint64_t
natsrec_id_line(char *out, const char *subject, uint64_t lineno,
    const unsigned char *p, size_t n)
{
	uint64_t h;

	h = natsrec_hash(NATSREC_HASH0, subject, strlen(subject) + 1);
	h = hash_u64(h, lineno);
	h = natsrec_hash(h, p, n);
	put_id(out, "L", 0, lineno, h);
	return h;
}

void
natsrec_id_pack(char *out, uint64_t count, uint64_t sum)
{
	put_id(out, "P", 0, count, sum);
}

char *
natsrec_time(char *out, int64_t sec, uint32_t nsec)
{
	char *p = out;
	int i;

	if (sec < 0)
		*p++ = '-';
	p = put_dec(p, sec < 0 ? -(uint64_t)sec : (uint64_t)sec);
	*p++ = '.';
	for (i = 8; i >= 0; i--) {
		p[i] = (char)('0' + nsec % 10);
		nsec /= 10;
	}
	p[9] = '\0';
	return out;
}

int
natsrec_time_parse(const char *s, int64_t *sec, uint32_t *nsec)
{
	uint64_t v = 0, f = 0;
	int digits = 0, neg = 0;

	if (*s == '-') {
		neg = 1;
		s++;
	}
	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (uint64_t)INT64_MAX / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (v > (uint64_t)INT64_MAX)
		return -1;
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++, digits++) {
			if (digits == 9)
				return -1;
			f = f * 10 + (uint64_t)(*s - '0');
		}
		if (digits == 0)
			return -1;
		for (; digits < 9; digits++)
			f *= 10;
	}
	if (*s != '\0')
		return -1;
	*sec = neg ? -(int64_t)v : (int64_t)v;
	*nsec = (uint32_t)f;
	return 0;
}

char *
natsrec_addr(char *out, int af, const unsigned char *ip, unsigned port)
{
	return addr_format_ip(af, ip, port, out);
}

int
natsrec_addr_parse(const char *s, int *af, unsigned char *ip,
    uint16_t *port)
{
	struct addr a;

	if (addr_parse(s, &a) != NULL || a.wildcard)
		return -1;
	memset(ip, 0, 16);
	if (a.ss.ss_family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&a.ss;

		memcpy(ip, &sin->sin_addr, 4);
		*port = ntohs(sin->sin_port);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&a.ss;

		memcpy(ip, &sin6->sin6_addr, 16);
		*port = ntohs(sin6->sin6_port);
	}
	*af = a.ss.ss_family;
	return 0;
}

int
natsrec_subject_bad(const char *s)
{
	size_t tok = 0;

	if (*s == '\0')
		return 1;
	for (; *s; s++) {
		if (*s == '.') {
			if (tok == 0)
				return 1;
			tok = 0;
			continue;
		}
		if (*s == '*' || *s == '>' || *s <= ' ' || *s == 0x7f)
			return 1;
		tok++;
	}
	return tok == 0;
}

int
natsrec_name_bad(const char *s)
{
	if (*s == '\0')
		return 1;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return 1;
	return 0;
}

const char *
natsrec_subject_arg(const char *s)
{
	if (natsrec_subject_bad(s))
		arg_fail("subject", s,
		    "use tokens of letters, digits, '-' and '_' between dots");
	return s;
}

const char *
natsrec_name_arg(const char *what, const char *s)
{
	if (natsrec_name_bad(s))
		arg_fail(what, s, "use letters, digits, '-' and '_'");
	return s;
}
