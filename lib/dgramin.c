/* dgramin.c: the datagrams of a record stream. */
#include <sys/socket.h>

#include <err.h>

#include "decode.h"
#include "dgramin.h"
#include "frame.h"

void
dgramin_init(struct recin *in, int fd, int af)
{
	recin_init(in, fd, af == AF_INET6 ? DGRAMIN_MAX6 : DGRAMIN_MAX4);
}

int
dgramin_next(struct recin *in, struct dgram *d, uint64_t *read,
    uint64_t *skipped)
{
	struct udpinfo u;
	struct rec rec;
	int n;

	for (;;) {
		if ((n = recin_next(in, &rec)) != 1)
			return n;
		if (in->framing == FRAME_TEXT) {
			if (!(rec.flags & LINE_SPLIT)) {
				(*read)++;
				d->p = rec.p;
				d->len = rec.n;
				d->sec = 0;
				d->nsec = 0;
				return 1;
			}
			if (!(rec.flags & LINE_MORE)) {
				if ((*skipped)++ == 0)
					warnx("skipped a line longer than %zu "
					    "bytes", in->maxline);
				(*read)++;
			}
			continue;
		}
		(*read)++;
		if (decode_udp(in->rd.linktype, rec.data, rec.caplen,
		    &u) != 1 || u.paylen < u.paylen_orig) {
			(*skipped)++;
			continue;
		}
		d->p = u.payload;
		d->len = u.paylen;
		d->sec = rec.sec;
		d->nsec = rec.nsec;
		return 1;
	}
}
