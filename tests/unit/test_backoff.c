/* test_backoff.c: waits that double from the first up to the ceiling,
 * and start over after a reset. */
#include "backoff.h"
#include "tap.h"

int
main(void)
{
	struct backoff b;

	backoff_init(&b, 100, 500);
	is_int(backoff_next(&b), 100, "the first wait is min");
	is_int(backoff_next(&b), 200, "  then doubled");
	is_int(backoff_next(&b), 400, "  and again");
	is_int(backoff_next(&b), 500, "  never above max");
	is_int(backoff_next(&b), 500, "  and stays there");
	backoff_reset(&b);
	is_int(backoff_next(&b), 100, "after a reset: min again");
	backoff_init(&b, 100, 50);
	is_int(backoff_next(&b), 100, "max below min: min");
	is_int(backoff_next(&b), 100, "  every time");
	backoff_init(&b, 3, UINT64_MAX);
	b.cur = UINT64_MAX / 2 + 1;
	is_int(backoff_next(&b) == UINT64_MAX, 1,
	    "no overflow near the top");
	return tap_done();
}
