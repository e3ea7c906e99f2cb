/* test_recsel.c: the records a sink takes: N=TEXT, regexes on text,
 * BPF filters on pcap, and the selections that do not fit the input. */
#include <sys/wait.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frame.h"
#include "pcapdl.h"
#include "pcapw.h"
#include "recin.h"
#include "recsel.h"
#include "tap.h"

/* status: the exit status of recsel_arg(v, n, kind, s) in a child. */
static int
status(struct recsel *v, int n, int kind, const char *s)
{
	pid_t pid;
	int st, null;

	fflush(stdout);
	if ((pid = fork()) == 0) {
		if ((null = open("/dev/null", O_WRONLY)) != -1)
			dup2(null, 2);
		recsel_arg(v, n, kind, s);
		_exit(0);
	}
	if (pid == -1 || waitpid(pid, &st, 0) == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static struct rec
line(const char *s, size_t n)
{
	struct rec r;

	memset(&r, 0, sizeof r);
	r.p = (const unsigned char *)s;
	r.n = n;
	return r;
}

static void
regexes(void)
{
	struct recsel v[3];
	struct rec r;
	char why[256];

	memset(v, 0, sizeof v);
	is_int(status(v, 3, RECSEL_REGEX, "x"), 100, "no N=: exit 100");
	is_int(status(v, 3, RECSEL_REGEX, "=x"), 100, "an empty N");
	is_int(status(v, 3, RECSEL_REGEX, "4=x"), 100, "N past the sinks");
	is_int(status(v, 3, RECSEL_REGEX, "0=x"), 100, "N = 0");
	is_int(status(v, 3, RECSEL_REGEX, "1=("), 100, "a bad regex");
	is_int(status(v, 3, RECSEL_BPF, "1=udp"), 0, "a filter is kept");
	recsel_arg(v, 3, RECSEL_REGEX, "2=^err(or)?:");
	ok(v[1].has_re && recsel_any(&v[1]), "sink 2 selects");
	ok(!recsel_any(&v[0]) && !recsel_any(&v[2]), "the others do not");
	is_int(status(v, 3, RECSEL_REGEX, "2=x"), 100,
	    "a second regex for a sink");
	is_int(status(v, 3, RECSEL_BPF, "2=udp"), 100,
	    "a filter for a sink with a regex");
	r = line("error: disk", 11);
	ok(recsel_match(&v[1], &r), "a matching line is taken");
	r = line("warning: err", 12);
	ok(!recsel_match(&v[1], &r), "one that does not is not");
	r = line("errXXX", 3);
	ok(!recsel_match(&v[1], &r), "the line ends at its length, not at "
	    "a NUL");
	ok(recsel_match(&v[0], &r), "no selection takes every record");
	is_int(recsel_compile(v, 3, FRAME_TEXT, 0, why, sizeof why), 0,
	    "regexes fit text input");
	is_int(recsel_compile(v, 3, FRAME_PCAP, LINKTYPE_RAW, why,
	    sizeof why), 100, "but not pcap");
	is_str(why, "-e is for text input; the input is pcap", "saying so");
	regfree(&v[1].re);
}

/* an IPv4 datagram of protocol proto, 28 bytes */
static void
ipv4(unsigned char *p, int proto)
{
	memset(p, 0, 28);
	p[0] = 0x45;
	p[3] = 28;
	p[8] = 64;
	p[9] = (unsigned char)proto;
	p[12] = 10, p[15] = 1;
	p[16] = 10, p[19] = 2;
	p[21] = 53, p[23] = 53;
	p[25] = 8;
}

static void
filters(void)
{
	struct recsel v[2];
	unsigned char pkt[28];
	char why[256], err[256];
	struct rec r;

	memset(v, 0, sizeof v);
	recsel_arg(v, 2, RECSEL_BPF, "2=udp port 53");
	ok(v[1].bpf_expr != NULL && !recsel_any(&v[1]),
	    "a filter is not compiled before the input is known");
	is_int(recsel_compile(v, 2, FRAME_TEXT, 0, why, sizeof why), 100,
	    "a filter does not fit text input");
	is_str(why, "-f is for pcap input; the input is text", "saying so");
	if (pcapdl_load(err, sizeof err) == -1) {
		ok(1, "# SKIP libpcap is not installed: %s", err);
		return;
	}
	is_int(recsel_compile(v, 2, FRAME_PCAP, LINKTYPE_RAW, why,
	    sizeof why), 0, "it compiles for pcap input");
	ok(recsel_any(&v[1]), "and selects");
	ipv4(pkt, 17);
	memset(&r, 0, sizeof r);
	r.data = pkt;
	r.caplen = r.origlen = sizeof pkt;
	ok(recsel_match(&v[1], &r), "a UDP datagram to port 53 is taken");
	ok(recsel_match(&v[0], &r), "by the sink without a filter too");
	ipv4(pkt, 6);
	ok(!recsel_match(&v[1], &r), "a TCP segment is not");
	pcapdl.freecode(&v[1].bpf);
	memset(v, 0, sizeof v);
	recsel_arg(v, 2, RECSEL_BPF, "1=udp port");
	is_int(recsel_compile(v, 2, FRAME_PCAP, LINKTYPE_RAW, why,
	    sizeof why), 100, "a filter that does not compile");
	ok(strncmp(why, "invalid filter 'udp port': ", 27) == 0,
	    "saying which and why: %s", why);
}

int
main(void)
{
	regexes();
	filters();
	return tap_done();
}
