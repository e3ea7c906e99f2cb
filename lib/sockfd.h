/* sockfd.h: sockets handed over by a parent (systemd, a supervisor), and
 * the state of a socket. */
#ifndef SOCKFD_H
#define SOCKFD_H

/*
 * sockfd_listen: the socket passed by systemd socket activation: fd 3 when
 * LISTEN_PID is this process and LISTEN_FDS is 1; -1 when not activated.
 * More than one fd is a usage error (exit 100). The variables are removed
 * from the environment so children do not inherit them.
 */
int sockfd_listen(void);

/*
 * sockfd_check: check that fd is an open socket of the given type
 * (SOCK_DGRAM, SOCK_STREAM) and family IPv4 or IPv6. Returns NULL, or
 * the reason it is not ("not open", "not a socket", "not a UDP socket").
 */
const char *sockfd_check(int fd, int type);

/*
 * sockfd_bound: check that socket fd is bound to a: the same address (any
 * address for a wildcard ":PORT", IPv4 or IPv6) and port (any port when
 * a's is 0). Returns NULL, or the reason it is not ("bound to ADDRESS").
 */
struct addr;
const char *sockfd_bound(int fd, const struct addr *a);

/* sockfd_arg: the socket -d FD names: sockfd_check of type and, when
 * address (its text) is not NULL, sockfd_bound to a; else "invalid fd
 * 'FD': WHY" (", not ADDRESS" when bound elsewhere), exit 100. */
void sockfd_arg(int fd, int type, const char *address,
    const struct addr *a);

/* sockfd_name: the address socket fd is bound to, in *ss when ss is not
 * NULL, and formatted in text (ADDR_STRLEN bytes); exits 111 when it
 * cannot be read ("unable to read the socket's address"). Returns text. */
struct sockaddr_storage;
const char *sockfd_name(int fd, struct sockaddr_storage *ss, char *text);

/* sockfd_error: the pending error of socket fd (SO_ERROR), taking it;
 * 0 when there is none; errno when it cannot be read. */
int sockfd_error(int fd);

/* sockfd_fail: a step of opening a socket failed: close fd (unless -1),
 * set *step to what, keep errno; returns -1. For tcpsock and udpsock. */
int sockfd_fail(int fd, const char **step, const char *what);

#endif
