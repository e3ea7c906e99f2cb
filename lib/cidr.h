/* cidr.h: allow/deny rules on address prefixes (10.0.0.0/8, ::1/128). */
#ifndef CIDR_H
#define CIDR_H

#include <sys/socket.h>

#include <stddef.h>

struct cidr {
	int af;			/* AF_INET or AF_INET6 */
	unsigned char ip[16];	/* network bytes, host bits cleared */
	int bits;
	int allow;		/* 1 allow, 0 deny */
};

struct rules {
	struct cidr *r;
	size_t n, cap;
	int anyallow;		/* an allow rule exists: default is deny */
};

/*
 * cidr_parse: "10.0.0.0/8", "127.0.0.1" (/32), "::1/128", "2001:db8::/32"
 * into c (c->allow untouched). Host bits beyond the prefix are cleared.
 * Returns NULL, or a short reason ("invalid address", "invalid length").
 */
const char *cidr_parse(const char *s, struct cidr *c);

/* rules_add: append a rule. Returns 0, -1 when out of memory. */
int rules_add(struct rules *rs, const struct cidr *c);

/*
 * rules_load: append the rules of a file: "allow PREFIX" or "deny PREFIX"
 * per line, blank lines and '#' comments skipped. Returns 0; -1 with
 * errno set when the file cannot be read; 1 when line *lineno is bad
 * (then *why says how, and text holds the line, comment and blanks cut).
 */
int rules_load(struct rules *rs, const char *path, unsigned long *lineno,
    const char **why, char *text, size_t textlen);

/* rules_free: forget every rule. */
void rules_free(struct rules *rs);

/*
 * rules_allow: whether sa may connect: the first matching rule decides;
 * with none, allowed unless an allow rule exists. An IPv4-mapped IPv6
 * address is matched as IPv4.
 */
int rules_allow(const struct rules *rs, const struct sockaddr *sa);

/* sa_ip: the address bytes of sa (IPv4-mapped IPv6 as IPv4) into ip[16];
 * returns the family, AF_INET or AF_INET6, or -1 for another family. */
int sa_ip(const struct sockaddr *sa, unsigned char *ip);

#endif
