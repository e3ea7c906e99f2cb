/* test_counters.c: one table gives the counters line (keys, units, rows
 * without a key left out) and the metrics text (one HELP and TYPE per
 * metric, labels split at '=', gauges). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "counters.h"
#include "sig.h"
#include "tap.h"

static char got[4096];

static const char *
slurp(FILE *f)
{
	size_t n;

	rewind(f);
	n = fread(got, 1, sizeof got - 1, f);
	got[n] = '\0';
	return got;
}

int
main(void)
{
	struct counter c[] = {
		{ "read", CN_IN, NULL, "Records read.", 5, 0, NULL },
		{ NULL, CN_BYTES_OUT, NULL, "Bytes.", 70, 0, NULL },
		{ "skipped", CN_DROP, "reason=skipped", "Lost.", 1, 0, NULL },
		{ "refused", CN_DROP, "reason=refused", NULL, 2, 0, NULL },
		{ "maxlate", NULL, NULL, NULL, 4952, 0, "us" },
		{ NULL, "chanrelay_running", NULL, "Now.", 3, 1, NULL },
	};
	struct counter big[40];
	struct metrics m;
	char dir[] = "/tmp/test_counters.XXXXXX", path[128];
	const char *t;
	FILE *f;
	size_t i;

	if ((f = tmpfile()) == NULL || mkdtemp(dir) == NULL ||
	    sig_init() == -1)
		abort();
	counters_line(f, "udp-send", c, sizeof c / sizeof c[0]);
	is_str(slurp(f), "udp-send: read=5 skipped=1 refused=2 maxlate=4952us\n",
	    "the line: the rows with a key, in order, a unit after its value");
	fclose(f);

	for (i = 0; i < 40; i++)
		big[i] = (struct counter){ "a_rather_long_key_name", NULL, NULL,
		    NULL, 18446744073709551615ull, 0, NULL };
	if ((f = tmpfile()) == NULL)
		abort();
	counters_line(f, "p", big, 40);
	t = slurp(f);
	is_int((long long)strlen(t), 1023, "a line too long: cut at 1 KiB");
	ok(t[strlen(t) - 1] == '\n', "  and still ends in a newline");
	fclose(f);

	unsetenv("CHANRELAY_CHANNEL");
	unsetenv("CHANRELAY_METRICS_INTERVAL");
	snprintf(path, sizeof path, "%s/m.prom", dir);
	is_int(metrics_setup(&m, path, "udp-send"), 1, "metrics to a file");
	counters_metrics(&m, c, sizeof c / sizeof c[0]);
	if ((f = fopen(path, "r")) == NULL)
		abort();
	t = slurp(f);
	fclose(f);
	t = strstr(t, "# HELP chanrelay_records_in_total");
	is_str(t,
	    "# HELP chanrelay_records_in_total Records read.\n"
	    "# TYPE chanrelay_records_in_total counter\n"
	    "chanrelay_records_in_total{channel=\"\",program=\"udp-send\"} 5\n"
	    "# HELP chanrelay_bytes_out_total Bytes.\n"
	    "# TYPE chanrelay_bytes_out_total counter\n"
	    "chanrelay_bytes_out_total{channel=\"\",program=\"udp-send\"} 70\n"
	    "# HELP chanrelay_records_dropped_total Lost.\n"
	    "# TYPE chanrelay_records_dropped_total counter\n"
	    "chanrelay_records_dropped_total{channel=\"\",program=\"udp-send\","
	    "reason=\"skipped\"} 1\n"
	    "chanrelay_records_dropped_total{channel=\"\",program=\"udp-send\","
	    "reason=\"refused\"} 2\n"
	    "# HELP chanrelay_running Now.\n"
	    "# TYPE chanrelay_running gauge\n"
	    "chanrelay_running{channel=\"\",program=\"udp-send\"} 3\n",
	    "the metrics: the rows with a metric, one HELP and TYPE each, "
	    "labels, a gauge");
	metrics_free(&m);
	unlink(path);
	rmdir(dir);
	return tap_done();
}
