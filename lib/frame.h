/* frame.h: tell pcap from text by a stream's first bytes. */
#ifndef FRAME_H
#define FRAME_H

#include <stddef.h>

enum { FRAME_TEXT, FRAME_PCAP };

/* frame_detect: FRAME_PCAP when p starts with one of the four pcap magics
 * (either byte order, µs or ns), else FRAME_TEXT. n < 4 is text. */
int frame_detect(const unsigned char *p, size_t n);

#endif
