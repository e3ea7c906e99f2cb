/* test_salvage.c: a crashed current keeps only whole, plausible records,
 * torn at every byte of its last record and of a batch; the side file
 * survives a torn slot; names never collide past CHANDIR_TRIES. */
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chandir.h"
#include "frame.h"
#include "put.h"
#include "salvage.h"
#include "tap.h"

#define MAXB	(1 << 20)

static int tfd;		/* the file salvaged: in memory, for speed */
static unsigned char buf[MAXB], got[MAXB];
static size_t bounds[4096];	/* record boundaries of buf */
static int nb;

/* mkpcap: a file header and n records of lengths lens[i % nl], times 1 ms
 * apart from 2030; the boundaries into bounds[]. Returns the size. */
static size_t
mkpcap(int n, const unsigned *lens, int nl)
{
	size_t o = 24;
	int i;
	unsigned j, len;

	put_le32(buf, 0xa1b23c4du);
	put_le16(buf + 4, 2);
	put_le16(buf + 6, 4);
	memset(buf + 8, 0, 8);
	put_le32(buf + 16, 262144);
	put_le32(buf + 20, 147);
	nb = 0;
	bounds[nb++] = o;
	for (i = 0; i < n; i++) {
		len = lens[i % nl];
		put_le32(buf + o, 1893456000u + (unsigned)i / 1000);
		put_le32(buf + o + 4, (unsigned)(i % 1000) * 1000000u);
		put_le32(buf + o + 8, len);
		put_le32(buf + o + 12, len);
		for (j = 0; j < len; j++)	/* never 512 zeros in a row */
			buf[o + 16 + j] = (unsigned char)((i + j) % 251 + 1);
		o += 16 + len;
		bounds[nb++] = o;
	}
	return o;
}

/* mktext: n lines "line NNNNNN xxx...\n" of w bytes. */
static size_t
mktext(int n, int w)
{
	size_t o = 0;
	int i;

	nb = 0;
	bounds[nb++] = 0;
	for (i = 0; i < n; i++) {
		snprintf((char *)buf + o, 16, "line %06d ", i);
		memset(buf + o + 12, 'x', (size_t)w - 13);
		buf[o + w - 1] = '\n';
		o += (size_t)w;
		bounds[nb++] = o;
	}
	return o;
}

/* below: the largest record boundary <= x (0 when only the header). */
static size_t
below(size_t x)
{
	int i;

	for (i = nb - 1; i >= 0; i--)
		if (bounds[i] <= x)
			return bounds[i];
	return 0;
}

/* run: file = p[0..n), salvaged; 0 when it kept exactly want bytes, all
 * equal to ref's (header: ref's too, or hdr when given). */
static int
run(const unsigned char *p, size_t n, const struct salvage_mark *m,
    size_t want, const unsigned char *ref, struct salvage *s)
{
	struct stat st;
	int fd = tfd;

	if (ftruncate(fd, 0) == -1 || pwrite(fd, p, n, 0) != (ssize_t)n)
		return -1;
	if (salvage_file(fd, m, s) == -1 || fstat(fd, &st) == -1)
		return -2;
	if ((size_t)s->keep != want || (size_t)st.st_size != want ||
	    (size_t)s->cut != n - want ||
	    pread(fd, got, want, 0) != (ssize_t)want ||
	    memcmp(got, ref, want) != 0)
		return -3;
	return 0;
}

static unsigned char work[MAXB];

static uint64_t
ino(void)
{
	struct stat st;

	return fstat(tfd, &st) == 0 ? (uint64_t)st.st_ino : 0;
}

/* tear: the file of size n torn by mode at byte x: 'T' truncated there,
 * 'Z' zeros from x's sector (not before from) to the end, 'H' zeros from
 * from to the end of x's sector. */
static size_t
tear(size_t n, size_t x, size_t from, int mode)
{
	size_t a, b;

	memcpy(work, buf, n);
	switch (mode) {
	case 'T':
		return x;
	case 'Z':
		a = x / 512 * 512;
		if (a < from)
			a = from;
		memset(work + a, 0, n - a);
		return n;
	default:
		b = (x + 511) / 512 * 512;
		if (b > n)
			b = n;
		if (b > from)
			memset(work + from, 0, b - from);
		return n;
	}
}

/* expect: what salvage must keep of a file torn by mode at x. */
static size_t
expect(size_t n, size_t x, size_t from, int mode, size_t min)
{
	size_t k;

	switch (mode) {
	case 'T':
		k = below(x);
		break;
	case 'Z':
		k = below(x / 512 * 512 < from ? from : x / 512 * 512);
		break;
	default:
		k = (x + 511) / 512 * 512 > from ? below(from) : n;
	}
	return k <= min ? 0 : k;
}

/* sweep: tear at every byte in [from, to) by mode; the failures. */
static int
sweep(size_t n, size_t from, size_t to, int mode, size_t min,
    const struct salvage_mark *m, size_t *first)
{
	struct salvage s;
	size_t x, len, want;
	int bad = 0;

	for (x = from; x < to; x++) {
		len = tear(n, x, from, mode);
		want = expect(n, x, from, mode, min);
		if (run(work, len, m, want, buf, &s) != 0 && bad++ == 0)
			*first = x;
	}
	return bad;
}

static void
pcap_sweeps(void)
{
	static const unsigned lens[] = { 100, 1400, 37, 600, 1, 700 };
	size_t n, last, first = 0, batch;
	struct salvage_mark m;
	int bad, mode;

	n = mkpcap(16, lens, 6);
	last = bounds[nb - 2];
	for (mode = 'H'; mode; mode = mode == 'H' ? 'T' : mode == 'T' ?
	    'Z' : 0) {
		bad = sweep(n, last, n, mode, 24, NULL, &first);
		ok(bad == 0, "pcap, no mark: torn (%c) at every byte of the "
		    "last record: whole records kept (%d bad, first at %zu)",
		    mode, bad, bad ? first : 0);
	}
	/* a batch: the last 6 records written at once, torn anywhere */
	batch = bounds[nb - 7];
	for (mode = 'H'; mode; mode = mode == 'H' ? 'T' : mode == 'T' ?
	    'Z' : 0) {
		bad = sweep(n, batch, n, mode, 24, NULL, &first);
		ok(bad == 0, "pcap: a batch of 6 records torn (%c) at every "
		    "byte (%d bad, first at %zu)", mode, bad, bad ? first : 0);
	}
	/* the same with a mark: synced up to the batch */
	memset(&m, 0, sizeof m);
	m.framing = FRAME_PCAP;
	m.first_sec = m.last_sec = -1;
	memcpy(m.hdr, buf, 24);
	m.synced = batch;
	m.ino = ino();
	for (mode = 'H'; mode; mode = mode == 'H' ? 'T' : mode == 'T' ?
	    'Z' : 0) {
		bad = sweep(n, batch, n, mode, 24, &m, &first);
		ok(bad == 0, "pcap, marked synced to the batch: torn (%c) at "
		    "every byte after (%d bad, first at %zu)", mode, bad,
		    bad ? first : 0);
	}
	/* the whole file header torn: no mark, nothing */
	bad = sweep(n, 0, 24, 'T', 24, NULL, &first);
	ok(bad == 0, "pcap: cut inside the file header: nothing kept");
}

static void
text_sweeps(void)
{
	size_t n, last, first = 0, batch;
	struct salvage_mark m;
	int bad, mode;

	n = mktext(60, 70);
	last = bounds[nb - 2];
	batch = bounds[nb - 21];
	for (mode = 'H'; mode; mode = mode == 'H' ? 'T' : mode == 'T' ?
	    'Z' : 0) {
		bad = sweep(n, last, n, mode, 0, NULL, &first);
		ok(bad == 0, "text, no mark: torn (%c) at every byte of the "
		    "last line (%d bad, first at %zu)", mode, bad,
		    bad ? first : 0);
		bad = sweep(n, batch, n, mode, 0, NULL, &first);
		ok(bad == 0, "text, no mark: a batch of 20 lines torn (%c) at "
		    "every byte (%d bad, first at %zu)", mode, bad,
		    bad ? first : 0);
	}
	memset(&m, 0, sizeof m);
	m.framing = FRAME_TEXT;
	m.first_sec = m.last_sec = -1;
	m.synced = batch;
	m.ino = ino();
	for (mode = 'H'; mode; mode = mode == 'H' ? 'T' : mode == 'T' ?
	    'Z' : 0) {
		bad = sweep(n, batch, n, mode, 0, &m, &first);
		ok(bad == 0, "text, marked, no NUL in the stream: torn (%c) "
		    "at every byte after the mark (%d bad, first at %zu)", mode,
		    bad, bad ? first : 0);
	}
}

/* a NUL run inside a line, lines after it: cut at the line of the hole */
static void
text_holes(void)
{
	struct salvage_mark m;
	struct salvage s;
	size_t n = mktext(100, 100);

	memcpy(work, buf, n);
	memset(work + 5030, 0, 3000);	/* a hole of 3000 NULs */
	is_int(run(work, n, NULL, 5000, buf, &s), 0,
	    "text, no mark: a run of NULs: cut at the line it starts in");
	/* the 30 newlines under the hole are gone: 20 lines after it */
	ok(s.cutrecs == 20, "  the lines cut counted (%lld)", s.cutrecs);
	ok(strstr(s.why, "NUL byte at offset 5030") != NULL, "  why: %s",
	    s.why);
	memcpy(work, buf, n);
	work[7055] = '\0';		/* one NUL, unaligned */
	memset(&m, 0, sizeof m);
	m.framing = FRAME_TEXT;
	m.ino = ino();
	m.first_sec = 1893456000;
	m.last_sec = -1;
	is_int(run(work, n, &m, 7000, buf, &s), 0,
	    "text, marked NUL-free: one NUL byte: cut at its line");
	ok(s.have_time && s.sec == 1893456000, "  named by the mark's time");
	m.nul = 1;
	ok(run(work, n, &m, n, work, &s) == 0,
	    "text, marked with NULs: a lone NUL byte is data, kept");
	memcpy(work, buf, n);
	memset(work + 5030, 0, 3000);
	is_int(run(work, n, &m, 5000, buf, &s), 0,
	    "text, marked with NULs: a sector of zeros is a hole: cut there");
}

static size_t
pcap_at(int i)
{
	return bounds[i];
}

static void
pcap_rules(void)
{
	static const unsigned lens[] = { 200 };
	struct salvage s;
	size_t n = mkpcap(10, lens, 1), r5 = pcap_at(5);

	memcpy(work, buf, n);
	put_le32(work + r5, 1893456000u - 7200);	/* 2 h back */
	is_int(run(work, n, NULL, r5, buf, &s), 0,
	    "pcap: a record 2 h before the one before it is cut");
	memcpy(work, buf, n);
	put_le32(work + r5, 1893456000u - 1800);	/* 30 min back */
	ok(run(work, n, NULL, n, work, &s) == 0,
	    "pcap: 30 min back is within reason: kept");
	memcpy(work, buf, n);
	put_le32(work + r5, 1893456000u + 2 * 86400);
	is_int(run(work, n, NULL, r5, buf, &s), 0,
	    "pcap: a jump of 2 days forward is cut");
	memcpy(work, buf, n);
	put_le32(work + r5 + 8, 300);			/* caplen > len */
	is_int(run(work, n, NULL, r5, buf, &s), 0, "pcap: caplen > len cut");
	memcpy(work, buf, n);
	put_le32(work + r5 + 4, 1000000000u);
	is_int(run(work, n, NULL, r5, buf, &s), 0,
	    "pcap: a fraction of 1e9 ns is cut");
	memcpy(work, buf, n);
	put_le32(work + 16, 100);			/* snaplen 100 */
	is_int(run(work, n, NULL, 0, buf, &s), 0,
	    "pcap: every record above the snaplen: nothing kept");
	ok(s.cutrecs == -1, "  records cut not countable");
}

static void
pcap_headers(void)
{
	static const unsigned lens[] = { 200 };
	struct salvage_mark m;
	struct salvage s;
	size_t n = mkpcap(10, lens, 1);

	memset(&m, 0, sizeof m);
	m.framing = FRAME_PCAP;
	m.first_sec = m.last_sec = -1;
	memcpy(m.hdr, buf, 24);
	m.ino = 1;	/* another file's: framing and header only */
	memcpy(work, buf, n);
	memset(work, 0, 300);	/* the first bytes lost */
	is_int(run(work, n, &m, 0, buf, &s), 0,
	    "pcap, first bytes lost: nothing whole, and not taken as text");
	is_int(s.framing, FRAME_PCAP, "  the channel's framing");
	memcpy(work, buf, n);
	memset(work + 4, 0, 20);	/* good magic, torn rest */
	is_int(run(work, n, &m, n, buf, &s), 0,
	    "pcap, good magic, torn rest: the channel's header, records kept");
	is_int(s.fixhdr, 1, "  reported as replaced");
	memcpy(work, buf, n);
	memset(work + 4, 0, 4);	/* version 0.0, no mark */
	is_int(run(work, n, NULL, n, buf, &s), 0,
	    "pcap, torn version, no mark: repaired, records kept");
	is_int(s.fixhdr, 2, "  reported as repaired");
	/* a mark of this file: its synced part is not read */
	memcpy(work, buf, n);
	put_le32(work + pcap_at(3) + 8, 99999);
	m.ino = ino();
	m.synced = pcap_at(5);
	m.first_sec = 1234;
	m.first_nsec = 5;
	ok(run(work, n, &m, n, work, &s) == 0 && s.trusted == (off_t)pcap_at(5),
	    "pcap, marked: what was synced is kept unread");
	ok(s.have_time && s.sec == 1234 && s.nsec == 5,
	    "  named by the mark's first time");
	m.synced = n + 100;
	is_int(run(work, n, &m, pcap_at(3), buf, &s), 0,
	    "pcap, a mark past the end of the file: judged from the start");
}

static void
marks(void)
{
	struct salvage_mark m, r;
	unsigned char b[1024];
	int fd;

	fd = tfd;
	if (ftruncate(fd, 0) == -1)
		ok(0, "truncate");
	is_int(salvage_mark_read(fd, &r), 0, "mark: an empty side file: none");
	memset(&m, 0, sizeof m);
	m.framing = FRAME_PCAP;
	m.ino = 77;
	m.synced = 4096;
	m.first_sec = 1893456000;
	m.first_nsec = 999999999;
	m.last_sec = -1;
	memcpy(m.hdr, "\xd4\xc3\xb2\xa1\2\0\4\0\0\0\0\0\0\0\0\0\0\0\4\0"
	    "\x93\0\0\0", 24);
	ok(salvage_mark_write(fd, &m) == 0, "mark: written");
	ok(salvage_mark_read(fd, &r) == 1 && r.ino == 77 &&
	    r.synced == 4096 && r.framing == FRAME_PCAP &&
	    r.first_nsec == 999999999 && r.last_sec == -1 &&
	    memcmp(r.hdr, m.hdr, 24) == 0, "mark: read back whole");
	m.synced = 8192;
	salvage_mark_write(fd, &m);
	ok(salvage_mark_read(fd, &r) == 1 && r.synced == 8192,
	    "mark: the newer slot wins");
	/* tear the newer slot (seq 2: slot 0) */
	pread(fd, b, sizeof b, 0);
	b[40] ^= 1;
	pwrite(fd, b, 512, 0);
	ok(salvage_mark_read(fd, &r) == 1 && r.synced == 4096,
	    "mark: a torn slot: the other one");
	b[512 + 40] ^= 1;
	pwrite(fd, b + 512, 512, 512);
	is_int(salvage_mark_read(fd, &r), 0, "mark: both torn: none");
}

static void
collisions(void)
{
	char dir[] = "/tmp/test_salvage_d.XXXXXX", name[CHANDIR_NAMELEN];
	int64_t sec = 1893456000;
	uint32_t nsec = 999999990;
	int dfd, fd, i, linked = 0;

	if (mkdtemp(dir) == NULL || (dfd = open(dir, O_RDONLY)) == -1) {
		ok(0, "a temporary directory");
		return;
	}
	for (i = 0; i < CHANDIR_TRIES; i++) {
		int64_t s = sec + (nsec + (uint32_t)i >= 1000000000u);
		uint32_t ns = (nsec + (uint32_t)i) % 1000000000u;

		chandir_name(name, s, ns, "pcap");
		close(openat(dfd, name, O_WRONLY | O_CREAT, 0600));
	}
	close(openat(dfd, "current", O_WRONLY | O_CREAT, 0600));
	errno = 0;
	is_int(chandir_finish(dfd, &sec, &nsec, "pcap", name, &linked), -1,
	    "finish: %d names taken: fails", CHANDIR_TRIES);
	is_int(errno, EEXIST, "  with EEXIST");
	ok(faccessat(dfd, "current", F_OK, 0) == 0, "  current left as it was");
	sec = 1893456000;
	nsec = 999999990;
	linked = 1;	/* link and unlink, as without RENAME_NOREPLACE */
	chandir_name(name, sec + 1, CHANDIR_TRIES - 20, "pcap");
	is_int(unlinkat(dfd, name, 0), 0, "  a name freed");
	is_int(chandir_finish(dfd, &sec, &nsec, "pcap", name, &linked), 0,
	    "finish by link: the free name taken, none overwritten");
	ok(faccessat(dfd, "current", F_OK, 0) == -1 &&
	    nsec == CHANDIR_TRIES - 20, "  current gone, the name's time");
	/* tidy up */
	for (i = 0; i < CHANDIR_TRIES; i++) {
		int64_t s = 1893456000 + (999999990u + (uint32_t)i >=
		    1000000000u);
		uint32_t ns = (999999990u + (uint32_t)i) % 1000000000u;

		chandir_name(name, s, ns, "pcap");
		unlinkat(dfd, name, 0);
	}
	close(dfd);
	rmdir(dir);
	(void)fd;
}

int
main(void)
{
	if ((tfd = memfd_create("test_salvage", 0)) == -1)
		return 1;
	pcap_sweeps();
	text_sweeps();
	text_holes();
	pcap_rules();
	pcap_headers();
	marks();
	collisions();
	return tap_done();
}
