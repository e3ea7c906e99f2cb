/* natsstream.c: the options of the stream nats-send creates. */
#include <stdint.h>
#include <string.h>

#include "arg.h"
#include "clock.h"
#include "natsrec.h"
#include "natsstream.h"
#include "num.h"

void
natsstream_init(struct natsstream *st)
{
	memset(st, 0, sizeof *st);
	st->replicas = 1;
	st->dupwin = 120 * NS_PER_S;
}

/* storage_arg: 1 for memory, 0 for file. */
static int
storage_arg(const char *s)
{
	if (strcmp(s, "file") == 0)
		return 0;
	if (strcmp(s, "memory") == 0)
		return 1;
	arg_fail("storage", s, "use file or memory");
}

int
natsstream_opt(struct natsstream *st, int ch, const char *arg)
{
	switch (ch) {
	case 'A':
		st->maxage = dur_arg("age", arg, 0, INT64_MAX);
		return 1;
	case 'C':
		st->create = arg;
		return 1;
	case 'L':
		st->maxbytes = size_arg("stream size", arg, 0, INT64_MAX);
		return 1;
	case 'O':
		st->memory = storage_arg(arg);
		return 1;
	case 'W':
		st->dupwin = dur_arg("duplicate window", arg, 1000000,
		    INT64_MAX);
		st->dupset = 1;
		return 1;
	case 'y':
		st->replicas = (int)num_arg("replicas", arg, 1, 5);
		return 1;
	}
	return 0;
}

void
natsstream_check(const struct natsstream *st, uint64_t wait,
    uint64_t backoffmax)
{
	if (!st->create && (st->maxage || st->maxbytes || st->memory ||
	    st->replicas != 1 || st->dupset))
		arg_misuse("%s", "-A, -L, -O, -W and -y describe the stream -C "
		    "creates: they need -C");
	if (st->create && st->dupwin < wait + backoffmax)
		arg_misuse("the duplicate window (-W) must cover a resend: at "
		    "least -w plus %llu s",
		    (unsigned long long)(backoffmax / NS_PER_S));
	if (st->create)
		(void)natsrec_name_arg("stream name", st->create);
}
