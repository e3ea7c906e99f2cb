/* ucspi.c: the environment of a UCSPI-TCP program. */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "cidr.h"
#include "ucspi.h"

extern char **environ;

static const char *const ours[] = {
	"PROTO=", "TCPLOCALIP=", "TCPLOCALPORT=", "TCPREMOTEIP=",
	"TCPREMOTEPORT=", "TCPCONCURRENCY=", "TCPLOCALHOST=",
	"TCPREMOTEHOST=", "TCPREMOTEINFO=", NULL
};

static int
isours(const char *v)
{
	size_t i;

	for (i = 0; ours[i]; i++)
		if (strncmp(v, ours[i], strlen(ours[i])) == 0)
			return 1;
	return 0;
}

int
ucspi_init(struct ucspi *u)
{
	size_t n = 0, i;

	while (environ[n])
		n++;
	if ((u->envp = calloc(n + UCSPI_NVAR + 1, sizeof *u->envp)) == NULL)
		return -1;
	for (i = 0, n = 0; environ[i]; i++)
		if (!isours(environ[i]))
			u->envp[n++] = environ[i];
	u->base = n;
	return 0;
}

static void
ipvar(char *dst, const char *name, const struct sockaddr *sa)
{
	char text[INET6_ADDRSTRLEN];
	unsigned char ip[16];
	int af = addr_ip(sa, ip);

	if (af == -1 || inet_ntop(af, ip, text, sizeof text) == NULL)
		strcpy(text, "0.0.0.0");
	snprintf(dst, UCSPI_VARLEN, "%s=%s", name, text);
}

void
ucspi_setaddr(struct ucspi *u, const struct sockaddr *local,
    const struct sockaddr *remote, long concurrency)
{
	size_t i;

	snprintf(u->var[0], UCSPI_VARLEN, "PROTO=TCP");
	ipvar(u->var[1], "TCPLOCALIP", local);
	snprintf(u->var[2], UCSPI_VARLEN, "TCPLOCALPORT=%u", addr_port(local));
	ipvar(u->var[3], "TCPREMOTEIP", remote);
	snprintf(u->var[4], UCSPI_VARLEN, "TCPREMOTEPORT=%u", addr_port(remote));
	snprintf(u->var[5], UCSPI_VARLEN, "TCPCONCURRENCY=%ld", concurrency);
	for (i = 0; i < UCSPI_NVAR - (concurrency < 0); i++)
		u->envp[u->base + i] = u->var[i];
	u->envp[u->base + i] = NULL;
}

int
ucspi_set(struct ucspi *u, int fd, long concurrency)
{
	struct sockaddr_storage l, r;
	socklen_t ll = sizeof l, rl = sizeof r;

	if (getsockname(fd, (struct sockaddr *)&l, &ll) == -1 ||
	    getpeername(fd, (struct sockaddr *)&r, &rl) == -1)
		return -1;
	ucspi_setaddr(u, (struct sockaddr *)&l, (struct sockaddr *)&r,
	    concurrency);
	return 0;
}
