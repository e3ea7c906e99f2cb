/*
 * udpblast: benchmark sender. Sends COUNT datagrams of SIZE bytes with
 * sendmmsg, as fast as possible or paced to RATE per second against an
 * absolute schedule, and reports what it achieved.
 *
 * usage: udpblast [-b BATCH] [-g USEC] [-n COUNT] [-r RATE] [-s SIZE]
 *                 [-t SECONDS] -d ADDR:PORT
 *
 * -g USEC (pacing grain) lets the sender wait until USEC worth of
 * datagrams are due and send them together: a wakeup per datagram costs a
 * 2-core VM more than the datagram does (at 25k/s a sender sleeping per
 * datagram used 60 % of a core). 0 (default) sends each one on time.
 *
 * Every payload starts with an 8-byte sequence number and the 8-byte send
 * time (CLOCK_REALTIME, nanoseconds), both big-endian, so a receiver can
 * find gaps and latency. On exit (end of COUNT, -t, INT or TERM) one line
 * goes to stdout:
 *   sent=N seconds=S pps=P cpu=C% retried=R
 * Standalone on purpose (no lib/): the benchmark must not share code with
 * what it measures.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <err.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "num.h"

#define MAXBATCH 1024
#define MAXSIZE 65507
/* Below this gap a sleep overshoots more than it saves: spin instead. */
#define SPIN_NS 20000LL

static volatile sig_atomic_t stop;

static void
usage(void)
{
	fprintf(stderr, "usage: udpblast [-b BATCH] [-g USEC] [-n COUNT] "
	    "[-r RATE] [-s SIZE] [-t SECONDS] -d ADDR:PORT\n");
	exit(100);
}

static void
onsig(int sig)
{
	(void)sig;
	stop = 1;
}

/* Parse a non-negative number of seconds, fractions allowed. */
static double
seconds(const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end != '\0' || errno != 0 || !(v > 0) || v > 86400)
		errx(100, "invalid seconds '%s': invalid", s);
	return v;
}

static long long
now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void
put64(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--) {
		p[i] = (unsigned char)(v & 0xff);
		v >>= 8;
	}
}

/*
 * Sleep until the monotonic time t: clock_nanosleep to just before it
 * (absolute, so a late wakeup never shifts the schedule), then spin.
 */
static void
wait_until(long long t)
{
	struct timespec ts;
	long long n = now_ns(CLOCK_MONOTONIC);

	if (t - n > SPIN_NS) {
		t -= SPIN_NS / 2;
		ts.tv_sec = t / 1000000000LL;
		ts.tv_nsec = t % 1000000000LL;
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
		t += SPIN_NS / 2;
	}
	while (!stop && now_ns(CLOCK_MONOTONIC) < t)
		;
}

struct blast {
	int fd;
	unsigned long long count, rate, sent, retried;
	unsigned batch, grain;	/* grain: datagrams to wait for, >= 1 */
	size_t size;
	long long start, deadline, end;
	struct mmsghdr *msgs;
	unsigned char *bufs;
};

/*
 * How many datagrams to send now: with a rate, those whose due time
 * (start + i/rate) has passed, at most one batch (so a late sender catches
 * up in bursts of BATCH); 0 after waiting for the next due time.
 */
static unsigned
blast_due(struct blast *b)
{
	unsigned long long due;
	long long t, elapsed;

	if (b->rate == 0)
		due = b->count;
	else {
		elapsed = now_ns(CLOCK_MONOTONIC) - b->start;
		due = (unsigned long long)((double)elapsed * (double)b->rate /
		    1e9) + 1;
		if (due > b->count)
			due = b->count;
		if (due <= b->sent) {
			due = b->sent + b->grain;
			if (due > b->count)
				due = b->count;
			t = b->start + (long long)((double)(due - 1) * 1e9 /
			    (double)b->rate);
			if (t > b->deadline)
				t = b->deadline;
			wait_until(t);
			return 0;
		}
	}
	if (due - b->sent > b->batch)
		return b->batch;
	return (unsigned)(due - b->sent);
}

/* Send n datagrams starting at sequence b->sent; retry what the kernel
 * refuses for lack of buffer space. Exits 111 on any other error. */
static void
blast_send(struct blast *b, unsigned n)
{
	unsigned i;
	int e, r;
	uint64_t t = (uint64_t)now_ns(CLOCK_REALTIME);
	struct pollfd pfd = { .fd = b->fd, .events = POLLOUT };

	for (i = 0; i < n; i++) {
		put64(b->bufs + i * b->size, b->sent + i);
		put64(b->bufs + i * b->size + 8, t);
	}
	i = 0;
	while (i < n && !stop) {
		r = sendmmsg(b->fd, b->msgs + i, n - i, 0);
		if (r > 0) {
			i += (unsigned)r;
			b->sent += (unsigned)r;
			continue;
		}
		e = errno;
		if (e == EINTR)
			continue;
		if (e != EAGAIN && e != EWOULDBLOCK && e != ENOBUFS)
			err(111, "unable to send");
		b->retried++;
		if (now_ns(CLOCK_MONOTONIC) >= b->deadline)
			return;
		if (e == ENOBUFS)
			sched_yield();
		else
			poll(&pfd, 1, 10);
	}
}

static void
blast_init(struct blast *b, const struct sockaddr_storage *dst,
    socklen_t dstlen)
{
	struct iovec *iov;
	unsigned i;

	b->fd = socket(dst->ss_family, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	if (b->fd == -1)
		err(111, "unable to create socket");
	b->msgs = calloc(b->batch, sizeof *b->msgs);
	iov = calloc(b->batch, sizeof *iov);
	b->bufs = calloc(b->batch, b->size);
	if (b->msgs == NULL || iov == NULL || b->bufs == NULL)
		err(111, "unable to allocate buffers");
	for (i = 0; i < b->batch; i++) {
		memset(b->bufs + i * b->size + 16, 'x', b->size - 16);
		iov[i].iov_base = b->bufs + i * b->size;
		iov[i].iov_len = b->size;
		b->msgs[i].msg_hdr.msg_iov = &iov[i];
		b->msgs[i].msg_hdr.msg_iovlen = 1;
		/* Unconnected: ICMP port unreachable from a closed port must
		 * not turn into ECONNREFUSED on the next send. */
		b->msgs[i].msg_hdr.msg_name = (void *)dst;
		b->msgs[i].msg_hdr.msg_namelen = dstlen;
	}
}

static void
report(const struct blast *b)
{
	struct rusage ru;
	double secs, cpu;

	secs = (double)(b->end - b->start) / 1e9;
	if (getrusage(RUSAGE_SELF, &ru) == -1)
		err(111, "unable to read resource usage");
	cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	printf("sent=%llu seconds=%.3f pps=%.0f cpu=%.0f%% retried=%llu\n",
	    b->sent, secs, secs > 0 ? (double)b->sent / secs : 0.0,
	    secs > 0 ? 100.0 * cpu / secs : 0.0, b->retried);
	if (fflush(stdout) == EOF || ferror(stdout))
		err(111, "unable to write output");
}

int
main(int argc, char *argv[])
{
	struct blast b = { .count = LLONG_MAX, .batch = 32, .size = 64 };
	struct sockaddr_storage dst;
	struct sigaction sa;
	socklen_t dstlen = 0;
	struct addr da;
	double maxsec = 86400;
	unsigned long long grain = 0;
	unsigned n;
	int c;

	while ((c = getopt(argc, argv, "b:d:g:n:r:s:t:")) != -1) {
		switch (c) {
		case 'b': b.batch = (unsigned)num_arg("batch", optarg, 1, MAXBATCH);
			break;
		case 'd':
			addr_arg("address", optarg, &da);
			dst = da.ss;
			dstlen = da.len;
			break;
		case 'g': grain = num_arg("grain", optarg, 0, 1000000); break;
		case 'n': b.count = num_arg("count", optarg, 1, LLONG_MAX); break;
		case 'r': b.rate = num_arg("rate", optarg, 0, 100000000); break;
		case 's': b.size = (size_t)num_arg("size", optarg, 16, MAXSIZE);
			break;
		case 't': maxsec = seconds(optarg); break;
		default: usage();
		}
	}
	if (optind != argc || dstlen == 0)
		usage();

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = onsig;	/* no SA_RESTART: sleeps must end early */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	/* Datagrams per wakeup, at most a batch. */
	b.grain = (unsigned)(grain * b.rate / 1000000);
	if (b.grain > b.batch)
		b.grain = b.batch;
	if (b.grain < 1)
		b.grain = 1;
	/* The default 50 us timer slack would make every sleep late. */
	prctl(PR_SET_TIMERSLACK, 1UL);
	blast_init(&b, &dst, dstlen);
	b.start = b.end = now_ns(CLOCK_MONOTONIC);
	b.deadline = b.start + (long long)(maxsec * 1e9);
	while (!stop && b.sent < b.count &&
	    now_ns(CLOCK_MONOTONIC) < b.deadline) {
		n = blast_due(&b);
		if (n == 0)
			continue;
		blast_send(&b, n);
	}
	/* The run lasted until its end, -t or a signal included. */
	b.end = now_ns(CLOCK_MONOTONIC);
	report(&b);
	free(b.msgs[0].msg_hdr.msg_iov);
	free(b.msgs);
	free(b.bufs);
	close(b.fd);
	return 0;
}
