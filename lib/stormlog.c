/* stormlog.c: what a connection storm writes as it runs. */
#include <err.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "stormlog.h"

static unsigned long long
ull(uint64_t v)
{
	return (unsigned long long)v;
}

void
stormlog_sec(struct stormlog *l, const struct stormsec *s)
{
	struct stormsec *p;
	char buf[512];

	if (l->nsecs == l->capsecs) {
		p = reallocarray(l->secs, l->capsecs + 64, sizeof *p);
		if (p == NULL)
			err(111, "unable to allocate the per-second lines");
		l->secs = p;
		l->capsecs += 64;
	}
	l->secs[l->nsecs++] = *s;
	if (l->csv)
		storm_sec_csv(s, stdout);
	if (l->quiet)
		return;
	storm_sec_text(s, buf, sizeof buf);
	if (l->tty) {
		fprintf(stderr, "\r%s\033[K", buf);
		l->live = 1;
	} else
		fprintf(stderr, "%s\n", buf);
}

void
stormlog_endlive(struct stormlog *l)
{
	if (l->live)
		fputc('\n', stderr);
	l->live = 0;
}

/* since: the time of at in seconds, as the per-second lines count it. */
static double
since(const struct stormlog *l, uint64_t at)
{
	return (double)(at - l->zero) / NS_PER_S;
}

void
stormlog_fail(void *log, int k, int e)
{
	struct stormlog *l = log;
	uint64_t now = clock_mono();
	const char *why;

	if (l->vlast[k] != 0 && now - l->vlast[k] < NS_PER_S) {
		l->vheld[k]++;
		return;
	}
	if (e != 0)
		why = strerror(e);
	else if (k == STORM_TIMEOUT)
		why = "not done within the timeout";
	else if (k == STORM_MISMATCH)
		why = "the reply differs from the one expected";
	else
		why = "the server closed the connection";
	stormlog_endlive(l);
	fprintf(stderr, "connstorm: t=%.3fs: %s: %s", since(l, now),
	    storm_causename[k], why);
	if (l->vheld[k])
		fprintf(stderr, " (and %llu more since t=%.3fs)",
		    ull(l->vheld[k]), since(l, l->vlast[k]));
	fputc('\n', stderr);
	l->vlast[k] = now;
	l->vheld[k] = 0;
}

void
stormlog_untold(struct stormlog *l, uint64_t now)
{
	int k;

	for (k = 0; k < STORM_NCAUSE; k++) {
		if (l->vheld[k] == 0)
			continue;
		stormlog_endlive(l);
		fprintf(stderr, "connstorm: t=%.3fs: %s: %llu more since "
		    "t=%.3fs\n", since(l, now), storm_causename[k],
		    ull(l->vheld[k]), since(l, l->vlast[k]));
		l->vheld[k] = 0;
	}
}

void
stormlog_free(struct stormlog *l)
{
	free(l->secs);
	l->secs = NULL;
	l->nsecs = l->capsecs = 0;
}
