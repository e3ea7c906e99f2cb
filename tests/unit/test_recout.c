/* test_recout.c: each output format, byte for byte; pcap read back; the
 * wait for input that flushes first and sees a pipe's reader go away;
 * standard output's format chosen, binary refused on a terminal; a
 * failed output's exit, with what a reader gone lost. */
#include <sys/socket.h>
#include <sys/wait.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"

#include "decode.h"
#include "pcapr.h"
#include "recout.h"
#include "tap.h"

static void
meta(struct udpmeta *m, int af, const char *src, const char *dst)
{
	memset(m, 0, sizeof *m);
	m->af = af;
	inet_pton(af, src, m->src);
	inet_pton(af, dst, m->dst);
	m->sport = 40000;
	m->dport = 5001;
	m->ts.tv_sec = 1795255200;	/* 2026-11-21T10:00:00Z */
	m->ts.tv_nsec = 123456789;
}

/* out: what fmt makes of the records, in buf (NUL-terminated). */
static size_t
out(int fmt, const struct udpmeta *m, const char *p, size_t n,
    char *buf, size_t cap)
{
	struct recout w;
	int pfd[2];
	ssize_t r;

	if (pipe(pfd) == -1)
		return 0;
	recout_init(&w, pfd[1], fmt, 0);
	recout_header(&w);
	recout_udp(&w, m, (const unsigned char *)p, n);
	recout_udp(&w, m, (const unsigned char *)"", 0);
	recout_flush(&w);
	recout_free(&w);
	close(pfd[1]);
	r = read(pfd[0], buf, cap - 1);
	close(pfd[0]);
	buf[r > 0 ? r : 0] = '\0';
	return r > 0 ? (size_t)r : 0;
}

/* unread: line records "ab\n" (3 bytes each) to a pipe, some read back,
 * the reader gone: obuf_unread counts the held and the unread. */
static void
unread(void)
{
	struct recout w;
	struct udpmeta m;
	char b[64];
	int pfd[2], i, atleast;

	memset(&m, 0, sizeof m);
	if (pipe(pfd) == -1)
		return;
	recout_init(&w, pfd[1], RECOUT_LINE, 0);
	for (i = 0; i < 10; i++)
		recout_udp(&w, &m, (const unsigned char *)"ab", 2);
	is_int(obuf_unread(&w.ob, 0, &atleast), 10, "unread: all 10 held");
	recout_flush(&w);
	is_int(read(pfd[0], b, 7), 7, "the reader takes 2 records and a byte");
	is_int(obuf_unread(&w.ob, 23, &atleast), 8,
	    "unread: 23 bytes left in the pipe: 8 records not whole");
	is_int(atleast, 0, "  exact");
	recout_udp(&w, &m, (const unsigned char *)"ab", 2);
	is_int(obuf_unread(&w.ob, 23, &atleast), 9, "  and one held: 9");
	is_int(obuf_unread(&w.ob, 0, &atleast), 1, "a pipe read empty: 1");
	for (i = 0; i < OBUF_RING + 10; i++)
		recout_udp(&w, &m, (const unsigned char *)"ab", 2);
	is_int(obuf_unread(&w.ob, 0, &atleast), OBUF_RING,
	    "more than the ring holds: the ring's size");
	is_int(atleast, 1, "  a lower bound");
	recout_free(&w);
	close(pfd[0]);
	close(pfd[1]);
}

static void
waiting(void)
{
	struct recout w;
	struct udpmeta m;
	struct timespec ts = clock_ts(1000000);
	char b[16];
	int out[2], in[2], sig[2];

	memset(&m, 0, sizeof m);
	if (pipe(out) == -1 || pipe(in) == -1 || pipe(sig) == -1)
		return;
	recout_init(&w, out[1], RECOUT_LINE, 0);
	is_int(w.pipe, 1, "recout_init: the output is a pipe");
	recout_udp(&w, &m, (const unsigned char *)"ab", 2);
	ok(w.written == 1 && w.bytes == 2,
	    "a record counted, with its payload bytes (not the newline)");
	is_int(recout_wait(&w, in[0], sig[0], &ts), 0,
	    "recout_wait: nothing: the time passes");
	is_int(read(out[0], b, sizeof b), 3, "  what was held went out first");
	if (write(in[1], "x", 1) != 1)
		return;
	is_int(recout_wait(&w, in[0], sig[0], NULL), 0, "  input: returns");
	close(in[0]);
	close(in[1]);
	if (pipe(in) == -1)
		return;
	close(out[0]);	/* the reader goes away: nothing readable, no bound */
	errno = 0;
	is_int(recout_wait(&w, in[0], sig[0], NULL), -1,
	    "  the reader gone: -1");
	is_int(errno, EPIPE, "  EPIPE");
	recout_free(&w);
	close(out[1]);
	close(in[0]);
	close(in[1]);
	close(sig[0]);
	close(sig[1]);
}

/* stdout_status: recout_stdout(fmt) in a child whose standard output is
 * fd: its exit status, or the format chosen (+ 10) when it returned */
static int
stdout_status(int fd, int fmt)
{
	struct recout w;
	int st;
	pid_t child;

	fflush(stdout);
	if ((child = fork()) == 0) {
		dup2(fd, STDOUT_FILENO);
		close(2);
		recout_stdout(&w, fmt, 0);
		_exit(10 + w.fmt);
	}
	waitpid(child, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void
to_stdout(void)
{
	int p[2], m, t;

	if (pipe(p) == -1)
		return;
	is_int(stdout_status(p[1], -1), 10 + RECOUT_PCAP,
	    "recout_stdout: no format, not a terminal: pcap");
	is_int(stdout_status(p[1], RECOUT_RAW), 10 + RECOUT_RAW,
	    "  the format given");
	close(p[0]);
	close(p[1]);
	if ((m = posix_openpt(O_RDWR | O_NOCTTY)) == -1 || grantpt(m) == -1 ||
	    unlockpt(m) == -1 || (t = open(ptsname(m), O_RDWR | O_NOCTTY)) ==
	    -1) {
		ok(1, "# SKIP no terminal to test with");
		return;
	}
	is_int(stdout_status(t, -1), 10 + RECOUT_TEXT,
	    "  no format, a terminal: text");
	is_int(stdout_status(t, RECOUT_LINE), 10 + RECOUT_LINE,
	    "  line to a terminal");
	is_int(stdout_status(t, RECOUT_PCAP), 100,
	    "  pcap to a terminal: exit 100");
	close(t);
	close(m);
}

/* fail_status: recout_fail after errno e, in a child whose standard
 * error is a pipe: its exit status, what it said in msg */
static int
fail_status(int e, char *msg, size_t len)
{
	struct recout w;
	ssize_t n;
	size_t got;
	int p[2], out[2], st;
	pid_t child;

	if (pipe(p) == -1 || pipe(out) == -1)
		return -1;
	fflush(stdout);
	if ((child = fork()) == 0) {
		dup2(p[1], 2);
		recout_init(&w, out[1], RECOUT_LINE, 0);
		errno = e;
		recout_fail(&w);
	}
	close(p[1]);
	got = 0;
	while (got < len - 1 && (n = read(p[0], msg + got, len - 1 - got)) > 0)
		got += (size_t)n;
	msg[got] = '\0';
	waitpid(child, &st, 0);
	close(p[0]);
	close(out[0]);
	close(out[1]);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void
failing(void)
{
	char msg[512];

	is_int(fail_status(ENOSPC, msg, sizeof msg), 111,
	    "recout_fail: exit 111");
	ok(strstr(msg, "unable to write output: No space") != NULL,
	    "  with the reason");
	is_int(fail_status(EPIPE, msg, sizeof msg), 111,
	    "  the reader gone: exit 111");
	ok(strstr(msg, "lost=0") != NULL, "  with what it lost");
}

int
main(void)
{
	struct udpmeta m;
	struct pcaprec rec;
	struct udpinfo u;
	struct pcapr rd;
	char buf[4096];
	size_t n;

	is_int(recout_format("pcap"), RECOUT_PCAP, "pcap");
	is_int(recout_format("text"), RECOUT_TEXT, "text");
	is_int(recout_format("line"), RECOUT_LINE, "line");
	is_int(recout_format("raw"), RECOUT_RAW, "raw");
	is_int(recout_format("PCAP"), -1, "names are lower case");
	is_int(recout_format(""), -1, "empty");
	is_str(recout_name(RECOUT_LINE), "line", "name of line");
	ok(recout_binary(RECOUT_PCAP) && recout_binary(RECOUT_RAW) &&
	    !recout_binary(RECOUT_TEXT) && !recout_binary(RECOUT_LINE),
	    "pcap and raw are binary");

	meta(&m, AF_INET, "127.0.0.1", "127.0.0.2");
	out(RECOUT_TEXT, &m, "hi\\\t\n\x01", 6, buf, sizeof buf);
	is_str(buf, "2026-11-21T10:00:00.123456789Z 127.0.0.1:40000 > "
	    "127.0.0.2:5001 6 hi\\\\\\t\\n\\x01\n"
	    "2026-11-21T10:00:00.123456789Z 127.0.0.1:40000 > "
	    "127.0.0.2:5001 0 \n", "text: escaped payload, empty payload");
	meta(&m, AF_INET6, "::1", "ff05::1:3");
	out(RECOUT_TEXT, &m, "x", 1, buf, sizeof buf);
	is_str(buf, "2026-11-21T10:00:00.123456789Z [::1]:40000 > "
	    "[ff05::1:3]:5001 1 x\n"
	    "2026-11-21T10:00:00.123456789Z [::1]:40000 > "
	    "[ff05::1:3]:5001 0 \n", "text: IPv6 in brackets");
	n = out(RECOUT_LINE, &m, "a\0b", 3, buf, sizeof buf);
	is_int(n, 5, "line: payload, newline, then an empty line");
	ok(memcmp(buf, "a\0b\n\n", 5) == 0, "line: bytes kept");
	n = out(RECOUT_LINE, &m, "hello\n", 6, buf, sizeof buf);
	is_str(buf, "hello\n\n", "line: a payload ending in a newline gets "
	    "none added; the empty one gets one");
	out(RECOUT_LINE, &m, "a\n\n", 3, buf, sizeof buf);
	is_str(buf, "a\n\n\n", "line: only one newline is the line's end");
	out(RECOUT_LINE, &m, "a\r\n", 3, buf, sizeof buf);
	is_str(buf, "a\r\n\n", "line: CR LF ends in a newline too");
	n = out(RECOUT_RAW, &m, "a\0b", 3, buf, sizeof buf);
	is_int(n, 3, "raw: the payload bytes only");

	meta(&m, AF_INET, "10.0.0.1", "10.0.0.2");
	n = out(RECOUT_PCAP, &m, "hello", 5, buf, sizeof buf);
	is_int(n, 24 + 16 + 28 + 5 + 16 + 28, "pcap: header and two records");
	ok(pcapr_open_mem(&rd, buf, n) == 0, "pcap reads back");
	is_int(rd.linktype, LINKTYPE_RAW, "link type RAW");
	ok(pcapr_next(&rd, &rec) == 1, "first record");
	is_int(rec.sec, 1795255200, "  its seconds");
	is_int(rec.nsec, 123456789, "  its nanoseconds");
	ok(decode_udp(rd.linktype, rec.data, rec.caplen, &u) == 1, "  is UDP");
	ok(u.paylen == 5 && memcmp(u.payload, "hello", 5) == 0,
	    "  payload hello");
	ok(u.sport == 40000 && u.dport == 5001, "  ports");
	ok(pcapr_next(&rd, &rec) == 1 && decode_udp(rd.linktype, rec.data,
	    rec.caplen, &u) == 1 && u.paylen == 0, "second record, 0 bytes");
	is_int(pcapr_next(&rd, &rec), 0, "then the end");
	pcapr_close(&rd);
	unread();
	waiting();
	to_stdout();
	failing();
	return tap_done();
}
