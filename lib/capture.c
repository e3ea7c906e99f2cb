/* capture.c: open a libpcap capture the way tcpdump does. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "capture.h"
#include "pcapw.h"

/* live: pcap_create, setters, pcap_activate; errors and warnings apart. */
static pcap_t *
live(const char *iface, size_t bufsize, char *err, size_t len)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p;
	int rc;

	if ((p = pcapdl.create(iface, ebuf)) == NULL) {
		snprintf(err, len, "unable to capture on %s: %s", iface, ebuf);
		return NULL;
	}
	pcapdl.set_snaplen(p, PCAPW_SNAPLEN);
	pcapdl.set_promisc(p, 0);
	pcapdl.set_immediate_mode(p, 1);
	pcapdl.set_buffer_size(p, bufsize > 1u << 30 ? 1 << 30 : (int)bufsize);
	pcapdl.set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);
	rc = pcapdl.activate(p);
	if (rc < 0) {
		snprintf(err, len, "unable to capture on %s: %s", iface,
		    rc == PCAP_ERROR ? pcapdl.geterr(p) :
		    pcapdl.statustostr(rc));
		pcapdl.close(p);
		return NULL;
	}
	if (rc > 0)
		snprintf(err, len, "capture on %s: %s", iface,
		    rc == PCAP_WARNING ? pcapdl.geterr(p) :
		    pcapdl.statustostr(rc));
	return p;
}

/* setfilter: compile and set expr. Returns 0; -1 with the reason in err
 * and *status 100 when it does not compile, 111 when it cannot be set. */
static int
setfilter(pcap_t *p, const char *expr, char *err, size_t len, int *status)
{
	struct bpf_program prog;

	if (pcapdl.compile(p, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) == -1) {
		snprintf(err, len, "invalid filter '%s': %s", expr,
		    pcapdl.geterr(p));
		*status = 100;
		return -1;
	}
	if (pcapdl.setfilter(p, &prog) == -1) {
		snprintf(err, len, "unable to set filter '%s': %s", expr,
		    pcapdl.geterr(p));
		*status = 111;
		pcapdl.freecode(&prog);
		return -1;
	}
	pcapdl.freecode(&prog);
	return 0;
}

int
capture_filter(pcap_t *p, const char *expr, char *err, size_t len,
    int *status)
{
	char e[PCAP_ERRBUF_SIZE + 256];

	if (expr != NULL)
		return setfilter(p, expr, err, len, status);
	/* a link type without VLAN tags (RAW, SLL...) refuses "vlan" */
	if (setfilter(p, CAPTURE_VLAN, e, sizeof e, status) == 0 ||
	    setfilter(p, CAPTURE_UDP, e, sizeof e, status) == 0)
		return 0;
	if (*status != 100) {
		snprintf(err, len, "%s", e);
		return -1;
	}
	/* no expression at all for this link type: the decoder decides */
	if (err[0] == '\0')
		snprintf(err, len, "no filter for link type %d: the decoder "
		    "sees every packet", pcapdl.datalink(p));
	return 0;
}

pcap_t *
capture_open(const char *iface, const char *path, size_t bufsize,
    const char *expr, char *err, size_t len, int *status)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p;

	*status = 111;
	err[0] = '\0';
	if (pcapdl_load(err, len) == -1)
		return NULL;
	if (iface != NULL)
		p = live(iface, bufsize, err, len);
	else if ((p = pcapdl.open_offline_with_tstamp_precision(path,
	    PCAP_TSTAMP_PRECISION_NANO, ebuf)) == NULL)
		snprintf(err, len, "unable to read %s: %s", path, ebuf);
	if (p == NULL)
		return NULL;
	if ((iface != NULL || expr != NULL) &&
	    capture_filter(p, expr, err, len, status) == -1) {
		pcapdl.close(p);
		return NULL;
	}
	return p;
}

/* with the program's own time_t as wide as long (every build but a 32-bit
 * one with _TIME_BITS=64), the two layouts must be one */
_Static_assert(sizeof(time_t) != sizeof(long) ||
    sizeof(struct capture_hdr) == sizeof(struct pcap_pkthdr),
    "struct capture_hdr is not libpcap's struct pcap_pkthdr");

void
capture_hdr(struct capture_hdr *h, const struct pcap_pkthdr *p)
{
	memcpy(h, p, sizeof *h);
}

const struct pcap_pkthdr *
capture_pkthdr(const struct capture_hdr *h)
{
	return (const struct pcap_pkthdr *)(const void *)h;
}

int64_t
capture_sec(const struct capture_hdr *h)
{
	int64_t s = (int64_t)h->sec;

	return s < 0 ? s + ((int64_t)1 << 32) : s;
}

int
capture_error(pcap_t *p)
{
	FILE *f = pcapdl.file(p);

	return f == NULL || ferror(f) ? 111 : 1;
}
