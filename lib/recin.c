/* recin.c: records from a non-blocking input: pcap or text lines. */
#include <err.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "recin.h"

void
recin_init(struct recin *in, int fd, size_t maxline)
{
	memset(in, 0, sizeof *in);
	in->fd = fd;
	in->framing = -1;
	in->maxline = maxline;
}

/* maybe_pcap: 1 while the first n bytes could still begin a pcap magic. */
static int
maybe_pcap(const unsigned char *p, size_t n)
{
	static const unsigned char magic[4][4] = {
		{ 0xa1, 0xb2, 0xc3, 0xd4 }, { 0xd4, 0xc3, 0xb2, 0xa1 },
		{ 0xa1, 0xb2, 0x3c, 0x4d }, { 0x4d, 0x3c, 0xb2, 0xa1 },
	};
	int i;

	for (i = 0; i < 4; i++)
		if (memcmp(p, magic[i], n < 4 ? n : 4) == 0)
			return 1;
	return 0;
}

static int
start(struct recin *in)
{
	in->framing = frame_detect(in->pre, in->have);
	if (in->framing == FRAME_TEXT) {
		if (liner_init(&in->ln, in->fd, in->pre, in->have,
		    in->maxline) == -1) {
			snprintf(in->err, sizeof in->err, "out of memory");
			in->syserr = 1;
			return -1;
		}
		return 1;
	}
	memcpy(in->hdr, in->pre, sizeof in->hdr);
	if (pcapr_open(&in->rd, in->fd, in->pre, in->have) == -1) {
		snprintf(in->err, sizeof in->err, "%s", in->rd.err);
		in->syserr = in->rd.syserr;
		return -1;
	}
	return 1;
}

int
recin_sniff(struct recin *in)
{
	size_t need = in->have >= 4 ? PCAP_FILEHDR_LEN : 4;
	ssize_t n;

	while (in->have < need) {
		n = read(in->fd, in->pre + in->have, need - in->have);
		if (n == 0)
			return in->have == 0 ? 0 : start(in);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return RECIN_AGAIN;
			snprintf(in->err, sizeof in->err, "read error: %s",
			    strerror(errno));
			in->syserr = 1;
			return -1;
		}
		in->have += (size_t)n;
		/* a first line "a" is text at once, not after 4 bytes */
		if (!maybe_pcap(in->pre, in->have))
			return start(in);
		if (in->have >= 4)
			need = PCAP_FILEHDR_LEN;
	}
	return start(in);
}

void
recin_wait(const struct recin *in, int sigfd)
{
	struct pollfd pfd[2] = { { in->fd, POLLIN, 0 }, { sigfd, POLLIN, 0 } };

	if (poll(pfd, 2, -1) == -1 && errno != EINTR)
		err(111, "unable to wait for input");
}

int
recin_wait_sniff(struct recin *in, int sigfd)
{
	int n;

	if ((n = recin_sniff(in)) == RECIN_AGAIN)
		recin_wait(in, sigfd);
	return n;
}

int
recin_next(struct recin *in, struct rec *r)
{
	struct pcaprec pr;
	int n;

	if (in->framing == FRAME_TEXT) {
		n = liner_next(&in->ln, &r->p, &r->n, &r->flags);
		if (n == -1) {
			snprintf(in->err, sizeof in->err, "read error: %s",
			    strerror(errno));
			in->syserr = 1;
		}
		return n;
	}
	if ((n = pcapr_next(&in->rd, &pr)) != 1) {
		if (n == -1) {
			snprintf(in->err, sizeof in->err, "%s", in->rd.err);
			in->syserr = in->rd.syserr;
		}
		return n;
	}
	r->p = pr.data - PCAP_RECHDR_LEN;	/* the record as it came */
	r->n = PCAP_RECHDR_LEN + pr.caplen;
	r->flags = 0;
	r->sec = pr.sec;
	r->nsec = pr.nsec;
	r->data = pr.data;
	r->caplen = pr.caplen;
	r->origlen = pr.origlen;
	return 1;
}

int
recin_fail(const struct recin *in)
{
	warnx("unable to read stdin: %s", in->err);
	return in->syserr ? 111 : 1;
}

size_t
recin_rest(struct recin *in)
{
	if (in->framing == FRAME_TEXT) {
		in->ln.eof = 1;
		return in->ln.len - in->ln.off;
	}
	if (in->framing == FRAME_PCAP)
		return in->rd.len - in->rd.off;
	return 0;
}

void
recin_free(struct recin *in)
{
	if (in->framing == FRAME_TEXT)
		liner_free(&in->ln);
	else if (in->framing == FRAME_PCAP)
		pcapr_close(&in->rd);
	in->framing = -1;
}
