/* bridge.h: a connected socket joined to standard input and output:
 * bytes copied both ways, each end's EOF passed on. */
#ifndef BRIDGE_H
#define BRIDGE_H

#include <stddef.h>

#define BRIDGE_BUFSZ	65536

/* One direction of the bridge: bytes read from in, not yet written. */
struct bridge_pipe {
	int in, out, eof;
	size_t off, len;
	unsigned long long bytes;	/* written to out */
	char buf[BRIDGE_BUFSZ];
};

/* up: standard input to the socket; down: the socket to standard
 * output. Large: keep one static. */
struct bridge {
	struct bridge_pipe up, down;
};

/*
 * bridge_run: standard input to the socket fd (made non-blocking), the
 * socket to standard output. Input EOF (or standard input closed) shuts
 * the socket's write side down, so the peer reads EOF; the peer's EOF,
 * once written out, ends the run even while standard input is open.
 * b->up.bytes and b->down.bytes count what went each way. Returns 0;
 * -1 with errno set and why (of size n) naming the step that failed,
 * "unable to read from PEER" (peer: the socket's name in it).
 */
int bridge_run(struct bridge *b, int fd, const char *peer, char *why,
    size_t n);

#endif
