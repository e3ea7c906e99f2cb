/* test_recout.c: each output format, byte for byte; pcap read back. */
#include <sys/socket.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

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
	return tap_done();
}
