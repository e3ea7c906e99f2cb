/* test_connpool.c: connections over loopback through every state:
 * refused, connected, a reply checked, a mismatch, the server's close,
 * a timeout, a hold, and the end cutting what is left. */
#include <sys/epoll.h>
#include <sys/socket.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "connpool.h"
#include "tap.h"
#include "tcpsock.h"

#define MS 1000000ull

static struct connpool p;
static struct addr srv, closed;
static int lfd, told[STORM_NCAUSE];

static void
onfail(void *arg, int cause, int e)
{
	(void)arg;
	(void)e;
	told[cause]++;
}

/* drive: the pool's events for up to ms, or until none is open. */
static void
drive(uint64_t ms)
{
	struct epoll_event ev[8];
	uint64_t end = clock_mono() + ms * MS;
	int n, k;

	while (p.open > 0 && clock_mono() < end) {
		n = epoll_wait(p.ep, ev, 8, 10);
		for (k = 0; k < n; k++)
			connpool_event(&p, ev[k].data.u64, ev[k].events,
			    clock_mono());
	}
}

/* fresh: a pool whose connections send payload and expect reply (NULL:
 * expect n bytes of anything), then hold for hold ns. */
static void
fresh(const struct addr *dst, const char *payload, const char *reply,
    uint64_t n, uint64_t hold)
{
	if (p.c != NULL) {
		close(p.ep);
		connpool_free(&p);
	}
	memset(&p, 0, sizeof p);
	memset(told, 0, sizeof told);
	p.dst = dst;
	p.payload = (const unsigned char *)payload;
	p.npayload = payload ? strlen(payload) : 0;
	p.reply = (const unsigned char *)reply;
	p.expect = reply ? strlen(reply) : n;
	p.timeout = 5000 * MS;
	p.hold = hold;
	p.onfail = onfail;
	p.holdfrom = 0;
	p.holdto = UINT64_MAX;
	if (connpool_init(&p, 4) == -1 ||
	    (p.ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		exit(1);
}

/* take: the connection waiting on the (non-blocking) listener, within
 * a second, or -1. */
static int
take(void)
{
	int s, n;

	for (n = 0; (s = accept(lfd, NULL, NULL)) == -1 && n < 1000; n++)
		usleep(1000);
	return s;
}

/* drain: close what waits on the listener. */
static void
drain(void)
{
	int s;

	while ((s = accept(lfd, NULL, NULL)) >= 0)
		close(s);
}

/* serve: accept the connection waiting, read want bytes, answer with
 * answer (NULL: close at once). */
static void
serve(const char *want, const char *answer)
{
	char buf[16];
	int s;

	drive(50);	/* let it connect and send */
	if ((s = take()) == -1)
		return;
	if (want != NULL)
		(void)read(s, buf, strlen(want));
	if (answer != NULL)
		(void)write(s, answer, strlen(answer));
	else
		close(s);
	drive(1000);
	close(s);
}

static void
test_refused(void)
{
	fresh(&closed, NULL, NULL, 0, 0);
	connpool_start(&p);
	drive(1000);
	is_int(p.sec.attempted, 1, "refused: attempted");
	is_int(p.sec.failed, 1, "  failed");
	is_int(p.sec.cause[STORM_REFUSED], 1, "  by refusal");
	is_int(told[STORM_REFUSED], 1, "  and told");
	is_int(p.open, 0, "  none open");
}

static void
test_connect(void)
{
	fresh(&srv, NULL, NULL, 0, 0);
	connpool_start(&p);
	is_int(p.open, 1, "connect only: one open");
	ok(connpool_next(&p) != UINT64_MAX, "  its timeout is due");
	drive(1000);
	is_int(p.sec.established, 1, "  established");
	is_int(p.sec.completed, 1, "  completed");
	is_int(p.holddone, 1, "  started in the hold: counted");
	is_int(p.hconnect.n, 1, "  its connect latency recorded");
	is_int(p.peak, 1, "  peak 1");
	ok(connpool_next(&p) == UINT64_MAX, "  nothing due");
	drain();
	connpool_clear(&p);
	ok(p.sec.completed == 0 && p.peak == 0 && p.hconnect.n == 0,
	    "clear: counts and histograms zero");
}

static void
test_reply(void)
{
	fresh(&srv, "ping", "pong", 0, 0);
	connpool_start(&p);
	serve("ping", "pong");
	is_int(p.sec.completed, 1, "ping, pong: completed");
	is_int(p.hreply.n, 1, "  its reply latency recorded");

	fresh(&srv, "ping", "pong", 0, 0);
	connpool_start(&p);
	serve("ping", "pInG");
	is_int(p.sec.cause[STORM_MISMATCH], 1, "ping, pInG: a mismatch");

	fresh(&srv, "ping", NULL, 4, 0);
	connpool_start(&p);
	serve("ping", NULL);
	is_int(p.sec.cause[STORM_EOF], 1, "closed before the reply: eof");
}

static void
test_end(void)
{
	fresh(&srv, NULL, NULL, 0, 60000 * MS);
	connpool_start(&p);
	drive(100);
	is_int(p.open, 1, "a hold: still open");
	ok(connpool_next(&p) > clock_mono() + 50000 * MS,
	    "  due at the end of the hold");
	connpool_abort(&p);
	ok(p.sec.completed == 1 && p.aborted == 0 && p.open == 0,
	    "  the end cuts it: completed, not aborted");
	drain();

	fresh(&srv, NULL, NULL, 4, 0);
	connpool_start(&p);
	drive(100);
	connpool_expire(&p, clock_mono() + 6000 * MS);
	is_int(p.sec.cause[STORM_TIMEOUT], 1, "no reply: a timeout");
	drain();

	fresh(&srv, NULL, NULL, 4, 0);
	connpool_start(&p);
	drive(100);
	connpool_abort(&p);
	ok(p.aborted == 1 && p.sec.failed == 0 && p.open == 0,
	    "no reply at the end: aborted, not failed");
	connpool_event(&p, 0, EPOLLIN, clock_mono());
	connpool_event(&p, 1000, EPOLLIN, clock_mono());
	ok(p.sec.failed == 0, "events of free or unknown slots ignored");
	drain();
}

int
main(void)
{
	const char *step;
	int fd;

	addr_parse("127.0.0.1:0", &srv);
	if ((lfd = tcpsock_listen(&srv, 16, 0, &step)) == -1)
		return 1;
	srv.len = sizeof srv.ss;
	getsockname(lfd, (struct sockaddr *)&srv.ss, &srv.len);
	addr_parse("127.0.0.1:0", &closed);
	if ((fd = tcpsock_listen(&closed, 1, 0, &step)) == -1)
		return 1;
	closed.len = sizeof closed.ss;
	getsockname(fd, (struct sockaddr *)&closed.ss, &closed.len);
	close(fd);	/* its port now refuses */
	test_refused();
	test_connect();
	test_reply();
	test_end();
	close(p.ep);
	connpool_free(&p);
	close(lfd);
	return tap_done();
}
