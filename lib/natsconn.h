/* natsconn.h: connect to NATS as nats-send and nats-recv both do: the
 * server list, credentials and TLS from options and the environment,
 * reconnects forever, and the stream that takes a subject. Linked into
 * those two programs only (it needs libnats). */
#ifndef NATSCONN_H
#define NATSCONN_H

#include <stddef.h>
#include <nats/nats.h>

struct natsconn {
	const char *servers;	/* -n, else $NATS_URL, else the default */
	const char *creds;	/* -k, else $NATS_CREDS */
	const char *ca, *cert, *key;	/* -E -e -K, else $NATS_CA ... */
	int verbose;
	const char *prog;	/* for the -v messages */
};

#define NATSCONN_DEFAULT	"nats://127.0.0.1:4222"

/* natsconn_opt: take option ch with arg when it is one of the options
 * both programs have for the connection: -E -e -K -k -n. Returns 1 when
 * it was, else 0. */
int natsconn_opt(struct natsconn *c, int ch, const char *arg);

/*
 * natsconn_setup: after the options: the environment's values where no
 * option gave one, then refuse what cannot work before connecting (a
 * client certificate without its key, an empty server in the list, a
 * file that cannot be read): arg_fail / arg_misuse, exit 100.
 */
void natsconn_setup(struct natsconn *c, const char *prog, int verbose);

/*
 * natsconn_open: connect to the first server of the list that answers;
 * reconnect to any of them, 250 ms apart, forever. On failure returns
 * NULL with why set, and *status the exit status it calls for: 100 when
 * retrying cannot help (refused credentials, a TLS failure, a bad URL),
 * 111 when the servers cannot be reached.
 */
natsConnection *natsconn_open(const struct natsconn *c, char *why,
    size_t len, int *status);

/*
 * natsconn_stream: the name of the stream that takes subject, in name
 * (len bytes). Returns 1 found, 0 no stream takes it, -1 when JetStream
 * did not answer (why says how; retried a few times first, since the API
 * times out right after a fail-over).
 */
int natsconn_stream(natsConnection *nc, const char *subject, char *name,
    size_t len, char *why, size_t wlen);

/* natsconn_why: "STATUS TEXT (jetstream error N)" of the last failure,
 * into buf (len bytes). Returns buf. */
char *natsconn_why(natsStatus s, jsErrCode jerr, char *buf, size_t len);

#endif
