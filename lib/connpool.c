/* connpool.c: the connections of a storm, each a small state machine:
 * connect, send the payload, read the reply, hold, close. */
#include <sys/epoll.h>
#include <sys/socket.h>

#include <err.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "connpool.h"
#include "sockfd.h"
#include "tcpsock.h"

#define NIL	UINT32_MAX

enum { S_FREE, S_CONNECT, S_SEND, S_READ, S_HOLD };

struct pconn {
	int fd;
	int state;
	uint32_t prev, next;		/* in a timer list, or the free list */
	uint64_t t0;			/* connect() called */
	uint64_t t1;			/* payload sent: the reply clock */
	uint64_t due;			/* timeout or end of the hold */
	uint64_t off;			/* payload sent, reply read: bytes */
};

static unsigned char rbuf[65536];

int
connpool_init(struct connpool *p, uint32_t cap)
{
	uint32_t i;

	if ((p->c = calloc(cap, sizeof *p->c)) == NULL)
		return -1;
	p->cap = cap;
	for (i = 0; i < cap; i++)
		p->c[i].next = i + 1 < cap ? i + 1 : NIL;
	p->freel = 0;
	p->wait.head = p->wait.tail = p->held.head = p->held.tail = NIL;
	p->srcnext = 0;
	connpool_clear(p);
	return 0;
}

void
connpool_free(struct connpool *p)
{
	free(p->c);
	p->c = NULL;
}

void
connpool_clear(struct connpool *p)
{
	memset(&p->sec, 0, sizeof p->sec);
	hist_reset(&p->hconnect);
	hist_reset(&p->hreply);
	p->open = p->peak = p->holddone = p->aborted = 0;
}

static void
list_push(struct connpool *p, struct plist *l, uint32_t i)
{
	p->c[i].next = NIL;
	p->c[i].prev = l->tail;
	if (l->tail != NIL)
		p->c[l->tail].next = i;
	else
		l->head = i;
	l->tail = i;
}

static void
list_del(struct connpool *p, struct plist *l, uint32_t i)
{
	struct pconn *c = &p->c[i];

	if (c->prev != NIL)
		p->c[c->prev].next = c->next;
	else
		l->head = c->next;
	if (c->next != NIL)
		p->c[c->next].prev = c->prev;
	else
		l->tail = c->prev;
}

/* release: close connection i and free its slot. */
static void
release(struct connpool *p, uint32_t i)
{
	struct pconn *c = &p->c[i];

	list_del(p, c->state == S_HOLD ? &p->held : &p->wait, i);
	(void)close(c->fd);	/* a socket's, after all it had to do */
	c->state = S_FREE;
	c->next = p->freel;
	p->freel = i;
	p->open--;
}

/* failed: a failure of cause k counted (e: its errno, or 0), and told. */
static void
failed(struct connpool *p, int k, int e)
{
	p->sec.failed++;
	p->sec.cause[k]++;
	if (p->onfail != NULL)
		p->onfail(p->arg, k, e);
}

static void
fail(struct connpool *p, uint32_t i, int cause, int e)
{
	failed(p, cause, e);
	release(p, i);
}

/* finish: the connection did all it was asked to: close it (a reset
 * unless normal, as SO_LINGER was set when it opened). The sustained
 * rate counts the connections started in the hold phase that completed,
 * so a hold or a slow reply does not shift them out of the window. */
static void
finish(struct connpool *p, uint32_t i)
{
	uint64_t t = p->c[i].t0;

	p->sec.completed++;
	if (t >= p->holdfrom && t < p->holdto)
		p->holddone++;
	release(p, i);
}

static void
interest(struct connpool *p, uint32_t i, uint32_t events)
{
	struct epoll_event ev;

	ev.events = events;
	ev.data.u64 = i;
	if (epoll_ctl(p->ep, EPOLL_CTL_MOD, p->c[i].fd, &ev) == -1)
		err(111, "unable to change the events of a connection");
}

/* replied: the reply (if any) is in: hold the connection, or finish. */
static void
replied(struct connpool *p, uint32_t i, uint64_t now)
{
	struct pconn *c = &p->c[i];

	if (p->hold == 0) {
		finish(p, i);
		return;
	}
	list_del(p, &p->wait, i);
	c->state = S_HOLD;
	c->due = now + p->hold;
	list_push(p, &p->held, i);
	/* only the peer's close or reset matters while holding */
	interest(p, i, EPOLLRDHUP);
}

/* sent: the payload (if any) is out: wait for the reply, if one is
 * expected. */
static void
sent(struct connpool *p, uint32_t i, uint64_t now)
{
	struct pconn *c = &p->c[i];

	c->t1 = now;
	if (p->expect == 0) {
		replied(p, i, now);
		return;
	}
	c->state = S_READ;
	c->off = 0;
	interest(p, i, EPOLLIN);
}

static void
sendmore(struct connpool *p, uint32_t i, uint64_t now)
{
	struct pconn *c = &p->c[i];
	ssize_t n;

	while (c->off < p->npayload) {
		n = send(c->fd, p->payload + c->off, p->npayload - c->off,
		    MSG_NOSIGNAL);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return;	/* EPOLLOUT is still asked for */
		if (n == -1) {
			fail(p, i, storm_cause(errno), errno);
			return;
		}
		c->off += (uint64_t)n;
		p->nsent += (uint64_t)n;
	}
	sent(p, i, now);
}

/* check: n bytes of reply arrived in rbuf; returns 0, or -1 when they
 * are not the reply expected. */
static int
check(struct connpool *p, struct pconn *c, size_t n)
{
	if (p->reply != NULL && (c->off + n > p->expect ||
	    memcmp(p->reply + c->off, rbuf, n) != 0))
		return -1;
	c->off += n;
	return 0;
}

static void
readmore(struct connpool *p, uint32_t i, uint64_t now)
{
	struct pconn *c = &p->c[i];
	ssize_t n;

	while (c->off < p->expect) {
		n = read(c->fd, rbuf, sizeof rbuf);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			fail(p, i, n == 0 ? STORM_EOF : storm_cause(errno),
			    n == 0 ? 0 : errno);
			return;
		}
		p->nread += (uint64_t)n;
		if (check(p, c, (size_t)n) == -1) {
			fail(p, i, STORM_MISMATCH, 0);
			return;
		}
	}
	hist_add(&p->hreply, (now - c->t1) / 1000);
	replied(p, i, now);
}

void
connpool_event(struct connpool *p, uint64_t slot, uint32_t ev, uint64_t now)
{
	uint32_t i = (uint32_t)slot;
	struct pconn *c;
	int e;

	if (slot >= p->cap || (c = &p->c[i])->state == S_FREE)
		return;
	switch (c->state) {
	case S_CONNECT:
		/* EPOLLOUT alone: connected; an error comes with EPOLLERR */
		if ((ev & (EPOLLERR | EPOLLHUP)) &&
		    (e = sockfd_error(c->fd)) != 0) {
			fail(p, i, storm_cause(e), e);
			return;
		}
		p->sec.established++;
		hist_add(&p->hconnect, (now - c->t0) / 1000);
		c->state = S_SEND;
		c->off = 0;
		sendmore(p, i, now);
		break;
	case S_SEND:
		sendmore(p, i, now);
		break;
	case S_READ:
		readmore(p, i, now);
		break;
	case S_HOLD:
		e = (ev & EPOLLERR) ? sockfd_error(c->fd) : 0;
		fail(p, i, e ? storm_cause(e) : STORM_EOF, e);
		break;
	}
}

void
connpool_start(struct connpool *p)
{
	static const struct linger rst = { 1, 0 };
	struct epoll_event ev;
	struct pconn *c;
	uint32_t i;
	int fd;

	p->sec.attempted++;
	fd = socket(p->dst->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (fd == -1) {
		failed(p, storm_cause(errno), errno);
		return;
	}
	/* SO_LINGER {1, 0}: close sends RST and leaves no TIME_WAIT */
	if ((!p->normal && setsockopt(fd, SOL_SOCKET, SO_LINGER, &rst,
	    sizeof rst) == -1) || (p->nsrc && tcpsock_bindsrc(fd,
	    &p->src[p->srcnext++ % p->nsrc]) == -1))
		goto bad;
	i = p->freel;
	c = &p->c[i];
	c->t0 = clock_mono();
	if (connect(fd, (const struct sockaddr *)&p->dst->ss, p->dst->len)
	    == -1 && errno != EINPROGRESS)
		goto bad;
	ev.events = EPOLLOUT;
	ev.data.u64 = i;
	if (epoll_ctl(p->ep, EPOLL_CTL_ADD, fd, &ev) == -1)
		err(111, "unable to add a connection to the epoll set");
	p->freel = c->next;
	c->fd = fd;
	c->state = S_CONNECT;
	c->due = c->t0 + p->timeout;
	list_push(p, &p->wait, i);
	if (++p->open > p->peak)
		p->peak = p->open;
	return;
bad:
	failed(p, storm_cause(errno), errno);
	close(fd);
}

void
connpool_expire(struct connpool *p, uint64_t now)
{
	while (p->wait.head != NIL && p->c[p->wait.head].due <= now)
		fail(p, p->wait.head, STORM_TIMEOUT, 0);
	while (p->held.head != NIL && p->c[p->held.head].due <= now)
		finish(p, p->held.head);
}

uint64_t
connpool_next(const struct connpool *p)
{
	uint64_t t = UINT64_MAX;

	if (p->wait.head != NIL)
		t = p->c[p->wait.head].due;
	if (p->held.head != NIL && p->c[p->held.head].due < t)
		t = p->c[p->held.head].due;
	return t;
}

void
connpool_abort(struct connpool *p)
{
	while (p->wait.head != NIL) {
		p->aborted++;
		release(p, p->wait.head);
	}
	/* a held connection did its exchange: the end only cuts its hold */
	while (p->held.head != NIL)
		finish(p, p->held.head);
}
