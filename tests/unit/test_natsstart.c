/* test_natsstart.c: where a new consumer starts, from -p SINCE and -P SEQ:
 * each policy, and what is refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "natsstart.h"
#include "tap.h"

/* refused: natsstart_set(since, seq) in a child: its exit status (0:
 * accepted), and its standard error in msg (len bytes). */
struct startarg {
	const char *since;
	uint64_t seq;
};

static void
start(const void *p)
{
	const struct startarg *a = p;
	struct natsstart st;

	natsstart_set(&st, a->since, a->seq);
}

static int
refused(const char *since, uint64_t seq, char *msg, size_t len)
{
	struct startarg a = { since, seq };

	return tap_child(start, &a, msg, len);
}

int
main(void)
{
	struct natsstart st;
	char msg[512];
	int64_t want;

	natsstart_set(&st, NULL, 0);
	is_int(st.policy, NATSSTART_NEW, "neither -p nor -P: new messages");
	natsstart_set(&st, "all", 0);
	is_int(st.policy, NATSSTART_ALL, "-p all: the first message");
	natsstart_set(&st, "new", 0);
	is_int(st.policy, NATSSTART_NEW, "-p new: new messages");
	natsstart_set(&st, NULL, 42);
	ok(st.policy == NATSSTART_SEQ && st.seq == 42, "-P 42: sequence 42");
	natsstart_set(&st, "2026-12-04T10:00:00Z", 0);
	ok(st.policy == NATSSTART_TIME &&
	    st.time == 1796378400 * (int64_t)NS_PER_S,
	    "-p ISO time: that time (got %lld)", (long long)st.time);
	natsstart_set(&st, "2026-12-04T10:00:00.5Z", 0);
	ok(st.time == 1796378400 * (int64_t)NS_PER_S + 500000000,
	    "  with a fraction (got %lld)", (long long)st.time);
	want = (int64_t)(clock_wall() - 3600 * NS_PER_S);
	natsstart_set(&st, "1h", 0);
	ok(st.policy == NATSSTART_TIME && st.time >= want &&
	    st.time - want < (int64_t)NS_PER_S, "-p 1h: an hour ago");

	is_int(refused("all", 0, msg, sizeof msg), 0, "-p all: accepted");
	is_int(refused("yesterday", 0, msg, sizeof msg), 100,
	    "-p yesterday: exit 100");
	ok(strstr(msg, "invalid start 'yesterday': use all, new, a duration "
	    "(1h) or an ISO time") != NULL, "  says so: %s", msg);
	is_int(refused("0s", 0, msg, sizeof msg), 100,
	    "-p 0s (no time ago): exit 100");
	is_int(refused("all", 7, msg, sizeof msg), 100,
	    "both -p and -P: exit 100");
	ok(strstr(msg, "use one of -p and -P") != NULL, "  says so: %s", msg);

	/* what libnats is handed: held at 2038 where its time_t is 32 bits */
	natsstart_set(&st, "2099-01-01T00:00:00Z", 0);
	ok(natsstart_time(&st, 64) == 4070908800 * (int64_t)NS_PER_S,
	    "-p 2099: libnats with a 64-bit time_t gets 2099");
	ok(natsstart_time(&st, 32) == 2147483647 * (int64_t)NS_PER_S,
	    "  with a 32-bit one, 2038-01-19T03:14:07Z, not 1901");
	natsstart_set(&st, "2026-12-04T10:00:00Z", 0);
	ok(natsstart_time(&st, 32) == st.time,
	    "-p 2026: the same for either");
	return tap_done();
}
