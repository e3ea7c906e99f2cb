/* test_passthru.c: the stream to an output as it came: the pcap header
 * first, records counted, nothing at all when off, pcap refused on a
 * terminal, closed at the end so the reader sees it. */
#include <sys/uio.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frame.h"
#include "passthru.h"
#include "tap.h"

/* drain: what the pipe's read end fd holds, up to n bytes, as a string */
static const char *
drain(int fd, char *b, size_t n)
{
	ssize_t k;

	if ((k = read(fd, b, n - 1)) < 0)
		k = 0;
	b[k] = '\0';
	return b;
}

/* on_tty: the exit status of a child that writes a pcap header to a
 * terminal (a pseudo-terminal); -1 when there is none to be had. */
static int
on_tty(void)
{
	struct passthru p;
	pid_t pid;
	int fd, st;

	if ((fd = posix_openpt(O_RDWR | O_NOCTTY)) == -1 ||
	    grantpt(fd) == -1 || unlockpt(fd) == -1)
		return -1;
	fflush(stdout);
	if ((pid = fork()) == 0) {
		close(STDERR_FILENO);
		passthru_init(&p, fd, 1024, 1);
		passthru_header(&p, FRAME_PCAP, (const unsigned char *)"HDR",
		    3);
		_exit(0);
	}
	if (pid == -1 || waitpid(pid, &st, 0) == -1)
		abort();
	close(fd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

int
main(void)
{
	struct passthru p;
	struct iovec v[2] = { { "line", 4 }, { "\n", 1 } };
	char b[256];
	int fd[2], st;

	if (pipe(fd) == -1)
		abort();
	passthru_init(&p, fd[1], 1024, 1);
	passthru_header(&p, FRAME_TEXT, (const unsigned char *)"HDR", 3);
	passthru_record(&p, v, 2);
	passthru_record(&p, v, 1);
	passthru_flush(&p);
	is_str(drain(fd[0], b, sizeof b), "line\nline",
	    "text: no header, the records as they came");
	ok(p.records == 2 && p.bytes == 9, "  counted: 2 records, 9 bytes");
	passthru_header(&p, FRAME_PCAP, (const unsigned char *)"HDR", 3);
	passthru_record(&p, v, 1);
	passthru_close(&p);
	is_str(drain(fd[0], b, sizeof b), "HDRline",
	    "pcap: the header first, flushed at close");
	is_int(read(fd[0], b, 1), 0, "  closed: the reader sees the end");
	close(fd[0]);
	obuf_free(&p.ob);

	if (pipe(fd) == -1)
		abort();
	passthru_init(&p, fd[1], 1024, 0);
	passthru_header(&p, FRAME_PCAP, (const unsigned char *)"HDR", 3);
	passthru_record(&p, v, 2);
	passthru_close(&p);
	close(fd[1]);
	ok(read(fd[0], b, 1) == 0 && p.records == 0,
	    "off (-n): nothing written, nothing counted");
	close(fd[0]);
	obuf_free(&p.ob);

	if ((st = on_tty()) == -1)
		ok(1, "# SKIP no pseudo-terminal");
	else
		is_int(st, 100, "pcap to a terminal: refused, exit 100");
	return tap_done();
}
