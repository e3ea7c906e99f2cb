/* test_capture.c: capture files open with their filter; errors carry
 * the exit status they deserve; the default filter lets through all the
 * decoder would write; times past 2038 and damaged files. */
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "decode.h"
#include "tap.h"

#define FX	"tests/fixtures/"
#define MAXREC	64

static int n;

static void
count(unsigned char *u, const struct pcap_pkthdr *h, const unsigned char *b)
{
	(void)u;
	(void)h;
	(void)b;
	n++;
}

/* A capture's packets, known by their times (unique in every fixture):
 * which ones went through, and which the decoder takes (UDP or a
 * fragment: what udp-recv writes or counts). */
struct seen {
	pcap_t *p;
	int n;
	int64_t sec[MAXREC];
	int wanted[MAXREC];
};

static void
record(unsigned char *user, const struct pcap_pkthdr *ph,
    const unsigned char *b)
{
	struct seen *s = (struct seen *)user;
	struct capture_hdr h;
	struct udpinfo u;

	if (s->n == MAXREC)
		return;
	capture_hdr(&h, ph);
	s->sec[s->n] = capture_sec(&h) * 1000000000 + h.usec;
	s->wanted[s->n] = decode_udp((uint32_t)pcapdl.datalink(s->p), b,
	    h.caplen, &u) == 1 || u.frag;
	s->n++;
}

/* seen: the packets of path through filter expr (NULL: none on a file;
 * "default": capture_filter's default, as on a live capture). */
static int
seen(const char *path, const char *expr, struct seen *s)
{
	char err[512] = "";
	int status;

	memset(s, 0, sizeof *s);
	s->p = capture_open(NULL, path, 1 << 20,
	    expr && strcmp(expr, "default") != 0 ? expr : NULL, err,
	    sizeof err, &status);
	if (s->p == NULL)
		return -1;
	if (expr && strcmp(expr, "default") == 0 &&
	    capture_filter(s->p, NULL, err, sizeof err, &status) == -1)
		return -1;
	if (pcapdl.dispatch(s->p, -1, record, (unsigned char *)s) < 0)
		return -1;
	pcapdl.close(s->p);
	return 0;
}

/* The default filter of a live capture keeps nothing the decoder would
 * take out: every wanted packet of the file passes it. */
static void
superset(const char *name, int passes)
{
	struct seen all, f;
	int i, j, missed = 0;

	if (seen(name, NULL, &all) == -1 || seen(name, "default", &f) == -1) {
		ok(0, "%s: opens", name);
		return;
	}
	for (i = 0; i < all.n; i++) {
		if (!all.wanted[i])
			continue;
		for (j = 0; j < f.n && f.sec[j] != all.sec[i]; j++)
			;
		if (j == f.n) {
			printf("#   packet %d of %s filtered out\n", i + 1, name);
			missed++;
		}
	}
	is_int(missed, 0, "%s: the default filter passes all the decoder "
	    "takes", name);
	if (passes >= 0)
		is_int(f.n, passes, "  and %d of its %d packets", passes, all.n);
}

static void
test_open(void)
{
	char err[512];
	pcap_t *p;
	int status;

	p = capture_open(NULL, FX "lo-en10mb.pcap", 1 << 20, "udp", err,
	    sizeof err, &status);
	ok(p != NULL, "a tcpdump file opens: %s", err);
	is_str(err, "", "no warning");
	if (p) {
		is_int(pcapdl.datalink(p), 1, "EN10MB");
		pcapdl.dispatch(p, -1, count, NULL);
		ok(n > 0, "the filter lets UDP through (%d)", n);
		pcapdl.close(p);
	}
	p = capture_open(NULL, FX "lo-en10mb.pcap", 1 << 20, "udp and (", err,
	    sizeof err, &status);
	ok(p == NULL, "a bad filter fails");
	is_int(status, 100, "  as a usage error");
	ok(strstr(err, "invalid filter 'udp and ('") != NULL,
	    "  naming the filter: %s", err);
	p = capture_open(NULL, "/nonexistent.pcap", 1 << 20, "udp", err,
	    sizeof err, &status);
	ok(p == NULL && status == 111, "a missing file is 111");
	ok(strstr(err, "/nonexistent.pcap") != NULL, "  naming it: %s", err);
	p = capture_open("nosuchif0", NULL, 1 << 20, "udp", err, sizeof err,
	    &status);
	ok(p == NULL && status == 111, "a missing interface is 111: %s", err);
}

/* A link type libpcap cannot filter (DLT_RAW as OpenBSD numbers it). */
static void
test_unfilterable(void)
{
	char err[512];
	pcap_t *p;
	int status;

	p = capture_open(NULL, FX "real-dlt14.pcap", 1 << 20, NULL, err,
	    sizeof err, &status);
	ok(p != NULL, "no filter asked: a link type without filters opens: %s",
	    err);
	if (p == NULL)
		return;
	is_str(err, "", "  quietly");
	n = 0;
	pcapdl.dispatch(p, -1, count, NULL);
	is_int(n, 5, "  every packet read");
	err[0] = '\0';
	is_int(capture_filter(p, NULL, err, sizeof err, &status), 0,
	    "  the live default: no filter rather than a failure");
	ok(strstr(err, "no filter for link type 14") != NULL, "  said: %s", err);
	pcapdl.close(p);
	p = capture_open(NULL, FX "real-dlt14.pcap", 1 << 20, "udp", err,
	    sizeof err, &status);
	ok(p == NULL && status == 100, "a user's filter there fails, 100: %s",
	    err);
}

static void
test_default(void)
{
	struct seen s;

	/* 23 packets: all but TCP, ARP and ICMP (fragments count) */
	superset(FX "real-eth.pcap", 20);
	superset(FX "real-raw.pcap", 4);
	superset(FX "real-ipv4.pcap", 2);
	superset(FX "real-ipv6.pcap", 2);
	superset(FX "real-null.pcap", 4);
	superset(FX "real-null-be.pcap", 4);
	superset(FX "real-loop.pcap", 2);
	superset(FX "real-twoif.pcapng", -1);
	superset(FX "lo-en10mb.pcap", -1);
	superset(FX "any-sll2.pcap", -1);
	/* the old default saw only untagged UDP in the fixed IPv6 header */
	ok(seen(FX "real-eth.pcap", "udp", &s) == 0 && s.n == 11,
	    "'udp' alone passes 11 of real-eth.pcap (%d)", s.n);
}

static void
test_sec(void)
{
	static const int64_t want[] = { 2147483647, 2147483648LL, 3000000000LL,
	    4294967295LL };
	struct capture_hdr h;
	struct seen s;
	int i;

	memset(&h, 0, sizeof h);
	h.sec = (long)INT32_MIN;
	is_int(capture_sec(&h), 2147483648LL, "sign-extended 2^31 is 2^31");
	h.sec = -1;
	is_int(capture_sec(&h), 4294967295LL, "-1 is 2106-02-07T06:28:15");
	h.sec = 1700000000;
	is_int(capture_sec(&h), 1700000000, "2023 is 2023");
	if (seen(FX "real-2038.pcap", NULL, &s) == -1 || s.n != 4) {
		ok(0, "real-2038.pcap: 4 packets");
		return;
	}
	for (i = 0; i < 4; i++)
		is_int(s.sec[i] / 1000000000, want[i], "real-2038.pcap #%d", i);
}

/* damaged: dispatch over path ends in an error after good packets;
 * returns capture_error's verdict, -1 when something else happened. */
static int
damaged(const char *path, int good)
{
	char err[512];
	pcap_t *p;
	int status, rc;

	if ((p = capture_open(NULL, path, 1 << 20, NULL, err, sizeof err,
	    &status)) == NULL)
		return -1;
	n = 0;
	rc = pcapdl.dispatch(p, -1, count, NULL);
	if (rc != PCAP_ERROR || n != good) {
		printf("#   %s: dispatch %d after %d packets\n", path, rc, n);
		pcapdl.close(p);
		return -1;
	}
	rc = capture_error(p);
	pcapdl.close(p);
	return rc;
}

/*
 * A read error: the file comes from a TCP peer (on standard input, as -r -
 * reads it) that sends the file header, waits until it is read, then
 * resets the connection. Returns capture_error's verdict.
 */
static int
read_error(void)
{
	static const unsigned char head[24] = { 0xd4, 0xc3, 0xb2, 0xa1, 2, 0,
	    4, 0, [16] = 0xff, 0xff, [20] = 101 };
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct linger lg = { 1, 0 };
	socklen_t len = sizeof sa;
	char err[512], go;
	int l, c, s, sync[2], in, status, rc;
	pid_t pid;
	pcap_t *p;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((l = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    bind(l, (struct sockaddr *)&sa, sizeof sa) == -1 ||
	    listen(l, 1) == -1 ||
	    getsockname(l, (struct sockaddr *)&sa, &len) == -1 ||
	    pipe(sync) == -1 || (pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		if ((s = accept(l, NULL, NULL)) == -1 ||
		    write(s, head, sizeof head) != sizeof head ||
		    read(sync[0], &go, 1) != 1)
			_exit(1);
		setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
		_exit(close(s) == -1);
	}
	close(l);
	in = dup(0);
	if ((c = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    connect(c, (struct sockaddr *)&sa, sizeof sa) == -1 ||
	    dup2(c, 0) == -1)
		return -1;
	close(c);
	p = capture_open(NULL, "-", 1 << 20, NULL, err, sizeof err, &status);
	rc = -1;
	if (p != NULL) {
		/* the header is read: now the peer resets */
		if (write(sync[1], "x", 1) == 1 &&
		    pcapdl.dispatch(p, -1, count, NULL) == PCAP_ERROR) {
			printf("#   %s\n", pcapdl.geterr(p));
			rc = capture_error(p);
		}
		pcapdl.close(p);
	}
	dup2(in, 0);
	close(in);
	clearerr(stdin);
	waitpid(pid, &status, 0);
	return rc;
}

static void
test_errors(void)
{
	is_int(damaged(FX "real-trunc.pcap", 3), 1,
	    "a file cut inside a record: 3 packets, then exit 1");
	is_int(damaged(FX "real-mixed.pcapng", 1), 1,
	    "pcapng with a second link type: 1 packet, then exit 1");
	is_int(read_error(), 111, "a read error (connection reset) is 111");
}

int
main(void)
{
	char err[512];

	if (pcapdl_load(err, sizeof err) == -1) {
		printf("# %s\n", err);
		return 1;
	}
	test_open();
	test_unfilterable();
	test_default();
	test_sec();
	test_errors();
	return tap_done();
}
