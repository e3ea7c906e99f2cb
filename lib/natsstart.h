/* natsstart.h: where a new JetStream consumer starts reading its
 * stream: at new messages, at the first, at a time, at a sequence; from
 * nats-recv's -p SINCE and -P SEQ. No libnats: lib/natssub creates the
 * consumer. */
#ifndef NATSSTART_H
#define NATSSTART_H

#include <stdint.h>

enum { NATSSTART_NEW, NATSSTART_ALL, NATSSTART_TIME, NATSSTART_SEQ };

struct natsstart {
	int policy;
	int64_t time;		/* NATSSTART_TIME: ns since the epoch */
	uint64_t seq;		/* NATSSTART_SEQ */
};

/*
 * natsstart_set: the start of since (-p: "all", "new", a duration ago
 * such as "1h", or an ISO 8601 time) or seq (-P, 0 for none), at most
 * one of them; NATSSTART_NEW when neither. Both, or a since that is
 * none of those: arg_misuse / arg_fail, exit 100.
 */
void natsstart_set(struct natsstart *st, const char *since, uint64_t seq);

/*
 * natsstart_time: the start time to hand libnats, which turns it into
 * text through its own time_t, as wide as a long in Debian's builds (32
 * bits on armhf, built before 64-bit time): there a time past 2038 would
 * wrap to 1901 and start at the first message. The last second a 32-bit
 * time_t holds starts at the same place until 2038: nothing is stored
 * later. longbits: the width of libnats' time_t (sizeof(long) * 8).
 */
int64_t natsstart_time(const struct natsstart *st, int longbits);

#endif
