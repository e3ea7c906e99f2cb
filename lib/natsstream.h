/* natsstream.h: the stream nats-send -C creates and the limits it is
 * given (-A -L -O -W -y): the options, their defaults, and the checks
 * made before connecting. No libnats: lib/natspub makes the stream. */
#ifndef NATSSTREAM_H
#define NATSSTREAM_H

#include <stdint.h>

struct natsstream {
	const char *create;	/* -C; NULL: the stream must exist */
	uint64_t maxage, maxbytes, dupwin;	/* ns, bytes, ns */
	int memory, replicas;
	int dupset;		/* -W given */
};

/* natsstream_init: no stream to create; for one created, one replica,
 * file storage, no limits, a duplicate window of 120 s. */
void natsstream_init(struct natsstream *st);

/* natsstream_opt: take option ch with arg when it is one of the options
 * that describe the stream: -A -C -L -O -W -y. Returns 1 when it was,
 * else 0. A bad value: arg_fail, exit 100. */
int natsstream_opt(struct natsstream *st, int ch, const char *arg);

/*
 * natsstream_check: after the options: refuse stream limits without -C,
 * a duplicate window that does not cover a resend (wait, the publish
 * timeout, plus backoffmax, the longest wait before one), and a stream
 * name that cannot be one: arg_fail / arg_misuse, exit 100.
 */
void natsstream_check(const struct natsstream *st, uint64_t wait,
    uint64_t backoffmax);

#endif
