/* recfile.c: records held in memory and written to a file whole, or not. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "recfile.h"

#define FILEHDR 24
#define RECHDR 16
#define CAP0 (512u * 1024)

void
recfile_init(struct recfile *w, int pcap, int swap, size_t max)
{
	memset(w, 0, sizeof *w);
	w->fd = -1;
	w->pcap = pcap;
	w->swap = swap;
	w->max = max;
}

void
recfile_reset(struct recfile *w, int fd, uint64_t size, int hdr)
{
	w->fd = fd;
	w->size = size;
	w->hdr = hdr;
}

int
recfile_add(struct recfile *w, const void *s, size_t n)
{
	unsigned char *np;
	size_t cap;

	if (w->len + n > w->cap) {
		if (w->len + n > w->max)
			return -1;
		for (cap = w->cap ? w->cap : CAP0; cap < w->len + n; )
			cap *= 2;
		if (cap > w->max)
			cap = w->max;
		if ((np = realloc(w->p, cap)) == NULL)
			return -1;
		w->p = np;
		w->cap = cap;
	}
	memcpy(w->p + w->len, s, n);
	w->len += n;
	return 0;
}

static size_t
caplen(const struct recfile *w, size_t off)
{
	uint32_t v;

	memcpy(&v, w->p + off + 8, 4);
	return w->swap ? __builtin_bswap32(v) : v;
}

/* first: where the records start (after a held file header). */
static size_t
first(const struct recfile *w)
{
	return w->pcap && w->hdr ? FILEHDR : 0;
}

/* boundary: the bytes of the whole records among the first n held. */
static size_t
boundary(const struct recfile *w, size_t n)
{
	const unsigned char *nl;
	size_t off = first(w), next;

	if (n == w->len)
		return n;
	if (!w->pcap) {
		nl = n ? memrchr(w->p, '\n', n) : NULL;
		return nl ? (size_t)(nl - w->p) + 1 : 0;
	}
	if (off > n)
		return 0;
	while (off + RECHDR <= w->len &&
	    (next = off + RECHDR + caplen(w, off)) <= n)
		off = next;
	return off;
}

/* shrink: all written: room grown past CAP0 (a full disk, a slow one)
 * goes back, so the memory a long hold took returns when it is over. */
static void
shrink(struct recfile *w)
{
	unsigned char *np;

	if (w->cap > CAP0 && (np = realloc(w->p, CAP0)) != NULL) {
		w->p = np;
		w->cap = CAP0;
	}
}

int
recfile_flush(struct recfile *w)
{
	size_t done = 0, keep;
	ssize_t n;
	int e;

	while (done < w->len) {
		/* at the offset we know: after a cut-back the file position
		 * of an fd without O_APPEND would be past the end */
		n = pwrite(w->fd, w->p + done, w->len - done,
		    (off_t)(w->size + done));
		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		e = n == 0 ? ENOSPC : errno;
		keep = boundary(w, done);
		/* cut a half-written record off: the file stays valid */
		if (done > keep)
			(void)!ftruncate(w->fd, (off_t)(w->size + keep));
		w->size += keep;
		if (keep > 0)
			w->hdr = 0;
		memmove(w->p, w->p + keep, w->len - keep);
		w->len -= keep;
		errno = e;
		return -1;
	}
#ifdef SYNC_FILE_RANGE_WRITE
	/* start the write-back now, so an fsync later waits less */
	(void)sync_file_range(w->fd, (off_t)w->size, (off_t)done,
	    SYNC_FILE_RANGE_WRITE);
#endif
	w->size += done;
	w->len = 0;
	w->hdr = 0;
	shrink(w);
	return 0;
}

uint64_t
recfile_records(const struct recfile *w)
{
	const unsigned char *nl;
	size_t off = first(w), next;
	uint64_t n = 0;

	for (; off < w->len; off = next, n++)
		if (!w->pcap) {
			nl = memchr(w->p + off, '\n', w->len - off);
			next = nl ? (size_t)(nl - w->p) + 1 : w->len;
		} else
			next = off + RECHDR + caplen(w, off);
	return n;
}
