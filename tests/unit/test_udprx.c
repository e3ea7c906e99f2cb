/* test_udprx.c: batches from a real socket keep bytes, sender, destination
 * and time; a full receive buffer shows up as drops; udprx_pull writes
 * each datagram as a record, a UDP_GRO train split into its datagrams. */
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <arpa/inet.h>

#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "udprx.h"
#include "udpsock.h"

static int
bound(int af, const char *ip, struct sockaddr_storage *ss, socklen_t *len)
{
	struct addr a;
	char s[64];
	const char *step;
	int fd;

	snprintf(s, sizeof s, af == AF_INET ? "%s:0" : "[%s]:0", ip);
	if (addr_parse(s, &a) != NULL)
		return -1;
	if ((fd = udpsock_bind(&a, 0, 0, NULL, 0, &step)) == -1)
		return -1;
	*len = sizeof *ss;
	getsockname(fd, (struct sockaddr *)ss, len);
	return fd;
}

/* pull: udprx_pull of line records to a pipe */
static void
pull(struct udprx *x, int s, struct sockaddr_storage *to, socklen_t len)
{
	struct recout w;
	char buf[64];
	int p[2];

	if (pipe(p) == -1)
		return;
	recout_init(&w, p[1], RECOUT_LINE, 0);
	is_int(udprx_pull(x, UDPRX_BATCH, 0, &w), 0, "udprx_pull: none: 0");
	sendto(s, "ab", 2, 0, (struct sockaddr *)to, len);
	sendto(s, "cd", 2, 0, (struct sockaddr *)to, len);
	sendto(s, "ef", 2, 0, (struct sockaddr *)to, len);
	usleep(10000);
	is_int(udprx_pull(x, 2, 0, &w), 2, "  up to vlen");
	is_int(x->received, 2, "  counted");
	is_int(udprx_pull(x, UDPRX_BATCH, 0, &w), 1, "  the rest");
	is_int(x->received, 3, "  counted");
	is_int(w.written, 3, "  written");
	recout_flush(&w);
	is_int(read(p[0], buf, sizeof buf), 9, "  as lines");
	ok(memcmp(buf, "ab\ncd\nef\n", 9) == 0, "  in order");
	recout_free(&w);
	close(p[0]);
	close(p[1]);
}

/* drain: what is in the pipe fd, up to cap bytes; how many. */
static size_t
drain(int fd, unsigned char *buf, size_t cap)
{
	size_t got = 0;
	ssize_t n;

	while (got < cap && (n = read(fd, buf + got, cap - got)) > 0)
		got += (size_t)n;
	return got;
}

/* pcap_same: a train of len bytes in seg-byte datagrams written by
 * recout_train is byte for byte what recout_udp of each datagram writes. */
static void
pcap_same(const struct udpmeta *m, const unsigned char *p, size_t len,
    size_t seg, const char *what)
{
	static unsigned char a[131072], b[131072];
	struct recout w1, w2;
	size_t off, n, na, nb;
	uint64_t took;
	int p1[2], p2[2];

	if (pipe2(p1, O_NONBLOCK) == -1 || pipe2(p2, O_NONBLOCK) == -1)
		return;
	recout_init(&w1, p1[1], RECOUT_PCAP, 0);
	recout_init(&w2, p2[1], RECOUT_PCAP, 0);
	ok(recout_train(&w1, m, p, len, seg, 0, &took) == 0, "%s", what);
	for (off = 0; off < len; off += n) {
		n = len - off < seg ? len - off : seg;
		recout_udp(&w2, m, p + off, n);
	}
	is_int(took, w2.written, "  one record a datagram (%llu)",
	    (unsigned long long)took);
	is_int(w1.bytes, len, "  payload bytes counted");
	recout_flush(&w1);
	recout_flush(&w2);
	na = drain(p1[0], a, sizeof a);
	nb = drain(p2[0], b, sizeof b);
	ok(na == nb && na > 0 && memcmp(a, b, na) == 0,
	    "  the same records as one by one (%zu bytes)", na);
	recout_free(&w1);
	recout_free(&w2);
	close(p1[0]);
	close(p1[1]);
	close(p2[0]);
	close(p2[1]);
}

/* split: recout_train on its own, as lines, then as pcap */
static void
split(void)
{
	static const unsigned char v6[16] = { [15] = 1 };
	struct udpmeta m;
	static unsigned char big[65000];
	unsigned char buf[4000], out[64];
	struct recout w;
	uint64_t took;
	size_t i;
	int p[2];

	if (pipe2(p, O_NONBLOCK) == -1)
		return;
	recout_init(&w, p[1], RECOUT_LINE, 0);
	memset(&m, 0, sizeof m);
	m.af = AF_INET;
	ok(recout_train(&w, &m, (const unsigned char *)"aaaabbbbcc", 10, 4,
	    0, &took) == 0, "train of 10 bytes in 4s");
	is_int(took, 3, "  three datagrams, the last short");
	ok(recout_train(&w, &m, (const unsigned char *)"ddddeeee", 8, 4, 0,
	    &took) == 0 && took == 2, "  8 in 4s: two, none empty");
	ok(recout_train(&w, &m, (const unsigned char *)"ffffgggghh", 10, 4, 2,
	    &took) == 0 && took == 2, "  max 2: two of three");
	ok(recout_train(&w, &m, (const unsigned char *)"ii", 2, 0, 0,
	    &took) == 0 && took == 1, "  segment 0: one datagram");
	ok(recout_train(&w, &m, (const unsigned char *)"jj", 2, 2, 0,
	    &took) == 0 && took == 1, "  segment = length: one datagram");
	ok(recout_train(&w, &m, (const unsigned char *)"", 0, 0, 0,
	    &took) == 0 && took == 1, "  an empty datagram is one too");
	is_int(w.written, 10, "  records");
	is_int(w.bytes, 30, "  payload bytes");
	recout_flush(&w);
	i = drain(p[0], out, sizeof out);
	ok(i == 40 && memcmp(out, "aaaa\nbbbb\ncc\ndddd\neeee\nffff\n"
	    "gggg\nii\njj\n\n", 40) == 0, "  split at the boundaries");
	recout_free(&w);
	close(p[0]);
	close(p[1]);

	for (i = 0; i < sizeof buf; i++)
		buf[i] = (unsigned char)(i * 7);
	for (i = 0; i < sizeof big; i++)
		big[i] = (unsigned char)(i * 13 + i / 256);
	m.src[0] = 127;
	m.src[3] = 1;
	m.dst[0] = 127;
	m.dst[3] = 2;
	m.sport = 1000;
	m.dport = 2000;
	m.ts.tv_sec = 1700000000;
	m.ts.tv_nsec = 123456789;
	pcap_same(&m, buf, 4000, 1400, "pcap train, IPv4, 1400 + 1400 + 1200");
	pcap_same(&m, buf, 64, 1, "pcap train, IPv4, 64 of 1 byte");
	pcap_same(&m, big, 60000, 1400, "pcap train, IPv4, 60000 bytes "
	    "in 1400s: written, not copied");
	pcap_same(&m, big, 64000, 500, "  128 datagrams: one writev");
	pcap_same(&m, big, 64001, 500, "  129: two");
	if (pipe2(p, O_NONBLOCK) == -1)
		return;
	recout_init(&w, p[1], RECOUT_PCAP, 0);
	recout_udp(&w, &m, buf, 10);
	ok(recout_train(&w, &m, big, 60000, 1400, 5, &took) == 0 &&
	    took == 5, "  max 5 of a written train: five");
	is_int(w.ob.len, 0, "  the buffer went out first");
	is_int(w.ob.marks, 6, "  each record marked");
	ok(w.ob.ends[5] == w.ob.out && w.ob.ends[4] == w.ob.out - 1444 &&
	    w.ob.ends[0] == 54, "  where it ends");
	recout_free(&w);
	close(p[0]);
	close(p[1]);
	m.af = AF_INET6;
	memcpy(m.src, v6, 16);
	memcpy(m.dst, v6, 16);
	pcap_same(&m, buf, 2999, 1000, "pcap train, IPv6, 1000 + 1000 + 999");
}

/* gro: a UDP_SEGMENT send to a UDP_GRO socket comes as one train, split
 * by udprx_pull; where the kernel has neither, skipped. */
static void
gro(void)
{
	struct sockaddr_storage to;
	unsigned char buf[1050], out[2048];
	struct udpmeta m;
	struct recout w;
	struct udprx x;
	socklen_t len;
	int r, s, seg = 100, p[2], n;
	size_t i, got;

	if ((r = bound(AF_INET, "127.0.0.1", &to, &len)) == -1 ||
	    udpsock_gro(r, 1) == -1 || pipe2(p, O_NONBLOCK) == -1) {
		ok(1, "# SKIP no UDP_GRO here");
		return;
	}
	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (setsockopt(s, SOL_UDP, UDP_SEGMENT, &seg, sizeof seg) == -1) {
		ok(1, "# SKIP no UDP_SEGMENT here");
		close(s);
		return;
	}
	udprx_init(&x, r, 0);
	for (i = 0; i < sizeof buf; i++)
		buf[i] = (unsigned char)('a' + i / 100);
	sendto(s, buf, sizeof buf, 0, (struct sockaddr *)&to, len);
	sendto(s, buf, sizeof buf, 0, (struct sockaddr *)&to, len);
	is_int(udprx_batch(&x, 1), 1, "GRO: one buffer for a GSO send");
	is_int(x.msg[0].msg_len, 1050, "  all of it");
	is_int(udprx_meta(&x, 0, &m), 100, "  the segment size");
	recout_init(&w, p[1], RECOUT_LINE, 0);
	is_int(udprx_pull(&x, UDPRX_BATCH, 5, &w), 1, "udprx_pull: one train");
	is_int(x.received, 5, "  up to max datagrams of it");
	is_int(w.written, 5, "  written");
	n = udprx_pull(&x, UDPRX_BATCH, 0, &w);
	ok(n == 0, "  the rest of that train is gone, none queued (%d)", n);
	sendto(s, buf, sizeof buf, 0, (struct sockaddr *)&to, len);
	is_int(udprx_pull(&x, UDPRX_BATCH, 0, &w), 1, "another train");
	is_int(x.received, 16, "  11 datagrams of it, 100 bytes, the last 50");
	is_int(x.trains, 2, "  trains counted");
	recout_flush(&w);
	got = drain(p[0], out, sizeof out);
	ok(got == 5 * 101 + 10 * 101 + 51 && memcmp(out + 505,
	    "aaaa", 4) == 0 && memcmp(out + 505 + 1010, "kkkk", 4) == 0,
	    "  split at the boundaries (%zu bytes)", got);
	recout_free(&w);
	udprx_free(&x);
	close(p[0]);
	close(p[1]);
	close(r);
	close(s);
}

int
main(void)
{
	struct sockaddr_storage to;
	struct udprx x;
	struct udpmeta m;
	struct timespec now;
	socklen_t len;
	char big[65507];
	int r, s, n, i, total;

	r = bound(AF_INET, "127.0.0.1", &to, &len);
	ok(r >= 0, "receiver bound");
	ok(udpsock_meta(r, AF_INET) >= 0, "metadata asked for");
	ok(udprx_init(&x, r, 0) == 0, "udprx_init");
	is_int(udprx_batch(&x, UDPRX_BATCH), 0, "nothing queued: 0");
	s = socket(AF_INET, SOCK_DGRAM, 0);
	memset(big, 'z', sizeof big);
	sendto(s, "one", 3, 0, (struct sockaddr *)&to, len);
	sendto(s, "", 0, 0, (struct sockaddr *)&to, len);
	sendto(s, big, sizeof big, 0, (struct sockaddr *)&to, len);
	n = udprx_batch(&x, UDPRX_BATCH);
	is_int(n, 3, "three datagrams in one batch");
	is_int(x.msg[0].msg_len, 3, "first: 3 bytes");
	ok(memcmp(x.iov[0].iov_base, "one", 3) == 0, "  exactly");
	is_int(x.msg[1].msg_len, 0, "second: 0 bytes");
	is_int(x.msg[2].msg_len, 65507, "third: 65507 bytes, not cut");
	udprx_meta(&x, 0, &m);
	is_int(m.af, AF_INET, "IPv4");
	ok(memcmp(m.src, "\x7f\0\0\1", 4) == 0, "source 127.0.0.1");
	ok(memcmp(m.dst, "\x7f\0\0\1", 4) == 0, "destination 127.0.0.1");
	is_int(m.dport, ntohs(((struct sockaddr_in *)&to)->sin_port),
	    "destination port");
	clock_gettime(CLOCK_REALTIME, &now);
	ok(m.ts.tv_sec > 0 && now.tv_sec - m.ts.tv_sec < 60,
	    "kernel time is recent");
	for (i = 0; i < 5; i++)
		sendto(s, "abc", 3, 0, (struct sockaddr *)&to, len);
	is_int(udprx_batch(&x, 2), 2, "vlen bounds the batch");
	is_int(udprx_batch(&x, UDPRX_BATCH), 3, "the rest next time");
	is_int(udprx_dropped(&x), 0, "no drops so far");
	pull(&x, s, &to, len);
	split();
	gro();

	/* a tiny buffer overflows: the kernel's drops are counted */
	udpsock_rcvbuf(r, 4096);
	for (i = 0; i < 200; i++)
		sendto(s, big, 1000, 0, (struct sockaddr *)&to, len);
	total = 0;
	while ((n = udprx_batch(&x, UDPRX_BATCH)) > 0)
		total += n;
	ok(udprx_dropped(&x) > 0, "drops counted (%lld)", udprx_dropped(&x));
	is_int(total + udprx_dropped(&x), 200, "received + dropped = sent");
	udprx_free(&x);
	close(r);
	close(s);

	r = bound(AF_INET6, "::", &to, &len);
	if (r >= 0) {
		struct sockaddr_in dst4;

		ok(udpsock_meta(r, AF_INET6) >= 0, "dual-stack socket");
		udprx_init(&x, r, 0);
		s = socket(AF_INET, SOCK_DGRAM, 0);
		memset(&dst4, 0, sizeof dst4);
		dst4.sin_family = AF_INET;
		dst4.sin_port = ((struct sockaddr_in6 *)&to)->sin6_port;
		inet_pton(AF_INET, "127.0.0.1", &dst4.sin_addr);
		sendto(s, "v4", 2, 0, (struct sockaddr *)&dst4, sizeof dst4);
		is_int(udprx_batch(&x, 1), 1, "IPv4 on a dual-stack socket");
		udprx_meta(&x, 0, &m);
		is_int(m.af, AF_INET, "reported as IPv4");
		ok(memcmp(m.dst, "\x7f\0\0\1", 4) == 0,
		    "destination from IP_PKTINFO, not the wildcard");
		udprx_free(&x);
		close(s);
		close(r);
	}
	return tap_done();
}
