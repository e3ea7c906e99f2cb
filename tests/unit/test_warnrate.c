/* test_warnrate.c: a repeated warning told once an interval, the ones
 * held back counted, "(and N more like it)", and a change of cause told
 * at once, after the held ones of the cause before. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "tap.h"
#include "warnrate.h"

static char got[4096];

/* said: what the warnings wrote to stderr since the last call */
static const char *
said(FILE *f)
{
	size_t n;

	fflush(stderr);
	rewind(f);
	n = fread(got, 1, sizeof got - 1, f);
	got[n] = '\0';
	if (ftruncate(fileno(f), 0) == -1)
		abort();
	rewind(f);
	return got;
}

int
main(void)
{
	struct timespec ts = { 0, 60 * 1000 * 1000 };
	struct warnrate w;
	FILE *f = tmpfile();
	int fd = dup(2);

	if (f == NULL || fd == -1 || dup2(fileno(f), 2) == -1)
		abort();
	setvbuf(stderr, NULL, _IONBF, 0);
	warnrate_init(&w, 50 * 1000 * 1000);
	ok(warnrate_warnx(&w, 0, "unable to %s", "x") == 1, "the first: told");
	ok(strstr(said(f), ": unable to x\n") != NULL, "  as written");
	ok(warnrate_warnx(&w, 0, "unable to %s", "x") == 0 &&
	    warnrate_warnx(&w, 0, "unable to %s", "y") == 0,
	    "two more within the interval: held");
	is_str(said(f), "", "  nothing written");
	nanosleep(&ts, NULL);
	ok(warnrate_warnx(&w, 0, "unable to %s", "z") == 1,
	    "after the interval: told");
	ok(strstr(said(f), ": unable to z (and 2 more like it)\n") != NULL,
	    "  with the count of those held: %s", got);
	ok(warnrate_warnx(&w, EPIPE, "cause %d", 1) == 1,
	    "another key: told at once");
	ok(warnrate_warnx(&w, EPIPE, "cause %d", 2) == 0 &&
	    warnrate_warnx(&w, EPIPE, "cause %d", 3) == 0 &&
	    warnrate_warnx(&w, EPIPE, "cause %d", 4) == 0, "  then held");
	said(f);
	ok(warnrate_warnx(&w, ENOENT, "other") == 1, "a third key: told");
	said(f);
	ok(strstr(got, ": cause 1 (and 2 more like it)\n") != NULL,
	    "  after the held ones of the key before: one line stands for "
	    "the first of them");
	ok(strstr(got, ": other\n") != NULL &&
	    strstr(got, "more like it)\n") < strstr(got, ": other\n"),
	    "  then the new one, without a count");
	ok(warnrate_due(&w, ENOENT) == 0, "warnrate_due: the same key, held");
	ok(warnrate_due(&w, 7) == 1, "  another key, due");
	dup2(fd, 2);
	return tap_done();
}
