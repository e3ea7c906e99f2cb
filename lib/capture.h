/* capture.h: open a libpcap capture the way tcpdump does. */
#ifndef CAPTURE_H
#define CAPTURE_H

#include <stddef.h>

#include "pcapdl.h"

/*
 * capture_open: a live capture on iface (pcap_create, then snaplen 256 KiB,
 * no promiscuous mode, immediate mode, a buffer of bufsize bytes and
 * nanosecond timestamps, then pcap_activate) or, when iface is NULL, the
 * capture file path ("-": standard input), with the filter expr set.
 * Returns the handle, with a warning in err (or "" when none); or NULL
 * with the reason in err and in *status the exit status it deserves: 100
 * for a filter that does not compile, 111 for everything else (an
 * interface that is missing now may appear later).
 */
pcap_t *capture_open(const char *iface, const char *path, size_t bufsize,
    const char *expr, char *err, size_t len, int *status);

#endif
