/* cidr.c: address prefixes: 10.0.0.0/8, ::1/128. */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <string.h>

#include "cidr.h"
#include "num.h"

#define TEXTMAX 64

static void
clearhost(unsigned char *ip, int bits, int len)
{
	int i;

	for (i = 0; i < len; i++) {
		if (bits >= 8)
			bits -= 8;
		else {
			ip[i] &= (unsigned char)(0xff00 >> bits);
			bits = 0;
		}
	}
}

const char *
cidr_parse(const char *s, struct cidr *c)
{
	char text[TEXTMAX];
	const char *slash, *e;
	size_t n;
	int max;

	slash = strchr(s, '/');
	n = slash ? (size_t)(slash - s) : strlen(s);
	if (n == 0 || n >= sizeof text)
		return "invalid address";
	memcpy(text, s, n);
	text[n] = '\0';
	memset(c->ip, 0, sizeof c->ip);
	if (inet_pton(AF_INET, text, c->ip) == 1)
		c->af = AF_INET, max = 32;
	else if (inet_pton(AF_INET6, text, c->ip) == 1)
		c->af = AF_INET6, max = 128;
	else
		return "invalid address";
	c->bits = max;
	if (slash) {
		c->bits = (int)num_parse(slash + 1, 0, max, &e);
		if (e)
			return "invalid prefix length";
	}
	clearhost(c->ip, c->bits, max / 8);
	return NULL;
}

int
cidr_match(const struct cidr *c, int af, const unsigned char *ip)
{
	unsigned char m[16];

	if (c->af != af)
		return 0;
	memcpy(m, ip, 16);
	clearhost(m, c->bits, af == AF_INET ? 4 : 16);
	return memcmp(m, c->ip, af == AF_INET ? 4 : 16) == 0;
}
