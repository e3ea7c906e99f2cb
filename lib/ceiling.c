/* ceiling.c: the search for the highest connection rate a server holds. */
#include <err.h>
#include <stdint.h>
#include <stdio.h>

#include "ceiling.h"
#include "hist.h"
#include "storm.h"

#define MS	1000000ull

static unsigned long long
ull(uint64_t v)
{
	return (unsigned long long)v;
}

/* sustained: the step's sustained rate, 0 when it never got to hold. */
static double
sustained(const struct stormsum *s)
{
	return s->sustained < 0 ? 0 : s->sustained;
}

/* held: whether the step held: errors within the limit, connect p99
 * within the limit, sustained rate at least 95 % of the step's. If not,
 * why (n bytes) says which. The connections aborted at the end count as
 * errors: none of them had finished. */
static int
held(const struct ceiling *c, const struct stormsum *s, int interrupted,
    char *why, size_t n)
{
	uint64_t bad = s->c.failed + s->aborted, tried = s->c.attempted;
	uint64_t p99 = hist_pct(s->connect, 990000);

	if (interrupted)
		snprintf(why, n, "interrupted");
	else if (tried == 0 || s->connect->n == 0)
		snprintf(why, n, "no connection established");
	else if (bad * 100000 > c->errmp * tried)
		snprintf(why, n, "errors %.2f%% over %.3f%%",
		    100.0 * (double)bad / (double)tried,
		    (double)c->errmp / 1000);
	else if (p99 * 1000 > c->maxlat)
		snprintf(why, n, "connect p99 %.3fms over %.3fms",
		    (double)p99 / 1000, (double)c->maxlat / MS);
	else if (sustained(s) < 0.95 * (double)c->rate)
		snprintf(why, n, "sustained %.1f/s under 95%% of %llu/s",
		    sustained(s), ull(c->rate));
	else
		return 1;
	return 0;
}

static void
step_text(const struct ceiling *c, const struct stormsum *s,
    const char *why, FILE *f)
{
	uint64_t p99 = hist_pct(s->connect, 990000);

	fprintf(f, "step %d: rate=%llu attempted=%llu completed=%llu "
	    "failed=%llu aborted=%llu sustained_cps=%.1f "
	    "connect_p99=%llu.%03llums: %s%s\n", c->step, ull(s->rate), ull(s->c.attempted),
	    ull(s->c.completed), ull(s->c.failed), ull(s->aborted),
	    sustained(s), ull(p99 / 1000), ull(p99 % 1000),
	    c->held ? "held" : "failed: ", c->held ? "" : why);
}

static void
step_json(const struct ceiling *c, const struct stormsum *s,
    const char *why, FILE *f)
{
	fprintf(f, "%s{\"step\":%d,\"held\":%s,\"reason\":", c->step > 1 ?
	    "," : "", c->step, c->held ? "true" : "false");
	if (c->held)
		fputs("null,", f);
	else
		fprintf(f, "\"%s\",", why);	/* our own text: no quotes */
	storm_sum_json(s, f);
	fputc('}', f);
}

uint64_t
ceiling_begin(struct ceiling *c, FILE *out)
{
	c->rate = c->start;
	c->ceiling = 0;
	c->step = 0;
	c->held = 0;
	if (c->json)
		fputs("{\"steps\":[", out);
	return c->rate;
}

uint64_t
ceiling_step(struct ceiling *c, const struct stormsum *s, int interrupted,
    FILE *out)
{
	uint64_t next;
	char why[128];

	c->held = held(c, s, interrupted, why, sizeof why);
	c->step++;
	if (c->json)
		step_json(c, s, why, out);
	else
		step_text(c, s, why, out);
	fflush(out);
	if (!c->held)
		return 0;
	c->ceiling = c->rate;
	if (c->rate >= c->max)
		return 0;
	next = (c->rate * c->factor + 999) / 1000;
	if (next <= c->rate)
		next = c->rate + 1;
	return c->rate = next < c->max ? next : c->max;
}

int
ceiling_end(struct ceiling *c, FILE *out)
{
	if (c->json)
		fprintf(out, "],\"ceiling_cps\":%llu,\"limit_reached\":%s}\n",
		    ull(c->ceiling), c->held ? "true" : "false");
	else
		fprintf(out, "ceiling: %llu connections/s\n", ull(c->ceiling));
	fflush(out);
	if (c->held)
		warnx("every step held up to the highest rate, %llu/s: the "
		    "ceiling is at least that", ull(c->max));
	if (c->ceiling == 0)
		warnx("the first step, at %llu/s, did not hold", ull(c->start));
	return c->ceiling ? 0 : 1;
}
