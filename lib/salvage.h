/* salvage.h: make a crashed writer's file valid again, keeping only
 * whole, plausible records; and the side file that says how far it is
 * known good. */
#ifndef SALVAGE_H
#define SALVAGE_H

#include <stdint.h>
#include <sys/types.h>

#define SALVAGE_BLOCK	512	/* the sector: what a disk writes whole */
#define SALVAGE_BACK	3600	/* a record may go back this many seconds */
#define SALVAGE_FWD	86400	/* and jump forward this many */
#define SALVAGE_MAXLEN	262144	/* the largest plausible length */

/*
 * The mark: what the writer knows of its file, kept in a side file of two
 * slots of SALVAGE_BLOCK bytes each, written in turn, each one line of
 * text with a checksum; a write torn in one slot leaves the other. The
 * writer rewrites it after every fsync of the file it describes.
 */
struct salvage_mark {
	uint64_t seq;		/* the newer slot has the larger */
	uint64_t ino;		/* the file described (its inode number) */
	uint64_t synced;	/* its bytes known on the disk */
	int framing;		/* the channel's: FRAME_PCAP or FRAME_TEXT */
	int nul;		/* text: a line with a NUL byte was written */
	int64_t first_sec;	/* the first record's time; -1: not known */
	uint32_t first_nsec;
	int64_t last_sec;	/* pcap: the time of the record that ends at */
	uint32_t last_nsec;	/* synced; -1: not known */
	unsigned char hdr[24];	/* pcap: the file header */
};

/* salvage_mark_write: write m into the next slot of the side file fd
 * (m->seq is advanced). Not synced. Returns 0, -1 with errno set. */
int salvage_mark_write(int fd, struct salvage_mark *m);

/* salvage_mark_read: the newest whole slot of the side file fd into *m.
 * Returns 1, 0 when neither slot is whole (or the file is empty), -1
 * with errno set on a read error. */
int salvage_mark_read(int fd, struct salvage_mark *m);

struct salvage {
	int framing;		/* FRAME_PCAP or FRAME_TEXT */
	off_t keep;		/* bytes kept: 0 when nothing is worth keeping */
	off_t cut;		/* bytes cut off the end */
	off_t trusted;		/* bytes taken on the mark's word, unread */
	long long cutrecs;	/* records or lines cut; -1: not knowable */
	int fixhdr;		/* pcap header rewritten: 1 the channel's,
				   2 repaired in place */
	int64_t sec;		/* the first record's time */
	uint32_t nsec;
	int have_time;
	char why[160];		/* why the cut, when cut > 0 */
};

/*
 * salvage_file: judge the file open on fd (read-write) and cut it after
 * its last whole, plausible record, so every reader takes it and every
 * record in it is one that was written. m (may be NULL) is the mark of
 * the side file: its framing and pcap header are the channel's, and when
 * its inode is fd's, the first m->synced bytes are kept unread.
 *  pcap: each record after that must have caplen <= snaplen, caplen <=
 *  len, 1 <= len <= SALVAGE_MAXLEN, a fraction of a second below 1e6 (us)
 *  or 1e9 (ns), a time no more than SALVAGE_BACK seconds before the
 *  previous record's and no more than SALVAGE_FWD after it, all its
 *  bytes in the file and no sector of zeros (below); the file is cut
 *  before the first that fails.
 *  text: the file is cut after the last newline before the first hole:
 *  a NUL byte, unless the mark says the stream has had NUL bytes, then a
 *  sector of zeros.
 *  A sector of zeros: SALVAGE_BLOCK zero bytes at an offset that is a
 *  multiple of SALVAGE_BLOCK, or zeros from such an offset to the end.
 * A pcap header not the channel's (or, without a mark, one whose version,
 * zone, sigfigs or snaplen is out of range) is rewritten first. A pcap
 * file without a whole record, a text file without a whole line, keeps
 * nothing (keep 0; the caller removes it). Nothing is written when a read
 * fails. Returns 0 with *s filled, -1 with errno set on a read, write or
 * truncate error.
 */
int salvage_file(int fd, const struct salvage_mark *m, struct salvage *s);

#endif
