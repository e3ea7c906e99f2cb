/* logfeed.c: records from an input into a channel directory. */
#include <sys/uio.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>

#include "arg.h"
#include "clock.h"
#include "frame.h"
#include "logfeed.h"
#include "timefmt.h"

#define LOGFEED_PIPE	(1 << 20)	/* a pipe on stdin grows to this */

int
logfeed_stamp_arg(const char *s)
{
	if (strcmp(s, "iso") == 0)
		return LOGFEED_ISO;
	if (strcmp(s, "tai64n") == 0)
		return LOGFEED_TAI64N;
	arg_fail("stamp", s, "use iso or tai64n");
	return LOGFEED_NOSTAMP;
}

void
logfeed_init(struct logfeed *f, struct logdir *d, int fd, size_t maxline,
    int stamp)
{
	int size;

	memset(f, 0, sizeof *f);
	recin_init(&f->in, fd, maxline);
	/* a 64 KiB pipe at 1.25 GB/s wakes the reader every 50 us and
	 * stalls the writer whenever chanlog is scheduled out: 1 MiB (the
	 * unprivileged maximum by default) where the kernel lets it */
	if ((size = fcntl(fd, F_GETPIPE_SZ)) != -1 && size < LOGFEED_PIPE)
		(void)fcntl(fd, F_SETPIPE_SZ, LOGFEED_PIPE);
	f->d = d;
	f->stamp = stamp;
	f->framing = -1;
}

void
logfeed_start(struct logfeed *f)
{
	f->framing = f->in.framing;
	if (f->framing == FRAME_PCAP && f->stamp != LOGFEED_NOSTAMP)
		warnx("the input is pcap: -e %s is for text lines, ignored",
		    f->stamp == LOGFEED_ISO ? "iso" : "tai64n");
	logdir_start(f->d, f->framing, f->in.hdr, f->in.rd.swap);
}

void
logfeed_line(struct logfeed *f, const unsigned char *s, size_t n, int flags,
    const struct timespec *now)
{
	char stamp[TIMEFMT_ISO_LEN + 1];
	struct iovec v[3];
	int c = 0;
	size_t k;

	if (f->stamp != LOGFEED_NOSTAMP) {
		if (f->stamp == LOGFEED_ISO)
			k = timefmt_iso(stamp, now->tv_sec,
			    (uint32_t)now->tv_nsec);
		else
			k = timefmt_tai64n(stamp, now->tv_sec,
			    (uint32_t)now->tv_nsec);
		stamp[k++] = ' ';
		v[c].iov_base = stamp;
		v[c++].iov_len = k;
	}
	v[c].iov_base = (void *)s;
	v[c++].iov_len = n;
	/* salvage takes a NUL for a hole while the stream has had none */
	if (!f->d->mark.nul && memchr(s, 0, n) != NULL)
		logdir_nul(f->d);
	if (!(flags & LINE_NONL)) {
		v[c].iov_base = "\n";
		v[c++].iov_len = 1;
	}
	if ((flags & LINE_SPLIT) && !(flags & LINE_MORE))
		f->split++;
	logdir_put(f->d, v, c, now->tv_sec, (uint32_t)now->tv_nsec);
}

int
logfeed_take(struct logfeed *f, int max)
{
	struct timespec now;
	struct iovec v;
	struct rec r;
	int i, n = 1;

	clock_gettime(CLOCK_REALTIME, &now);
	for (i = 0; i < max; i++) {
		if ((n = recin_next(&f->in, &r)) != 1)
			break;
		f->records++;
		f->bytes += r.n;
		if (f->framing == FRAME_TEXT) {
			logfeed_line(f, r.p, r.n, r.flags, &now);
			continue;
		}
		v.iov_base = (void *)r.p;
		v.iov_len = r.n;
		logdir_put(f->d, &v, 1, r.sec, r.nsec);
	}
	if (i == max)
		return 2;
	if (n == RECIN_AGAIN)
		return 1;
	if (n == -1)
		f->refused = recin_fail(&f->in);
	return n;
}

void
logfeed_wait(struct logfeed *f, int sigfd, int now_only)
{
	struct pollfd pfd[2] = { { f->in.fd, POLLIN, 0 },
	    { sigfd, POLLIN, 0 } };
	uint64_t now = clock_mono(), due;
	struct timespec ts, *tp = NULL;

	logdir_write(f->d);
	due = now_only ? now : logdir_due(f->d);
	if (due != UINT64_MAX) {
		ts = clock_ts(due > now ? due - now : 0);
		tp = &ts;
	}
	if (ppoll(pfd, 2, tp, NULL) == -1 && errno != EINTR)
		err(111, "unable to wait for input");
}

void
logfeed_cut(struct logfeed *f)
{
	struct timespec now;
	struct rec r;
	size_t n;

	if ((n = recin_rest(&f->in)) == 0)
		return;
	if (f->framing == FRAME_PCAP) {
		warnx("TERM: dropped a partial record (%zu bytes of it read)",
		    n);
		f->d->dropped++;
		return;
	}
	/* a line cut short by TERM is still data: keep it */
	clock_gettime(CLOCK_REALTIME, &now);
	while (recin_next(&f->in, &r) == 1)
		logfeed_line(f, r.p, r.n, r.flags, &now);
}
