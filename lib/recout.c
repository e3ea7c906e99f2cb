/* recout.c: write UDP records in one of the four output formats. */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "arg.h"
#include "esc.h"
#include "recout.h"
#include "timefmt.h"

#define SLOT		65536
#define OBUF_CAP	(4 * SLOT + 512)	/* one escaped datagram fits */
#define FLUSH_AT	(3 * SLOT)	/* few writes, and the next datagram
					 * still fits behind */
#define PIPE_SIZE	(1 << 20)	/* the unprivileged maximum by default */
#define TRAIN_V		16384	/* a train this large is written, not copied */
#define TRAIN_RECS	128	/* records per writev (of IOV_MAX 1024) */

static const char *const names[] = { "pcap", "text", "line", "raw" };

int
recout_format(const char *name)
{
	int i;

	for (i = 0; i < (int)(sizeof names / sizeof names[0]); i++)
		if (strcmp(name, names[i]) == 0)
			return i;
	return -1;
}

int
recout_format_arg(const char *s)
{
	int f = recout_format(s);

	if (f == -1)
		arg_fail("format", s, "use pcap, text, line or raw");
	return f;
}

const char *
recout_name(int fmt)
{
	return fmt >= 0 && fmt <= RECOUT_RAW ? names[fmt] : "?";
}

int
recout_binary(int fmt)
{
	return fmt == RECOUT_PCAP || fmt == RECOUT_RAW;
}

int
recout_init(struct recout *w, int fd, int fmt, int unbuf)
{
	struct stat st;

	memset(w, 0, sizeof *w);
	w->fmt = fmt;
	w->unbuf = unbuf;
	w->pipe = fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode);
	/* at 10 Gbit/s a 64 KiB pipe fills in 50 us: every write would
	 * wait for the reader to be scheduled; a larger one carries the
	 * bursts (best effort: a smaller one still works) */
	if (w->pipe && fcntl(fd, F_GETPIPE_SZ) < PIPE_SIZE)
		(void)fcntl(fd, F_SETPIPE_SZ, PIPE_SIZE);
	if (obuf_init(&w->ob, fd, OBUF_CAP) == -1)
		return -1;
	return obuf_track(&w->ob);
}

void
recout_stdout(struct recout *w, int fmt, int unbuf)
{
	int tty = isatty(STDOUT_FILENO);

	if (fmt == -1)
		fmt = tty ? RECOUT_TEXT : RECOUT_PCAP;
	if (tty && recout_binary(fmt))
		errx(100, "refusing to write binary (-F %s) to a terminal",
		    recout_name(fmt));
	if (recout_init(w, STDOUT_FILENO, fmt, unbuf) == -1)
		err(111, "unable to allocate the output buffer");
}

int
recout_header(struct recout *w)
{
	unsigned char hdr[PCAP_FILEHDR_LEN];

	if (w->fmt != RECOUT_PCAP)
		return 0;
	pcapw_filehdr(hdr, LINKTYPE_RAW);
	if (obuf_write(&w->ob, hdr, sizeof hdr) == -1)
		return -1;
	return obuf_flush(&w->ob);
}

static int
put_text(struct recout *w, const struct udpmeta *m, const unsigned char *p,
    size_t n)
{
	char *b, *s;

	if ((b = (char *)obuf_reserve(&w->ob, 2 * ADDR_STRLEN + 64 +
	    4 * n)) == NULL)
		return -1;
	s = b + timefmt_iso(b, m->ts.tv_sec, (uint32_t)m->ts.tv_nsec);
	*s++ = ' ';
	s += strlen(addr_format_ip(m->af, m->src, m->sport, s));
	memcpy(s, " > ", 3);
	s += 3;
	s += strlen(addr_format_ip(m->af, m->dst, m->dport, s));
	s += snprintf(s, 24, " %zu ", n);
	s += esc_bytes(s, p, n);
	*s++ = '\n';
	obuf_commit(&w->ob, (size_t)(s - b));
	return 0;
}

static int
put_pcap(struct recout *w, const struct udpmeta *m, const unsigned char *p,
    size_t n)
{
	unsigned char *b;
	size_t h;

	if ((b = obuf_reserve(&w->ob, PCAPW_UDPHDR_MAX + n)) == NULL)
		return -1;
	h = pcapw_udp(b, m, n);
	memcpy(b + h, p, n);
	if (m->af == AF_INET6)
		pcapw_cksum6(b, n);
	obuf_commit(&w->ob, h + n);
	return 0;
}

/* mark: one more record of n payload bytes, ending where the output now
 * ends. */
static void
mark(struct recout *w, size_t n)
{
	obuf_mark(&w->ob);
	w->written++;
	w->bytes += n;
}

int
recout_udp(struct recout *w, const struct udpmeta *m, const unsigned char *p,
    size_t n)
{
	unsigned char *b;
	size_t payload = n;
	int r = 0;

	switch (w->fmt) {
	case RECOUT_PCAP:
		r = put_pcap(w, m, p, n);
		break;
	case RECOUT_TEXT:
		r = put_text(w, m, p, n);
		break;
	case RECOUT_LINE:
		if ((b = obuf_reserve(&w->ob, n + 1)) == NULL)
			return -1;
		memcpy(b, p, n);
		/* one newline ends a line: "hello\n" from nc is one line */
		if (n == 0 || p[n - 1] != '\n')
			b[n++] = '\n';
		obuf_commit(&w->ob, n);
		break;
	default:
		r = obuf_write(&w->ob, p, n);
		break;
	}
	if (r == -1)
		return -1;
	mark(w, payload);
	if (w->unbuf || w->ob.len >= FLUSH_AT)
		return obuf_flush(&w->ob);
	return 0;
}

/* pcap_trainv: the records of a large IPv4 train, not copied: one
 * writev of the buffer, then a header and the payload in place for each
 * datagram (the seg-byte ones all share one header, built once). */
static int
pcap_trainv(struct recout *w, const struct udpmeta *m, const unsigned char *p,
    size_t len, size_t seg, uint64_t max, uint64_t *took)
{
	unsigned char hdr[PCAPW_UDPHDR_MAX], last[PCAPW_UDPHDR_MAX];
	struct iovec v[1 + 2 * TRAIN_RECS];
	size_t h = pcapw_udp(hdr, m, seg), off, n, past = 0;
	int c = 1;

	for (off = 0; off < len && (max == 0 || *took < max); off += n) {
		n = len - off < seg ? len - off : seg;
		if (c == 1 + 2 * TRAIN_RECS) {
			if (obuf_writev(&w->ob, v, c) == -1)
				return -1;
			c = 1;
			past = 0;
		}
		v[c].iov_base = n == seg ? hdr : last;
		if (n != seg)
			pcapw_udp(last, m, n);
		v[c++].iov_len = h;
		v[c].iov_base = (void *)(p + off);
		v[c++].iov_len = n;
		past += h + n;
		obuf_mark_past(&w->ob, past);
		w->written++;
		w->bytes += n;
		(*took)++;
	}
	return obuf_writev(&w->ob, v, c);
}

/* pcap_train: the records of a train whose datagrams have one sender,
 * destination and time: the headers of the seg-byte ones are built once
 * and copied in front of each payload, in place in the buffer. */
static int
pcap_train(struct recout *w, const struct udpmeta *m, const unsigned char *p,
    size_t len, size_t seg, uint64_t max, uint64_t *took)
{
	unsigned char hdr[PCAPW_UDPHDR_MAX], *b;
	size_t h = pcapw_udp(hdr, m, seg), off, n;

	for (off = 0; off < len && (max == 0 || *took < max); off += n) {
		n = len - off < seg ? len - off : seg;
		if ((b = obuf_reserve(&w->ob, PCAPW_UDPHDR_MAX + n)) == NULL)
			return -1;
		if (n == seg)
			memcpy(b, hdr, h);
		else
			pcapw_udp(b, m, n);
		memcpy(b + h, p + off, n);
		if (m->af == AF_INET6)
			pcapw_cksum6(b, n);
		obuf_commit(&w->ob, h + n);
		mark(w, n);
		(*took)++;
		if (w->unbuf && obuf_flush(&w->ob) == -1)
			return -1;
	}
	if (w->ob.len >= FLUSH_AT)
		return obuf_flush(&w->ob);
	return 0;
}

int
recout_train(struct recout *w, const struct udpmeta *m,
    const unsigned char *p, size_t len, size_t seg, uint64_t max,
    uint64_t *took)
{
	size_t off, n;

	*took = 0;
	if (seg == 0 || seg >= len) {
		if (recout_udp(w, m, p, len) == -1)
			return -1;
		*took = 1;
		return 0;
	}
	/* a copy costs less than a system call below some 16 KiB; an IPv6
	 * header holds the payload's checksum: not one for all */
	if (w->fmt == RECOUT_PCAP && m->af == AF_INET && len >= TRAIN_V)
		return pcap_trainv(w, m, p, len, seg, max, took);
	if (w->fmt == RECOUT_PCAP)
		return pcap_train(w, m, p, len, seg, max, took);
	for (off = 0; off < len && (max == 0 || *took < max); off += n) {
		n = len - off < seg ? len - off : seg;
		if (recout_udp(w, m, p + off, n) == -1)
			return -1;
		(*took)++;
	}
	return 0;
}

int
recout_frame(struct recout *w, const struct udpmeta *m,
    const unsigned char *frame, size_t caplen, const unsigned char *p,
    size_t n)
{
	unsigned char *b;

	if (w->fmt != RECOUT_PCAP || frame == NULL)
		return recout_udp(w, m, p, n);
	if ((b = obuf_reserve(&w->ob, PCAP_RECHDR_LEN + caplen)) == NULL)
		return -1;
	pcapw_rechdr(b, m->ts.tv_sec, (uint32_t)m->ts.tv_nsec,
	    (uint32_t)caplen, (uint32_t)caplen);
	memcpy(b + PCAP_RECHDR_LEN, frame, caplen);
	obuf_commit(&w->ob, PCAP_RECHDR_LEN + caplen);
	mark(w, n);
	if (w->unbuf || w->ob.len >= FLUSH_AT)
		return obuf_flush(&w->ob);
	return 0;
}

void
recout_fail(struct recout *w)
{
	if (errno == EPIPE)
		obuf_gone(&w->ob);
	err(111, "unable to write output");
}

int
recout_flush(struct recout *w)
{
	return obuf_flush(&w->ob);
}

int
recout_wait(struct recout *w, int fd, int sigfd, const struct timespec *ts)
{
	struct pollfd pfd[3] = { { fd, POLLIN, 0 }, { sigfd, POLLIN, 0 },
	    { -1, 0, 0 } };

	if (recout_flush(w) == -1)
		return -1;
	pfd[2].fd = w->pipe ? w->ob.fd : -1;
	if (ppoll(pfd, 3, ts, NULL) == -1 && errno != EINTR)
		return -2;
	if (pfd[2].revents & (POLLERR | POLLHUP)) {
		errno = EPIPE;
		return -1;
	}
	return 0;
}

void
recout_free(struct recout *w)
{
	obuf_free(&w->ob);
}
