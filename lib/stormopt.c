/* stormopt.c: a connection storm's settings, their defaults and checks. */
#include <sys/socket.h>
#include <netinet/in.h>

#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "arg.h"
#include "clock.h"
#include "esc.h"
#include "fdlim.h"
#include "stormopt.h"
#include "tcpsock.h"

#define MS		1000000ull
#define FD_SPARE	64		/* descriptors besides the connections */

static unsigned long long
ull(uint64_t v)
{
	return (unsigned long long)v;
}

void
stormopt_init(struct stormopt *o)
{
	memset(o, 0, sizeof *o);
	o->rate = 100;
	o->cap = 1000;
	o->dur = 5 * NS_PER_S;
	o->timeout = 5 * NS_PER_S;
	o->maxlat = 100 * MS;
	o->errmp = 1000;
	o->factor = 1250;
}

/* unescape: -p or -e decoded into a new buffer; *n is its length. */
static unsigned char *
unescape(const char *what, const char *s, size_t *n)
{
	unsigned char *b;
	const char *e;

	if ((b = malloc(strlen(s) + 1)) == NULL)
		err(111, "unable to allocate the %s", what);
	if ((e = esc_parse(b, s, n)) != NULL)
		arg_fail(what, s, e);
	return b;
}

void
stormopt_payload(struct stormopt *o, const char *s)
{
	free(o->payload);
	o->payload = unescape("payload", s, &o->npayload);
}

void
stormopt_reply(struct stormopt *o, const char *s)
{
	free(o->reply);
	o->reply = unescape("reply", s, &o->nreply);
	if (o->nreply == 0)
		arg_fail("reply", s, "empty");
}

int
stormopt_format(const char *s)
{
	if (strcmp(s, "text") == 0)
		return STORMOPT_TEXT;
	if (strcmp(s, "json") == 0)
		return STORMOPT_JSON;
	if (strcmp(s, "csv") == 0)
		return STORMOPT_CSV;
	arg_fail("format", s, "not text, json or csv");
	return -1;
}

/* sources: -s: a comma list of addresses and IPv4 ranges, every one of
 * the destination's family. */
static void
sources(struct stormopt *o, const char *s)
{
	const char *why;
	size_t i;

	switch (addr_list_parse(s, &o->src, &o->nsrc, &why)) {
	case -1:
		err(111, "unable to allocate the sources");
	case 1:
		arg_fail("sources", s, why);
	}
	for (i = 0; i < o->nsrc; i++)
		if (o->src[i].ss.ss_family != o->dst.ss.ss_family)
			arg_fail("sources", s, o->dst.ss.ss_family == AF_INET ?
			    "not IPv4, as the address is" :
			    "not IPv6, as the address is");
}

void
stormopt_check(struct stormopt *o, const char *address)
{
	if (o->reply != NULL && o->length != 0)
		arg_misuse("%s", "use one of -e and -n");
	o->expect = o->reply != NULL ? o->nreply : o->length;
	if (o->search && !o->rateset)
		arg_misuse("%s", "-X needs -r: the highest rate to try");
	if (o->search && o->ramp)
		arg_misuse("%s", "-X steps without a ramp: leave out -I");
	if (!o->search && (o->eset || o->gset || o->pset))
		arg_misuse("%s", "-E, -g and -P need -X");
	if (o->startset && !o->search && !o->ramp)
		arg_misuse("%s", "-i needs -I or -X");
	if (o->search && o->startset && o->start > o->rate)
		arg_misuse("start rate %llu above the highest rate %llu",
		    ull(o->start), ull(o->rate));
	if (!o->startset)
		o->start = o->search ? (o->rate / 10 ? o->rate / 10 : 1) :
		    o->ramp ? 1 : o->rate;
	o->address = address;
	addr_arg("address", o->address, &o->dst);
	if (o->dst.wildcard)
		arg_fail("address", o->address, "a destination needs a host");
	if (addr_port((const struct sockaddr *)&o->dst.ss) == 0)
		arg_fail("address", o->address, "port 0");
	if (o->srcarg != NULL)
		sources(o, o->srcarg);
}

void
stormopt_fdlimit(const struct stormopt *o)
{
	uint64_t lim;

	if (fdlim_raise(o->cap + FD_SPARE, &lim) == -1)
		err(111, "unable to read the file descriptor limit");
	if (lim < o->cap + FD_SPARE)
		errx(100, "-l %llu needs %llu file descriptors, the limit is "
		    "%llu", ull(o->cap), ull(o->cap + FD_SPARE), ull(lim));
}

void
stormopt_probe(const struct stormopt *o)
{
	char buf[ADDR_STRLEN];
	size_t i;
	int fd;

	for (i = 0; i < o->nsrc; i++) {
		fd = socket(o->dst.ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd == -1)
			err(111, "unable to create a socket");
		if (tcpsock_bindsrc(fd, &o->src[i]) == -1) {
			addr_format((const struct sockaddr *)&o->src[i].ss, buf);
			buf[strlen(buf) - 2] = '\0';	/* the port, ":0" */
			/* not ours: the same command fails again */
			if (errno == EADDRNOTAVAIL)
				arg_fail("source", buf,
				    "not an address of this host");
			err(111, "unable to bind the source %s", buf);
		}
		close(fd);
	}
}

void
stormopt_print(const struct stormopt *o, FILE *f)
{
	char addr[ADDR_STRLEN];

	fprintf(f, "connstorm: %s: rate=%llu start=%llu ramp=%.3fs "
	    "duration=%.3fs limit=%llu timeout=%.3fs hold=%.3fs close=%s "
	    "payload=%zu reply=%llu sources=%zu",
	    addr_format((const struct sockaddr *)&o->dst.ss, addr),
	    ull(o->rate), ull(o->start), (double)o->ramp / NS_PER_S,
	    (double)o->dur / NS_PER_S, ull(o->cap),
	    (double)o->timeout / NS_PER_S, (double)o->hold / NS_PER_S,
	    o->normal ? "fin" : "reset", o->npayload, ull(o->expect), o->nsrc);
	if (o->search)
		fprintf(f, " search: factor=%.3f errors=%.3f%% "
		    "latency=%.3fms", (double)o->factor / 1000,
		    (double)o->errmp / 1000, (double)o->maxlat / MS);
	fputc('\n', f);
}

void
stormopt_free(struct stormopt *o)
{
	free(o->payload);
	free(o->reply);
	free(o->src);
	o->payload = o->reply = NULL;
	o->src = NULL;
}
