/* salvage.c: make a crashed writer's file valid again. */
#include <sys/stat.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "frame.h"
#include "pcapr.h"
#include "pcapw.h"
#include "salvage.h"

/* pcap_keep: the end of the last complete record; the first one's time. */
static int
pcap_keep(int fd, struct salvage *s)
{
	struct pcapr r;
	struct pcaprec rec;
	int n;

	if (lseek(fd, 0, SEEK_SET) == -1)
		return -1;
	if (pcapr_open(&r, fd, NULL, 0) == -1)
		return 0;	/* not even a whole file header */
	while ((n = pcapr_next(&r, &rec)) == 1) {
		if (!s->have_time) {
			s->sec = rec.sec;
			s->nsec = rec.nsec;
			s->have_time = 1;
		}
		s->keep = (off_t)(rec.offset + PCAP_RECHDR_LEN + rec.caplen);
	}
	pcapr_close(&r);
	return 0;
}

/* text_keep: the byte after the last newline, read from the end. */
static int
text_keep(int fd, off_t size, struct salvage *s)
{
	unsigned char b[65536];
	off_t pos = size;
	ssize_t n;
	size_t len;
	unsigned char *nl;

	while (pos > 0) {
		len = pos < (off_t)sizeof b ? (size_t)pos : sizeof b;
		pos -= (off_t)len;
		if ((n = pread(fd, b, len, pos)) != (ssize_t)len)
			return n == -1 ? -1 : (errno = EIO, -1);
		if ((nl = memrchr(b, '\n', len)) != NULL) {
			s->keep = pos + (nl - b) + 1;
			return 0;
		}
	}
	return 0;
}

int
salvage_file(int fd, struct salvage *s)
{
	unsigned char head[4];
	struct stat st;
	ssize_t n;

	memset(s, 0, sizeof *s);
	if (fstat(fd, &st) == -1)
		return -1;
	if ((n = pread(fd, head, sizeof head, 0)) == -1)
		return -1;
	s->framing = frame_detect(head, (size_t)n);
	if (s->framing == FRAME_PCAP ? pcap_keep(fd, s) == -1 :
	    text_keep(fd, st.st_size, s) == -1)
		return -1;
	s->cut = st.st_size - s->keep;
	if (s->cut > 0 && ftruncate(fd, s->keep) == -1)
		return -1;
	return 0;
}
