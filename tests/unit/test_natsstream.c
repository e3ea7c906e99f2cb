/* test_natsstream.c: the options of the stream nats-send creates: their
 * defaults, the values they take, and what the checks refuse. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "natsstream.h"
#include "tap.h"

#define WAIT	NS_PER_S		/* the publish timeout, -w */
#define BACKOFF	(5 * NS_PER_S)		/* the longest resend backoff */

/*
 * refused: in a child, the options opts (pairs of option and value,
 * ending with 0) then natsstream_check; its exit status (0: accepted),
 * and its standard error in msg (len bytes).
 */
struct optsarg {
	const char *opts;
	const char *const *vals;
};

static void
check(const void *p)
{
	const struct optsarg *a = p;
	struct natsstream st;
	int i;

	natsstream_init(&st);
	for (i = 0; a->opts[i] != '\0'; i++)
		(void)natsstream_opt(&st, a->opts[i], a->vals[i]);
	natsstream_check(&st, WAIT, BACKOFF);
}

static int
refused(const char *opts, const char *const *vals, char *msg, size_t len)
{
	struct optsarg a = { opts, vals };

	return tap_child(check, &a, msg, len);
}

int
main(void)
{
	struct natsstream st;
	char msg[1024];

	natsstream_init(&st);
	ok(st.create == NULL, "init: no stream to create");
	is_int(st.replicas, 1, "init: one replica");
	ok(st.dupwin == 120 * NS_PER_S, "init: a 120 s duplicate window");
	ok(!st.memory && !st.maxage && !st.maxbytes && !st.dupset,
	    "init: file storage, no limits, -W not given");

	is_int(natsstream_opt(&st, 'C', "EVENTS"), 1, "-C is taken");
	is_str(st.create, "EVENTS", "  the stream's name");
	is_int(natsstream_opt(&st, 'A', "1h"), 1, "-A is taken");
	ok(st.maxage == 3600 * NS_PER_S, "  one hour");
	is_int(natsstream_opt(&st, 'L', "1k"), 1, "-L is taken");
	ok(st.maxbytes == 1024, "  1k is 1024 bytes (got %llu)",
	    (unsigned long long)st.maxbytes);
	is_int(natsstream_opt(&st, 'O', "memory"), 1, "-O is taken");
	is_int(st.memory, 1, "  memory");
	(void)natsstream_opt(&st, 'O', "file");
	is_int(st.memory, 0, "  file");
	is_int(natsstream_opt(&st, 'W', "10s"), 1, "-W is taken");
	ok(st.dupwin == 10 * NS_PER_S && st.dupset, "  10 s, and marked given");
	is_int(natsstream_opt(&st, 'y', "3"), 1, "-y is taken");
	is_int(st.replicas, 3, "  three replicas");
	is_int(natsstream_opt(&st, 'n', "x"), 0, "-n is not the stream's");
	is_int(natsstream_opt(&st, 'w', "1s"), 0, "-w is not the stream's");

	is_int(refused("", NULL, msg, sizeof msg), 0,
	    "no stream options: accepted");
	is_int(refused("CAyW", (const char *[]){ "S-1_x", "1d", "3", "6s" },
	    msg, sizeof msg), 0, "a stream with its limits: accepted");
	is_int(refused("A", (const char *[]){ "1h" }, msg, sizeof msg), 100,
	    "-A without -C: exit 100");
	ok(strstr(msg, "they need -C") != NULL, "  says so: %s", msg);
	is_int(refused("W", (const char *[]){ "120s" }, msg, sizeof msg), 100,
	    "-W without -C, even its default value: exit 100");
	is_int(refused("y", (const char *[]){ "1" }, msg, sizeof msg), 0,
	    "-y 1 without -C: the default, accepted");
	is_int(refused("CW", (const char *[]){ "S", "5s" }, msg, sizeof msg),
	    100, "a window shorter than -w plus the backoff: exit 100");
	ok(strstr(msg, "at least -w plus 5 s") != NULL, "  says so: %s", msg);
	is_int(refused("CW", (const char *[]){ "S", "6s" }, msg, sizeof msg),
	    0, "a window of -w plus the backoff: accepted");
	is_int(refused("C", (const char *[]){ "a.b" }, msg, sizeof msg), 100,
	    "a stream name with a dot: exit 100");
	ok(strstr(msg, "invalid stream name 'a.b'") != NULL, "  says so: %s",
	    msg);
	is_int(refused("O", (const char *[]){ "disk" }, msg, sizeof msg), 100,
	    "-O disk: exit 100");
	ok(strstr(msg, "invalid storage 'disk'") != NULL, "  says so: %s",
	    msg);
	is_int(refused("y", (const char *[]){ "6" }, msg, sizeof msg), 100,
	    "-y 6: exit 100");
	return tap_done();
}
