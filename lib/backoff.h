/* backoff.h: how long to wait before trying again: doubling from a first
 * wait up to a ceiling, and back to the first after a success. */
#ifndef BACKOFF_H
#define BACKOFF_H

#include <stdint.h>

struct backoff {
	uint64_t min, max;	/* the first wait and the longest, in ns */
	uint64_t cur;		/* the last wait given, 0 before any */
};

void backoff_init(struct backoff *b, uint64_t min, uint64_t max);

/* backoff_next: the wait before the next try: min, then twice the last
 * one each time, never above max. */
uint64_t backoff_next(struct backoff *b);

/* backoff_reset: it worked: the next wait is min again. */
void backoff_reset(struct backoff *b);

#endif
