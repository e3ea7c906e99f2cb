/* test_metrics.c: the textfile's path from -M or the environment, the
 * exposition text (HELP, TYPE, labels escaped), the atomic rewrite, the
 * interval, and what a failed write does the first time and later. */
#include <sys/stat.h>
#include <sys/wait.h>

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "metrics.h"
#include "sig.h"
#include "tap.h"

static char got[8192];

static const char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (f == NULL)
		return "(none)";
	n = fread(got, 1, sizeof got - 1, f);
	got[n] = '\0';
	fclose(f);
	return got;
}

/* status: the exit status of fn run in a child, stderr to /dev/null */
static int
status(void (*fn)(void))
{
	int st;
	pid_t p;

	fflush(stdout);
	p = fork();

	if (p == 0) {
		if (freopen("/dev/null", "w", stderr) == NULL)
			_exit(99);
		fn();
		_exit(0);
	}
	if (p == -1 || waitpid(p, &st, 0) == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static char dir[64];

static void
nodir(void)
{
	struct metrics m;
	char path[128];

	snprintf(path, sizeof path, "%s/none/x.prom", dir);
	metrics_setup(&m, path, "p");
	metrics_begin(&m);
	metrics_commit(&m);
}

static void
badinterval(void)
{
	struct metrics m;

	setenv("CHANRELAY_METRICS_INTERVAL", "5 s", 1);
	metrics_setup(&m, "/dev/null", "p");
}

int
main(void)
{
	struct metrics m;
	char path[128], want[1024], tmp[160], e[160];
	struct pollfd pfd;
	uint64_t t0;
	int fd;

	strcpy(dir, "/tmp/test_metrics.XXXXXX");
	if (mkdtemp(dir) == NULL || (fd = sig_init()) == -1)
		abort();
	unsetenv("CHANRELAY_METRICS_DIR");
	unsetenv("CHANRELAY_CHANNEL");
	unsetenv("CHANRELAY_METRICS_INTERVAL");

	is_int(metrics_setup(&m, NULL, "udp-recv"), 0,
	    "no -M, no CHANRELAY_METRICS_DIR: no metrics");
	is_int(metrics_due(&m), 0, "  never due");
	is_int(metrics_commit(&m), 0, "  a commit writes nothing");
	metrics_free(&m);

	setenv("CHANRELAY_METRICS_DIR", dir, 1);
	setenv("CHANRELAY_CHANNEL", "gps", 1);
	is_int(metrics_setup(&m, NULL, "udp-recv"), 1,
	    "CHANRELAY_METRICS_DIR set: metrics");
	snprintf(path, sizeof path, "%s/gps.udp-recv.prom", dir);
	is_str(m.path, path, "  named CHANNEL.PROGRAM.prom in it");
	is_int((long long)m.every, (long long)(5 * NS_PER_S),
	    "  every 5s by default");
	metrics_free(&m);
	unsetenv("CHANRELAY_CHANNEL");
	metrics_setup(&m, NULL, "chanlog");
	snprintf(path, sizeof path, "%s/chanlog.prom", dir);
	is_str(m.path, path, "  PROGRAM.prom without a channel");
	metrics_free(&m);

	setenv("CHANRELAY_CHANNEL", "a\"b\\c", 1);
	snprintf(path, sizeof path, "%s/m.prom", dir);
	setenv("CHANRELAY_METRICS_INTERVAL", "50ms", 1);
	is_int(metrics_setup(&m, path, "tee-sink"), 1, "-M FILE: metrics");
	is_str(m.path, path, "  to FILE, whatever the directory says");
	is_int((long long)m.every, 50 * 1000 * 1000, "  every 50ms as asked");
	metrics_begin(&m);
	metrics_counter(&m, "chanrelay_records_in_total", "Records read.", 7);
	metrics_head(&m, "chanrelay_sink_queue_bytes", "gauge", "Held.");
	metrics_value(&m, "chanrelay_sink_queue_bytes", "sink", "file:x\"\n",
	    18446744073709551615ull);
	metrics_gauge(&m, "chanrelay_handlers", "Running.", 0);
	is_int(metrics_commit(&m), 0, "a commit: written");
	snprintf(want, sizeof want,
	    "# HELP chanrelay_start_time_seconds When the program started, "
	    "in seconds since the Unix epoch.\n"
	    "# TYPE chanrelay_start_time_seconds gauge\n"
	    "chanrelay_start_time_seconds{channel=\"a\\\"b\\\\c\","
	    "program=\"tee-sink\"} %.3f\n"
	    "# HELP chanrelay_records_in_total Records read.\n"
	    "# TYPE chanrelay_records_in_total counter\n"
	    "chanrelay_records_in_total{channel=\"a\\\"b\\\\c\","
	    "program=\"tee-sink\"} 7\n"
	    "# HELP chanrelay_sink_queue_bytes Held.\n"
	    "# TYPE chanrelay_sink_queue_bytes gauge\n"
	    "chanrelay_sink_queue_bytes{channel=\"a\\\"b\\\\c\","
	    "program=\"tee-sink\",sink=\"file:x\\\"\\n\"} "
	    "18446744073709551615\n"
	    "# HELP chanrelay_handlers Running.\n"
	    "# TYPE chanrelay_handlers gauge\n"
	    "chanrelay_handlers{channel=\"a\\\"b\\\\c\","
	    "program=\"tee-sink\"} 0\n", m.start);
	is_str(slurp(path), want, "  HELP, TYPE, the labels escaped");
	ok(m.start > 1.7e9 && m.start < (double)clock_wall() / 1e9 + 1,
	    "  the start time is now, in seconds");
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	ok(access(tmp, F_OK) == -1, "  no temporary file left");
	metrics_begin(&m);
	metrics_counter(&m, "x_total", "X.", 1);
	metrics_commit(&m);
	ok(strstr(slurp(path), "chanrelay_records_in_total") == NULL &&
	    strstr(got, "x_total{") != NULL, "a second commit: the whole file anew");

	/* the interval: SIGALRM recorded, no more often than asked */
	metrics_due(&m);
	t0 = clock_mono();
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (!metrics_due(&m) && clock_mono() - t0 < 5 * NS_PER_S)
		poll(&pfd, 1, 1000);
	ok(clock_mono() - t0 < 5 * NS_PER_S, "due after an interval");
	ok(clock_mono() - t0 <= 60 * 1000 * 1000, "  not much after 50ms");
	is_int(metrics_due(&m), 0, "  and not again at once");

	/* a failure after a first write: warned, -1, carried on */
	if (freopen("/dev/null", "w", stderr) == NULL)
		abort();
	unlink(path);
	snprintf(e, sizeof e, "%s/x", path);
	if (mkdir(path, 0755) == -1 || mkdir(e, 0755) == -1)
		abort();
	is_int(metrics_commit(&m), -1, "a later failure: -1, no exit");
	rmdir(e);
	rmdir(path);
	metrics_free(&m);
	signal(SIGALRM, SIG_IGN);

	is_int(status(nodir), 111, "the first write failing: exit 111");
	is_int(status(badinterval), 100, "a bad interval: exit 100");

	metrics_escape(want, 5, "abc\"def");
	is_str(want, "abc\\", "escape: cut to the size given");
	is_int((long long)metrics_escape(NULL, 0, "a\nb"), 4,
	    "  the length it needs");
	rmdir(dir);
	return tap_done();
}
