/* metrics.c: a program's counters as a Prometheus textfile, rewritten
 * whole (temporary file, rename) every interval and at exit. */
#include <sys/time.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "metrics.h"
#include "num.h"
#include "sig.h"
#include "writeall.h"

#define EVERY_DEFAULT	(5 * NS_PER_S)
#define EVERY_MIN	(10 * 1000 * 1000ull)	/* 10ms */
#define EVERY_MAX	(3600 * NS_PER_S)

size_t
metrics_escape(char *out, size_t n, const char *v)
{
	size_t k = 0;
	const char *e;

	for (; *v != '\0'; v++) {
		e = *v == '\\' ? "\\\\" : *v == '"' ? "\\\"" :
		    *v == '\n' ? "\\n" : NULL;
		if (e == NULL) {
			if (k + 1 < n)
				out[k] = *v;
			k++;
			continue;
		}
		for (; *e != '\0'; e++, k++)
			if (k + 1 < n)
				out[k] = *e;
	}
	if (n > 0)
		out[k < n ? k : n - 1] = '\0';
	return k;
}

/* escaped: v escaped in a new string; exits 111 without memory. */
static char *
escaped(const char *v)
{
	size_t n = metrics_escape(NULL, 0, v) + 1;
	char *s = malloc(n);

	if (s == NULL)
		err(111, "unable to set up the metrics");
	metrics_escape(s, n, v);
	return s;
}

/* joined: the strings of the list, NULL-ended, in a new string. */
static char *
joined(const char *first, ...)
{
	va_list ap;
	const char *s;
	size_t n = 0;
	char *out;

	va_start(ap, first);
	for (s = first; s != NULL; s = va_arg(ap, const char *))
		n += strlen(s);
	va_end(ap);
	if ((out = malloc(n + 1)) == NULL)
		err(111, "unable to set up the metrics");
	*out = '\0';
	va_start(ap, first);
	for (s = first; s != NULL; s = va_arg(ap, const char *))
		strcat(out, s);
	va_end(ap);
	return out;
}

int
metrics_setup(struct metrics *m, const char *file, const char *program)
{
	const char *dir = getenv("CHANRELAY_METRICS_DIR");
	const char *ch = getenv("CHANRELAY_CHANNEL");
	const char *iv = getenv("CHANRELAY_METRICS_INTERVAL");
	const char *errstr;
	char *c, *p;
	struct itimerval it;
	int fd;

	memset(m, 0, sizeof *m);
	if (ch != NULL && *ch == '\0')
		ch = NULL;
	if (file != NULL)
		m->path = joined(file, (char *)NULL);
	else if (dir != NULL && *dir != '\0')
		m->path = joined(dir, "/", ch != NULL ? ch : "",
		    ch != NULL ? "." : "", program, ".prom", (char *)NULL);
	else
		return 0;
	m->tmp = joined(m->path, ".tmp", (char *)NULL);
	c = escaped(ch != NULL ? ch : "");
	p = escaped(program);
	m->labels = joined("channel=\"", c, "\",program=\"", p, "\"",
	    (char *)NULL);
	free(c);
	free(p);
	m->every = EVERY_DEFAULT;
	if (iv != NULL && *iv != '\0') {
		m->every = dur_parse(iv, EVERY_MIN, EVERY_MAX, &errstr);
		if (errstr != NULL)
			errx(100, "invalid CHANRELAY_METRICS_INTERVAL '%s': %s",
			    iv, errstr);
	}
	/* a wrong directory shows now, before the program touches anything */
	if ((fd = open(m->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) == -1)
		err(111, "unable to write the metrics to %s", m->path);
	close(fd);
	unlink(m->tmp);
	m->start = (double)clock_wall() / (double)NS_PER_S;
	warnrate_init(&m->warn, 60 * NS_PER_S);
	it.it_interval.tv_sec = (time_t)(m->every / NS_PER_S);
	it.it_interval.tv_usec = (suseconds_t)(m->every % NS_PER_S / 1000);
	it.it_value = it.it_interval;
	if (sig_catch(SIGALRM) == -1 || setitimer(ITIMER_REAL, &it, NULL) == -1)
		err(111, "unable to set up the metrics");
	return 1;
}

int
metrics_due(struct metrics *m)
{
	return m->path != NULL && sig_take(SIGALRM);
}

/* add: printf onto the text; on no memory the text is marked unusable. */
static void __attribute__((format(printf, 2, 3)))
add(struct metrics *m, const char *fmt, ...)
{
	va_list ap;
	int n;
	size_t cap;
	char *b;

	if (m->path == NULL || m->nomem)
		return;
	/* a buffer before the first vsnprintf: no offset onto NULL */
	if (m->buf == NULL) {
		if ((m->buf = malloc(4096)) == NULL) {
			m->nomem = 1;
			return;
		}
		m->cap = 4096;
	}
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(m->buf + m->len, m->cap - m->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			m->nomem = 1;
			return;
		}
		if ((size_t)n < m->cap - m->len) {
			m->len += (size_t)n;
			return;
		}
		cap = m->cap * 2;
		while (cap - m->len <= (size_t)n)
			cap *= 2;
		if ((b = realloc(m->buf, cap)) == NULL) {
			m->nomem = 1;
			return;
		}
		m->buf = b;
		m->cap = cap;
	}
}

void
metrics_begin(struct metrics *m)
{
	m->len = 0;
	m->nomem = 0;
	metrics_head(m, "chanrelay_start_time_seconds", "gauge",
	    "When the program started, in seconds since the Unix epoch.");
	add(m, "chanrelay_start_time_seconds{%s} %.3f\n", m->labels, m->start);
}

void
metrics_head(struct metrics *m, const char *name, const char *type,
    const char *help)
{
	add(m, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void
metrics_value(struct metrics *m, const char *name, const char *lname,
    const char *lvalue, uint64_t v)
{
	char val[512];

	if (lname == NULL) {
		add(m, "%s{%s} %llu\n", name, m->labels, (unsigned long long)v);
		return;
	}
	if (metrics_escape(val, sizeof val, lvalue) >= sizeof val)
		strcpy(val + sizeof val - 4, "...");
	add(m, "%s{%s,%s=\"%s\"} %llu\n", name, m->labels, lname, val,
	    (unsigned long long)v);
}

void
metrics_counter(struct metrics *m, const char *name, const char *help,
    uint64_t v)
{
	metrics_head(m, name, "counter", help);
	metrics_value(m, name, NULL, NULL, v);
}

void
metrics_gauge(struct metrics *m, const char *name, const char *help,
    uint64_t v)
{
	metrics_head(m, name, "gauge", help);
	metrics_value(m, name, NULL, NULL, v);
}

/* put: the text into tmp, then tmp renamed over path. */
static int
put(struct metrics *m)
{
	int fd, e;

	if (m->nomem) {
		errno = ENOMEM;
		return -1;
	}
	fd = open(m->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd == -1)
		return -1;
	if (writeall(fd, m->buf, m->len) == -1) {
		e = errno;
		close(fd);
		unlink(m->tmp);
		errno = e;
		return -1;
	}
	if (close(fd) == -1 || rename(m->tmp, m->path) == -1) {
		e = errno;
		unlink(m->tmp);
		errno = e;
		return -1;
	}
	return 0;
}

int
metrics_commit(struct metrics *m)
{
	if (m->path == NULL)
		return 0;
	if (put(m) == 0) {
		m->written = 1;
		return 0;
	}
	if (!m->written)
		err(111, "unable to write the metrics to %s", m->path);
	warnrate_warnx(&m->warn, errno, "unable to write the metrics to %s: %s",
	    m->path, strerror(errno));
	return -1;
}

void
metrics_free(struct metrics *m)
{
	free(m->path);
	free(m->tmp);
	free(m->labels);
	free(m->buf);
	m->path = m->tmp = m->labels = m->buf = NULL;
}
