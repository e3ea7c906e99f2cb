/* test_ceiling.c: the ceiling search on made-up steps: the rates it
 * tries, why a step fails, what it writes, its exit status. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ceiling.h"
#include "tap.h"

#define MS 1000000ull

static char *text;
static size_t ntext;
static struct hist hc;

static FILE *
mem(void)
{
	FILE *f;

	free(text);
	text = NULL;
	if ((f = open_memstream(&text, &ntext)) == NULL) {
		perror("open_memstream");
		exit(1);
	}
	return f;
}

static void
search(struct ceiling *c, int json)
{
	memset(c, 0, sizeof *c);
	c->start = 10;
	c->max = 30;
	c->factor = 1500;
	c->errmp = 1000;		/* 1 % */
	c->maxlat = 100 * MS;
	c->json = json;
}

/* step: a summary of a step at rate: every connection done in p99 us,
 * failed of them failed, the hold sustained at the rate. */
static void
step(struct stormsum *s, uint64_t rate, uint64_t failed, uint64_t p99)
{
	memset(s, 0, sizeof *s);
	strcpy(s->address, "127.0.0.1:9");
	s->rate = s->start = s->target = rate;
	s->hold = s->duration = s->elapsed = 1000 * MS;
	s->sustained = (double)(rate - failed);
	s->c.attempted = s->c.established = rate;
	s->c.completed = rate - failed;
	s->c.failed = failed;
	hist_reset(&hc);
	hist_add(&hc, p99);
	s->connect = s->reply = &hc;
	s->overflows = s->syndrops = s->timewait = STORM_NONE;
}

static void
test_rates(void)
{
	struct ceiling c;
	struct stormsum s;
	uint64_t want[] = { 10, 15, 23, 30 }, rate;
	int i = 0;
	FILE *f = mem();

	search(&c, 0);
	for (rate = ceiling_begin(&c, f); rate != 0 && i < 10; i++) {
		is_int(rate, want[i], "step %d at %d/s", i + 1, (int)want[i]);
		step(&s, rate, 0, 500);
		rate = ceiling_step(&c, &s, 0, f);
	}
	is_int(i, 4, "four steps: the last at the highest rate");
	is_int(ceiling_end(&c, f), 0, "a step held: exit 0");
	fclose(f);
	ok(strncmp(text, "step 1: rate=10 attempted=10 completed=10 failed=0 "
	    "aborted=0 sustained_cps=10.0 connect_p99=0.500ms: held\n"
	    "step 2: rate=15 ", 88) == 0, "the text of a step that held");
	ok(strstr(text, "\nceiling: 30 connections/s\n") != NULL,
	    "the ceiling: the highest rate");
}

/* fails: the reason a step at 10/s with these values fails, "" if none. */
static const char *
fails(uint64_t failed, uint64_t aborted, uint64_t p99, double sus, int intr)
{
	static char line[256];
	struct ceiling c;
	struct stormsum s;
	const char *p;
	FILE *f = mem();

	search(&c, 0);
	ceiling_begin(&c, f);
	step(&s, 10, failed, p99);
	s.aborted = aborted;
	s.sustained = sus;
	if (p99 == 0)
		hist_reset(&hc);
	if (ceiling_step(&c, &s, intr, f) != 0) {
		fclose(f);
		return "";
	}
	fclose(f);
	p = strstr(text, ": failed: ");
	snprintf(line, sizeof line, "%s", p ? p + 10 : text);
	line[strcspn(line, "\n")] = '\0';
	return line;
}

static void
test_failures(void)
{
	is_str(fails(0, 0, 500, 10, 0), "", "within every limit: held");
	is_str(fails(0, 0, 500, 10, 1), "interrupted", "a signal");
	is_str(fails(0, 0, 0, 10, 0), "no connection established",
	    "nothing established");
	is_str(fails(1, 0, 500, 10, 0), "errors 10.00% over 1.000%",
	    "one failure in ten");
	is_str(fails(0, 1, 500, 10, 0), "errors 10.00% over 1.000%",
	    "one aborted at the end is an error too");
	is_str(fails(0, 0, 100001, 10, 0),
	    "connect p99 100.001ms over 100.000ms", "too slow to connect");
	is_str(fails(0, 0, 500, 9.4, 0), "sustained 9.4/s under 95% of 10/s",
	    "not sustained");
	is_str(fails(0, 0, 500, -1, 0), "sustained 0.0/s under 95% of 10/s",
	    "no hold at all: 0/s sustained");
}

static void
test_json(void)
{
	struct ceiling c;
	struct stormsum s;
	FILE *f = mem();

	search(&c, 1);
	ceiling_begin(&c, f);
	step(&s, 10, 0, 500);
	ceiling_step(&c, &s, 0, f);
	step(&s, 15, 15, 500);
	is_int(ceiling_step(&c, &s, 0, f), 0, "a failed step ends it");
	is_int(ceiling_end(&c, f), 0, "the first held: exit 0");
	fclose(f);
	ok(strncmp(text, "{\"steps\":[{\"step\":1,\"held\":true,"
	    "\"reason\":null,\"address\":", 56) == 0, "JSON: the first step");
	ok(strstr(text, "]},{\"step\":2,\"held\":false,\"reason\":\"errors "
	    "100.00% over 1.000%\",\"address\":") != NULL,
	    "JSON: the second, failed, and why");
	ok(strstr(text, "\"seconds\":[]}],\"ceiling_cps\":10,"
	    "\"limit_reached\":false}\n") != NULL,
	    "JSON: the ceiling, the limit not reached");

	f = mem();
	search(&c, 0);
	ceiling_begin(&c, f);
	step(&s, 10, 10, 500);
	is_int(ceiling_step(&c, &s, 0, f), 0, "the first step failed");
	is_int(ceiling_end(&c, f), 1, "none held: exit 1");
	fclose(f);
	ok(strstr(text, "ceiling: 0 connections/s\n") != NULL, "ceiling 0");
}

int
main(void)
{
	test_rates();
	test_failures();
	test_json();
	free(text);
	return tap_done();
}
