/* natsstart.c: where a new consumer starts, from -p and -P. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arg.h"
#include "clock.h"
#include "natsstart.h"
#include "num.h"
#include "timefmt.h"

/* since_parse: "all", "new", a duration ago, or an ISO 8601 time. */
static void
since_parse(struct natsstart *st, const char *s)
{
	const char *e;
	uint64_t ago;
	int64_t sec;
	uint32_t nsec;

	if (strcmp(s, "all") == 0) {
		st->policy = NATSSTART_ALL;
		return;
	}
	if (strcmp(s, "new") == 0) {
		st->policy = NATSSTART_NEW;
		return;
	}
	st->policy = NATSSTART_TIME;
	if (timefmt_iso_parse(s, &sec, &nsec) == 0) {
		st->time = sec * (int64_t)NS_PER_S + nsec;
		return;
	}
	ago = dur_parse(s, 1, clock_wall(), &e);
	if (e != NULL)
		arg_fail("start", s, "use all, new, a duration (1h) or an ISO "
		    "time (2026-12-04T10:00:00Z)");
	st->time = (int64_t)(clock_wall() - ago);
}

void
natsstart_set(struct natsstart *st, const char *since, uint64_t seq)
{
	memset(st, 0, sizeof *st);
	if (since && seq)
		arg_misuse("%s", "use one of -p and -P");
	st->policy = NATSSTART_NEW;
	if (seq) {
		st->policy = NATSSTART_SEQ;
		st->seq = seq;
	} else if (since)
		since_parse(st, since);
}

int64_t
natsstart_time(const struct natsstart *st, int longbits)
{
	const int64_t last = (int64_t)INT32_MAX * (int64_t)NS_PER_S;

	if (longbits < 64 && st->time > last)
		return last;
	return st->time;
}
