/* test_stormlog.c: the per-second lines shown (a live line on a
 * terminal, CSV) and kept, and the failures told at most once a second
 * for each cause. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "stormlog.h"
#include "tap.h"

/* where stdout (path[1]) and stderr (path[2]) go while redirected */
static char path[3][32] = { "", "/tmp/test_stormlog1.XXXXXX",
	"/tmp/test_stormlog2.XXXXXX" };
static char got[4096];

/* redirect: fd (1 or 2) into the file at path, emptied; returns the fd
 * it was, for restore. */
static int
redirect(int fd)
{
	int was, f;

	fflush(fd == 1 ? stdout : stderr);
	was = dup(fd);
	if ((f = open(path[fd], O_WRONLY | O_TRUNC)) == -1 || dup2(f, fd) == -1)
		exit(1);
	close(f);
	return was;
}

/* restore: fd back to was; got has what was written meanwhile. */
static const char *
restore(int fd, int was)
{
	ssize_t n;
	int f;

	fflush(fd == 1 ? stdout : stderr);
	dup2(was, fd);
	close(was);
	if ((f = open(path[fd], O_RDONLY)) == -1)
		exit(1);
	n = read(f, got, sizeof got - 1);
	got[n > 0 ? n : 0] = '\0';
	close(f);
	return got;
}

static void
sec(struct stormsec *s, uint64_t tms)
{
	memset(s, 0, sizeof *s);
	s->tms = tms;
	s->rate = 7;
	s->p50 = s->p99 = STORM_NONE;
	s->overflows = s->syndrops = s->timewait = STORM_NONE;
}

#define LINE1 "t=1.0s rate=7 attempted=0 established=0 completed=0 " \
	"failed=0 refused=0 timeout=0 reset=0 noport=0 other=0 open=0 " \
	"connect_p50=- connect_p99=-"

static void
test_lines(void)
{
	struct stormlog l;
	struct stormsec s;
	int was, i;

	memset(&l, 0, sizeof l);
	sec(&s, 1000);
	was = redirect(2);
	stormlog_sec(&l, &s);
	is_str(restore(2, was), LINE1 "\n", "not a terminal: one line");
	ok(l.nsecs == 1 && l.secs[0].rate == 7, "  kept");

	l.tty = 1;
	was = redirect(2);
	stormlog_sec(&l, &s);
	stormlog_endlive(&l);
	stormlog_endlive(&l);
	is_str(restore(2, was), "\r" LINE1 "\033[K\n",
	    "a terminal: a live line, ended once");

	l.quiet = 1;
	l.csv = 1;
	was = redirect(1);
	i = redirect(2);
	stormlog_sec(&l, &s);
	restore(2, i);
	i = got[0] == '\0';	/* before anything goes to stdout again */
	is_str(restore(1, was), "1.0,7,0,0,0,0,0,0,0,0,0,0,,,,,\n",
	    "CSV on stdout");
	ok(i, "quiet: nothing on stderr");
	was = redirect(1);
	for (i = 0; i < 200; i++)
		stormlog_sec(&l, &s);
	restore(1, was);
	is_int(l.nsecs, 203, "every line kept");
	stormlog_free(&l);
	ok(l.secs == NULL && l.nsecs == 0, "free: none kept");
}

static void
test_failures(void)
{
	struct stormlog l;
	int was;

	memset(&l, 0, sizeof l);
	l.zero = clock_mono();
	was = redirect(2);
	stormlog_fail(&l, STORM_REFUSED, ECONNREFUSED);
	stormlog_fail(&l, STORM_REFUSED, ECONNREFUSED);
	stormlog_fail(&l, STORM_REFUSED, ECONNREFUSED);
	stormlog_fail(&l, STORM_TIMEOUT, 0);
	stormlog_fail(&l, STORM_MISMATCH, 0);
	stormlog_fail(&l, STORM_EOF, 0);
	restore(2, was);
	ok(strncmp(got, "connstorm: t=0.000s: refused: ", 30) == 0,
	    "the first of a cause told: %.*s", (int)strcspn(got, "\n"), got);
	ok(strstr(got, ": timeout: not done within the timeout\n") &&
	    strstr(got, ": mismatch: the reply differs from the one "
	    "expected\n") &&
	    strstr(got, ": eof: the server closed the connection\n"),
	    "each cause of its own, with its reason");
	is_int(l.vheld[STORM_REFUSED], 2, "the next two within a second held");
	was = redirect(2);
	stormlog_untold(&l, l.zero + 2500000000ull);
	stormlog_untold(&l, l.zero + 3000000000ull);
	restore(2, was);
	is_str(got, "connstorm: t=2.500s: refused: 2 more since t=0.000s\n",
	    "the end tells how many were held, once");

	l.vlast[STORM_RESET] = clock_mono() - 2000000000ull;
	l.vheld[STORM_RESET] = 5;
	was = redirect(2);
	stormlog_fail(&l, STORM_RESET, ECONNRESET);
	restore(2, was);
	ok(strstr(got, " (and 5 more since t=") != NULL && l.vheld[STORM_RESET]
	    == 0, "a second later: told, with the ones held before");
}

int
main(void)
{
	int fd, was;

	for (fd = 1; fd <= 2; fd++) {
		if ((was = mkstemp(path[fd])) == -1)
			return 1;
		close(was);
	}
	test_lines();
	test_failures();
	unlink(path[1]);
	unlink(path[2]);
	return tap_done();
}
