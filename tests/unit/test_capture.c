/* test_capture.c: capture files open with their filter; errors carry
 * the exit status they deserve. */
#include <string.h>

#include "capture.h"
#include "tap.h"

static int n;

static void
count(unsigned char *u, const struct pcap_pkthdr *h, const unsigned char *b)
{
	(void)u;
	(void)h;
	(void)b;
	n++;
}

int
main(void)
{
	char err[512];
	pcap_t *p;
	int status;

	p = capture_open(NULL, "tests/fixtures/lo-en10mb.pcap", 1 << 20,
	    "udp", err, sizeof err, &status);
	ok(p != NULL, "a tcpdump file opens: %s", err);
	is_str(err, "", "no warning");
	if (p) {
		is_int(pcapdl.datalink(p), 1, "EN10MB");
		pcapdl.dispatch(p, -1, count, NULL);
		ok(n > 0, "the filter lets UDP through (%d)", n);
		pcapdl.close(p);
	}
	p = capture_open(NULL, "tests/fixtures/lo-en10mb.pcap", 1 << 20,
	    "udp and (", err, sizeof err, &status);
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
	return tap_done();
}
