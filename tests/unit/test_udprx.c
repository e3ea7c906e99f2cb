/* test_udprx.c: batches from a real socket keep bytes, sender, destination
 * and time; a full receive buffer shows up as drops; udprx_pull writes
 * each datagram as a record. */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

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
	is_int(udprx_pull(x, UDPRX_BATCH, &w), 0, "udprx_pull: none: 0");
	sendto(s, "ab", 2, 0, (struct sockaddr *)to, len);
	sendto(s, "cd", 2, 0, (struct sockaddr *)to, len);
	sendto(s, "ef", 2, 0, (struct sockaddr *)to, len);
	usleep(10000);
	is_int(udprx_pull(x, 2, &w), 2, "  up to vlen");
	is_int(x->received, 2, "  counted");
	is_int(udprx_pull(x, UDPRX_BATCH, &w), 1, "  the rest");
	is_int(x->received, 3, "  counted");
	is_int(w.written, 3, "  written");
	recout_flush(&w);
	is_int(read(p[0], buf, sizeof buf), 9, "  as lines");
	ok(memcmp(buf, "ab\ncd\nef\n", 9) == 0, "  in order");
	recout_free(&w);
	close(p[0]);
	close(p[1]);
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
	ok(udpsock_meta(r, AF_INET) == 0, "metadata asked for");
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

		ok(udpsock_meta(r, AF_INET6) == 0, "dual-stack socket");
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
