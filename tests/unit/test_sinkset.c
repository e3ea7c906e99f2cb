/* test_sinkset.c: one stream to several sinks: nothing opens before the
 * header is known, then each file gets the header and its records; a
 * full queue drops the new record, the oldest ones, or waits, as the
 * policy says; a udp: sink takes the datagram of a record; the wait ends
 * on input or in time; a |COMMAND's child is reaped; what is left at the
 * end is dropped and counted. */
#include <sys/uio.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "metrics.h"
#include "sinkset.h"
#include "tap.h"

static char dir[] = "/tmp/test_sinkset.XXXXXX";

/* metrics_of: sinkset_metrics of ss (closed sinks, 3 records dropped by
 * the second) read back from the file it is written to. */
static void
metrics_of(struct sinkset *ss)
{
	struct metrics m;
	char path[128], got[8192];
	FILE *f;
	size_t n;

	snprintf(path, sizeof path, "%s/m.prom", dir);
	ss->v[1].dropped = 3;
	metrics_setup(&m, path, "tee-sink");
	metrics_begin(&m);
	sinkset_metrics(ss, &m);
	metrics_commit(&m);
	metrics_free(&m);
	signal(SIGALRM, SIG_IGN);
	if ((f = fopen(path, "r")) == NULL)
		abort();
	n = fread(got, 1, sizeof got - 1, f);
	got[n] = '\0';
	fclose(f);
	ok(strstr(got, "# TYPE chanrelay_sink_records_dropped_total counter\n") &&
	    strstr(got, "chanrelay_sink_records_dropped_total{channel=\"\","
	    "program=\"tee-sink\",sink=\"udp:127.0.0.1:9\"} 3\n"),
	    "sinkset_metrics: each sink's drops, labelled with the sink");
	ok(strstr(got, "chanrelay_sink_up{channel=\"\",program=\"tee-sink\","
	    "sink=\"udp:127.0.0.1:9\"} 0\n") != NULL,
	    "  a closed sink is not up");
}
static int waited;

static void
queue(struct sinkset *ss, int i, const char *rec)
{
	struct iovec v = { (void *)rec, strlen(rec) };

	sinkset_queue(ss, &ss->v[i], &v, 1);
}

/* slurp: the file's bytes, up to n - 1 */
static char *
slurp(const char *path, char *buf, size_t n)
{
	ssize_t r = -1;
	int fd;

	if ((fd = open(path, O_RDONLY)) != -1) {
		r = read(fd, buf, n - 1);
		close(fd);
	}
	buf[r > 0 ? r : 0] = '\0';
	return buf;
}

static void
release(struct sinkset *ss)
{
	int i;

	for (i = 0; i < ss->n; i++) {
		free(ss->v[i].q.buf);
		free(ss->v[i].q.lens);
	}
	free(ss->v);
	free(ss->sel);
	free(ss->pfd);
	free(ss->kids.v);
}

static int
giveup(void *arg)
{
	(void)arg;
	waited++;
	return -1;
}

static void
policies(void)
{
	struct sinkset ss;

	memset(&ss, 0, sizeof ss);
	ok(sinkset_init(&ss, 1) == 0, "room for one sink");
	sink_parse("/nonexistent/x", &ss.v[0], 16);
	ss.policy = SINKSET_DROP_NEW;
	queue(&ss, 0, "0123456789\n");
	is_int(ss.v[0].q.count, 1, "a record queued while closed");
	is_int(sinkset_holding(&ss), 1, "the set holds something");
	queue(&ss, 0, "abcdefghij\n");
	ok(ss.v[0].q.count == 1 && ss.v[0].dropped == 1,
	    "drop new: the second does not fit and is dropped");
	ss.policy = SINKSET_DROP_OLD;
	queue(&ss, 0, "abcdefghij\n");
	ok(ss.v[0].q.count == 1 && ss.v[0].dropped == 2,
	    "drop old: the first goes to make room");
	queue(&ss, 0, "a record longer than the queue\n");
	is_int(ss.v[0].dropped, 3, "a record longer than the queue: dropped");
	ss.policy = SINKSET_BLOCK;
	ss.wait = giveup;
	queue(&ss, 0, "0123456789\n");
	ok(waited == 1 && ss.v[0].dropped == 4,
	    "block: waits; when the wait gives up the record is dropped");
	sinkset_give_up(&ss);
	ok(ss.v[0].q.count == 0 && ss.v[0].dropped == 5,
	    "given up: what is left is dropped and counted");
	is_int(sinkset_holding(&ss), 0, "the set holds nothing");
	is_int((long long)sinkset_close(&ss, 0), 5,
	    "close: the records dropped in all");
	release(&ss);
}

/* copying: a record to each sink as it takes it; the policies' names. */
static void
copying(void)
{
	struct sinkset ss;
	struct recsel sel[3];
	struct rec r;
	struct iovec sv[2] = { { "line", 4 }, { "\n", 1 } }, dv = sv[0];
	char *args[] = { "/tmp/x", "udp:127.0.0.1:9" }, *bad[] = { "udp:" };
	pid_t pid;
	int st;

	memset(&ss, 0, sizeof ss);
	memset(sel, 0, sizeof sel);
	memset(&r, 0, sizeof r);
	r.p = (const unsigned char *)"line";
	r.n = 4;
	ok(sinkset_init(&ss, 3) == 0, "room for three sinks");
	sink_parse("/nonexistent/x", &ss.v[0], 64);
	sink_parse("udp:127.0.0.1:9", &ss.v[1], 64);
	sink_parse("/nonexistent/y", &ss.v[2], 6);
	recsel_arg(sel, 3, RECSEL_REGEX, "3=^nothing");
	sinkset_copy(&ss, sel, &r, sv, 2, &dv);
	ok(ss.v[0].q.count == 1 && ss.v[0].q.used == 5,
	    "sinkset_copy: a stream sink takes the line and its newline");
	ok(ss.v[1].q.count == 1 && ss.v[1].q.used == 4,
	    "  a udp: sink the datagram");
	ok(ss.v[2].q.count == 0 && ss.v[2].dropped == 0,
	    "  a sink whose selection does not take it: nothing");
	sinkset_copy(&ss, sel, &r, sv, 2, NULL);
	ok(ss.v[0].q.count == 2 && ss.v[1].q.count == 1 &&
	    ss.v[1].skipped == 1, "  no datagram: the udp: sink skips it");
	regfree(&sel[2].re);
	memset(&sel[2], 0, sizeof sel[2]);
	ss.v[2].blocked = 1;
	sinkset_copy(&ss, sel, &r, sv, 2, &dv);
	sinkset_copy(&ss, sel, &r, sv, 2, &dv);
	ok(ss.v[2].q.count == 1 && ss.v[2].dropped == 1,
	    "  a full one waiting for POLLOUT: the new record dropped");
	sinkset_give_up(&ss);
	release(&ss);
	memset(&ss, 0, sizeof ss);
	sinkset_args(&ss, 2, args, 64);
	ok(ss.n == 2 && ss.v[0].kind == SINK_FILE && ss.v[1].kind == SINK_UDP &&
	    ss.anyudp, "sinkset_args: a file and a udp: sink");
	metrics_of(&ss);
	release(&ss);
	fflush(stdout);
	if ((pid = fork()) == 0) {
		close(2);
		sinkset_args(&ss, 1, bad, 64);
		_exit(0);
	}
	ok(waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 100, "  a bad sink: exit 100");
	is_int(sinkset_policy("new"), SINKSET_DROP_NEW, "sinkset_policy: new");
	is_int(sinkset_policy("old"), SINKSET_DROP_OLD, "  old");
	is_int(sinkset_policy("block"), SINKSET_BLOCK, "  block");
	is_int(sinkset_policy("wait"), -1, "  no such policy: -1");
	is_int(sinkset_policy_arg("old"), SINKSET_DROP_OLD,
	    "sinkset_policy_arg: old");
	fflush(stdout);
	if ((pid = fork()) == 0) {
		close(2);
		sinkset_policy_arg("wait");
		_exit(0);
	}
	ok(waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 100, "  no such policy: exit 100");
}

/* fanout: the datagram a udp: sink takes, by the input's framing; the
 * set's own selections. */
static void
fanout(void)
{
	/* IPv4 (LINKTYPE_IPV4), UDP 9 > 9, payload "abc" */
	static const unsigned char ip[20 + 8 + 3] = { 0x45, 0, 0, 31, 0, 0,
	    0, 0, 64, 17, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1, 0, 9, 0, 9, 0,
	    11, 0, 0, 'a', 'b', 'c' };
	struct sinkset ss;
	struct recin in;
	struct rec r;
	struct iovec sv[2] = { { "line", 4 }, { "\n", 1 } };

	memset(&ss, 0, sizeof ss);
	memset(&in, 0, sizeof in);
	memset(&r, 0, sizeof r);
	ok(sinkset_init(&ss, 3) == 0 && ss.sel != NULL &&
	    !recsel_any(&ss.sel[0]), "sinkset_init: selections that take all");
	sink_parse("/nonexistent/x", &ss.v[0], 256);
	sink_parse("udp:127.0.0.1:9", &ss.v[1], 256);
	sink_parse("udp:127.0.0.1:9", &ss.v[2], 256);
	ss.anyudp = 1;
	recsel_arg(ss.sel, 3, RECSEL_REGEX, "3=^nothing");
	r.p = (const unsigned char *)"line";
	r.n = 4;
	in.framing = FRAME_TEXT;
	sinkset_fanout(&ss, &in, &r, sv, 2);
	ok(ss.v[0].q.used == 5 && ss.v[1].q.used == 4,
	    "sinkset_fanout, text: the line and its newline, the line alone");
	ok(ss.v[2].q.count == 0, "  ss->sel: a sink that does not take it");
	in.framing = FRAME_PCAP;
	in.rd.linktype = 228;
	r.data = ip;
	r.caplen = sizeof ip;
	sinkset_fanout(&ss, &in, &r, sv, 1);
	ok(ss.v[1].q.count == 2 && ss.v[1].q.used == 4 + 3,
	    "  pcap: a whole UDP datagram: its payload");
	r.caplen = sizeof ip - 1;
	sinkset_fanout(&ss, &in, &r, sv, 1);
	ok(ss.v[0].q.count == 3 && ss.v[1].q.count == 2 &&
	    ss.v[1].skipped == 1, "  cut short: skipped by the udp: sink");
	regfree(&ss.sel[2].re);
	sinkset_give_up(&ss);
	release(&ss);
}

/* waiting: sinkset_wait ends on its input, or at until. */
static void
waiting(void)
{
	struct sinkset ss;
	uint64_t t0;
	int p[2];

	memset(&ss, 0, sizeof ss);
	sinkset_init(&ss, 1);
	sink_parse("/nonexistent/x", &ss.v[0], 256);
	ss.v[0].retry_at = UINT64_MAX;
	if (pipe(p) == -1 || write(p[1], "x", 1) != 1)
		abort();
	t0 = clock_mono();
	sinkset_wait(&ss, p[0], -1, t0 + 5 * NS_PER_S);
	ok((ss.pfd[0].revents & POLLIN) && clock_mono() - t0 < NS_PER_S,
	    "sinkset_wait: ends when the input is readable");
	t0 = clock_mono();
	sinkset_wait(&ss, -1, p[1], t0 + NS_PER_S / 50);
	ok(clock_mono() - t0 >= NS_PER_S / 50 && ss.pfd[1].revents == 0,
	    "  else at until");
	close(p[0]);
	close(p[1]);
	release(&ss);
}

static void
files(void)
{
	static const unsigned char hdr[4] = { 'H', 'D', 'R', '\n' };
	struct sinkset ss;
	struct pollfd p[3];
	char a[64], b[80], c[80], buf[256];
	uint64_t due = UINT64_MAX;
	int i;

	snprintf(a, sizeof a, "%s/a", dir);
	snprintf(b, sizeof b, "|cat > %s/b", dir);
	snprintf(c, sizeof c, "%s/nodir/c", dir);
	memset(&ss, 0, sizeof ss);
	sinkset_init(&ss, 3);
	sink_parse(a, &ss.v[0], 4096);
	sink_parse(b, &ss.v[1], 4096);
	sink_parse(c, &ss.v[2], 4096);
	sinkset_service(&ss);
	ok(ss.v[0].fd == -1 && ss.v[1].fd == -1,
	    "nothing opens before the header is known");
	for (i = 0; i < 3; i++)
		queue(&ss, i, "one\n");
	sinkset_start(&ss, hdr, sizeof hdr);
	ok(ss.v[0].fd != -1 && ss.v[1].fd != -1, "then the sinks open");
	ok(ss.v[2].fd == -1 && ss.v[2].errors == 1 &&
	    ss.v[2].retry_at > clock_mono(),
	    "one that cannot is tried again later");
	sinkset_fds(&ss, p, &due);
	ok(p[0].fd == ss.v[0].fd && (p[0].events & POLLOUT),
	    "a sink holding a record is polled for POLLOUT");
	ok(p[2].fd == -1 && due == ss.v[2].retry_at,
	    "the wait ends at the next try");
	sinkset_service(&ss);
	for (i = 0; i < 2; i++)
		queue(&ss, i, "two\n");
	sinkset_poll_blocked(&ss);
	sinkset_service(&ss);
	is_int(sinkset_holding(&ss), 1, "written out but for the closed one");
	is_str(slurp(a, buf, sizeof buf), "HDR\none\ntwo\n",
	    "a file gets the header, then its records");
	sinkset_give_up(&ss);
	is_int((long long)sinkset_close(&ss, clock_mono() + NS_PER_S), 1,
	    "close: the closed sink's record was dropped");
	snprintf(a, sizeof a, "%s/b", dir);
	is_str(slurp(a, buf, sizeof buf), "HDR\none\ntwo\n",
	    "the command read it all and ended before close returned");
	is_int(ss.kids.n, 0, "its child reaped");
	release(&ss);
}

static void
reaping(void)
{
	struct sinkset ss;
	uint64_t end;

	memset(&ss, 0, sizeof ss);
	sinkset_init(&ss, 1);
	sink_parse("|exit 3", &ss.v[0], 4096);
	sinkset_start(&ss, NULL, 0);
	ok(ss.v[0].fd != -1 && ss.kids.n == 1, "a command runs");
	end = clock_mono() + 5 * NS_PER_S;
	while (ss.kids.n > 0 && clock_mono() < end) {
		usleep(10000);
		sinkset_reap(&ss);
	}
	ok(ss.kids.n == 0 && ss.v[0].fd == -1 && ss.v[0].retry_at > 0,
	    "its end reaped: the sink closed, to start again later");
	sinkset_close(&ss, 0);
	release(&ss);
}

int
main(void)
{
	char cmd[64];

	if (mkdtemp(dir) == NULL)
		return 1;
	policies();
	copying();
	fanout();
	waiting();
	files();
	reaping();
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	(void)!system(cmd);
	return tap_done();
}
