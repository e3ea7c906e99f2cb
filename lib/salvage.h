/* salvage.h: make a crashed writer's file valid again. */
#ifndef SALVAGE_H
#define SALVAGE_H

#include <stdint.h>
#include <sys/types.h>

struct salvage {
	int framing;		/* FRAME_PCAP or FRAME_TEXT */
	off_t keep;		/* bytes kept: 0 when nothing is worth keeping */
	off_t cut;		/* bytes cut off the end */
	int64_t sec;		/* pcap: the first record's time */
	uint32_t nsec;
	int have_time;
};

/*
 * salvage_file: cut the file open on fd (read-write) after its last
 * complete pcap record, or for text after its last newline, so every
 * reader takes it. A pcap file without a whole record, or a text file
 * without a whole line, keeps nothing (keep 0; the caller removes it).
 * Returns 0 with *s filled, -1 with errno set on a read or truncate
 * error.
 */
int salvage_file(int fd, struct salvage *s);

#endif
