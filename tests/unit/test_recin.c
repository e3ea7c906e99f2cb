/* test_recin.c: records from a non-blocking input: the framing told from
 * the first bytes as they trickle in, text lines and pcap records, the
 * end, and what each failure calls for (1 malformed, 111 read error);
 * recin_wait_sniff waking for the input or a signal. */
#include <sys/wait.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pcapw.h"
#include "recin.h"
#include "tap.h"

static int p[2];
static struct recin in;

/* open_pipe: a fresh non-blocking pipe for in */
static void
open_pipe(size_t maxline)
{
	if (pipe(p) == -1 || fcntl(p[0], F_SETFL, O_NONBLOCK) == -1)
		abort();
	recin_init(&in, p[0], maxline);
}

static void
put(const void *s, size_t n)
{
	if (write(p[1], s, n) != (ssize_t)n)
		abort();
}

static void
done(void)
{
	recin_free(&in);
	close(p[0]);
	if (p[1] != -1)
		close(p[1]);
}

static void
test_text(void)
{
	struct rec r;

	open_pipe(8);
	is_int(recin_sniff(&in), RECIN_AGAIN, "text: nothing yet: again");
	put("a", 1);
	is_int(recin_sniff(&in), 1, "one byte that begins no magic: known");
	is_int(in.framing, FRAME_TEXT, "  text");
	put("bc\n0123456789\nlast", 18);
	ok(recin_next(&in, &r) == 1 && r.n == 3 && memcmp(r.p, "abc", 3) == 0
	    && r.flags == 0, "the first line, its first byte kept");
	ok(recin_next(&in, &r) == 1 && r.n == 8 &&
	    r.flags == (LINE_SPLIT | LINE_MORE), "a long line: a piece of 8");
	ok(recin_next(&in, &r) == 1 && r.n == 2 && r.flags == LINE_SPLIT,
	    "  and the rest");
	is_int(recin_next(&in, &r), RECIN_AGAIN, "a partial line waits");
	is_int(recin_rest(&in), 4, "recin_rest: 4 bytes of it");
	ok(recin_next(&in, &r) == 1 && r.n == 4 && r.flags == LINE_NONL,
	    "  then taken as if the input ended");
	is_int(recin_next(&in, &r), 0, "then the end");
	done();

	open_pipe(8);
	close(p[1]);
	p[1] = -1;
	is_int(recin_sniff(&in), 0, "an empty input: 0 at once");
	done();
}

static void
test_pcap(void)
{
	unsigned char h[PCAP_FILEHDR_LEN], rh[PCAP_RECHDR_LEN];
	struct rec r;
	size_t i;

	pcapw_filehdr(h, LINKTYPE_RAW);
	pcapw_rechdr(rh, 1700000000, 123456789, 5, 5);
	open_pipe(8);
	for (i = 0; i < 4; i++) {
		put(h + i, 1);
		is_int(recin_sniff(&in), RECIN_AGAIN,
		    "pcap: %zu byte(s) of a magic: again", i + 1);
	}
	put(h + 4, 10);
	is_int(recin_sniff(&in), RECIN_AGAIN, "  half a file header: again");
	put(h + 14, sizeof h - 14);
	is_int(recin_sniff(&in), 1, "  the whole header: known");
	is_int(in.framing, FRAME_PCAP, "  pcap");
	ok(memcmp(in.hdr, h, sizeof h) == 0, "  the input's header kept");
	put(rh, sizeof rh);
	put("hello", 5);
	ok(recin_next(&in, &r) == 1 && r.caplen == 5 &&
	    memcmp(r.data, "hello", 5) == 0, "a record");
	ok(r.sec == 1700000000 && r.nsec == 123456789, "  its time");
	ok(r.n == PCAP_RECHDR_LEN + 5 && memcmp(r.p, rh, sizeof rh) == 0,
	    "  the record as it came, header and all");
	is_int(recin_next(&in, &r), RECIN_AGAIN, "nothing more yet: again");
	put(rh, 10);
	close(p[1]);
	p[1] = -1;
	is_int(recin_next(&in, &r), -1, "a record cut short: -1");
	ok(strstr(in.err, "truncated") != NULL, "  in.err says so (%s)",
	    in.err);
	fflush(stdout);
	{
		int save = dup(2), null = open("/dev/null", O_WRONLY);

		dup2(null, 2);
		is_int(recin_fail(&in), 1, "recin_fail: malformed input is 1");
		dup2(save, 2);
		close(save);
		close(null);
	}
	done();

	open_pipe(8);
	h[4] ^= 0x40;		/* version 2.4 becomes 66.4 or so */
	h[5] ^= 0x40;
	put(h, sizeof h);
	is_int(recin_sniff(&in), -1, "a bad file header: -1");
	ok(strstr(in.err, "unsupported version") != NULL, "  in.err says so (%s)",
	    in.err);
	done();
}

static void
test_error(void)
{
	int save, null;

	if ((p[0] = open("/", O_RDONLY | O_NONBLOCK)) == -1)
		abort();
	p[1] = -1;
	recin_init(&in, p[0], 8);
	is_int(recin_sniff(&in), -1, "a read error: -1");
	ok(strstr(in.err, "read error") != NULL, "  in.err says so (%s)",
	    in.err);
	fflush(stdout);
	save = dup(2);
	null = open("/dev/null", O_WRONLY);
	dup2(null, 2);
	is_int(recin_fail(&in), 111, "recin_fail: a read error is 111");
	dup2(save, 2);
	close(save);
	close(null);
	close(p[0]);
}

static void
test_wait(void)
{
	int s[2], st;
	pid_t pid;

	if (pipe(s) == -1)
		abort();
	open_pipe(8);
	/* a signal recorded: the self-pipe readable, no input */
	if (write(s[1], "x", 1) != 1)
		abort();
	is_int(recin_wait_sniff(&in, s[0]), RECIN_AGAIN,
	    "wait_sniff: a signal: again, for the caller to take it");
	close(s[0]);
	close(s[1]);
	done();

	if (pipe(s) == -1)
		abort();
	open_pipe(8);
	if ((pid = fork()) == 0) {
		usleep(20000);
		_exit(write(p[1], "a", 1) == 1 ? 0 : 1);
	}
	is_int(recin_wait_sniff(&in, s[0]), RECIN_AGAIN,
	    "wait_sniff: nothing yet: waits for the input, then again");
	is_int(recin_wait_sniff(&in, s[0]), 1, "  then the framing is known");
	is_int(in.framing, FRAME_TEXT, "  text");
	waitpid(pid, &st, 0);
	done();

	open_pipe(8);
	close(p[1]);
	p[1] = -1;
	is_int(recin_wait_sniff(&in, s[0]), 0,
	    "wait_sniff: the end before any byte: 0, no wait");
	done();

	/* recin_wait: returns once the self-pipe or the input is readable */
	open_pipe(8);
	if (write(s[1], "x", 1) != 1)
		abort();
	recin_wait(&in, s[0]);
	ok(1, "recin_wait: a signal recorded: returns");
	if (read(s[0], &st, 1) != 1)
		abort();
	put("a", 1);
	recin_wait(&in, s[0]);
	ok(1, "recin_wait: input: returns");
	done();
	close(s[0]);
	close(s[1]);
}

int
main(void)
{
	test_text();
	test_pcap();
	test_error();
	test_wait();
	return tap_done();
}
