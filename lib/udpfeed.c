/* udpfeed.c: datagrams fed into a sender's batch, paced, sent. */
#include <err.h>
#include <errno.h>
#include <string.h>

#include "clock.h"
#include "synth.h"
#include "udpfeed.h"

/* die_send: exit 111 naming the send error e. */
static void
die_send(const struct udpfeed *f, int e)
{
	errno = e;
	err(111, "unable to send to %s", f->peer);
}

int
udpfeed_sniff(struct udpfeed *f, int fd, int af)
{
	int n;

	/* a text line is whole up to the largest payload of the family */
	dgramin_init(&f->in, fd, af);
	while ((n = recin_wait_sniff(&f->in, f->sigfd)) == RECIN_AGAIN)
		if (f->signals(f->arg))
			return 0;
	if (n == -1) {
		f->badinput = recin_fail(&f->in);
		return 0;
	}
	return n;
}

int
udpfeed_next(struct udpfeed *f, struct dgram *d)
{
	int n;

	if (f->count) {
		if (f->read == f->count)
			return 0;
		memset(d, 0, sizeof *d);
		d->len = f->size;
		f->read++;
		return 1;
	}
	if ((n = dgramin_next(&f->in, d, &f->read, &f->tx.skipped)) == -1) {
		f->badinput = recin_fail(&f->in);
		return 0;
	}
	return n;
}

int
udpfeed_schedule(struct udpfeed *f, const struct dgram *d, uint64_t *due)
{
	uint64_t t;

	t = *due = pace_due(&f->pace, d->sec, d->nsec, clock_mono());
	/* it joins the batch when due already (catching up) or within the
	 * window of the batch's first, which was waited for */
	if (f->tx.n > 0 && t > clock_mono() &&
	    t - f->tx.due[0] > f->pace.window)
		udpfeed_flush(f);
	if (f->tx.n > 0 || pace_ready(&f->pace, t))
		return 0;
	while (pace_sleep(&f->pace, t) == -1)
		if (f->signals(f->arg))
			return -1;
	return f->pace.window == 0;
}

void
udpfeed_add(struct udpfeed *f, const struct dgram *d, uint64_t due)
{
	unsigned char *p;

	if (!udptx_fits(&f->tx, d->len))
		udpfeed_flush(f);
	p = udptx_add(&f->tx, d->len, due);
	if (d->p != NULL)
		memcpy(p, d->p, d->len);
	else
		synth_fill(p, d->len, f->seq++, f->count);
}

void
udpfeed_flush(struct udpfeed *f)
{
	int e;

	while ((e = udptx_flush(&f->tx, f->sigfd)) == UDPTX_WAITED)
		f->signals(f->arg);
	if (e != 0)
		die_send(f, e);
}

void
udpfeed_pending(struct udpfeed *f)
{
	int e;

	if ((e = udptx_pending(&f->tx)) != 0)
		die_send(f, e);
}
