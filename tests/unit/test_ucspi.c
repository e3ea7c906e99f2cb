/* test_ucspi.c: the environment of a UCSPI-TCP program: ours without the
 * variables a server sets, then tcpserver's names with numeric values. */
#include <sys/socket.h>
#include <netinet/in.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "tap.h"
#include "tcpsock.h"
#include "ucspi.h"

/* var: the value of name in envp, or NULL */
static const char *
var(char **envp, const char *name)
{
	size_t n = strlen(name), i;

	for (i = 0; envp[i]; i++)
		if (strncmp(envp[i], name, n) == 0 && envp[i][n] == '=')
			return envp[i] + n + 1;
	return NULL;
}

int
main(void)
{
	struct ucspi u;
	struct addr l, r, a;
	const char *step;
	char port[16];
	int ls, c, s, p[2];

	setenv("KEEP_ME", "yes", 1);
	setenv("TCPREMOTEHOST", "stale.example", 1);
	setenv("TCPREMOTEIP", "10.9.9.9", 1);
	setenv("TCPREMOTEINFO", "someone", 1);
	is_int(ucspi_init(&u), 0, "init");
	is_str(var(u.envp, "KEEP_ME"), "yes", "our variables are kept");
	is_str(var(u.envp, "TCPREMOTEHOST"), NULL, "a stale TCPREMOTEHOST goes");
	is_str(var(u.envp, "TCPREMOTEINFO"), NULL, "  and TCPREMOTEINFO");
	is_str(var(u.envp, "TCPREMOTEIP"), NULL, "  and TCPREMOTEIP");

	addr_parse("192.0.2.1:80", &l);
	addr_parse("[::ffff:198.51.100.7]:40000", &r);
	ucspi_setaddr(&u, (struct sockaddr *)&l.ss, (struct sockaddr *)&r.ss, 5);
	is_str(var(u.envp, "PROTO"), "TCP", "PROTO=TCP");
	is_str(var(u.envp, "TCPLOCALIP"), "192.0.2.1", "TCPLOCALIP");
	is_str(var(u.envp, "TCPLOCALPORT"), "80", "TCPLOCALPORT");
	is_str(var(u.envp, "TCPREMOTEIP"), "198.51.100.7",
	    "TCPREMOTEIP: IPv4-mapped written as IPv4");
	is_str(var(u.envp, "TCPREMOTEPORT"), "40000", "TCPREMOTEPORT");
	is_str(var(u.envp, "TCPCONCURRENCY"), "5", "TCPCONCURRENCY");
	is_str(var(u.envp, "KEEP_ME"), "yes", "ours still there");
	addr_parse("[2001:db8::1]:443", &r);
	ucspi_setaddr(&u, (struct sockaddr *)&l.ss, (struct sockaddr *)&r.ss, -1);
	is_str(var(u.envp, "TCPREMOTEIP"), "2001:db8::1", "an IPv6 peer");
	is_str(var(u.envp, "TCPCONCURRENCY"), NULL,
	    "concurrency < 0: no TCPCONCURRENCY");

	addr_parse("127.0.0.1:0", &a);
	ls = tcpsock_listen(&a, 4, 0, &step);
	a.len = sizeof a.ss;
	getsockname(ls, (struct sockaddr *)&a.ss, &a.len);
	c = tcpsock_connect(&a, NULL, 0, &step);
	s = accept(ls, NULL, NULL);
	is_int(ucspi_set(&u, s, 1), 0, "ucspi_set on an accepted socket");
	is_str(var(u.envp, "TCPLOCALIP"), "127.0.0.1", "  TCPLOCALIP");
	snprintf(port, sizeof port, "%u", addr_port((struct sockaddr *)&a.ss));
	is_str(var(u.envp, "TCPLOCALPORT"), port, "  TCPLOCALPORT %s", port);
	is_str(var(u.envp, "TCPREMOTEIP"), "127.0.0.1", "  TCPREMOTEIP");
	is_str(var(u.envp, "TCPCONCURRENCY"), "1", "  TCPCONCURRENCY");
	close(c);
	close(s);
	close(ls);
	if (pipe(p) == -1)
		abort();
	is_int(ucspi_set(&u, p[0], 1), -1, "ucspi_set on a pipe: -1");
	close(p[0]);
	close(p[1]);
	free(u.envp);
	return tap_done();
}
