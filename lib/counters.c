/* counters.c: one table, the counters line and the metrics file. */
#include <string.h>

#include "counters.h"

void
counters_line(FILE *f, const char *program, const struct counter *c,
    size_t n)
{
	char line[1024];
	size_t i, len;

	/* built whole, then one write: stderr is shared with the other
	 * stages of a pipeline and is not buffered */
	len = (size_t)snprintf(line, sizeof line, "%s:", program);
	for (i = 0; i < n && len < sizeof line; i++)
		if (c[i].key != NULL)
			len += (size_t)snprintf(line + len, sizeof line - len,
			    " %s=%llu%s", c[i].key, (unsigned long long)c[i].v,
			    c[i].unit ? c[i].unit : "");
	if (len >= sizeof line - 1)
		len = sizeof line - 2;
	line[len++] = '\n';
	fwrite(line, 1, len, f);
}

void
counters_rows(struct metrics *m, const struct counter *c, size_t n)
{
	const char *last = NULL, *eq;
	char lname[64];
	size_t i, k;

	for (i = 0; i < n; i++) {
		if (c[i].metric == NULL)
			continue;
		if (last == NULL || strcmp(last, c[i].metric) != 0)
			metrics_head(m, c[i].metric,
			    c[i].gauge ? "gauge" : "counter",
			    c[i].help ? c[i].help : "");
		last = c[i].metric;
		if (c[i].label == NULL ||
		    (eq = strchr(c[i].label, '=')) == NULL ||
		    (k = (size_t)(eq - c[i].label)) >= sizeof lname) {
			metrics_value(m, c[i].metric, NULL, NULL, c[i].v);
			continue;
		}
		memcpy(lname, c[i].label, k);
		lname[k] = '\0';
		metrics_value(m, c[i].metric, lname, eq + 1, c[i].v);
	}
}

void
counters_metrics(struct metrics *m, const struct counter *c, size_t n)
{
	metrics_begin(m);
	counters_rows(m, c, n);
	metrics_commit(m);
}
