/* ucspi.h: the environment of a UCSPI-TCP program (tcpserver's names). */
#ifndef UCSPI_H
#define UCSPI_H

#include <sys/socket.h>
#include <netinet/in.h>

#define UCSPI_NVAR 6
#define UCSPI_VARLEN (sizeof "TCPCONCURRENCY=" + INET6_ADDRSTRLEN + 8)

/*
 * The environment handed to a program: ours without the variables a
 * UCSPI server sets or a name lookup would have set (TCPLOCALHOST,
 * TCPREMOTEHOST, TCPREMOTEINFO), then PROTO=TCP, TCPLOCALIP,
 * TCPLOCALPORT, TCPREMOTEIP, TCPREMOTEPORT and, for a server,
 * TCPCONCURRENCY. envp is ready for execve or posix_spawn after each
 * ucspi_set; it is built once, so a connection costs no allocation.
 */
struct ucspi {
	char **envp;
	size_t base;			/* index of our first variable */
	char var[UCSPI_NVAR][UCSPI_VARLEN];
};

/* ucspi_init: copy environ into u->envp. Returns 0, -1 (no memory). */
int ucspi_init(struct ucspi *u);

/*
 * ucspi_set: the variables for the connected socket fd (numeric
 * addresses; an IPv4-mapped address written as IPv4). concurrency < 0
 * leaves TCPCONCURRENCY out. Returns 0, -1 with errno set when the
 * addresses cannot be read.
 */
int ucspi_set(struct ucspi *u, int fd, long concurrency);

/* ucspi_setaddr: the same from the two addresses. */
void ucspi_setaddr(struct ucspi *u, const struct sockaddr *local,
    const struct sockaddr *remote, long concurrency);

#endif
