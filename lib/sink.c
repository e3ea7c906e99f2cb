/* sink.c: where tee-sink copies a stream: a file, a command, a socket. */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <netinet/udp.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "sink.h"
#include "sockfd.h"
#include "launch.h"
#include "udpsock.h"

#define RETRY_MIN	(NS_PER_S / 10)	/* reopening a closed sink */
#define RETRY_MAX	(5 * NS_PER_S)
#define REPORT_EVERY	(60 * NS_PER_S)	/* the same failure, once a minute */
#define UDP_MSGS	256	/* udp: messages a sendmmsg */
#define UDP_SEGS	64	/* UDP_MAX_SEGMENTS: records a train */
#define UDP_TRAIN	65507	/* a train's payload: one IPv4 datagram's */

/* The messages of one sendmmsg of a udp: sink, taken from its queue: a
 * record each, or a train of records (UDP_SEGMENT). One for all sinks:
 * they are written one after the other. */
static struct {
	struct mmsghdr m[UDP_MSGS];
	struct iovec v[2 * UDP_MSGS];
	union {
		char buf[CMSG_SPACE(sizeof(uint16_t))];
		struct cmsghdr align;
	} ctl[UDP_MSGS];
	size_t recs[UDP_MSGS], bytes[UDP_MSGS];
} ub;

const char *
sink_parse(const char *spec, struct sink *s, size_t qsize)
{
	const char *e;

	memset(s, 0, sizeof *s);
	s->spec = spec;
	s->fd = -1;
	recqueue_init(&s->q, qsize);
	backoff_init(&s->backoff, RETRY_MIN, RETRY_MAX);
	warnrate_init(&s->warned, REPORT_EVERY);
	if (spec[0] == '|') {
		s->kind = SINK_PIPE;
		s->arg = spec + 1;
		return s->arg[strspn(s->arg, " \t")] == '\0' ?
		    "empty command" : NULL;
	}
	if (strncmp(spec, "udp:", 4) == 0 || strncmp(spec, "tcp:", 4) == 0) {
		s->kind = spec[0] == 'u' ? SINK_UDP : SINK_TCP;
		s->arg = spec + 4;
		if ((e = addr_parse(s->arg, &s->addr)) != NULL)
			return e;
		return s->addr.wildcard ? "missing host" : NULL;
	}
	if (strncmp(spec, "unix:", 5) == 0) {
		s->kind = SINK_UNIX;
		s->arg = spec + 5;
		if (s->arg[0] == '\0')
			return "missing path";
		if (strlen(s->arg) >= sizeof s->un.sun_path)
			return "path too long";
		s->un.sun_family = AF_UNIX;
		strcpy(s->un.sun_path, s->arg);
		return NULL;
	}
	s->kind = SINK_FILE;
	s->arg = spec;
	return spec[0] == '\0' ? "missing path" : NULL;
}

int
sink_stream(const struct sink *s)
{
	return s->kind != SINK_UDP;
}

static int
open_file(struct sink *s, int *hdr)
{
	struct stat st;

	/* O_NONBLOCK: a FIFO without a reader fails (ENXIO) instead of
	 * waiting, and one whose reader is slow never blocks us */
	s->fd = open(s->arg, O_WRONLY | O_APPEND | O_CREAT | O_NONBLOCK |
	    O_CLOEXEC, 0640);
	if (s->fd == -1)
		return -1;
	/* appending to a capture that has its header already */
	*hdr = !(fstat(s->fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_size > 0);
	return 0;
}

static int
open_pipe(struct sink *s)
{
	int p[2], e;

	if (pipe2(p, O_CLOEXEC) == -1)
		return -1;
	if ((s->pid = launch_sh(s->arg, "tee-sink", NULL, p[0], 2)) == -1) {
		e = errno;
		close(p[0]);
		close(p[1]);
		errno = e;
		return -1;
	}
	close(p[0]);
	s->fd = p[1];
	/* room for a burst while the command is busy (best effort) */
	(void)fcntl(s->fd, F_SETPIPE_SZ, 1 << 20);
	return fcntl(s->fd, F_SETFL, O_NONBLOCK);
}

static int
open_socket(struct sink *s)
{
	const struct sockaddr *sa = (const struct sockaddr *)&s->addr.ss;
	socklen_t len = s->addr.len;
	int type = s->kind == SINK_UDP ? SOCK_DGRAM : SOCK_STREAM;

	const char *step;

	if (s->kind == SINK_UDP)
		return (s->fd = udpsock_connect(&s->addr, NULL, 0, -1, 1,
		    &step)) == -1 ? -1 : 0;
	if (s->kind == SINK_UNIX) {
		sa = (const struct sockaddr *)&s->un;
		len = sizeof s->un;
	}
	s->fd = socket(sa->sa_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd == -1)
		return -1;
	if (connect(s->fd, sa, len) == 0)
		return 0;
	if (errno == EINPROGRESS) {
		s->connecting = 1;
		return 0;
	}
	return -1;
}

/* sink_up: the sink took its first byte-ready state: count reopenings. */
static void
sink_up(struct sink *s)
{
	if (s->opened)
		s->reconnects++;
	s->opened = 1;
}

int
sink_open(struct sink *s, const unsigned char *hdr, size_t hdrlen)
{
	int r, e, withhdr = 1;

	s->connecting = 0;
	if (s->kind == SINK_FILE)
		r = open_file(s, &withhdr);
	else if (s->kind == SINK_PIPE)
		r = open_pipe(s);
	else
		r = open_socket(s);
	if (r == -1) {
		e = errno;
		if (s->fd != -1)
			close(s->fd);
		s->fd = -1;
		errno = e;
		return -1;
	}
	s->hdrlen = sink_stream(s) && withhdr ? hdrlen : 0;
	s->hdroff = 0;
	if (s->hdrlen > 0)
		memcpy(s->hdr, hdr, s->hdrlen);
	if (!s->connecting)
		sink_up(s);
	return 0;
}

int
sink_connected(struct sink *s)
{
	int e = sockfd_error(s->fd);

	if (e != 0) {
		sink_close(s);
		errno = e;
		return -1;
	}
	s->connecting = 0;
	sink_up(s);
	return 0;
}

void
sink_close(struct sink *s)
{
	if (s->fd != -1)
		close(s->fd);
	s->fd = -1;
	s->connecting = 0;
	s->blocked = 0;
	s->pid = 0;
	/* the rest of a record cut in two can never be whole: it goes */
	if (recqueue_restart(&s->q))
		s->dropped++;
}

/* piece: the n bytes of the ring from off as one or two pieces in v. */
static size_t
piece(const struct recqueue *q, size_t off, size_t n, struct iovec *v)
{
	size_t first = q->cap - off;

	v[0].iov_base = q->buf + off;
	v[0].iov_len = n < first ? n : first;
	v[1].iov_base = q->buf;
	v[1].iov_len = n - v[0].iov_len;
	return v[1].iov_len ? 2 : 1;
}

/* run: how many records from the k-th queued one go as one train: one
 * size (the last may be shorter, not empty), within the kernel's limits;
 * their bytes in *total. */
static size_t
run(const struct sink *s, size_t k, size_t *total)
{
	const struct recqueue *q = &s->q;
	size_t len = q->lens[(q->lhead + k) % q->lcap], l, r = 1;

	*total = len;
	while (!s->nogso && len > 0 && k + r < q->count && r < UDP_SEGS) {
		l = q->lens[(q->lhead + k + r) % q->lcap];
		if (l > len || l == 0 || *total + l > UDP_TRAIN)
			break;
		*total += l;
		r++;
		if (l < len)
			break;	/* a shorter one ends the train */
	}
	return r;
}

/* segment: make h a train of segments of len bytes. */
static void
segment(struct msghdr *h, char *ctl, size_t ctllen, size_t len)
{
	struct cmsghdr *c;
	uint16_t seg = (uint16_t)len;

	h->msg_control = ctl;
	h->msg_controllen = ctllen;
	c = CMSG_FIRSTHDR(h);
	c->cmsg_level = SOL_UDP;
	c->cmsg_type = UDP_SEGMENT;
	c->cmsg_len = CMSG_LEN(sizeof seg);
	memcpy(CMSG_DATA(c), &seg, sizeof seg);
}

/* gather: the oldest queued records as the messages of ub (records are
 * whole and in order in the ring: a train is one run of bytes). Returns
 * how many. */
static unsigned
gather(const struct sink *s)
{
	const struct recqueue *q = &s->q;
	struct msghdr *h;
	size_t off = q->head, k = 0, r, total, vi = 0;
	unsigned m;

	for (m = 0; k < q->count && m < UDP_MSGS; m++, k += r) {
		r = run(s, k, &total);
		h = &ub.m[m].msg_hdr;
		memset(h, 0, sizeof *h);
		h->msg_iov = &ub.v[vi];
		h->msg_iovlen = piece(q, off, total, &ub.v[vi]);
		vi += h->msg_iovlen;
		if (r > 1)
			segment(h, ub.ctl[m].buf, sizeof ub.ctl[m].buf,
			    q->lens[(q->lhead + k) % q->lcap]);
		ub.recs[m] = r;
		ub.bytes[m] = total;
		off = (off + total) % q->cap;
	}
	return m;
}

/* sent: the first n messages of ub went out. */
static void
sent(struct sink *s, unsigned n)
{
	unsigned i;
	size_t j;

	for (i = 0; i < n; i++) {
		s->records += ub.recs[i];
		s->bytes += ub.bytes[i];
		for (j = 0; j < ub.recs[i]; j++)
			recqueue_pop(&s->q);
	}
}

/* refused_gso: the first message, a train, failed with e: the kernel or
 * the path takes no trains (no checksum offload, a segment over the
 * MTU). This sink sends datagram by datagram from now on, said under -v;
 * nothing is lost. */
static int
refused_gso(struct sink *s, int e)
{
	if (ub.recs[0] < 2 || (e != EIO && e != EINVAL && e != ENOPROTOOPT &&
	    e != EMSGSIZE))
		return 0;
	s->nogso = 1;
	if (s->verbose)
		warnx("%s: UDP_SEGMENT refused (%s): sending one datagram at "
		    "a time", s->spec, strerror(e));
	return 1;
}

/* flush_udp: one datagram per record, many a sendmmsg, runs of one size
 * as trains. A refusal (ICMP port unreachable, reported on the next
 * send) is counted and that send tried once more. */
static int
flush_udp(struct sink *s)
{
	unsigned m;
	int n, again = 0;

	while ((m = gather(s)) > 0) {
		if ((n = sendmmsg(s->fd, ub.m, m, 0)) > 0) {
			sent(s, (unsigned)n);
			again = 0;
			continue;
		}
		if (errno == EINTR || refused_gso(s, errno))
			continue;
		if (errno == EAGAIN || errno == ENOBUFS) {
			s->blocked = 1;
			return 0;
		}
		s->errors++;
		if (errno == ECONNREFUSED && !again++)
			continue;
		recqueue_pop(&s->q);	/* this one cannot go: it is lost */
		s->dropped++;
		return -1;
	}
	return 0;
}

int
sink_flush(struct sink *s)
{
	size_t before;
	ssize_t w;
	long n;
	int e;

	if (s->fd == -1 || s->connecting)
		return 0;
	if (s->kind == SINK_UDP) {
		s->blocked = 0;
		return flush_udp(s);
	}
	s->blocked = 0;
	while (s->hdroff < s->hdrlen) {
		w = write(s->fd, s->hdr + s->hdroff, s->hdrlen - s->hdroff);
		if (w == -1 && errno == EAGAIN) {
			s->blocked = 1;
			return 0;
		}
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			goto fail;
		s->hdroff += (size_t)w;
	}
	before = s->q.used;
	n = recqueue_write(&s->q, s->fd, &e);
	s->bytes += before - s->q.used;
	if (n >= 0) {
		s->records += (uint64_t)n;
		/* what is left did not fit: a retry before POLLOUT is wasted */
		s->blocked = s->q.used > 0;
		return 0;
	}
	errno = e;
fail:
	e = errno;
	sink_close(s);
	errno = e;
	return -1;
}

/* fail: a failure at step what, cause e, counted (errors) when count. */
static void
fail(struct sink *s, const char *what, int e, int count)
{
	s->errors += count != 0;
	warnrate_warnx(&s->warned, e, "%s: unable to %s: %s", s->spec, what,
	    strerror(e));
}

void
sink_retry_later(struct sink *s)
{
	s->retry_at = clock_mono() + backoff_next(&s->backoff);
}

int
sink_start(struct sink *s, const unsigned char *hdr, size_t hdrlen)
{
	static const char *verb[] = { "open", "run", "open", "connect",
	    "connect" };
	int e;

	if (sink_open(s, hdr, hdrlen) == -1) {
		e = errno;
		fail(s, verb[s->kind], e, 1);
		sink_retry_later(s);
		errno = e;
		return -1;
	}
	if (!s->connecting)
		backoff_reset(&s->backoff);
	if (s->verbose)
		warnx("%s: %s", s->spec, s->connecting ? "connecting" :
		    s->reconnects ? "reopened" : "open");
	return 0;
}

void
sink_write(struct sink *s)
{
	if (sink_flush(s) == 0)
		return;
	fail(s, s->kind == SINK_UDP ? "send" : "write", errno,
	    s->kind != SINK_UDP);
	if (s->fd == -1)
		sink_retry_later(s);
}

short
sink_events(const struct sink *s)
{
	short ev = s->connecting || s->q.used > 0 || s->hdroff < s->hdrlen ?
	    POLLOUT : 0;

	/* a stream peer that hangs up while we are idle */
	if (s->kind == SINK_TCP || s->kind == SINK_UNIX)
		ev |= POLLIN;
	return ev;
}

/* peer_gone: what a stream sink's peer sent is read and ignored; 1 when
 * it closed its end (or the connection broke). */
static int
peer_gone(struct sink *s)
{
	char junk[4096];
	ssize_t n;

	if (s->kind != SINK_TCP && s->kind != SINK_UNIX)
		return 0;
	while ((n = recv(s->fd, junk, sizeof junk, MSG_DONTWAIT)) > 0)
		;
	return n == 0 || (errno != EAGAIN && errno != EINTR);
}

void
sink_polled(struct sink *s, short revents)
{
	if (revents == 0 || s->fd == -1)
		return;
	if (revents & (POLLOUT | POLLERR | POLLHUP))
		s->blocked = 0;
	if (s->connecting && sink_connected(s) == -1) {
		fail(s, "connect", errno, 1);
		sink_retry_later(s);
	} else if (!s->connecting && (revents & (POLLIN | POLLHUP |
	    POLLERR)) && peer_gone(s)) {
		if (s->verbose)
			warnx("%s: the peer closed the connection", s->spec);
		sink_close(s);
		sink_retry_later(s);
	}
}

void
sink_exited(struct sink *s, int st)
{
	if (s->verbose)
		warnx("%s: exited %d", s->spec, WIFEXITED(st) ?
		    WEXITSTATUS(st) : 128 + WTERMSIG(st));
	sink_close(s);
	sink_retry_later(s);
}

void
sink_reopen(struct sink *s)
{
	if (s->kind != SINK_FILE || s->fd == -1)
		return;
	sink_flush(s);
	sink_close(s);
	s->retry_at = 0;
}
