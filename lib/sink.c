/* sink.c: where tee-sink copies a stream: a file, a command, a socket. */
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "sink.h"
#include "sockfd.h"
#include "spawnsh.h"
#include "udpsock.h"

const char *
sink_parse(const char *spec, struct sink *s, size_t qsize)
{
	const char *e;

	memset(s, 0, sizeof *s);
	s->spec = spec;
	s->fd = -1;
	recqueue_init(&s->q, qsize);
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
	if ((s->pid = spawn_sh(s->arg, "tee-sink", NULL, p[0], 2)) == -1) {
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

/* flush_udp: one datagram per record. A refusal (ICMP port unreachable,
 * reported on the next send) is counted and that send tried once more. */
static int
flush_udp(struct sink *s)
{
	struct iovec v[2];
	struct msghdr m;
	int cnt, again = 0;

	while ((cnt = recqueue_head(&s->q, v)) > 0) {
		memset(&m, 0, sizeof m);
		m.msg_iov = v;
		m.msg_iovlen = (size_t)cnt;
		if (sendmsg(s->fd, &m, 0) >= 0) {
			s->records++;
			s->bytes += v[0].iov_len + (cnt > 1 ? v[1].iov_len : 0);
			recqueue_pop(&s->q);
			again = 0;
			continue;
		}
		if (errno == EINTR)
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
