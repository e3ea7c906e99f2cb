/* capture.c: open a libpcap capture the way tcpdump does. */
#include <stdio.h>
#include <string.h>

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

pcap_t *
capture_open(const char *iface, const char *path, size_t bufsize,
    const char *expr, char *err, size_t len, int *status)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct bpf_program prog;
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
	if (pcapdl.compile(p, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) == -1) {
		snprintf(err, len, "invalid filter '%s': %s", expr,
		    pcapdl.geterr(p));
		*status = 100;
		pcapdl.close(p);
		return NULL;
	}
	if (pcapdl.setfilter(p, &prog) == -1) {
		snprintf(err, len, "unable to set filter '%s': %s", expr,
		    pcapdl.geterr(p));
		pcapdl.freecode(&prog);
		pcapdl.close(p);
		return NULL;
	}
	pcapdl.freecode(&prog);
	return p;
}
