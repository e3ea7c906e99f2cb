/* test_udptx.c: a batch goes out whole and in order; a datagram too
 * large is skipped and counted; a refusal is sent again, then dropped;
 * an abandoned batch is counted; synthetic records are stamped;
 * udptx_flush waits when the kernel takes no more, and gives up past
 * giveup; udptx_pending takes a refusal no send reported; trains of
 * one size go as one send and arrive as their datagrams, and a socket
 * that refuses them gets the datagrams one by one. */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "synth.h"
#include "tap.h"
#include "udptx.h"

/* pair: a receiver bound to 127.0.0.1 port 0 and a sender connected to
 * it; returns the sender, the receiver in *rx. */
static int
pair(int *rx)
{
	struct sockaddr_in a;
	socklen_t len = sizeof a;
	int s;

	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	*rx = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	if (*rx == -1 || bind(*rx, (struct sockaddr *)&a, sizeof a) == -1 ||
	    getsockname(*rx, (struct sockaddr *)&a, &len) == -1)
		return -1;
	s = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	if (s == -1 || connect(s, (struct sockaddr *)&a, sizeof a) == -1)
		return -1;
	return s;
}

static void
batch(void)
{
	struct udptx t;
	unsigned char buf[70000], *p;
	char want[16];
	int s, rx, i, good = 1;
	ssize_t n;

	s = pair(&rx);
	ok(s >= 0, "a connected pair");
	ok(udptx_init(&t, s, 1, 0, 0) == 0, "udptx_init");
	ok(udptx_fits(&t, UDPTX_ARENA), "an empty batch takes the arena");
	ok(!udptx_fits(&t, UDPTX_ARENA + 1), "not more");
	for (i = 0; i < 5; i++) {
		p = udptx_add(&t, 4, 1);
		snprintf((char *)p, 5, "d%03d", i);
	}
	is_int(t.n, 5, "five in the batch");
	ok(!udptx_fits(&t, UDPTX_ARENA - 19), "the arena is used");
	is_int(udptx_send(&t), 0, "sent");
	is_int(t.sent, 5, "five sent");
	is_int(t.n, 0, "the batch is empty");
	is_int(t.used, 0, "and its arena");
	is_int(t.late, 5, "due long ago: all five late");
	ok(t.maxlate > 0, "maxlate measured");
	for (i = 0; i < 5; i++) {
		n = recv(rx, buf, sizeof buf, 0);
		snprintf(want, sizeof want, "d%03d", i);
		if (n != 4 || memcmp(buf, want, 4) != 0)
			good = 0;
	}
	ok(good, "received whole and in order");

	/* due in a minute: sent at once all the same, not late */
	memcpy(udptx_add(&t, 2, clock_mono() + 60 * NS_PER_S), "ok", 2);
	is_int(udptx_send(&t), 0, "sent ahead of time");
	is_int(t.late, 5, "not late");
	n = recv(rx, buf, sizeof buf, 0);
	ok(n == 2, "received");

	/* too large for IPv4: EMSGSIZE, skipped, the next one goes */
	p = udptx_add(&t, 65508, 0);
	memset(p, 'x', 65508);
	p = udptx_add(&t, 3, 0);
	memcpy(p, "end", 3);
	is_int(udptx_send(&t), 0, "a batch with a datagram too large");
	is_int(t.skipped, 1, "skipped and counted");
	is_int(t.sent, 7, "the next one sent");
	n = recv(rx, buf, sizeof buf, 0);
	ok(n == 3 && memcmp(buf, "end", 3) == 0, "received after the skip");
	udptx_free(&t);
	close(s);
	close(rx);
}

static void
refused(void)
{
	struct udptx t;
	int s, rx, e;

	s = pair(&rx);
	close(rx);	/* port unreachable from now on */
	ok(udptx_init(&t, s, 0, 0, 0) == 0, "udptx_init");
	memcpy(udptx_add(&t, 1, 0), "a", 1);
	is_int(udptx_send(&t), 0, "the first goes (nobody listens)");
	usleep(100000);	/* the ICMP error arrives */
	memcpy(udptx_add(&t, 1, 0), "b", 1);
	e = udptx_send(&t);
	is_int(e, 0, "the refusal reported on the next send is handled");
	is_int(t.refused, 1, "counted once");
	ok(t.sent == 2, "the refused datagram was sent again");
	ok(udptx_refusal(ECONNREFUSED) && udptx_refusal(EHOSTUNREACH) &&
	    !udptx_refusal(EAGAIN), "udptx_refusal");
	udptx_free(&t);

	/* fatal: the refusal is for the caller */
	ok(udptx_init(&t, s, 0, 0, 1) == 0, "udptx_init, fatal");
	usleep(100000);
	memcpy(udptx_add(&t, 1, 0), "c", 1);
	is_int(udptx_send(&t), ECONNREFUSED, "fatal: the refusal returned");
	is_int(t.n, 1, "the batch kept");
	udptx_abandon(&t);
	is_int(t.abandoned, 1, "abandoned and counted");
	is_int(t.n, 0, "the batch is empty");
	udptx_free(&t);
	close(s);
}

static void
synthetic(void)
{
	struct udptx t;
	unsigned char buf[64], zero[SYNTH_HDRLEN];
	int s, rx;

	s = pair(&rx);
	ok(udptx_init(&t, s, 0, 1, 0) == 0, "udptx_init, synthetic");
	synth_fill(udptx_add(&t, SYNTH_HDRLEN, 0), SYNTH_HDRLEN, 0, 1);
	memcpy(zero, t.iov[0].iov_base, SYNTH_HDRLEN);
	is_int(udptx_send(&t), 0, "sent");
	is_int(recv(rx, buf, sizeof buf, 0), SYNTH_HDRLEN, "received");
	ok(memcmp(buf, zero, SYNTH_HDRLEN) != 0, "stamped as it went");
	udptx_free(&t);
	close(s);
	close(rx);
}

static void
flushing(void)
{
	struct udptx t;
	int sv[2], sigp[2], n, tries;
	uint64_t t0;

	/* a datagram socketpair whose peer never reads: it fills up */
	ok(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv) == 0 &&
	    pipe(sigp) == 0, "a socketpair and a self-pipe");
	ok(udptx_init(&t, sv[0], 0, 0, 0) == 0, "udptx_init");
	memcpy(udptx_add(&t, 1, 0), "a", 1);
	is_int(udptx_flush(&t, sigp[0]), 0, "udptx_flush: sent");
	is_int(t.sent, 1, "counted");
	for (tries = 0; tries < 100000 && send(sv[0], "x", 1, 0) == 1;
	    tries++)
		;
	ok(errno == EAGAIN, "the peer's queue is full");
	memcpy(udptx_add(&t, 1, 0), "b", 1);
	t0 = clock_mono();
	n = udptx_flush(&t, sigp[0]);
	is_int(n, UDPTX_WAITED, "full: a wait, for the caller's signals");
	is_int(t.retried, 1, "the retry counted");
	ok(clock_mono() - t0 >= UDPTX_RETRY_NS / 2, "waited");
	is_int(t.n, 1, "the batch kept");
	t.giveup = 1;	/* long past */
	is_int(udptx_flush(&t, sigp[0]), 0, "past giveup: handled");
	is_int(t.abandoned, 1, "abandoned and counted");
	is_int(t.n, 0, "the batch is empty");
	udptx_free(&t);
	close(sv[0]);
	close(sv[1]);

	/* a send error other than a full queue is for the caller */
	ok(udptx_init(&t, sigp[0], 0, 0, 0) == 0, "udptx_init on a pipe");
	memcpy(udptx_add(&t, 1, 0), "c", 1);
	is_int(udptx_flush(&t, sigp[0]), ENOTSOCK, "ENOTSOCK returned");
	udptx_free(&t);
	close(sigp[0]);
	close(sigp[1]);
}

static void
pending(void)
{
	struct udptx t;
	int s, rx;

	s = pair(&rx);
	ok(udptx_init(&t, s, 0, 0, 0) == 0, "udptx_init");
	is_int(udptx_pending(&t), 0, "nothing pending");
	is_int(t.refused, 0, "nothing counted");
	close(rx);	/* port unreachable from now on */
	memcpy(udptx_add(&t, 1, 0), "a", 1);
	is_int(udptx_send(&t), 0, "sent (nobody listens)");
	usleep(100000);	/* the ICMP error arrives */
	is_int(udptx_pending(&t), 0, "the pending refusal taken");
	is_int(t.refused, 1, "and counted");
	udptx_free(&t);

	ok(udptx_init(&t, s, 0, 0, 1) == 0, "udptx_init, fatal");
	memcpy(udptx_add(&t, 1, 0), "b", 1);
	is_int(udptx_send(&t), 0, "sent");
	usleep(100000);
	is_int(udptx_pending(&t), ECONNREFUSED, "fatal: returned");
	is_int(t.refused, 0, "not counted");
	udptx_free(&t);
	close(s);
}

/* fill: the batch gets datagrams of the sizes in len[0..n), due at
 * due[i] (0: none), each filled with its index. */
static void
fill(struct udptx *t, const size_t *len, const uint64_t *due, int n)
{
	int i;

	for (i = 0; i < n; i++)
		memset(udptx_add(t, len[i], due ? due[i] : 0), 'a' + i,
		    len[i]);
}

/* got: the next n datagrams on rx have the sizes of len[] and the fill
 * of their index. */
static int
got(int rx, const size_t *len, int n)
{
	unsigned char buf[70000];
	ssize_t r;
	int i;

	for (i = 0; i < n; i++) {
		r = recv(rx, buf, sizeof buf, 0);
		if (r != (ssize_t)len[i] || (r > 0 && (buf[0] != 'a' + i ||
		    buf[r - 1] != 'a' + i)))
			return 0;
	}
	return recv(rx, buf, sizeof buf, 0) == -1 && errno == EAGAIN;
}

static void
gso(void)
{
	static const size_t len[] = { 1400, 1400, 1400, 1400, 1400, 600,
	    1400, 1400, 1400, 1, 0, 0, 8000, 8000, 8000, 8000, 8000, 8000,
	    8000, 8000, 8000, 1 };
	static const uint64_t due[] = { 5, 5, 6, 6 };
	int n = sizeof len / sizeof len[0], s, rx, one = 1;
	struct udptx t;

	s = pair(&rx);
	ok(udptx_init(&t, s, 0, 0, 0) == 0, "udptx_init");
	is_int(t.gso, 0, "no trains unless asked");
	t.gso = 1;
	fill(&t, len, NULL, n);
	is_int(udptx_send(&t), 0, "sent with trains");
	is_int(t.sent, n, "every datagram counted");
	/* 5 x 1400 + 600 | 3 x 1400 + 1 | 0 | 0 | 8 x 8000 | 8000 + 1 */
	is_int(t.trains, 4, "four trains (short last segments end them)");
	ok(got(rx, len, n), "received as the datagrams, sizes and order kept");

	/* exact: a train only of datagrams due at one time */
	t.exact = 1;
	t.trains = 0;
	fill(&t, len, due, 4);
	is_int(udptx_send(&t), 0, "sent, exact");
	is_int(t.trains, 2, "one train a due time");
	ok(got(rx, len, 4), "received");

	/* a socket without UDP checksums takes no trains: EINVAL */
	ok(setsockopt(s, SOL_SOCKET, SO_NO_CHECK, &one, sizeof one) == 0,
	    "SO_NO_CHECK");
	t.trains = t.sent = 0;
	fill(&t, len, NULL, n);
	is_int(udptx_send(&t), 0, "sent after the refusal");
	is_int(t.gso, 0, "trains off");
	is_int(t.trains, 0, "none went");
	is_int(t.sent, n, "every datagram sent one by one");
	ok(got(rx, len, n), "received, nothing lost");
	udptx_free(&t);
	close(s);
	close(rx);
}

int
main(void)
{
	batch();
	gso();
	refused();
	synthetic();
	flushing();
	pending();
	return tap_done();
}
