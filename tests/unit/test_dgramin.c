/* test_dgramin.c: text lines come out whole, a line too long is
 * skipped, counted and warned about once (on stderr); pcap records give
 * their UDP payloads and times, and what is not a whole datagram is
 * skipped and counted. */
#include <sys/socket.h>

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dgramin.h"
#include "frame.h"
#include "tap.h"

static void
init(void)
{
	struct recin in;

	dgramin_init(&in, 0, AF_INET);
	is_int(in.maxline, DGRAMIN_MAX4, "dgramin_init: IPv4's largest payload");
	recin_free(&in);
	dgramin_init(&in, 0, AF_INET6);
	is_int(in.maxline, DGRAMIN_MAX6, "  IPv6's");
	recin_free(&in);
}

static void
text(void)
{
	const char *s = "one\ntoo long a line\ntwo\n\nanother long one\n";
	struct recin in;
	struct dgram d;
	uint64_t read = 0, skipped = 0;
	int fd[2];

	if (pipe(fd) == -1 || write(fd[1], s, strlen(s)) == -1)
		return;
	close(fd[1]);
	recin_init(&in, fd[0], 8);
	is_int(recin_sniff(&in), 1, "text: framing known");
	is_int(in.framing, FRAME_TEXT, "text");
	is_int(dgramin_next(&in, &d, &read, &skipped), 1, "a line");
	ok(d.len == 3 && memcmp(d.p, "one", 3) == 0, "whole, without its newline");
	is_int(d.sec, 0, "no time");
	is_int(dgramin_next(&in, &d, &read, &skipped), 1, "the next line");
	ok(d.len == 3 && memcmp(d.p, "two", 3) == 0,
	    "after the long one, skipped");
	is_int(skipped, 1, "skipped counted once, for all its pieces");
	is_int(dgramin_next(&in, &d, &read, &skipped), 1, "an empty line");
	is_int(d.len, 0, "an empty datagram");
	is_int(dgramin_next(&in, &d, &read, &skipped), 0, "the end");
	is_int(skipped, 2, "the second long line counted");
	is_int(read, 5, "five lines read");
	recin_free(&in);
	close(fd[0]);
}

static void
pcap(void)
{
	struct recin in;
	struct dgram d;
	uint64_t read = 0, skipped = 0;
	int fd, n, got = 0;

	if ((fd = open("tests/fixtures/lo-en10mb.pcap", O_RDONLY)) == -1) {
		ok(0, "fixture opens");
		return;
	}
	recin_init(&in, fd, 65507);
	is_int(recin_sniff(&in), 1, "pcap: framing known");
	is_int(in.framing, FRAME_PCAP, "pcap");
	is_int(dgramin_next(&in, &d, &read, &skipped), 1, "a datagram");
	ok(d.len == 5 && memcmp(d.p, "hello", 5) == 0, "its payload");
	is_int(d.sec, 1795269209, "its time");
	is_int(d.nsec, 146513600, "to the nanosecond");
	got = 1;
	while ((n = dgramin_next(&in, &d, &read, &skipped)) == 1)
		got++;
	is_int(n, 0, "the end");
	is_int(got, 5, "five datagrams");
	is_int(read, 14, "of 14 records");
	is_int(skipped, 9, "the other 9 skipped");
	recin_free(&in);
	close(fd);
}

int
main(void)
{
	init();
	text();
	pcap();
	return tap_done();
}
