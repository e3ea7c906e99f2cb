/* test_udpsrc.c: a socket's datagrams are pulled up to the count, more
 * is read at once only after a whole batch, a drain takes what is
 * queued, a wait ends at its deadline or on data; a capture file is
 * read to its end without a wait and never drained, and one cut short
 * counts as lost. */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "tap.h"
#include "udpsock.h"
#include "udpsrc.h"

#define FX	"tests/fixtures/"

/* bound: a receiving socket on 127.0.0.1, any port, its address in *to */
static int
bound(struct sockaddr_in *to)
{
	socklen_t len = sizeof *to;
	struct addr a;
	const char *step;
	int fd;

	if (addr_parse("127.0.0.1:0", &a) != NULL ||
	    (fd = udpsock_bind(&a, 0, 0, NULL, 0, &step)) == -1)
		return -1;
	getsockname(fd, (struct sockaddr *)to, &len);
	return fd;
}

static void
sendn(int s, const struct sockaddr_in *to, int n)
{
	while (n-- > 0)
		sendto(s, "ab", 2, 0, (const struct sockaddr *)to, sizeof *to);
	usleep(10000);
}

static void
socket_mode(void)
{
	struct sockaddr_in to;
	struct udpsrc src;
	struct recout w;
	uint64_t iface = 9, t;
	int r, s, p[2];

	r = bound(&to);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	ok(r >= 0 && s >= 0 && pipe(p) == 0, "a socket, a sender, a pipe");
	recout_init(&w, p[1], RECOUT_LINE, 0);
	udpsrc_init(&src, &w, 2);
	src.fd = r;
	ok(udprx_init(&src.rx, r, 0) == 0, "udprx_init");
	is_int(udpsrc_pull(&src), 0, "udpsrc_pull: nothing queued: 0");
	ok(!udpsrc_more(&src, 0), "  then wait");
	ok(!udpsrc_more(&src, 1), "  a short batch: wait");
	ok(udpsrc_more(&src, UDPRX_BATCH), "  a whole batch: read on");
	t = clock_mono();
	udpsrc_wait(&src, -1, t, t + 20000000);
	ok(clock_mono() - t >= 20000000, "udpsrc_wait: until the deadline");
	sendn(s, &to, 3);
	t = clock_mono();
	udpsrc_wait(&src, -1, t, UINT64_MAX);
	ok(clock_mono() - t < 1000000000, "  or data");
	is_int(udpsrc_pull(&src), 2, "two of three: the count");
	is_int(w.written, 2, "  written");
	is_int(udpsrc_pull(&src), -1, "then the count is reached: -1");
	is_int(udpsrc_received(&src), 2, "udpsrc_received");
	is_int(udpsrc_dropped(&src, &iface), 0, "udpsrc_dropped: none");
	is_int(iface, 0, "  none by an interface");
	is_int(udpsrc_lost(&src), 0, "udpsrc_lost: none");
	src.count = 0;
	sendn(s, &to, 2);
	udpsrc_drain(&src, 1000000000);
	is_int(w.written, 5, "udpsrc_drain: what was queued");
	udpsrc_close(&src);
	recout_free(&w);
	close(p[0]);
	close(p[1]);
	close(r);
	close(s);
}

/* file: udpsrc of the capture file path pulled to its end, with what
 * udpsrc_received and udpsrc_dropped then said in got[0..2]; lost */
static long long
file(const char *path, struct udpsrc *src, int *waits, uint64_t got[3])
{
	struct recout w;
	long long lost;
	int null, n;

	if ((null = open("/dev/null", O_WRONLY)) == -1 ||
	    recout_init(&w, null, RECOUT_TEXT, 0) == -1)
		return -100;
	udpsrc_init(src, &w, 0);
	udpcap_open(&src->cap, NULL, path, 1 << 20, NULL, &w, 0);
	*waits = 0;
	while ((n = udpsrc_pull(src)) >= 0)
		if (!udpsrc_more(src, n))
			(*waits)++;
	udpsrc_drain(src, 1000000000);
	lost = udpsrc_lost(src);
	got[0] = udpsrc_received(src);
	got[1] = udpsrc_dropped(src, &got[2]);
	udpsrc_close(src);
	recout_free(&w);
	close(null);
	return lost;
}

static void
file_mode(void)
{
	struct udpsrc src;
	uint64_t got[3] = { 9, 9, 9 };
	int waits;

	is_int(file(FX "lo-en10mb.pcap", &src, &waits, got), 0,
	    "a capture file: nothing lost");
	is_int(got[0], 14, "  its 14 packets received");
	is_int(got[1], 0, "  none dropped");
	is_int(got[2], 0, "  nor by an interface");
	is_int(waits, 0, "  read without a wait");
	ok(src.cap.p == NULL, "udpsrc_close: the capture closed");
	is_int(file(FX "real-trunc.pcap", &src, &waits, got), 1,
	    "a file cut short lost its tail");
}

int
main(void)
{
	socket_mode();
	file_mode();
	return tap_done();
}
