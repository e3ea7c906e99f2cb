/* backoff.c: how long to wait before trying again: doubling from a first
 * wait up to a ceiling, and back to the first after a success. */
#include "backoff.h"

void
backoff_init(struct backoff *b, uint64_t min, uint64_t max)
{
	b->min = min;
	b->max = max < min ? min : max;
	b->cur = 0;
}

uint64_t
backoff_next(struct backoff *b)
{
	if (b->cur == 0)
		b->cur = b->min;
	else if (b->cur > b->max / 2)
		b->cur = b->max;
	else
		b->cur *= 2;
	return b->cur;
}

void
backoff_reset(struct backoff *b)
{
	b->cur = 0;
}
