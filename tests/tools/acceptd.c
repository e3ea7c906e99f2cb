/*
 * acceptd: a minimal TCP accept server for connstorm's tests and bench:
 * one epoll loop, non-blocking, backlog 4096, counting what it accepted.
 *
 * usage: acceptd [-a FILE] [-b BACKLOG] [-m MODE] [-n BYTES] ADDRESS
 *
 * Modes (-m):
 *   close  close each connection right after accept (the default)
 *   http   read a request up to its empty line, answer a fixed HTTP/1.0
 *          200 response (REPLY below), close: the server closes first
 *   wrong  read BYTES (-n, default 4) and answer as many different bytes
 *          (each byte with bit 0x20 flipped), close: a broken echo server
 *   hold   keep each connection open, never answer, close only when
 *          the peer closes: a server that never replies
 *   stall  never accept: once the accept queue (-b) is full the kernel
 *          drops SYNs, the ListenOverflows of a server that cannot keep up
 *
 * -a FILE gets the bound address ("127.0.0.1:PORT") once it listens, so
 * ADDRESS may have port 0. On startup stderr gets
 *   acceptd: bound ADDRESS mode=MODE reply=LEN
 * (LEN: the bytes each connection is answered, 0 for close and hold). On
 * SIGUSR1 stdout gets, and on TERM or INT (after accepting what is left
 * in the accept queue) stdout gets and acceptd exits 0:
 *   acceptd: accepted=N answered=N aborted=N nofd=N open=N peak=N
 * accepted counts accept() successes, answered the replies fully written,
 * aborted ECONNABORTED from accept, nofd EMFILE/ENFILE, open and peak the
 * connections held now and at most at once.
 */
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "addrfile.h"
#include "arg.h"
#include "num.h"
#include "sig.h"
#include "tcpsock.h"

#define USAGE "usage: acceptd [-a FILE] [-b BACKLOG] " \
	"[-m close|http|wrong|hold|stall] [-n BYTES] ADDRESS"
#define EVENTS 256
#define ACCEPT_BATCH 256	/* accepts per wake-up: connections get a turn */
#define LISTENER UINT64_MAX	/* epoll data of the listener */
#define SIGNALS (UINT64_MAX - 1)

#define REPLY "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n" \
	"Content-Length: 3\r\nConnection: close\r\n\r\nok\n"

enum { M_CLOSE, M_HTTP, M_WRONG, M_HOLD, M_STALL, NMODE };
static const char *const modename[NMODE] = { "close", "http", "wrong",
	"hold", "stall" };

/* per connection, indexed by its descriptor */
struct conn {
	uint32_t got;		/* wrong: bytes read; http: "\r\n\r\n" matched */
	int open;
};

struct srv {
	int mode, lfd, ep, listening;
	uint32_t want;		/* -n */
	struct conn *c;
	size_t nc;
	unsigned long long accepted, answered, aborted, nofd, open, peak;
};

static void
fdlimit(struct srv *s)
{
	struct rlimit rl;

	/* hold mode keeps every connection: as many as the hard limit allows */
	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		err(111, "unable to read RLIMIT_NOFILE");
	rl.rlim_cur = rl.rlim_max;
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 1048576)
		rl.rlim_cur = 1048576;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
		err(111, "unable to raise RLIMIT_NOFILE");
	s->nc = rl.rlim_cur;
	s->c = calloc(s->nc, sizeof *s->c);
	if (s->c == NULL)
		err(111, "unable to allocate connection table");
}

static void
report(const struct srv *s)
{
	printf("acceptd: accepted=%llu answered=%llu aborted=%llu nofd=%llu "
	    "open=%llu peak=%llu\n", s->accepted, s->answered, s->aborted,
	    s->nofd, s->open, s->peak);
	if (fflush(stdout) == EOF)
		err(111, "unable to write output");
}

/* listener_arm: take (on) or stop taking (off) connections: a full
 * descriptor table must not spin the loop on EMFILE. */
static void
listener_arm(struct srv *s, int on)
{
	struct epoll_event ev = { .events = on ? EPOLLIN : 0,
	    .data.u64 = LISTENER };

	if (s->listening == on)
		return;
	if (epoll_ctl(s->ep, EPOLL_CTL_MOD, s->lfd, &ev) == -1)
		err(111, "unable to change listener events");
	s->listening = on;
}

static void
conn_close(struct srv *s, int fd)
{
	s->c[fd].open = 0;
	s->open--;
	close(fd);
	listener_arm(s, 1);
}

static void
conn_add(struct srv *s, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP,
	    .data.u64 = (uint64_t)fd };

	if ((size_t)fd >= s->nc) {	/* cannot happen under the limit */
		close(fd);
		return;
	}
	s->c[fd].got = 0;
	s->c[fd].open = 1;
	if (++s->open > s->peak)
		s->peak = s->open;
	if (epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &ev) == -1)
		err(111, "unable to watch a connection");
}

/* Accept up to max connections; 0 once the queue is empty. */
static int
take(struct srv *s, int max)
{
	int fd;

	while (max-- > 0) {
		fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			switch (errno) {
			case EAGAIN:
				return 0;
			case EINTR:
				continue;
			case ECONNABORTED:
				s->aborted++;
				continue;
			case EMFILE: case ENFILE:
				s->nofd++;
				listener_arm(s, 0);
				return 0;
			default:
				err(111, "unable to accept a connection");
			}
		}
		s->accepted++;
		if (s->mode == M_CLOSE)
			close(fd);
		else
			conn_add(s, fd);
	}
	return 1;
}

/* reply: write all n bytes (a fresh socket's send buffer takes a few
 * KiB, so a short write means the peer is gone). Returns 0 or -1. */
static int
reply(int fd, const void *buf, size_t n)
{
	return write(fd, buf, n) == (ssize_t)n ? 0 : -1;
}

/* wrong: answer each byte of the request with bit 0x20 flipped, as it
 * comes; close after want bytes. */
static void
wrong(struct srv *s, int fd, unsigned char *buf, size_t n)
{
	struct conn *c = &s->c[fd];
	size_t i;

	if (n > s->want - c->got)
		n = s->want - c->got;
	for (i = 0; i < n; i++)
		buf[i] ^= 0x20;
	if (reply(fd, buf, n) == -1) {
		conn_close(s, fd);
		return;
	}
	c->got += (uint32_t)n;
	if (c->got == s->want) {
		s->answered++;
		conn_close(s, fd);
	}
}

/* http: look for the request's empty line, even split over reads. */
static void
http(struct srv *s, int fd, const unsigned char *buf, size_t n)
{
	static const char end[] = "\r\n\r\n";
	struct conn *c = &s->c[fd];
	size_t i;

	for (i = 0; i < n && c->got < 4; i++) {
		if (buf[i] == (unsigned char)end[c->got])
			c->got++;
		else
			c->got = buf[i] == '\r';
	}
	if (c->got < 4)
		return;
	if (reply(fd, REPLY, sizeof REPLY - 1) == 0)
		s->answered++;
	conn_close(s, fd);
}

/* serve: read what fd has; close on EOF or error. */
static void
serve(struct srv *s, int fd)
{
	unsigned char buf[4096];
	ssize_t n;

	n = read(fd, buf, sizeof buf);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		conn_close(s, fd);
		return;
	}
	if (s->mode == M_WRONG)
		wrong(s, fd, buf, (size_t)n);
	else if (s->mode == M_HTTP)
		http(s, fd, buf, (size_t)n);
	/* hold: the bytes are dropped, the connection stays */
}

/* Returns 1 to go on, 0 to stop (TERM, INT). */
static int
signals(struct srv *s)
{
	int stop = 0;

	if (sig_take(SIGUSR1))
		report(s);
	if (sig_take(SIGTERM))
		stop = 1;
	if (sig_take(SIGINT))
		stop = 1;
	return !stop;
}

static void
run(struct srv *s)
{
	struct epoll_event ev[EVENTS];
	int i, n;

	for (;;) {
		n = epoll_wait(s->ep, ev, EVENTS, -1);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			err(111, "unable to wait for events");
		}
		for (i = 0; i < n; i++) {
			if (ev[i].data.u64 == SIGNALS) {
				if (!signals(s))
					return;
			} else if (ev[i].data.u64 == LISTENER) {
				take(s, ACCEPT_BATCH);
			} else if (s->c[ev[i].data.u64].open) {
				serve(s, (int)ev[i].data.u64);
			}
		}
	}
}

static int
parsemode(const char *m)
{
	int i;

	for (i = 0; i < NMODE; i++)
		if (strcmp(m, modename[i]) == 0)
			return i;
	arg_fail("mode", m, "not close, http, wrong, hold or stall");
}

static void
setup(struct srv *s, const char *address, const char *afile, int backlog)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	struct addr a;
	char buf[ADDR_STRLEN];
	const char *step;
	int sfd;

	addr_arg("address", address, &a);
	fdlimit(s);
	if ((sfd = sig_init()) == -1 || sig_catch(SIGTERM) == -1 ||
	    sig_catch(SIGINT) == -1 || sig_catch(SIGUSR1) == -1 ||
	    sig_ignore(SIGPIPE) == -1)
		err(111, "unable to set up signals");
	s->lfd = tcpsock_listen(&a, backlog, 0, &step);
	if (s->lfd == -1)
		err(111, "unable to %s %s", step, address);
	if (getsockname(s->lfd, (struct sockaddr *)&ss, &len) == -1)
		err(111, "unable to read the bound address");
	addr_format((struct sockaddr *)&ss, buf);
	if ((s->ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		err(111, "unable to create epoll");
	/* stall: the listener is in the set but never wakes the loop */
	ev.events = s->mode == M_STALL ? 0 : EPOLLIN;
	ev.data.u64 = LISTENER;
	if (epoll_ctl(s->ep, EPOLL_CTL_ADD, s->lfd, &ev) == -1)
		err(111, "unable to watch the listener");
	s->listening = s->mode != M_STALL;
	ev.events = EPOLLIN;
	ev.data.u64 = SIGNALS;
	if (epoll_ctl(s->ep, EPOLL_CTL_ADD, sfd, &ev) == -1)
		err(111, "unable to watch signals");
	fprintf(stderr, "acceptd: bound %s mode=%s reply=%zu\n", buf,
	    modename[s->mode],
	    s->mode == M_HTTP ? sizeof REPLY - 1 :
	    s->mode == M_WRONG ? (size_t)s->want : 0);
	if (afile != NULL && addrfile_write(afile, buf) == -1)
		err(111, "unable to write %s", afile);
}

int
main(int argc, char *argv[])
{
	struct srv s;
	const char *afile = NULL;
	int ch, backlog = 4096;

	memset(&s, 0, sizeof s);
	s.want = 4;
	arg_usage = USAGE;
	opterr = 0;
	while ((ch = getopt(argc, argv, "a:b:hm:n:")) != -1) {
		switch (ch) {
		case 'a': afile = optarg; break;
		case 'b': backlog = (int)num_arg("backlog", optarg, 1, 65535); break;
		case 'h': arg_help(0); break;
		case 'm': s.mode = parsemode(optarg); break;
		case 'n': s.want = (uint32_t)num_arg("length", optarg, 1, 4096); break;
		default: arg_badopt("a:b:hm:n:");
		}
	}
	if (argc - optind != 1)
		arg_misuse("%s", "need one ADDRESS");
	setup(&s, argv[optind], afile, backlog);
	run(&s);
	/* what the kernel already accepted counts: connstorm may have
	 * finished with it before the last wake-up */
	while (s.mode != M_STALL && take(&s, ACCEPT_BATCH))
		;
	report(&s);
	free(s.c);
	return 0;
}
