/* salvage.c: make a crashed writer's file valid again, keeping only
 * whole, plausible records; and the side file that says how far it is
 * known good. */
#include <sys/stat.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "frame.h"
#include "pcapw.h"
#include "put.h"
#include "salvage.h"

#define WIN	(1u << 20)	/* bytes read at a time */
#define SLOT	SALVAGE_BLOCK

/* The side file. */

static uint32_t
fnv32(const char *p, size_t n)
{
	uint32_t h = 2166136261u;

	while (n-- > 0)
		h = (h ^ (unsigned char)*p++) * 16777619u;
	return h;
}

int
salvage_mark_write(int fd, struct salvage_mark *m)
{
	char b[SLOT], hex[2 * sizeof m->hdr + 1];
	size_t i;
	int n;

	m->seq++;
	for (i = 0; i < sizeof m->hdr; i++)
		snprintf(hex + 2 * i, 3, "%02x", m->hdr[i]);
	n = snprintf(b, sizeof b, "chanlog-ok 1 seq=%" PRIu64 " ino=%" PRIu64
	    " synced=%" PRIu64 " framing=%s nul=%d first=%" PRId64 ".%09"
	    PRIu32 " last=%" PRId64 ".%09" PRIu32 " hdr=%s", m->seq, m->ino,
	    m->synced, m->framing == FRAME_PCAP ? "pcap" : "text", m->nul,
	    m->first_sec, m->first_nsec, m->last_sec, m->last_nsec,
	    m->framing == FRAME_PCAP ? hex : "-");
	n += snprintf(b + n, sizeof b - (size_t)n, " sum=%08" PRIx32,
	    fnv32(b, (size_t)n));
	/* spaces to the end of the slot, so cat shows one line a slot */
	memset(b + n, ' ', sizeof b - (size_t)n - 1);
	b[sizeof b - 1] = '\n';
	if (pwrite(fd, b, sizeof b, (off_t)(m->seq % 2) * SLOT) !=
	    (ssize_t)sizeof b)
		return errno == 0 ? (errno = EIO, -1) : -1;
	return 0;
}

static int
unhex(const char *s, unsigned char *p, size_t n)
{
	unsigned v;
	size_t i;

	for (i = 0; i < n; i++) {
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		p[i] = (unsigned char)v;
	}
	return s[2 * n] == '\0' ? 0 : -1;
}

/* slot_parse: one slot of the side file; 0 when it is whole. */
static int
slot_parse(const unsigned char *p, struct salvage_mark *m)
{
	char b[SLOT + 1], fr[8], hex[64], *sum;
	unsigned long long seq, ino, syn;
	long long fs, ls;
	unsigned fn, ln, want;
	int nul, end = -1;

	memcpy(b, p, SLOT);
	b[SLOT] = '\0';
	if ((sum = strstr(b, " sum=")) == NULL || sscanf(sum, " sum=%8x",
	    &want) != 1 || fnv32(b, (size_t)(sum - b)) != want)
		return -1;
	*sum = '\0';
	if (sscanf(b, "chanlog-ok 1 seq=%llu ino=%llu synced=%llu "
	    "framing=%4s nul=%d first=%lld.%u last=%lld.%u hdr=%63s%n",
	    &seq, &ino, &syn, fr, &nul, &fs, &fn, &ls, &ln, hex, &end) != 10 ||
	    b[end] != '\0' || fn >= NS_PER_S || ln >= NS_PER_S)
		return -1;
	memset(m, 0, sizeof *m);
	m->framing = strcmp(fr, "pcap") == 0 ? FRAME_PCAP : FRAME_TEXT;
	if (m->framing == FRAME_PCAP &&
	    unhex(hex, m->hdr, sizeof m->hdr) == -1)
		return -1;
	m->seq = seq;
	m->ino = ino;
	m->synced = syn;
	m->nul = nul != 0;
	m->first_sec = fs;
	m->first_nsec = fn;
	m->last_sec = ls;
	m->last_nsec = ln;
	return 0;
}

int
salvage_mark_read(int fd, struct salvage_mark *m)
{
	unsigned char b[2 * SLOT];
	struct salvage_mark t[2];
	ssize_t n;
	int ok0, ok1;

	memset(b, 0, sizeof b);
	if ((n = pread(fd, b, sizeof b, 0)) == -1)
		return -1;
	ok0 = n >= SLOT && slot_parse(b, &t[0]) == 0;
	ok1 = n >= 2 * SLOT && slot_parse(b + SLOT, &t[1]) == 0;
	if (!ok0 && !ok1)
		return 0;
	*m = ok0 && (!ok1 || t[0].seq > t[1].seq) ? t[0] : t[1];
	return 1;
}

/* Reading the file through a window. */

struct win {
	int fd;
	off_t size;
	unsigned char *b;
	size_t cap;		/* WIN, or less for a small file */
	off_t base;
	size_t len;
};

/* win_get: the n bytes at off (all inside the file, n <= WIN / 2), or
 * NULL with errno set on a read error. A file that shrinks is EIO. */
static const unsigned char *
win_get(struct win *w, off_t off, size_t n)
{
	size_t want;
	ssize_t k;

	if (off >= w->base && off + (off_t)n <= w->base + (off_t)w->len)
		return w->b + (off - w->base);
	want = w->size - off < (off_t)w->cap ? (size_t)(w->size - off) :
	    w->cap;
	w->base = off;
	w->len = 0;
	while (w->len < want) {
		k = pread(w->fd, w->b + w->len, want - w->len,
		    off + (off_t)w->len);
		if (k == -1 && errno == EINTR)
			continue;
		if (k <= 0) {
			if (k == 0)
				errno = EIO;
			w->len = 0;
			return NULL;
		}
		w->len += (size_t)k;
	}
	return w->b;
}

static int
zeros(const unsigned char *p, size_t n)
{
	while (n > 0 && *p == 0)
		p++, n--;
	return n == 0;
}

/*
 * zero_block: the first sector of zeros that starts in [from, to): the
 * offset, -1 when there is none, -2 on a read error.
 */
static off_t
zero_block(struct win *w, off_t from, off_t to)
{
	const unsigned char *p;
	off_t k;
	size_t n;

	for (k = (from + SLOT - 1) / SLOT * SLOT; k < to; k += SLOT) {
		n = w->size - k < SLOT ? (size_t)(w->size - k) : SLOT;
		if ((p = win_get(w, k, n)) == NULL)
			return -2;
		if (zeros(p, n))
			return k;
	}
	return -1;
}

/* pcap. */

struct pv {
	int little, nsec;
	uint32_t snaplen;
	int have_prev;
	int64_t sec;
	uint32_t frac;		/* ns */
};

static uint32_t
rd32(const unsigned char *p, int little)
{
	return little ? (uint32_t)p[0] | (uint32_t)p[1] << 8 |
	    (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24 :
	    (uint32_t)p[3] | (uint32_t)p[2] << 8 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[0] << 24;
}

/* magic: 1 and v filled for one of the four pcap magics, else 0. */
static int
magic(const unsigned char *h, struct pv *v)
{
	uint32_t be = rd32(h, 0);

	memset(v, 0, sizeof *v);
	switch (be) {
	case PCAP_MAGIC_US: case PCAP_MAGIC_NS:
		v->nsec = be == PCAP_MAGIC_NS;
		break;
	case 0xd4c3b2a1u: case 0x4d3cb2a1u:
		v->little = 1;
		v->nsec = be == 0x4d3cb2a1u;
		break;
	default:
		return 0;
	}
	v->snaplen = rd32(h + 16, v->little);
	return 1;
}

/* hdr_good: a magic and a version libpcap reads (2.0 to 2.4). */
static int
hdr_good(const unsigned char *h)
{
	struct pv v;
	unsigned maj, min;

	if (!magic(h, &v))
		return 0;
	maj = v.little ? h[4] | h[5] << 8 : h[4] << 8 | h[5];
	min = v.little ? h[6] | h[7] << 8 : h[6] << 8 | h[7];
	return maj == 2 && min <= 4;
}

/* repair: a magic whose rest is torn: version 2.4 and a snaplen in
 * range; the zone, sigfigs and link type are kept as found. */
static void
repair(unsigned char *h)
{
	struct pv v;

	magic(h, &v);
	if (v.little) {
		put_le16(h + 4, 2);
		put_le16(h + 6, 4);
	} else {
		put_be16(h + 4, 2);
		put_be16(h + 6, 4);
	}
	if (v.snaplen > SALVAGE_MAXLEN)
		(v.little ? put_le32 : put_be32)(h + 16, SALVAGE_MAXLEN);
}

/*
 * pcap_head: the header the kept file must have, into hdr. Returns 1
 * (s->fixhdr set when the file's own must be replaced), 0 when the file
 * cannot hold a record, -1 on a read error.
 */
static int
pcap_head(struct win *w, const struct salvage_mark *m, int mine,
    unsigned char *hdr, struct salvage *s)
{
	const unsigned char *p;

	if (w->size < PCAP_FILEHDR_LEN)
		return 0;
	if ((p = win_get(w, 0, PCAP_FILEHDR_LEN)) == NULL)
		return -1;
	memcpy(hdr, p, PCAP_FILEHDR_LEN);
	if (s->trusted >= PCAP_FILEHDR_LEN)
		return 1;
	if (m != NULL && m->framing == FRAME_PCAP &&
	    (mine || !hdr_good(hdr)))
		memcpy(hdr, m->hdr, PCAP_FILEHDR_LEN);
	else if (!hdr_good(hdr))
		repair(hdr);
	if (memcmp(hdr, p, PCAP_FILEHDR_LEN) != 0)
		s->fixhdr = m != NULL && m->framing == FRAME_PCAP &&
		    memcmp(hdr, m->hdr, PCAP_FILEHDR_LEN) == 0 ? 1 : 2;
	return 1;
}

/* rec_check: the 16-byte record header h at off against the rules;
 * 0 with its time and caplen, -1 with s->why set. */
static int
rec_check(const unsigned char *h, off_t off, struct pv *v, uint32_t *caplen,
    struct salvage *s)
{
	uint32_t ts = rd32(h, v->little), fr = rd32(h + 4, v->little);
	uint32_t cl = rd32(h + 8, v->little), len = rd32(h + 12, v->little);
	uint32_t lim = v->snaplen > 0 && v->snaplen < SALVAGE_MAXLEN ?
	    v->snaplen : SALVAGE_MAXLEN;
	int64_t d;

	if (cl > lim || cl > len || len == 0 || len > SALVAGE_MAXLEN ||
	    fr >= (v->nsec ? NS_PER_S : 1000000u)) {
		snprintf(s->why, sizeof s->why, "implausible record header "
		    "at offset %lld (caplen %" PRIu32 ", len %" PRIu32
		    ", fraction %" PRIu32 ")", (long long)off, cl, len, fr);
		return -1;
	}
	if (!v->nsec)
		fr *= 1000;
	d = (int64_t)ts - v->sec;
	if (v->have_prev && (d < -SALVAGE_BACK || d > SALVAGE_FWD ||
	    (d == -SALVAGE_BACK && fr < v->frac) ||
	    (d == SALVAGE_FWD && fr > v->frac))) {
		snprintf(s->why, sizeof s->why, "record at offset %lld "
		    "%" PRId64 " s from the one before it", (long long)off, d);
		return -1;
	}
	v->have_prev = 1;
	v->sec = ts;
	v->frac = fr;
	*caplen = cl;
	return 0;
}

/* pcap_walk: from off on, the end of the last plausible record into
 * s->keep. Returns 0, -1 on a read error. */
static int
pcap_walk(struct win *w, off_t off, struct pv *v, struct salvage *s)
{
	const unsigned char *h;
	uint32_t cl;
	off_t z, end;

	for (;;) {
		s->keep = off;
		if (off == w->size)
			return 0;
		if (w->size - off < PCAP_RECHDR_LEN) {
			snprintf(s->why, sizeof s->why, "a partial record "
			    "header at offset %lld", (long long)off);
			s->cutrecs = 1;
			return 0;
		}
		if ((h = win_get(w, off, PCAP_RECHDR_LEN)) == NULL)
			return -1;
		if (rec_check(h, off, v, &cl, s) == -1)
			return 0;
		end = off + PCAP_RECHDR_LEN + cl;
		if (end > w->size) {
			snprintf(s->why, sizeof s->why, "a partial record at "
			    "offset %lld", (long long)off);
			s->cutrecs = 1;
			return 0;
		}
		if ((z = zero_block(w, off, end)) == -2)
			return -1;
		if (z >= 0) {
			snprintf(s->why, sizeof s->why, "a sector of zeros "
			    "at offset %lld, in the record at offset %lld",
			    (long long)z, (long long)off);
			return 0;
		}
		if (!s->have_time) {
			s->sec = v->sec;
			s->nsec = v->frac;
			s->have_time = 1;
		}
		off = end;
	}
}

static int
pcap_keep(struct win *w, const struct salvage_mark *m, int mine,
    struct salvage *s)
{
	unsigned char hdr[PCAP_FILEHDR_LEN];
	struct pv v;
	off_t off = PCAP_FILEHDR_LEN;
	int n;

	s->cutrecs = -1;
	if ((n = pcap_head(w, m, mine, hdr, s)) != 1) {
		if (n == 0)
			snprintf(s->why, sizeof s->why, "a partial file header");
		return n;
	}
	magic(hdr, &v);
	if (s->trusted > off) {
		off = s->trusted;
		if (m->first_sec >= 0) {
			s->sec = m->first_sec;
			s->nsec = m->first_nsec;
			s->have_time = 1;
		}
		if (m->last_sec >= 0) {
			v.have_prev = 1;
			v.sec = m->last_sec;
			v.frac = m->last_nsec;
		}
	}
	if (pcap_walk(w, off, &v, s) == -1)
		return -1;
	if (s->keep == PCAP_FILEHDR_LEN)
		s->keep = 0;	/* a header alone: nothing worth a file */
	if (s->keep > 0 && s->fixhdr &&
	    pwrite(w->fd, hdr, sizeof hdr, 0) != (ssize_t)sizeof hdr)
		return errno == 0 ? (errno = EIO, -1) : -1;
	return 0;
}

/* text. */

/* first_nul: the first NUL byte in [from, size), or size; -2 on error. */
static off_t
first_nul(struct win *w, off_t from)
{
	const unsigned char *p, *q;
	size_t n;

	for (; from < w->size; from += (off_t)n) {
		n = w->size - from < (off_t)(WIN / 2) ?
		    (size_t)(w->size - from) : WIN / 2;
		if ((p = win_get(w, from, n)) == NULL)
			return -2;
		if ((q = memchr(p, 0, n)) != NULL)
			return from + (q - p);
	}
	return w->size;
}

/* after_nl: the byte after the last newline in [from, to), or from. */
static off_t
after_nl(struct win *w, off_t from, off_t to)
{
	const unsigned char *p, *q;
	size_t n;

	while (to > from) {
		n = to - from < (off_t)(WIN / 2) ? (size_t)(to - from) : WIN / 2;
		to -= (off_t)n;
		if ((p = win_get(w, to, n)) == NULL)
			return -2;
		if ((q = memrchr(p, '\n', n)) != NULL)
			return to + (q - p) + 1;
	}
	return from;
}

/* lines_in: the lines in [from, size), a last one without newline
 * counted; -1 on error. */
static long long
lines_in(struct win *w, off_t from)
{
	const unsigned char *p, *q, *e;
	long long c = 0;
	size_t n;
	int nl = 1;

	for (; from < w->size; from += (off_t)n) {
		n = w->size - from < (off_t)(WIN / 2) ?
		    (size_t)(w->size - from) : WIN / 2;
		if ((p = win_get(w, from, n)) == NULL)
			return -1;
		for (q = p, e = p + n; (q = memchr(q, '\n', (size_t)(e - q)));
		    q++)
			c++;
		nl = p[n - 1] == '\n';
	}
	return c + !nl;
}

static int
text_keep(struct win *w, const struct salvage_mark *m, int mine,
    struct salvage *s)
{
	off_t hole, z;

	if (m == NULL || !m->nul) {
		if ((hole = first_nul(w, s->trusted)) == -2)
			return -1;
		if (hole < w->size)
			snprintf(s->why, sizeof s->why, "a NUL byte at offset "
			    "%lld, in a stream without any", (long long)hole);
	} else {
		if ((z = zero_block(w, s->trusted, w->size)) == -2)
			return -1;
		hole = z >= 0 ? z : w->size;
		if (z >= 0)
			snprintf(s->why, sizeof s->why, "a sector of zeros at "
			    "offset %lld", (long long)z);
	}
	if ((s->keep = after_nl(w, s->trusted, hole)) == -2)
		return -1;
	if (hole == w->size && s->keep < w->size)
		snprintf(s->why, sizeof s->why, "a partial line at offset "
		    "%lld", (long long)s->keep);
	if ((s->cutrecs = lines_in(w, s->keep)) == -1)
		return -1;
	if (mine && m->first_sec >= 0 && s->keep > 0) {
		s->sec = m->first_sec;
		s->nsec = m->first_nsec;
		s->have_time = 1;
	}
	return 0;
}

/* framing: the channel's when the mark is this file's, or when the
 * file's first bytes are lost (zeros); else the file's own. */
static int
framing(struct win *w, const struct salvage_mark *m, int mine)
{
	const unsigned char *p;
	size_t n = w->size < 4 ? (size_t)w->size : 4;

	if (m != NULL && mine)
		return m->framing;
	if ((p = win_get(w, 0, n)) == NULL)
		return -1;
	if (m != NULL && (n == 0 || zeros(p, n)))
		return m->framing;
	return frame_detect(p, n);
}

int
salvage_file(int fd, const struct salvage_mark *m, struct salvage *s)
{
	struct win w;
	struct stat st;
	int mine, r;

	memset(s, 0, sizeof *s);
	memset(&w, 0, sizeof w);
	if (fstat(fd, &st) == -1)
		return -1;
	w.cap = st.st_size < (off_t)WIN ? (size_t)st.st_size + 1 : WIN;
	if ((w.b = malloc(w.cap)) == NULL)
		return -1;
	w.fd = fd;
	w.size = st.st_size;
	mine = m != NULL && m->ino == (uint64_t)st.st_ino;
	if (mine && m->synced <= (uint64_t)st.st_size)
		s->trusted = (off_t)m->synced;
	r = -1;
	if ((s->framing = framing(&w, m, mine)) == -1)
		goto out;
	if ((s->framing == FRAME_PCAP ? pcap_keep(&w, m, mine, s) :
	    text_keep(&w, m, mine, s)) == -1)
		goto out;
	s->cut = st.st_size - s->keep;
	if (s->cut == 0)
		s->cutrecs = 0;
	if (s->cut > 0 && ftruncate(fd, s->keep) == -1)
		goto out;
	r = 0;
out:
	free(w.b);
	return r;
}
