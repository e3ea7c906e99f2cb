/* passthru.c: the stream copied to an output as it came. */
#include <err.h>
#include <unistd.h>

#include "frame.h"
#include "passthru.h"

void
passthru_init(struct passthru *p, int fd, size_t cap, int on)
{
	p->on = on;
	p->records = p->bytes = 0;
	if (obuf_init(&p->ob, fd, cap) == -1 || obuf_track(&p->ob) == -1)
		err(111, "unable to allocate");
}

void
passthru_header(struct passthru *p, int framing, const unsigned char *hdr,
    size_t len)
{
	if (!p->on || framing != FRAME_PCAP)
		return;
	if (isatty(p->ob.fd))
		errx(100, "refusing to write pcap to a terminal (use -n, or "
		    "a pipe or file)");
	if (obuf_write(&p->ob, hdr, len) == -1)
		err(111, "unable to write output");
}

void
passthru_record(struct passthru *p, const struct iovec *v, int cnt)
{
	int i;

	if (!p->on)
		return;
	if (obuf_record(&p->ob, v, cnt) == -1)
		obuf_fail(&p->ob);
	p->records++;
	for (i = 0; i < cnt; i++)
		p->bytes += v[i].iov_len;
}

void
passthru_flush(struct passthru *p)
{
	if (p->on && obuf_flush(&p->ob) == -1)
		obuf_fail(&p->ob);
}

void
passthru_close(struct passthru *p)
{
	if (p->on && (obuf_flush(&p->ob) == -1 || close(p->ob.fd) == -1))
		obuf_fail(&p->ob);
}
