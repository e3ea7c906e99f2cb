/* sockfd.h: sockets handed over by a parent (systemd, a supervisor). */
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

#endif
