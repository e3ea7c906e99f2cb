/* test_sink.c: the sinks tee-sink copies to: every spec parsed or refused
 * with its reason; files (the header only on a new one), commands, TCP
 * and UDP peers, each read back at the other end; a refused connect and
 * a reader gone, each an error with its errno and the sink closed; udp:
 * trains across the end of the ring, and their refusal; the
 * life cycle: next tries after a backoff, failures counted. */
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "sink.h"
#include "tap.h"
#include "tcpsock.h"
#include "udpsock.h"

static const unsigned char hdr[4] = { 'H', 'D', 'R', '\n' };
static char dir[] = "/tmp/test_sink.XXXXXX";

static void
push(struct sink *s, const char *rec)
{
	struct iovec v = { (void *)rec, strlen(rec) };

	if (recqueue_push(&s->q, &v, 1) == -1)
		abort();
}

/* slurp: what fd gives until EOF (or n - 1 bytes) */
static char *
slurp(int fd, char *buf, size_t n)
{
	size_t got = 0;
	ssize_t r;

	while (got < n - 1 && (r = read(fd, buf + got, n - 1 - got)) > 0)
		got += (size_t)r;
	buf[got] = '\0';
	return buf;
}

static void
release(struct sink *s)
{
	free(s->q.buf);
	free(s->q.lens);
}

static void
test_parse(void)
{
	struct sink s;

	is_str(sink_parse("out.pcap", &s, 64), NULL, "a path");
	ok(s.kind == SINK_FILE && strcmp(s.arg, "out.pcap") == 0 &&
	    s.fd == -1 && sink_stream(&s), "  a file, closed, a stream");
	is_str(sink_parse("|gzip > x.gz", &s, 64), NULL, "a command");
	ok(s.kind == SINK_PIPE && strcmp(s.arg, "gzip > x.gz") == 0,
	    "  its text after the |");
	is_str(sink_parse("| \t", &s, 64), "empty command", "| alone: refused");
	is_str(sink_parse("udp:127.0.0.1:9", &s, 64), NULL, "udp:");
	ok(s.kind == SINK_UDP && !sink_stream(&s), "  a datagram sink");
	is_str(sink_parse("tcp:[::1]:9", &s, 64), NULL, "tcp: IPv6");
	ok(s.kind == SINK_TCP && sink_stream(&s), "  a stream");
	is_str(sink_parse("tcp::9", &s, 64), "missing host",
	    "tcp: without a host: refused");
	ok(sink_parse("tcp:127.0.0.1", &s, 64) != NULL,
	    "tcp: without a port: refused (%s)", sink_parse("tcp:127.0.0.1",
	    &s, 64));
	is_str(sink_parse("unix:/run/x.sock", &s, 64), NULL, "unix:");
	ok(s.kind == SINK_UNIX && strcmp(s.un.sun_path, "/run/x.sock") == 0,
	    "  its path");
	is_str(sink_parse("unix:", &s, 64), "missing path", "unix: alone");
	{
		char long_[200] = "unix:";

		memset(long_ + 5, 'x', 150);
		is_str(sink_parse(long_, &s, 64), "path too long",
		    "unix: a path past sun_path");
	}
	is_str(sink_parse("", &s, 64), "missing path", "an empty spec");
}

static void
test_file(void)
{
	char path[256], buf[256];
	struct sink s;
	int fd;

	snprintf(path, sizeof path, "%s/out", dir);
	sink_parse(path, &s, 64);
	is_int(sink_open(&s, hdr, sizeof hdr), 0, "file: open");
	push(&s, "one\n");
	push(&s, "two\n");
	is_int(sink_flush(&s), 0, "  flush");
	ok(s.records == 2 && s.bytes == 8 && s.q.count == 0,
	    "  2 records, 8 bytes counted");
	sink_close(&s);
	is_int(sink_open(&s, hdr, sizeof hdr), 0, "  opened again");
	push(&s, "three\n");
	sink_flush(&s);
	sink_close(&s);
	is_int(s.reconnects, 1, "  a reopening counted");
	fd = open(path, O_RDONLY);
	is_str(slurp(fd, buf, sizeof buf), "HDR\none\ntwo\nthree\n",
	    "  the header once: not again on a file with data");
	close(fd);
	release(&s);

	snprintf(path, sizeof path, "%s/no/such/dir/out", dir);
	sink_parse(path, &s, 64);
	errno = 0;
	is_int(sink_open(&s, hdr, sizeof hdr), -1, "a file in no directory");
	is_int(errno, ENOENT, "  ENOENT");
	is_int(s.fd, -1, "  closed");
	release(&s);
}

static void
test_pipe(void)
{
	char path[256], spec[300], buf[256];
	struct sink s;
	int fd;

	snprintf(path, sizeof path, "%s/piped", dir);
	snprintf(spec, sizeof spec, "|tr a-z A-Z > %s", path);
	sink_parse(spec, &s, 64);
	is_int(sink_open(&s, hdr, sizeof hdr), 0, "command: started");
	ok(s.pid > 0, "  a child");
	push(&s, "hello\n");
	is_int(sink_flush(&s), 0, "  flush");
	close(s.fd);		/* its EOF: the command ends */
	s.fd = -1;
	waitpid(s.pid, NULL, 0);
	fd = open(path, O_RDONLY);
	is_str(slurp(fd, buf, sizeof buf), "HDR\nHELLO\n",
	    "  the command got the header and the record");
	close(fd);
	sink_close(&s);
	release(&s);

	sink_parse("|exec true", &s, 64);
	sink_open(&s, NULL, 0);
	waitpid(s.pid, NULL, 0);	/* the reader is gone */
	push(&s, "lost\n");
	errno = 0;
	is_int(sink_flush(&s), -1, "a command gone: flush fails");
	is_int(errno, EPIPE, "  EPIPE");
	is_int(s.fd, -1, "  the sink closed, to be reopened later");
	release(&s);
}

static void
test_tcp(void)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	struct pollfd pfd;
	struct addr a;
	struct sink s;
	const char *step;
	char spec[80], text[ADDR_STRLEN], buf[256];
	int l, c;

	addr_parse("127.0.0.1:0", &a);
	l = tcpsock_listen(&a, 4, 0, &step);
	getsockname(l, (struct sockaddr *)&ss, &len);
	snprintf(spec, sizeof spec, "tcp:%s",
	    addr_format((struct sockaddr *)&ss, text));
	sink_parse(spec, &s, 64);
	is_int(sink_open(&s, hdr, sizeof hdr), 0, "tcp: open");
	push(&s, "rec\n");
	if (s.connecting) {
		is_int(sink_flush(&s), 0, "  nothing written while connecting");
		pfd.fd = s.fd;
		pfd.events = POLLOUT;
		poll(&pfd, 1, 5000);
		is_int(sink_connected(&s), 0, "  connected");
	} else {
		ok(1, "  connected at once");
		ok(1, "  connected");
	}
	is_int(sink_flush(&s), 0, "  flush");
	sink_close(&s);
	c = accept(l, NULL, NULL);
	is_str(slurp(c, buf, sizeof buf), "HDR\nrec\n",
	    "  the peer got the header and the record");
	close(c);
	close(l);		/* now nobody listens there */
	release(&s);

	sink_parse(spec, &s, 64);
	if (sink_open(&s, hdr, sizeof hdr) == 0 && s.connecting) {
		pfd.fd = s.fd;
		pfd.events = POLLOUT;
		poll(&pfd, 1, 5000);
		errno = 0;
		is_int(sink_connected(&s), -1, "tcp: refused");
	} else
		is_int(-1, -1, "tcp: refused");
	is_int(errno, ECONNREFUSED, "  ECONNREFUSED");
	is_int(s.fd, -1, "  closed");
	release(&s);
}

static void
test_udp(void)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	struct sink s;
	char spec[80], text[ADDR_STRLEN], buf[64];
	int u;
	ssize_t n;

	u = socket(AF_INET, SOCK_DGRAM, 0);
	((struct sockaddr_in *)&ss)->sin_family = AF_INET;
	((struct sockaddr_in *)&ss)->sin_addr.s_addr = htonl(0x7f000001);
	((struct sockaddr_in *)&ss)->sin_port = 0;
	bind(u, (struct sockaddr *)&ss, sizeof(struct sockaddr_in));
	getsockname(u, (struct sockaddr *)&ss, &len);
	snprintf(spec, sizeof spec, "udp:%s",
	    addr_format((struct sockaddr *)&ss, text));
	sink_parse(spec, &s, 64);
	is_int(sink_open(&s, hdr, sizeof hdr), 0, "udp: open");
	push(&s, "d1");
	push(&s, "d22");
	is_int(sink_flush(&s), 0, "  flush");
	n = recv(u, buf, sizeof buf, 0);
	ok(n == 2 && memcmp(buf, "d1", 2) == 0, "  one datagram per record, "
	    "no header");
	n = recv(u, buf, sizeof buf, 0);
	ok(n == 3 && memcmp(buf, "d22", 3) == 0, "  and the next");
	is_int(s.records, 2, "  2 records counted");
	sink_close(&s);
	close(u);
	release(&s);
}

/* test_udp_trains: runs of one size go as trains (UDP_SEGMENT), also
 * across the end of the ring, and arrive as the records' datagrams; a
 * socket without UDP checksums refuses trains: the sink goes on one
 * datagram at a time, nothing lost. */
static void
test_udp_trains(void)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	struct sink s;
	struct iovec v;
	char spec[80], text[ADDR_STRLEN], rec[300], buf[400];
	int u, round, i, good, one = 1;
	size_t l;
	ssize_t n;

	u = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	memset(&ss, 0, sizeof ss);
	((struct sockaddr_in *)&ss)->sin_family = AF_INET;
	((struct sockaddr_in *)&ss)->sin_addr.s_addr = htonl(0x7f000001);
	bind(u, (struct sockaddr *)&ss, sizeof(struct sockaddr_in));
	getsockname(u, (struct sockaddr *)&ss, &len);
	snprintf(spec, sizeof spec, "udp:%s",
	    addr_format((struct sockaddr *)&ss, text));
	/* 1000 bytes of ring: 5 records of 150 wrap around from round 2 */
	sink_parse(spec, &s, 1000);
	is_int(sink_open(&s, hdr, sizeof hdr), 0, "udp: open");
	for (round = 0; round < 6; round++) {
		if (round == 4)
			setsockopt(s.fd, SOL_SOCKET, SO_NO_CHECK, &one,
			    sizeof one);
		for (i = 0; i < 5; i++) {
			l = i == 4 ? 40 : 150;	/* the last one shorter */
			memset(rec, 'a' + round * 5 + i, l);
			v.iov_base = rec;
			v.iov_len = l;
			if (recqueue_push(&s.q, &v, 1) == -1)
				abort();
		}
		is_int(sink_flush(&s), 0, "  flush, round %d", round);
		for (good = 1, i = 0; i < 5; i++) {
			n = recv(u, buf, sizeof buf, 0);
			if (n != (i == 4 ? 40 : 150) ||
			    buf[0] != 'a' + round * 5 + i ||
			    buf[n - 1] != 'a' + round * 5 + i)
				good = 0;
		}
		ok(good && recv(u, buf, sizeof buf, 0) == -1,
		    "  round %d: 5 datagrams, sizes and order kept", round);
		is_int(s.nogso, round >= 4, "  trains %s", round >= 4 ?
		    "refused: off" : "on");
	}
	is_int(s.records, 30, "  30 records counted");
	is_int(s.dropped + s.errors, 0, "  none dropped, no error");
	sink_close(&s);
	close(u);
	release(&s);
}

/* test_life: start, write, poll, a command's end and HUP: whatever
 * closes a sink sets its next try, doubling from 100 ms; failures are
 * counted and told once per cause. */
static void
test_life(void)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	struct pollfd pfd;
	struct addr a;
	struct sink s;
	const char *step;
	char path[256], spec[80], text[ADDR_STRLEN];
	uint64_t t0;
	int l, c, st = 0;

	snprintf(path, sizeof path, "%s/no/such/dir/out", dir);
	sink_parse(path, &s, 64);
	t0 = clock_mono();
	is_int(sink_start(&s, hdr, sizeof hdr), -1, "start: a failure");
	ok(s.errors == 1 && s.retry_at >= t0 + NS_PER_S / 10 &&
	    s.retry_at < clock_mono() + NS_PER_S / 10 + 1,
	    "  counted, the next try in 100 ms");
	t0 = clock_mono();
	sink_start(&s, hdr, sizeof hdr);
	ok(s.errors == 2 && s.retry_at >= t0 + NS_PER_S / 5,
	    "  again: 200 ms");
	is_int(s.warned.held, 1, "  the same cause told once");
	release(&s);

	snprintf(path, sizeof path, "%s/life", dir);
	sink_parse(path, &s, 64);
	s.backoff.cur = NS_PER_S;
	is_int(sink_start(&s, hdr, sizeof hdr), 0, "start: open");
	is_int(s.backoff.cur, 0, "  the backoff starts over");
	is_int(sink_events(&s), POLLOUT, "  the header to write: POLLOUT");
	sink_write(&s);
	is_int(sink_events(&s), 0, "  written: nothing to wait for");
	sink_reopen(&s);
	ok(s.fd == -1 && s.retry_at == 0, "HUP: a file closed, due at once");
	release(&s);

	sink_parse("|exec true", &s, 64);
	sink_start(&s, NULL, 0);
	ok(s.pid > 0 && waitpid(s.pid, &st, 0) == s.pid, "a command ends");
	sink_reopen(&s);
	ok(s.fd != -1, "  HUP leaves a command alone");
	t0 = clock_mono();
	sink_exited(&s, st);
	ok(s.fd == -1 && s.pid == 0 && s.retry_at >= t0 + NS_PER_S / 10,
	    "  sink_exited: closed, started again later");
	release(&s);

	addr_parse("127.0.0.1:0", &a);
	l = tcpsock_listen(&a, 4, 0, &step);
	getsockname(l, (struct sockaddr *)&ss, &len);
	snprintf(spec, sizeof spec, "tcp:%s",
	    addr_format((struct sockaddr *)&ss, text));
	sink_parse(spec, &s, 64);
	sink_start(&s, NULL, 0);
	ok(sink_events(&s) & POLLIN, "tcp: POLLIN, for a peer that hangs up");
	pfd.fd = s.fd;
	pfd.events = POLLOUT;
	poll(&pfd, 1, 5000);
	sink_polled(&s, pfd.revents);
	ok(s.fd != -1 && !s.connecting, "  sink_polled: connected");
	c = accept(l, NULL, NULL);
	close(c);
	pfd.events = POLLIN;
	poll(&pfd, 1, 5000);
	sink_polled(&s, pfd.revents);
	ok(s.fd == -1 && s.retry_at > clock_mono(),
	    "  the peer closed: closed, tried again later");
	close(l);
	release(&s);
}

int
main(void)
{
	char rm[64];

	signal(SIGPIPE, SIG_IGN);
	if (mkdtemp(dir) == NULL)
		abort();
	test_parse();
	test_file();
	test_pipe();
	test_tcp();
	test_udp();
	test_udp_trains();
	test_life();
	snprintf(rm, sizeof rm, "rm -rf %s", dir);
	if (system(rm) != 0)
		ok(0, "clean up %s", dir);
	return tap_done();
}
