/* tcpsock.h: TCP listening and connecting sockets. */
#ifndef TCPSOCK_H
#define TCPSOCK_H

#include <stdint.h>

#include "addr.h"

/* tcpsock_somaxconn: the kernel's cap on a listen backlog
 * (/proc/sys/net/core/somaxconn), or 4096 when it cannot be read. */
int tcpsock_somaxconn(void);

/* tcpsock_backlog: the backlog to listen with when asked for one (-1:
 * none asked): tcpsock_somaxconn's cap, with "backlog N is above
 * somaxconn, using M" when asked above it. */
int tcpsock_backlog(int asked);

/*
 * tcpsock_listen: a non-blocking, close-on-exec listening socket on a:
 * SO_REUSEADDR always, SO_REUSEPORT when reuseport; ":PORT" listens on
 * [::] for IPv6 and IPv4 (0.0.0.0 on a host without IPv6). Returns the
 * socket, or -1 with errno set and *step naming what failed ("bind").
 */
int tcpsock_listen(const struct addr *a, int backlog, int reuseport,
    const char **step);

/*
 * tcpsock_accept: the next connection waiting on the listening socket
 * lfd, close-on-exec, its peer's address in *ss. Returns the socket, or
 * -1 with errno set: EAGAIN when none is waiting; ECONNABORTED when the
 * one waiting was lost on the way (reset, refused by a firewall hook, a
 * signal came: accept the next); else a shortage (EMFILE, ENFILE,
 * ENOBUFS, ENOMEM: wait before trying again).
 */
int tcpsock_accept(int lfd, struct sockaddr_storage *ss);

/* tcpsock_tell: line, then CRLF, to the connection fd, best effort:
 * never waiting, never SIGPIPE (for a client about to be closed). */
void tcpsock_tell(int fd, const char *line);

/* tcpsock_name: the address fd is bound to, port filled in, into a (its
 * wildcard flag left as it was). Returns 0, -1 with errno set. */
int tcpsock_name(int fd, struct addr *a);

/* tcpsock_local: the local address of connection fd, accepted on a
 * listener bound to bound: bound itself, unless that is a wildcard
 * (then asked of fd, bound when that fails). */
void tcpsock_local(int fd, const struct addr *bound,
    struct sockaddr_storage *local);

/*
 * tcpsock_bindsrc: bind fd to the source address src, leaving the port
 * (when src's is 0) for connect() to pick (IP_BIND_ADDRESS_NO_PORT), so a
 * port held in TIME_WAIT can still be reused. Returns 0, -1 with errno.
 */
int tcpsock_bindsrc(int fd, const struct addr *src);

/*
 * tcpsock_connect: a blocking, close-on-exec socket connected to a within
 * timeout ns (0: the kernel's own), bound first to src when src is not
 * NULL (port 0: chosen at connect time, IP_BIND_ADDRESS_NO_PORT). Returns
 * the socket, or -1 with errno set (ETIMEDOUT after the timeout) and
 * *step naming what failed.
 */
int tcpsock_connect(const struct addr *a, const struct addr *src,
    uint64_t timeout, const char **step);

#endif
