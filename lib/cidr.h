/* cidr.h: address prefixes (10.0.0.0/8, ::1/128). */
#ifndef CIDR_H
#define CIDR_H

struct cidr {
	int af;			/* AF_INET or AF_INET6 */
	unsigned char ip[16];	/* network bytes, host bits cleared */
	int bits;
	int allow;		/* as a rule (rules.h): 1 allow, 0 deny */
};

/*
 * cidr_parse: "10.0.0.0/8", "127.0.0.1" (/32), "::1/128", "2001:db8::/32"
 * into c (c->allow untouched). Host bits beyond the prefix are cleared.
 * Returns NULL, or a short reason ("invalid address", "invalid length").
 */
const char *cidr_parse(const char *s, struct cidr *c);

/* cidr_match: 1 when ip (af AF_INET: 4 bytes, AF_INET6: 16) is in the
 * prefix c, else 0 (also for another family). */
int cidr_match(const struct cidr *c, int af, const unsigned char *ip);

#endif
