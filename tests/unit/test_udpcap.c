/* test_udpcap.c: a capture file's datagrams come out as the records
 * udp-recv writes; what is not UDP, or cut short, is counted; a count
 * stops the dispatch; a failed write stops it with its errno; a file
 * cut short ends as damaged; udpcap_open, and a file's stats and loss.
 * (udpcap_live needs a live capture: the bats tests of udp-recv -i.) */
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "tap.h"
#include "udpcap.h"

#define FX	"tests/fixtures/"

/* run: the datagrams of path, as text to file out, up to count. Returns
 * what udpcap_dispatch returned; the counts in *c. */
static int
run(const char *path, int out, int unbuf, uint64_t count, struct udpcap *c)
{
	struct recout w;
	char err[512];
	pcap_t *p;
	int status, n;

	if ((p = capture_open(NULL, path, 1 << 20, NULL, err, sizeof err,
	    &status)) == NULL || recout_init(&w, out, RECOUT_TEXT, unbuf) == -1)
		return -100;
	udpcap_init(c, p, NULL, path, &w, count);
	n = udpcap_dispatch(c, -1);
	if (recout_flush(&w) == -1 && !c->wfailed)
		n = -101;
	recout_free(&w);
	pcapdl.close(p);
	c->p = NULL;
	c->w = NULL;
	return n;
}

/* pull: udpcap_pull of path to out until the end. Returns the packets
 * seen; the counts in *c. */
static int
pull(const char *path, int out, struct udpcap *c)
{
	struct recout w;
	char err[512];
	pcap_t *p;
	int status, n, seen = 0;

	if ((p = capture_open(NULL, path, 1 << 20, NULL, err, sizeof err,
	    &status)) == NULL || recout_init(&w, out, RECOUT_TEXT, 0) == -1)
		return -100;
	udpcap_init(c, p, NULL, path, &w, 0);
	while ((n = udpcap_pull(c)) >= 0)
		seen += n;
	if (n == -2 || recout_flush(&w) == -1)
		seen = -101;
	recout_free(&w);
	pcapdl.close(p);
	c->p = NULL;
	c->w = NULL;
	return seen;
}

/* slurp: the file at fd, from its start, in buf. */
static size_t
slurp(int fd, char *buf, size_t len)
{
	ssize_t n;

	n = pread(fd, buf, len - 1, 0);
	buf[n < 0 ? 0 : n] = '\0';
	return n < 0 ? 0 : (size_t)n;
}

/* opened: udpcap_open of path, pulled to the end; udpcap_lost */
static long long
opened(const char *path, struct udpcap *c, struct pcap_stat *st)
{
	struct recout w;
	long long lost;
	int null;

	if ((null = open("/dev/null", O_WRONLY)) == -1 ||
	    recout_init(&w, null, RECOUT_TEXT, 0) == -1)
		return -100;
	udpcap_open(c, NULL, path, 1 << 20, NULL, &w, 0);
	while (udpcap_pull(c) >= 0)
		;
	udpcap_stats(c, st);
	lost = udpcap_lost(c);
	pcapdl.close(c->p);
	recout_free(&w);
	close(null);
	return lost;
}

/* open_status: the exit status of udpcap_open of path in a child */
static int
open_status(const char *path)
{
	struct udpcap c;
	int st;
	pid_t child;

	fflush(stdout);
	if ((child = fork()) == 0) {
		close(2);
		udpcap_open(&c, NULL, path, 1 << 20, NULL, NULL, 0);
		_exit(0);
	}
	waitpid(child, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void
opening(void)
{
	struct pcap_stat st;
	struct udpcap c;

	is_int(opened(FX "lo-en10mb.pcap", &c, &st), 0,
	    "udpcap_open: a whole file lost nothing");
	is_int(c.received, 14, "  its 14 packets");
	ok(st.ps_drop == 0 && st.ps_ifdrop == 0, "  a file has no stats");
	is_int(opened(FX "real-trunc.pcap", &c, &st), 1,
	    "  a file cut short lost its tail");
	is_int(open_status(FX "no-such.pcap"), 111, "  a missing file: 111");
	is_int(open_status(FX "lo-en10mb.pcap"), 0, "  a file: opened");
}

int
main(void)
{
	struct udpcap c;
	char tmp[] = "/tmp/test_udpcap.XXXXXX", got[8192], want[8192];
	int fd, golden, full;

	if ((fd = mkstemp(tmp)) == -1)
		return 1;
	unlink(tmp);
	is_int(run(FX "lo-en10mb.pcap", fd, 0, 0, &c), 14, "14 packets seen");
	is_int(c.received, 14, "received counted");
	is_int(c.skipped, 9, "9 not UDP, skipped");
	is_int(c.truncated, 0, "none truncated");
	golden = open(FX "lo-en10mb.txt", O_RDONLY);
	slurp(fd, got, sizeof got);
	slurp(golden, want, sizeof want);
	is_str(got, want, "the records of the golden file");
	close(golden);

	/* a count: the dispatch breaks once it is written */
	if (ftruncate(fd, 0) == -1 || lseek(fd, 0, SEEK_SET) == -1)
		return 1;
	is_int(run(FX "lo-en10mb.pcap", fd, 0, 2, &c), 3,
	    "count 2: the dispatch breaks");
	is_int(c.received, 3, "after the second datagram, the third packet");
	slurp(fd, got, sizeof got);
	ok(strchr(got, '\n') && strchr(strchr(got, '\n') + 1, '\n') &&
	    strchr(strchr(got, '\n') + 1, '\n')[1] == '\0', "two records");

	/* 23 frames: 15 datagrams, 7 skipped (fragments, not UDP, a UDP
	 * length past the IP packet), 1 cut short by the snapshot length */
	is_int(run(FX "real-eth.pcap", fd, 0, 0, &c), 23, "real-eth.pcap");
	is_int(c.skipped, 7, "7 skipped");
	is_int(c.truncated, 1, "1 truncated");

	/* udpcap_pull: a file cut inside its last record: the records
	 * before it, then the end, damaged */
	if (ftruncate(fd, 0) == -1 || lseek(fd, 0, SEEK_SET) == -1)
		return 1;
	pull(FX "real-trunc.pcap", fd, &c);
	is_int(c.received, 3, "cut short: 3 whole records");
	ok(c.damaged, "damaged");
	is_int(pull(FX "lo-en10mb.pcap", fd, &c), 14, "a whole file: 14");
	ok(!c.damaged, "not damaged");

	/* a write that fails: the dispatch stops, its errno kept */
	if ((full = open("/dev/full", O_WRONLY)) != -1) {
		run(FX "lo-en10mb.pcap", full, 1, 0, &c);
		ok(c.wfailed, "/dev/full: the write failed");
		is_int(c.werr, ENOSPC, "ENOSPC kept");
		close(full);
	}
	close(fd);
	opening();
	return tap_done();
}
