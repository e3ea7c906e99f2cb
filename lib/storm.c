/* storm.c: what a connection storm counts, and how it says so. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "storm.h"

#define VALLEN	(ADDR_STRLEN + 8)	/* a value as written, quoted */

const char *const storm_causename[STORM_NCAUSE] = { "refused", "timeout",
	"reset", "noport", "unreachable", "mismatch", "eof", "nofd", "other" };

/*
 * A field: how a value is written, under which name, and where it lies
 * in its struct. Kinds, and a value not known in text, CSV, JSON:
 * K_NUM a count (left out, empty, null); K_TIME ms as seconds; K_LAT us
 * as ms in the text ("-", empty, null); K_SECS ns as seconds; K_CPS a
 * rate (a double, < 0: "-", null); K_STR a string.
 */
enum { K_NUM, K_TIME, K_LAT, K_SECS, K_CPS, K_STR };
enum { FORM_TEXT, FORM_CSV, FORM_JSON };
/* the lines of the text summary a field is on */
enum { L_TARGET, L_RESULT, L_KERNEL };

struct field {
	const char *name;	/* text: name=value; NULL: the value alone */
	const char *key;	/* the CSV column, the JSON member */
	int kind;
	size_t off;		/* the accessor: offsetof its struct */
	int line;		/* the summary's text line */
};

#define SEC(m)	offsetof(struct stormsec, m)
#define SUM(m)	offsetof(struct stormsum, m)

/* the per-second line, in the order of all three forms */
static const struct field secfield[] = {
	{ "t", "t", K_TIME, SEC(tms), 0 },
	{ "rate", "rate", K_NUM, SEC(rate), 0 },
	{ "attempted", "attempted", K_NUM, SEC(c.attempted), 0 },
	{ "established", "established", K_NUM, SEC(c.established), 0 },
	{ "completed", "completed", K_NUM, SEC(c.completed), 0 },
	{ "failed", "failed", K_NUM, SEC(c.failed), 0 },
	{ "refused", "refused", K_NUM, SEC(c.cause[STORM_REFUSED]), 0 },
	{ "timeout", "timeout", K_NUM, SEC(c.cause[STORM_TIMEOUT]), 0 },
	{ "reset", "reset", K_NUM, SEC(c.cause[STORM_RESET]), 0 },
	{ "noport", "noport", K_NUM, SEC(c.cause[STORM_NOPORT]), 0 },
	{ "other", "other", K_NUM, SEC(other), 0 },
	{ "open", "open", K_NUM, SEC(open), 0 },
	{ "connect_p50", "connect_p50_us", K_LAT, SEC(p50), 0 },
	{ "connect_p99", "connect_p99_us", K_LAT, SEC(p99), 0 },
	{ "overflows", "overflows", K_NUM, SEC(overflows), 0 },
	{ "syndrops", "syndrops", K_NUM, SEC(syndrops), 0 },
	{ "timewait", "timewait", K_NUM, SEC(timewait), 0 },
};
#define NSECFIELD (sizeof secfield / sizeof secfield[0])

/* the summary's flat members, in the JSON order; the text takes those
 * of each of its lines in the same order */
static const struct field sumfield[] = {
	{ NULL, "address", K_STR, SUM(address), L_TARGET },
	{ "rate", "target_rate", K_NUM, SUM(rate), L_TARGET },
	{ "start", "start_rate", K_NUM, SUM(start), L_TARGET },
	{ "ramp", "ramp_s", K_SECS, SUM(ramp), L_TARGET },
	{ "hold", "hold_s", K_SECS, SUM(hold), L_TARGET },
	{ "duration", "duration_s", K_SECS, SUM(duration), L_RESULT },
	{ "elapsed", "elapsed_s", K_SECS, SUM(elapsed), L_RESULT },
	{ "due", "target", K_NUM, SUM(target), L_TARGET },
	{ "sustained_cps", "sustained_cps", K_CPS, SUM(sustained), L_RESULT },
	{ "peak_concurrency", "peak_concurrency", K_NUM, SUM(peak),
	    L_RESULT },
	{ "attempted", "attempted", K_NUM, SUM(c.attempted), L_RESULT },
	{ "established", "established", K_NUM, SUM(c.established), L_RESULT },
	{ "completed", "completed", K_NUM, SUM(c.completed), L_RESULT },
	{ "failed", "failed", K_NUM, SUM(c.failed), L_RESULT },
	{ "aborted", "aborted", K_NUM, SUM(aborted), L_RESULT },
	{ "behind", "behind", K_NUM, SUM(behind), L_RESULT },
	{ "listen_overflows", "listen_overflows", K_NUM, SUM(overflows),
	    L_KERNEL },
	{ "syndrops", "syndrops", K_NUM, SUM(syndrops), L_KERNEL },
	{ "timewait", "timewait", K_NUM, SUM(timewait), L_KERNEL },
};
#define NSUMFIELD (sizeof sumfield / sizeof sumfield[0])

static const char *const sumline[] = { "target:", "result:", "kernel:" };

/* the latency percentiles of the summary */
static const uint32_t ppm[5] = { 500000, 900000, 990000, 999000, 1000000 };
static const char *const pname[5] = { "p50", "p90", "p99", "p99.9", "max" };
static const char *const jname[5] = { "p50", "p90", "p99", "p999", "max" };

int
storm_cause(int e)
{
	switch (e) {
	case ECONNREFUSED: return STORM_REFUSED;
	case ETIMEDOUT: return STORM_TIMEOUT;
	case ECONNRESET: case EPIPE: case ECONNABORTED: return STORM_RESET;
	case EADDRNOTAVAIL: case EADDRINUSE: case EAGAIN: return STORM_NOPORT;
	case ENETUNREACH: case EHOSTUNREACH: case ENETDOWN: case EHOSTDOWN:
		return STORM_UNREACH;
	case EMFILE: case ENFILE: return STORM_NOFD;
	default: return STORM_OTHER;
	}
}

void
storm_count_add(struct stormcount *to, const struct stormcount *c)
{
	int k;

	to->attempted += c->attempted;
	to->established += c->established;
	to->completed += c->completed;
	to->failed += c->failed;
	for (k = 0; k < STORM_NCAUSE; k++)
		to->cause[k] += c->cause[k];
}

uint64_t
storm_others(const struct stormcount *c)
{
	return c->failed - c->cause[STORM_REFUSED] - c->cause[STORM_TIMEOUT] -
	    c->cause[STORM_RESET] - c->cause[STORM_NOPORT];
}

static unsigned long long
ull(uint64_t v)
{
	return (unsigned long long)v;
}

/* value: field f of the struct at base as form writes it, in buf (VALLEN
 * bytes). Returns it, or NULL for a value the text leaves out. */
static const char *
value(const struct field *f, const void *base, int form, char *buf)
{
	const char *p = (const char *)base + f->off;
	const char *none = form == FORM_JSON ? "null" : "";
	uint64_t v;
	double d;

	if (f->kind == K_STR) {
		snprintf(buf, VALLEN, form == FORM_JSON ? "\"%s\"" : "%s", p);
		return buf;	/* our own text: no quotes to escape */
	}
	if (f->kind == K_CPS) {
		memcpy(&d, p, sizeof d);
		if (d < 0)
			return form == FORM_TEXT ? "-" : none;
		snprintf(buf, VALLEN, "%.1f", d);
		return buf;
	}
	memcpy(&v, p, sizeof v);
	if (v == STORM_NONE && f->kind == K_LAT)
		return form == FORM_TEXT ? "-" : none;
	if (v == STORM_NONE)
		return form == FORM_TEXT ? NULL : none;
	switch (f->kind) {
	case K_TIME:	/* "3.0" on a whole second, else "3.412" */
		if (form != FORM_JSON && v % 1000 == 0)
			snprintf(buf, VALLEN, "%llu.0%s", ull(v / 1000),
			    form == FORM_TEXT ? "s" : "");
		else
			snprintf(buf, VALLEN, "%llu.%03llu%s", ull(v / 1000),
			    ull(v % 1000), form == FORM_TEXT ? "s" : "");
		break;
	case K_LAT:
		if (form == FORM_TEXT)
			snprintf(buf, VALLEN, "%llu.%03llums", ull(v / 1000),
			    ull(v % 1000));
		else
			snprintf(buf, VALLEN, "%llu", ull(v));
		break;
	case K_SECS:
		snprintf(buf, VALLEN, form == FORM_TEXT ? "%.3fs" : "%.3f",
		    (double)v / NS_PER_S);
		break;
	default:
		snprintf(buf, VALLEN, "%llu", ull(v));
	}
	return buf;
}

/* appendf: printf at the end of the string in buf (n bytes). */
static void __attribute__((format(printf, 3, 4)))
appendf(char *buf, size_t n, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;

	if (len + 1 >= n)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + len, n - len, fmt, ap);
	va_end(ap);
}

void
storm_sec_text(const struct stormsec *s, char *buf, size_t n)
{
	char vb[VALLEN];
	const char *v;
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < NSECFIELD; i++)
		if ((v = value(&secfield[i], s, FORM_TEXT, vb)) != NULL)
			appendf(buf, n, "%s%s=%s", i ? " " : "",
			    secfield[i].name, v);
}

void
storm_sec_csvhead(FILE *f)
{
	size_t i;

	for (i = 0; i < NSECFIELD; i++)
		fprintf(f, "%s%s", secfield[i].key, i + 1 < NSECFIELD ?
		    "," : "\n");
	fflush(f);
}

void
storm_sec_csv(const struct stormsec *s, FILE *f)
{
	char vb[VALLEN];
	size_t i;

	for (i = 0; i < NSECFIELD; i++)
		fprintf(f, "%s%s", value(&secfield[i], s, FORM_CSV, vb),
		    i + 1 < NSECFIELD ? "," : "\n");
	fflush(f);
}

void
storm_sec_json(const struct stormsec *s, FILE *f, const char *sep)
{
	char vb[VALLEN];
	size_t i;

	for (i = 0; i < NSECFIELD; i++)
		fprintf(f, "%s\"%s\":%s", i ? "," : "{", secfield[i].key,
		    value(&secfield[i], s, FORM_JSON, vb));
	fprintf(f, "}%s", sep);
}

/* sum_text: the summary's line line: its label, its fields. */
static void
sum_text(const struct stormsum *s, FILE *f, int line)
{
	const struct field *fl;
	char vb[VALLEN];
	const char *v;
	size_t i;

	fputs(sumline[line], f);
	for (i = 0; i < NSUMFIELD; i++) {
		fl = &sumfield[i];
		if (fl->line != line ||
		    (v = value(fl, s, FORM_TEXT, vb)) == NULL)
			continue;
		if (fl->name != NULL)
			fprintf(f, " %s=%s", fl->name, v);
		else
			fprintf(f, " %s", v);
	}
	fputc('\n', f);
}

static void
lat_text(FILE *f, const char *label, const struct hist *h)
{
	uint64_t us;
	int k;

	fprintf(f, "%s:", label);
	if (h->n == 0)
		fputs(" none", f);
	for (k = 0; h->n && k < 5; k++) {
		us = hist_pct(h, ppm[k]);
		fprintf(f, " %s=%llu.%03llums", pname[k], ull(us / 1000),
		    ull(us % 1000));
	}
	fputc('\n', f);
}

void
storm_sum_text(const struct stormsum *s, FILE *f)
{
	int k;

	sum_text(s, f, L_TARGET);
	sum_text(s, f, L_RESULT);
	fputs("errors:", f);
	for (k = 0; k < STORM_NCAUSE; k++)
		fprintf(f, " %s=%llu", storm_causename[k], ull(s->c.cause[k]));
	fputc('\n', f);
	lat_text(f, "connect", s->connect);
	lat_text(f, "reply", s->reply);
	sum_text(s, f, L_KERNEL);
}

/* sum_json: the summary's members of the lines in mask (1 << line),
 * each followed by a comma. */
static void
sum_json(const struct stormsum *s, FILE *f, int mask)
{
	char vb[VALLEN];
	size_t i;

	for (i = 0; i < NSUMFIELD; i++)
		if (mask & (1 << sumfield[i].line))
			fprintf(f, "\"%s\":%s,", sumfield[i].key,
			    value(&sumfield[i], s, FORM_JSON, vb));
}

static void
lat_json(FILE *f, const char *key, const struct hist *h)
{
	int k;

	fprintf(f, "\"%s\":{", key);
	for (k = 0; k < 5; k++) {
		if (h->n)
			fprintf(f, "\"%s\":%llu", jname[k],
			    ull(hist_pct(h, ppm[k])));
		else
			fprintf(f, "\"%s\":null", jname[k]);
		fputs(k < 4 ? "," : "},", f);
	}
}

void
storm_sum_json(const struct stormsum *s, FILE *f)
{
	size_t i;
	int k;

	sum_json(s, f, 1 << L_TARGET | 1 << L_RESULT);
	fputs("\"errors\":{", f);
	for (k = 0; k < STORM_NCAUSE; k++)
		fprintf(f, "\"%s\":%llu%s", storm_causename[k],
		    ull(s->c.cause[k]), k < STORM_NCAUSE - 1 ? "," : "},");
	lat_json(f, "connect_us", s->connect);
	lat_json(f, "reply_us", s->reply);
	sum_json(s, f, 1 << L_KERNEL);
	fputs("\"seconds\":[", f);
	for (i = 0; i < s->nsecs; i++)
		storm_sec_json(&s->secs[i], f, i + 1 < s->nsecs ? "," : "");
	fputc(']', f);
}
