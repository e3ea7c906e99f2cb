/* test_logfeed.c: a stream into a channel directory: text lines with
 * their newlines, stamped when asked, long ones split and counted; pcap
 * records with their own times; the end and a failure of the input;
 * TERM's partial line kept, a partial pcap record dropped. */
#include <sys/wait.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frame.h"
#include "logfeed.h"
#include "tap.h"

static char top[] = "/tmp/test_logfeed.XXXXXX";

/* feed: a fresh directory top/name and a feed reading bytes s (n of
 * them) from a non-blocking pipe, closed after them when end is set. */
static void
feed(struct logfeed *f, struct logdir *d, const char *name, const void *s,
    size_t n, int end, size_t maxline, int stamp)
{
	static char dir[8][256];
	static int k;
	struct logdir_opts o;
	int p[2];

	snprintf(dir[k], sizeof dir[k], "%s/%s", top, name);
	memset(&o, 0, sizeof o);
	o.dir = dir[k++];
	o.hold = 1 << 20;
	logdir_open(d, &o);
	if (pipe(p) == -1 || write(p[1], s, n) != (ssize_t)n ||
	    fcntl(p[0], F_SETFL, O_NONBLOCK) == -1)
		abort();
	if (end)
		close(p[1]);
	logfeed_init(f, d, p[0], maxline, stamp);
}

/* stamp_child: logfeed_stamp_arg of s in a child; its exit status */
static int
stamp_child(const char *s)
{
	pid_t pid;
	int st;

	fflush(stdout);
	if ((pid = fork()) == 0) {
		close(STDERR_FILENO);
		logfeed_stamp_arg(s);
		_exit(0);
	}
	if (pid == -1 || waitpid(pid, &st, 0) == -1)
		abort();
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static void
text(void)
{
	static struct logfeed f;
	static struct logdir d;

	feed(&f, &d, "text", "a\nbb\n0123456789\nla", 18, 1, 4, 0);
	is_int(recin_sniff(&f.in), 1, "text: the framing is known");
	logfeed_start(&f);
	is_int(f.framing, FRAME_TEXT, "  text");
	is_int(logfeed_take(&f, 2), 2, "  max taken: more may be there");
	is_int(logfeed_take(&f, 100), 0, "  then the end of the input");
	is_int(f.records, 6, "  6 read: a, bb, 3 pieces of one, la");
	is_int(f.bytes, 1 + 2 + 10 + 2, "  their bytes, without newlines");
	is_int(f.split, 1, "  one line split");
	is_int(d.records, 6, "  all in the directory");
	is_int(d.bytes, 15 + 5, "  each piece a line, no newline after la");
	is_int(f.refused, 0, "  the input did not fail");
	logdir_end(&d);
	logdir_close(&d, 0);
}

static void
stamped(void)
{
	static struct logfeed f, g;	/* each its own: none is freed */
	static struct logdir d, e;

	feed(&f, &d, "iso", "x\n", 2, 1, 64, LOGFEED_ISO);
	recin_sniff(&f.in);
	logfeed_start(&f);
	is_int(logfeed_take(&f, 100), 0, "iso: the line and the end");
	is_int(d.bytes, 30 + 1 + 2, "  the stamp, a space, x, newline");
	logdir_end(&d);
	logdir_close(&d, 0);

	feed(&g, &e, "tai", "x\n", 2, 1, 64, LOGFEED_TAI64N);
	recin_sniff(&g.in);
	logfeed_start(&g);
	logfeed_take(&g, 100);
	is_int(e.bytes, 25 + 1 + 2, "tai64n: @ and 24 hex digits, a space, "
	    "x, newline");
	logdir_end(&e);
	logdir_close(&e, 0);
}

static void
term(void)
{
	static struct logfeed f, g;
	static struct logdir d, e;
	static const unsigned char pcap[24 + 10] = { 0xd4, 0xc3, 0xb2, 0xa1,
	    2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1 };

	feed(&f, &d, "cut", "whole\npart", 10, 0, 64, 0);
	recin_sniff(&f.in);
	logfeed_start(&f);
	is_int(logfeed_take(&f, 100), 1, "TERM, text: nothing more now");
	is_int(d.records, 1, "  one whole line");
	logfeed_cut(&f);
	is_int(d.records, 2, "  the partial one kept too");
	is_int(d.bytes, 6 + 4, "  as it came, no newline added");
	logdir_end(&d);
	logdir_close(&d, 0);

	feed(&g, &e, "pcut", pcap, sizeof pcap, 0, 64, LOGFEED_ISO);
	is_int(recin_sniff(&g.in), 1, "TERM, pcap: the framing is known");
	logfeed_start(&g);
	is_int(g.framing, FRAME_PCAP, "  pcap (its -e ignored, told)");
	is_int(logfeed_take(&g, 100), 1, "  nothing whole now");
	logfeed_cut(&g);
	is_int(e.dropped, 1, "  the partial record dropped and counted");
	is_int(e.records, 0, "  nothing written");
	logdir_close(&e, 0);
}

static void
broken(void)
{
	static struct logfeed f;
	static struct logdir d;
	static const unsigned char pcap[24 + 16 + 4] = { 0xd4, 0xc3, 0xb2,
	    0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0,
	    0, 0, 0x00, 0xe1, 0x40, 0x65, 0, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0,
	    'p', 'k', 't', '!' };
	unsigned char cut[sizeof pcap + 8];

	memcpy(cut, pcap, sizeof pcap);
	memcpy(cut + sizeof pcap, pcap + 24, 8);	/* half a header */
	feed(&f, &d, "pcap", cut, sizeof cut, 1, 64, 0);
	recin_sniff(&f.in);
	logfeed_start(&f);
	is_int(logfeed_take(&f, 100), -1, "pcap cut short: the input failed");
	is_int(f.refused, 1, "  malformed: exit status 1");
	is_int(f.records, 1, "  the whole record before it read");
	is_int(d.records, 1, "  and written");
	is_int(d.bytes, 20, "  as it came, header included");
	logdir_end(&d);
	logdir_close(&d, 0);
}

int
main(void)
{
	char p[256];

	if (mkdtemp(top) == NULL)
		abort();
	is_int(logfeed_stamp_arg("iso"), LOGFEED_ISO, "-e iso");
	is_int(logfeed_stamp_arg("tai64n"), LOGFEED_TAI64N, "-e tai64n");
	is_int(stamp_child("utc"), 100, "-e utc: exit 100");
	text();
	stamped();
	term();
	broken();
	snprintf(p, sizeof p, "rm -rf %s", top);
	if (system(p) != 0)
		ok(0, "clean up %s", top);
	return tap_done();
}
