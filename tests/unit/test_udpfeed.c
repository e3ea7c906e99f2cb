/* test_udpfeed.c: synthetic records are made, numbered and sent; the
 * lines of a stream go out whole; a paced feed waits for the next due
 * time, and gives up the wait when TERM comes; an empty input sniffs to
 * 0; a refusal pending at the end exits 111 with fatal. */
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "synth.h"
#include "tap.h"
#include "udpfeed.h"
#include "udpsock.h"

static int term;	/* what signals() says: TERM came */
static int calls;	/* how often signals() was called */

static int
signals(void *arg)
{
	(void)arg;
	calls++;
	return term;
}

/* pair: a receiver on 127.0.0.1, any port, and a sender connected to
 * it (udpsock_connect: non-blocking); returns the sender, the receiver
 * in *rx. */
static int
pair(int *rx)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	struct addr a;
	const char *step;

	if (addr_parse("127.0.0.1:0", &a) != NULL ||
	    (*rx = udpsock_bind(&a, 0, 0, NULL, 0, &step)) == -1 ||
	    getsockname(*rx, (struct sockaddr *)&ss, &len) == -1)
		return -1;
	memcpy(&a.ss, &ss, len);
	a.len = len;
	return udpsock_connect(&a, NULL, 0, -1, 1, &step);
}

/* feed: f zeroed, for socket s, its callback set. */
static void
feed(struct udpfeed *f, int s, int paced, uint64_t count, int fatal)
{
	memset(f, 0, sizeof *f);
	f->sigfd = -1;
	f->signals = signals;
	f->peer = "the receiver";
	f->paced = paced;
	f->count = count;
	f->size = 40;
	if (udptx_init(&f->tx, s, paced, count != 0, fatal) == -1)
		abort();
}

static void
synthetic(void)
{
	struct udpfeed f;
	struct dgram d;
	unsigned char buf[64];
	int s, rx, i, good = 1;

	s = pair(&rx);
	ok(s >= 0, "a connected pair");
	feed(&f, s, 0, 3, 0);
	for (i = 0; udpfeed_next(&f, &d) == 1; i++) {
		ok(d.p == NULL && d.len == 40, "synthetic record %d", i);
		udpfeed_add(&f, &d, 0);
	}
	is_int(i, 3, "three made, then the end");
	is_int(f.read, 3, "counted as read");
	udpfeed_flush(&f);
	is_int(f.tx.sent, 3, "three sent");
	is_int(f.tx.n, 0, "the batch is empty");
	for (i = 0; i < 3; i++)
		if (recv(rx, buf, sizeof buf, 0) != 40 || buf[0] != 0x43 ||
		    buf[15] != i)
			good = 0;
	ok(good, "received: 40 bytes each, magic, numbered 0 to 2");
	udptx_free(&f.tx);
	close(s);
	close(rx);
}

static void
stream(void)
{
	struct udpfeed f;
	struct dgram d;
	char buf[16];
	int s, rx, p[2];

	s = pair(&rx);
	if (pipe(p) == -1 || write(p[1], "ab\ncde\n", 7) != 7)
		abort();
	close(p[1]);
	feed(&f, s, 0, 0, 0);
	is_int(udpfeed_sniff(&f, p[0], AF_INET), 1, "udpfeed_sniff: a stream");
	is_int(f.in.framing, FRAME_TEXT, "  of text");
	while (udpfeed_next(&f, &d) == 1)
		udpfeed_add(&f, &d, 0);
	is_int(f.read, 2, "two lines read");
	is_int(f.badinput, 0, "the input did not fail");
	udpfeed_flush(&f);
	is_int(recv(rx, buf, sizeof buf, 0), 2, "the first datagram");
	ok(memcmp(buf, "ab", 2) == 0, "  is the first line");
	is_int(recv(rx, buf, sizeof buf, 0), 3, "the second");
	ok(memcmp(buf, "cde", 3) == 0, "  is the second line");
	recin_free(&f.in);
	close(p[0]);
	if (pipe(p) == -1)
		abort();
	close(p[1]);
	is_int(udpfeed_sniff(&f, p[0], AF_INET), 0,
	    "an empty input sniffs to 0");
	is_int(f.badinput, 0, "  and did not fail");
	recin_free(&f.in);
	close(p[0]);
	udptx_free(&f.tx);
	close(s);
	close(rx);
}

static void
onalarm(int sig)
{
	(void)sig;
}

static void
paced(void)
{
	struct udpfeed f;
	struct dgram d = { NULL, 40, 0, 0 };
	struct itimerval it = { { 0, 0 }, { 0, 20000 } };
	struct sigaction sa;
	uint64_t due0, due, t;
	int s, rx;

	s = pair(&rx);
	feed(&f, s, 1, 10, 0);
	pace_rate(&f.pace, 100, 1);
	is_int(udpfeed_schedule(&f, &d, &due0), 0,
	    "udpfeed_schedule: the first is due at once");
	udpfeed_add(&f, &d, due0);
	is_int(udpfeed_schedule(&f, &d, &due), 1,
	    "the second was waited for");
	is_int(due - due0, 10000000, "  due 10 ms after the first");
	ok(clock_mono() >= due, "  and it is due now");
	is_int(f.tx.n, 0, "the first went out before the wait");
	is_int(f.tx.sent, 1, "  sent");
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = onalarm;	/* no SA_RESTART: the sleep ends */
	sigaction(SIGALRM, &sa, NULL);
	pace_rate(&f.pace, 1, 1);
	udpfeed_schedule(&f, &d, &due0);
	term = 1;
	calls = 0;
	setitimer(ITIMER_REAL, &it, NULL);
	t = clock_mono();
	is_int(udpfeed_schedule(&f, &d, &due), -1,
	    "TERM during the wait: -1");
	ok(clock_mono() - t < 500000000ull, "  well before the due time");
	ok(calls > 0, "  the signals were taken");
	term = 0;
	signal(SIGALRM, SIG_DFL);
	udptx_free(&f.tx);
	close(s);
	close(rx);
}

/* windowed: at 10^6 a second (a window of 200 records), a batch of 64
 * fills before it goes; the records within the window join the first
 * without a wait, and the one after a flush waits for its time. */
static void
windowed(void)
{
	struct udpfeed f;
	struct dgram d = { NULL, 40, 0, 0 };
	uint64_t due0, due;
	int s, rx, i, waited = 0;

	s = pair(&rx);
	feed(&f, s, 1, 1000, 0);
	pace_rate(&f.pace, 1000000, 64);
	is_int(udpfeed_schedule(&f, &d, &due0), 0, "windowed: the first is due");
	udpfeed_add(&f, &d, due0);
	for (i = 1; i < 64; i++) {
		if (udpfeed_schedule(&f, &d, &due) != 0)
			waited++;
		udpfeed_add(&f, &d, due);
	}
	is_int(waited, 0, "  63 more join it: none goes out alone");
	is_int(f.tx.n, 64, "  the batch holds 64");
	is_int(due - due0, 63000, "  the last due 63 us after the first");
	udpfeed_flush(&f);
	is_int(f.tx.sent, 64, "  sent together");
	/* the next window's first: 250 us on, it is waited for */
	f.pace.n += 250;
	is_int(udpfeed_schedule(&f, &d, &due), 0, "  the next window: 0 still");
	ok(clock_mono() >= due, "  but waited for: due now");
	is_int(due - due0, 314000, "  its time");
	udptx_free(&f.tx);
	close(s);
	close(rx);
}

/* refused: a datagram to a closed port, then udpfeed_pending with
 * fatal: the exit status of a child doing it. */
static int
refused(void)
{
	struct sockaddr_in a;
	struct udpfeed f;
	struct dgram d = { (const unsigned char *)"x", 1, 0, 0 };
	int s, st;
	pid_t child;

	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons(9);	/* discard: nothing listens on UDP here */
	fflush(stdout);
	if ((child = fork()) == 0) {
		close(2);
		s = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
		if (s == -1 || connect(s, (struct sockaddr *)&a, sizeof a))
			_exit(2);
		feed(&f, s, 0, 0, 1);
		udpfeed_add(&f, &d, 0);
		udpfeed_flush(&f);
		usleep(100000);	/* the ICMP error comes back */
		udpfeed_pending(&f);
		_exit(0);
	}
	waitpid(child, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int
main(void)
{
	synthetic();
	stream();
	paced();
	windowed();
	is_int(refused(), 111, "a refusal pending at the end, fatal: exit 111");
	return tap_done();
}
