/* pcapdl.h: libpcap, loaded only by the programs and modes that use it. */
#ifndef PCAPDL_H
#define PCAPDL_H

#include <stddef.h>
#include <pcap/pcap.h>

/*
 * Linking libpcap pulls in dbus, systemd and gcrypt: 1.1 MiB of resident
 * memory in every process, capture or not. Loading it on first use keeps
 * a socket-mode receiver small. Each member has the type of the libpcap
 * function of the same name, so calls through it are checked.
 */
#define PCAPDL_FUNCS(X) \
	X(activate) X(breakloop) X(close) X(compile) X(create) \
	X(datalink) X(dispatch) X(file) X(freecode) X(get_selectable_fd) \
	X(geterr) X(open_dead) X(offline_filter) \
	X(open_offline_with_tstamp_precision) X(set_buffer_size) \
	X(set_immediate_mode) X(set_promisc) X(set_snaplen) \
	X(set_tstamp_precision) X(setfilter) X(setnonblock) X(stats) \
	X(statustostr)

#define PCAPDL_MEMBER(f) __typeof__(pcap_##f) *f;
struct pcapdl {
	PCAPDL_FUNCS(PCAPDL_MEMBER)
};
#undef PCAPDL_MEMBER

extern struct pcapdl pcapdl;

/* pcapdl_load: load libpcap and fill pcapdl (once). Returns 0, or -1 with
 * the reason in err (len bytes). */
int pcapdl_load(char *err, size_t len);

#endif
