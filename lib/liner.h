/* liner.h: read a stream line by line, long lines in pieces. */
#ifndef LINER_H
#define LINER_H

#include <stddef.h>

struct liner {
	int fd;
	unsigned char *buf;
	size_t cap, len, off;
	size_t max;		/* longest line returned whole */
	int eof;
	int split;		/* the last piece handed out had LINE_MORE */
};

/* liner_init: read lines from fd, prefix (may be NULL) first; lines up to
 * max bytes are returned whole (max 0 counts as 1). The buffer grows up
 * to max + 1 bytes (or plen, if larger). fd < 0 reads the prefix alone.
 * Returns 0 or -1 (out of memory). */
int liner_init(struct liner *l, int fd, const void *prefix, size_t plen,
    size_t max);

/*
 * liner_next: the next line, without its newline, in *line and *len (valid
 * until the next call; NUL bytes kept, so use *len, not strlen). *flags:
 *  LINE_NONL	the stream ended without a newline after this line;
 *  LINE_SPLIT	the line was longer than max and this is a piece of it.
 *		A line of L > max bytes comes as ceil(L / max) pieces, all
 *		but the last exactly max bytes; every piece, the last one
 *		included, has LINE_SPLIT;
 *  LINE_MORE	(always with LINE_SPLIT) more pieces of this line follow.
 * Each split line ends with exactly one piece that has LINE_SPLIT without
 * LINE_MORE: count those to count split lines (every LINE_SPLIT piece to
 * count pieces).
 * A line of exactly max bytes is returned whole. An empty line is a
 * record of length 0; an empty stream, or one ending with a newline,
 * yields no empty last line.
 * Returns 1, 0 at EOF, -1 on a read error (errno set; ENOMEM too).
 */
#define LINE_NONL	1
#define LINE_SPLIT	2
#define LINE_MORE	4
int liner_next(struct liner *l, const unsigned char **line, size_t *len,
    int *flags);

/* On a non-blocking fd, liner_next returns LINER_AGAIN when no whole line
 * is there yet; nothing is consumed, so the next call carries on. */
#define LINER_AGAIN	2

void liner_free(struct liner *l);

#endif
