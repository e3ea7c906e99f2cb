/* natsconn.c: one way to connect to NATS for nats-send and nats-recv. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "arg.h"
#include "natsconn.h"
#include "num.h"

#define MAXSERVERS	32
#define API_TRIES	5	/* a JetStream API call right after a fail-over */

static void
env_default(const char **v, const char *name)
{
	const char *e;

	if (*v == NULL && (e = getenv(name)) != NULL && *e != '\0')
		*v = e;
}

int
natsconn_opt(struct natsconn *c, int ch, const char *arg)
{
	switch (ch) {
	case 'E': c->ca = arg; return 1;
	case 'e': c->cert = arg; return 1;
	case 'K': c->key = arg; return 1;
	case 'k': c->creds = arg; return 1;
	case 'n': c->servers = arg; return 1;
	default: return 0;
	}
}

static void
env(struct natsconn *c)
{
	env_default(&c->servers, "NATS_URL");
	env_default(&c->creds, "NATS_CREDS");
	env_default(&c->ca, "NATS_CA");
	env_default(&c->cert, "NATS_CERT");
	env_default(&c->key, "NATS_KEY");
	if (c->servers == NULL)
		c->servers = NATSCONN_DEFAULT;
}

static void
readable(const char *what, const char *path)
{
	if (path != NULL && access(path, R_OK) == -1)
		arg_fail(what, path, strerror(errno));
}

/* secret: a value from NAME, else the first line of the file NAME_FILE,
 * into buf. Returns buf, NULL when neither is set. Exits 100 on an
 * unreadable file: the operator named it. */
static const char *
secret(const char *name, char *buf, size_t len)
{
	char fname[64];
	const char *v, *f;
	FILE *fp;

	if ((v = getenv(name)) != NULL && *v != '\0')
		return v;
	snprintf(fname, sizeof fname, "%s_FILE", name);
	if ((f = getenv(fname)) == NULL || *f == '\0')
		return NULL;
	if ((fp = fopen(f, "r")) == NULL)
		arg_fail(fname, f, strerror(errno));
	if (fgets(buf, (int)len, fp) == NULL)
		buf[0] = '\0';
	fclose(fp);
	buf[strcspn(buf, "\r\n")] = '\0';
	return buf;
}

void
natsconn_setup(struct natsconn *c, const char *prog, int verbose)
{
	const char *s;
	size_t n;

	c->prog = prog;
	c->verbose = verbose;
	env(c);
	s = c->servers;
	for (;;) {
		n = strcspn(s, ",");
		if (strspn(s, " \t") >= n)
			arg_fail("server list", c->servers, "empty URL");
		if (s[n] == '\0')
			break;
		s += n + 1;
	}
	if ((c->cert == NULL) != (c->key == NULL))
		arg_misuse("%s", "a client certificate needs its key: "
		    "-e and -K (or NATS_CERT and NATS_KEY) go together");
	readable("credentials file", c->creds);
	readable("CA file", c->ca);
	readable("certificate file", c->cert);
	readable("key file", c->key);
}

char *
natsconn_why(natsStatus s, jsErrCode jerr, char *buf, size_t len)
{
	const char *last = nats_GetLastError(NULL), *p;

	if (last == NULL || *last == '\0')
		last = natsStatus_GetText(s);
	/* the library says where in its source: "(conn.c:2088): " */
	if (last[0] == '(' && (p = strstr(last, "): ")) != NULL)
		last = p + 3;
	if (jerr != 0)
		snprintf(buf, len, "%s (jetstream error %d)", last, (int)jerr);
	else
		snprintf(buf, len, "%s", last);
	return buf;
}

static void
on_disconnect(natsConnection *nc, void *closure)
{
	const struct natsconn *c = closure;

	/* a connection closed by us is no news */
	if (c->verbose && !natsConnection_IsClosed(nc) &&
	    !natsConnection_IsDraining(nc))
		fprintf(stderr, "%s: disconnected from the server\n", c->prog);
}

static void
on_reconnect(natsConnection *nc, void *closure)
{
	const struct natsconn *c = closure;
	char url[256];

	if (c->verbose && natsConnection_GetConnectedUrl(nc, url,
	    sizeof url) == NATS_OK)
		fprintf(stderr, "%s: reconnected to %s\n", c->prog, url);
}

/* setup: the options; NATS_OK or the failing status. */
static natsStatus
setup(natsOptions *o, const struct natsconn *c)
{
	const char *list[MAXSERVERS], *user, *pass, *token;
	char copy[4096], pbuf[512], tbuf[512], *p, *save = NULL;
	natsStatus s = NATS_OK;
	int n = 0;

	/* natsOptions_SetURL does not split a list in 3.4.1 */
	snprintf(copy, sizeof copy, "%s", c->servers);
	for (p = strtok_r(copy, ",", &save); p && n < MAXSERVERS;
	    p = strtok_r(NULL, ",", &save))
		list[n++] = p;
	s = natsOptions_SetServers(o, list, n);
	/* the order given, as the man pages say: predictable, and a host
	 * can name its nearest server first */
	if (s == NATS_OK)
		s = natsOptions_SetNoRandomize(o, true);
	if (s == NATS_OK)
		s = natsOptions_SetMaxReconnect(o, -1);
	if (s == NATS_OK)
		s = natsOptions_SetReconnectWait(o, 250);
	if (s == NATS_OK)
		s = natsOptions_SetReconnectBufSize(o, 256 * 1024);
	if (s == NATS_OK)
		s = natsOptions_SetTimeout(o, 2000);
	if (s == NATS_OK)
		s = natsOptions_SetName(o, c->prog);
	if (s == NATS_OK)
		s = natsOptions_SetDisconnectedCB(o, on_disconnect, (void *)c);
	if (s == NATS_OK)
		s = natsOptions_SetReconnectedCB(o, on_reconnect, (void *)c);
	if (s == NATS_OK && c->creds)
		s = natsOptions_SetUserCredentialsFromFiles(o, c->creds, NULL);
	user = getenv("NATS_USER");
	if (s == NATS_OK && user && *user) {
		pass = secret("NATS_PASSWORD", pbuf, sizeof pbuf);
		s = natsOptions_SetUserInfo(o, user, pass ? pass : "");
	}
	token = secret("NATS_TOKEN", tbuf, sizeof tbuf);
	if (s == NATS_OK && token)
		s = natsOptions_SetToken(o, token);
	if (s == NATS_OK && (c->ca || strstr(c->servers, "tls://")))
		s = natsOptions_SetSecure(o, true);
	if (s == NATS_OK && c->ca)
		s = natsOptions_LoadCATrustedCertificates(o, c->ca);
	if (s == NATS_OK && c->cert)
		s = natsOptions_LoadCertificatesChain(o, c->cert, c->key);
	explicit_bzero(pbuf, sizeof pbuf);
	explicit_bzero(tbuf, sizeof tbuf);
	return s;
}

natsConnection *
natsconn_open(const struct natsconn *c, char *why, size_t len, int *status)
{
	natsConnection *nc = NULL;
	natsOptions *o = NULL;
	natsStatus s;
	sigset_t mine, old;

	/*
	 * The library's threads (its timers, the connection's reader and
	 * flusher, and the reconnects they start) are made now and inherit
	 * this mask: the signals the program records (lib/sig, the metrics'
	 * SIGALRM) then reach its own thread only, and never interrupt a
	 * call of theirs.
	 */
	sigemptyset(&mine);
	sigaddset(&mine, SIGALRM);
	sigaddset(&mine, SIGUSR1);
	sigaddset(&mine, SIGTERM);
	sigaddset(&mine, SIGINT);
	sigaddset(&mine, SIGHUP);
	sigaddset(&mine, SIGCHLD);
	pthread_sigmask(SIG_BLOCK, &mine, &old);
	*status = 111;
	if ((s = natsOptions_Create(&o)) == NATS_OK &&
	    (s = setup(o, c)) != NATS_OK) {
		natsconn_why(s, 0, why, len);
		*status = 100;
	} else if (s == NATS_OK && (s = natsConnection_Connect(&nc, o)) !=
	    NATS_OK) {
		natsconn_why(s, 0, why, len);
		if (s == NATS_CONNECTION_AUTH_FAILED || s == NATS_NOT_PERMITTED ||
		    s == NATS_SSL_ERROR || s == NATS_SECURE_CONNECTION_WANTED ||
		    s == NATS_SECURE_CONNECTION_REQUIRED ||
		    s == NATS_ADDRESS_MISSING || s == NATS_INVALID_ARG)
			*status = 100;
		nc = NULL;
	} else if (s != NATS_OK)
		natsconn_why(s, 0, why, len);
	natsOptions_Destroy(o);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return nc;
}

int
natsconn_stream(natsConnection *nc, const char *subject, char *name,
    size_t len, char *why, size_t wlen)
{
	char req[1024];
	const char *d, *p, *q;
	natsMsg *reply = NULL;
	natsStatus s = NATS_OK;
	int i, n;

	/* 3.4.1's js_StreamNames has no subject filter; the API has */
	n = snprintf(req, sizeof req, "{\"subject\":\"%s\"}", subject);
	for (i = 0; i < API_TRIES; i++) {
		s = natsConnection_Request(&reply, nc, "$JS.API.STREAM.NAMES",
		    req, n, 2000);
		if (s == NATS_OK)
			break;
		if (s != NATS_TIMEOUT && s != NATS_NO_RESPONDERS)
			break;
		nats_Sleep(500);
	}
	if (s != NATS_OK) {
		natsconn_why(s, 0, why, wlen);
		return -1;
	}
	d = natsMsg_GetData(reply);
	p = d ? strstr(d, "\"streams\":[\"") : NULL;
	if (p == NULL) {
		if (d && strstr(d, "\"error\"")) {
			snprintf(why, wlen, "%.*s", natsMsg_GetDataLength(reply),
			    d);
			natsMsg_Destroy(reply);
			return -1;
		}
		natsMsg_Destroy(reply);
		return 0;
	}
	p += strlen("\"streams\":[\"");
	q = strchr(p, '"');
	snprintf(name, len, "%.*s", q ? (int)(q - p) : 0, p);
	natsMsg_Destroy(reply);
	return 1;
}
