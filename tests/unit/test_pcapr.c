/* test_pcapr.c: the pcap stream reader: variants, limits, every error. */
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decode.h"
#include "frame.h"
#include "pcapr.h"
#include "pcapw.h"
#include "tap.h"

/* A stream under construction, in either byte order. */
struct sbuf {
	unsigned char *p;
	size_t n, cap;
	int little;
};

static void
sb_bytes(struct sbuf *s, const void *p, size_t n)
{
	if (s->n + n > s->cap) {
		s->cap = (s->n + n) * 2;
		if ((s->p = realloc(s->p, s->cap)) == NULL)
			abort();
	}
	if (n > 0)
		memcpy(s->p + s->n, p, n);
	s->n += n;
}

static void
sb_u32(struct sbuf *s, uint32_t v)
{
	unsigned char b[4];
	int i;

	for (i = 0; i < 4; i++)
		b[s->little ? i : 3 - i] = (unsigned char)(v >> (8 * i));
	sb_bytes(s, b, 4);
}

static void
sb_u16(struct sbuf *s, uint16_t v)
{
	unsigned char b[2];

	b[s->little ? 0 : 1] = (unsigned char)v;
	b[s->little ? 1 : 0] = (unsigned char)(v >> 8);
	sb_bytes(s, b, 2);
}

static void
sb_filehdr(struct sbuf *s, int little, uint32_t magic, uint16_t vmaj,
    uint16_t vmin, uint32_t snaplen, uint32_t lt)
{
	s->n = 0;
	s->little = little;
	sb_u32(s, magic);
	sb_u16(s, vmaj);
	sb_u16(s, vmin);
	sb_u32(s, 0);
	sb_u32(s, 0);
	sb_u32(s, snaplen);
	sb_u32(s, lt);
}

/* a record whose data bytes are (i + seed) & 0xff */
static void
sb_rec(struct sbuf *s, uint32_t sec, uint32_t frac, uint32_t caplen,
    uint32_t origlen, unsigned seed)
{
	uint32_t i;
	unsigned char c;

	sb_u32(s, sec);
	sb_u32(s, frac);
	sb_u32(s, caplen);
	sb_u32(s, origlen);
	for (i = 0; i < caplen; i++) {
		c = (unsigned char)(i + seed);
		sb_bytes(s, &c, 1);
	}
}

static int
data_ok(const struct pcaprec *rec, unsigned seed)
{
	uint32_t i;

	for (i = 0; i < rec->caplen; i++)
		if (rec->data[i] != (unsigned char)(i + seed))
			return 0;
	return 1;
}

static void
test_magics(void)
{
	static const struct {
		int little;
		uint32_t magic;
		int nsec;
		const char *name;
	} v[] = {
		{ 0, PCAP_MAGIC_US, 0, "big-endian µs" },
		{ 1, PCAP_MAGIC_US, 0, "little-endian µs" },
		{ 0, PCAP_MAGIC_NS, 1, "big-endian ns" },
		{ 1, PCAP_MAGIC_NS, 1, "little-endian ns" },
	};
	struct sbuf s = { 0 };
	struct pcapr r;
	struct pcaprec rec;
	size_t i;

	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		sb_filehdr(&s, v[i].little, v[i].magic, 2, 4, 65535, 1);
		sb_rec(&s, 1700000000, 999999, 60, 1514, 3);
		sb_rec(&s, 4000000000u, 0, 0, 0, 0);
		ok(frame_detect(s.p, s.n) == FRAME_PCAP, "%s: detected as pcap",
		    v[i].name);
		is_int(pcapr_open_mem(&r, s.p, s.n), 0, "%s: opens", v[i].name);
		is_int(r.nsec, v[i].nsec, "  resolution");
		is_int(r.vmajor, 2, "  version major");
		is_int(r.vminor, 4, "  version minor");
		is_int(r.snaplen, 65535, "  snaplen");
		is_int(r.linktype, LINKTYPE_EN10MB, "  link type");
		is_int(pcapr_next(&r, &rec), 1, "  first record");
		is_int(rec.sec, 1700000000, "  seconds");
		is_int(rec.nsec, v[i].nsec ? 999999 : 999999000,
		    "  fraction in ns (µs scaled)");
		is_int(rec.caplen, 60, "  caplen");
		is_int(rec.origlen, 1514, "  origlen");
		is_int(rec.offset, 24, "  offset of its header");
		ok(data_ok(&rec, 3), "  data");
		is_int(pcapr_next(&r, &rec), 1, "  empty record");
		is_int(rec.sec, 4000000000LL, "  seconds past 2038 unsigned");
		is_int(rec.caplen, 0, "  caplen 0");
		is_int(rec.offset, 24 + 16 + 60, "  its offset");
		is_int(pcapr_next(&r, &rec), 0, "  clean end");
		is_int(pcapr_next(&r, &rec), 0, "  and again");
		pcapr_close(&r);
	}
	free(s.p);
}

/* open_err: the stream in s must fail to open with this message */
static void
open_err(const struct sbuf *s, size_t n, const char *want)
{
	struct pcapr r;

	is_int(pcapr_open_mem(&r, s->p, n), -1, "refused: %s", want);
	is_str(r.err, want, "  message");
	pcapr_close(&r);
}

/* next_err: the stream opens and fails after `good' records */
static void
next_err(const struct sbuf *s, int good, const char *want)
{
	struct pcapr r;
	struct pcaprec rec;
	int i, n = 1;

	is_int(pcapr_open_mem(&r, s->p, s->n), 0, "opens: %s", want);
	for (i = 0; i < good && n == 1; i++)
		n = pcapr_next(&r, &rec);
	is_int(n, 1, "  %d good records first", good);
	is_int(pcapr_next(&r, &rec), -1, "  then an error");
	is_str(r.err, want, "  message");
	pcapr_close(&r);
}

static void
test_header_errors(void)
{
	struct sbuf s = { 0 };
	size_t i;
	char want[80];

	sb_filehdr(&s, 0, 0x12345678, 2, 4, 0, 1);
	open_err(&s, s.n, "bad magic 0x12345678 at offset 0");
	s.n = 0;
	sb_bytes(&s, "hello world\n", 12);
	open_err(&s, s.n, "bad magic 0x68656c6c at offset 0");
	open_err(&s, 4, "bad magic 0x68656c6c at offset 0");
	sb_filehdr(&s, 1, PCAP_MAGIC_NS, 2, 4, 0, 101);
	for (i = 0; i < 24; i++) {
		snprintf(want, sizeof want,
		    "truncated file header at offset %zu", i);
		open_err(&s, i, want);
	}
	sb_filehdr(&s, 1, PCAP_MAGIC_NS, 3, 0, 0, 101);
	open_err(&s, s.n, "unsupported version 3.0 at offset 4");
	sb_filehdr(&s, 0, PCAP_MAGIC_US, 2, 5, 0, 101);
	open_err(&s, s.n, "unsupported version 2.5 at offset 4");
	sb_filehdr(&s, 0, PCAP_MAGIC_US, 1, 0, 0, 101);
	open_err(&s, s.n, "unsupported version 1.0 at offset 4");
	free(s.p);
}

static void
test_record_errors(void)
{
	struct sbuf s = { 0 };
	size_t full;

	/* snaplen 0: the limit is PCAPR_MAXCAPLEN */
	sb_filehdr(&s, 1, PCAP_MAGIC_NS, 2, 4, 0, 101);
	sb_rec(&s, 1, 2, 0, 0, 0);
	sb_u32(&s, 1), sb_u32(&s, 0), sb_u32(&s, 300000), sb_u32(&s, 300000);
	next_err(&s, 1, "caplen 300000 above limit 262144 at offset 40");

	/* a snaplen above PCAPR_MAXCAPLEN is no looser */
	sb_filehdr(&s, 0, PCAP_MAGIC_NS, 2, 4, 0xffffffffu, 101);
	sb_u32(&s, 1), sb_u32(&s, 0), sb_u32(&s, 262145), sb_u32(&s, 9);
	next_err(&s, 0, "caplen 262145 above limit 262144 at offset 24");

	/* snaplen 65535 is a limit */
	sb_filehdr(&s, 1, PCAP_MAGIC_US, 2, 4, 65535, 1);
	sb_rec(&s, 1, 2, 10, 10, 0);
	sb_u32(&s, 1), sb_u32(&s, 0), sb_u32(&s, 65536), sb_u32(&s, 65536);
	next_err(&s, 1, "caplen 65536 above limit 65535 at offset 50");

	/* a stream cut inside a record header, at every length */
	sb_filehdr(&s, 1, PCAP_MAGIC_NS, 2, 4, 0, 101);
	sb_rec(&s, 1, 2, 3, 3, 0);
	sb_u32(&s, 7);
	next_err(&s, 1,
	    "truncated record header at offset 43: 4 of 16 bytes");
	sb_u32(&s, 7), sb_u32(&s, 60), sb_u16(&s, 60);
	next_err(&s, 1,
	    "truncated record header at offset 43: 14 of 16 bytes");

	/* a stream cut inside the data */
	sb_filehdr(&s, 0, PCAP_MAGIC_NS, 2, 4, 0, 101);
	full = s.n + 16 + 60;
	sb_rec(&s, 1, 2, 60, 60, 0);
	s.n = full - 50;
	next_err(&s, 0, "truncated record at offset 24: 10 of 60 bytes");
	s.n = full - 1;
	next_err(&s, 0, "truncated record at offset 24: 59 of 60 bytes");
	s.n = full - 60;
	next_err(&s, 0, "truncated record at offset 24: 0 of 60 bytes");
	free(s.p);
}

static void
test_lenient(void)
{
	struct sbuf s = { 0 };
	struct pcapr r;
	struct pcaprec rec;

	/* caplen > origlen in a 2.4 file: kept as is */
	sb_filehdr(&s, 1, PCAP_MAGIC_NS, 2, 4, 100, 101 | 0x14000000);
	sb_rec(&s, 5, 1999999999, 100, 40, 1);
	sb_rec(&s, 5, 0, 0, 1500, 0);
	is_int(pcapr_open_mem(&r, s.p, s.n), 0, "opens");
	is_int(r.linktype, 101, "FCS bits of the link type masked off");
	is_int(pcapr_next(&r, &rec), 1, "caplen = snaplen accepted");
	is_int(rec.caplen, 100, "  caplen > origlen tolerated");
	is_int(rec.origlen, 40, "  origlen as written");
	is_int(rec.sec, 6, "  an ns fraction >= 1e9 carries into seconds");
	is_int(rec.nsec, 999999999, "  and leaves the rest");
	ok(data_ok(&rec, 1), "  data");
	is_int(pcapr_next(&r, &rec), 1, "caplen 0 of a longer packet");
	is_int(rec.origlen, 1500, "  origlen");
	pcapr_close(&r);

	/* µs fraction way out of range */
	sb_filehdr(&s, 0, PCAP_MAGIC_US, 2, 4, 0, 101);
	sb_rec(&s, 10, 0xffffffffu, 1, 1, 0);
	is_int(pcapr_open_mem(&r, s.p, s.n), 0, "µs file opens");
	is_int(pcapr_next(&r, &rec), 1, "record with 4294967295 µs");
	is_int(rec.sec, 10 + 4294, "  seconds carried");
	is_int(rec.nsec, 967295000, "  ns left");
	pcapr_close(&r);

	/* versions before 2.3 may have caplen and origlen swapped */
	sb_filehdr(&s, 0, PCAP_MAGIC_US, 2, 2, 0, 101);
	sb_rec(&s, 1, 0, 1500, 8, 0);
	s.n -= 1500 - 8;
	is_int(pcapr_open_mem(&r, s.p, s.n), 0, "2.2 file opens");
	is_int(pcapr_next(&r, &rec), 1, "2.2 record");
	is_int(rec.caplen, 8, "  caplen swapped back");
	is_int(rec.origlen, 1500, "  origlen swapped back");
	pcapr_close(&r);
	sb_filehdr(&s, 1, PCAP_MAGIC_US, 2, 3, 0, 101);
	sb_rec(&s, 1, 0, 1500, 8, 0);
	s.n -= 1500 - 8;
	sb_rec(&s, 1, 0, 8, 1500, 0);
	is_int(pcapr_open_mem(&r, s.p, s.n), 0, "2.3 file opens");
	is_int(pcapr_next(&r, &rec), 1, "2.3 record, caplen > origlen");
	is_int(rec.caplen, 8, "  swapped back");
	is_int(pcapr_next(&r, &rec), 1, "2.3 record, caplen < origlen");
	is_int(rec.caplen, 8, "  left alone");
	pcapr_close(&r);
	free(s.p);
}

static int
tmpfd(const struct sbuf *s)
{
	char path[] = "/tmp/test_pcapr.XXXXXX";
	int fd;

	if ((fd = mkstemp(path)) == -1)
		abort();
	unlink(path);
	if (write(fd, s->p, s->n) != (ssize_t)s->n ||
	    lseek(fd, 0, SEEK_SET) != 0)
		abort();
	return fd;
}

/* a stream with records of every size class, through a file */
static void
test_fd(void)
{
	struct sbuf s = { 0 };
	struct pcapr r;
	struct pcaprec rec;
	unsigned char pre[4];
	int fd, i, good;
	uint32_t sizes[] = { 0, 1, 70000, 65536, PCAPR_MAXCAPLEN, 3, 200000 };

	sb_filehdr(&s, 1, PCAP_MAGIC_NS, 2, 4, 0, 101);
	for (i = 0; i < 7; i++)
		sb_rec(&s, (uint32_t)i, 0, sizes[i], sizes[i], (unsigned)i);
	sb_u32(&s, 9), sb_u32(&s, 9), sb_u32(&s, 10), sb_u32(&s, 10);
	sb_u16(&s, 0);
	fd = tmpfd(&s);
	is_int(read(fd, pre, 4), 4, "read the first 4 bytes");
	is_int(frame_detect(pre, 4), FRAME_PCAP, "pcap");
	is_int(pcapr_open(&r, fd, pre, 4), 0, "opens from fd after a prefix");
	for (i = 0, good = 0; i < 7; i++)
		good += pcapr_next(&r, &rec) == 1 && rec.caplen == sizes[i] &&
		    data_ok(&rec, (unsigned)i) && rec.sec == i;
	is_int(good, 7, "records up to PCAPR_MAXCAPLEN intact");
	ok(r.cap <= PCAPR_MAXCAPLEN + 16, "buffer at most %d bytes (%zu)",
	    PCAPR_MAXCAPLEN + 16, r.cap);
	is_int(pcapr_next(&r, &rec), -1, "then a truncated record");
	is_str(r.err, "truncated record at offset 597820: 2 of 10 bytes",
	    "  offset counts the prefix");
	pcapr_close(&r);
	close(fd);

	/* no prefix; an empty stream */
	s.n = 0;
	fd = tmpfd(&s);
	is_int(pcapr_open(&r, fd, NULL, 0), -1, "empty file refused");
	is_str(r.err, "truncated file header at offset 0", "  message");
	pcapr_close(&r);
	close(fd);

	/* a read error */
	if ((fd = open("/", O_RDONLY)) == -1)
		abort();
	is_int(pcapr_open(&r, fd, NULL, 0), -1, "directory refused");
	is_str(r.err, "read error at offset 0: Is a directory", "  message");
	close(fd);
	is_int(pcapr_open(&r, -1, NULL, 0), -1, "fd -1 refused");
	free(s.p);
}

/* writer: the stream in chunks of chunk bytes, pausing between them */
static pid_t
writer(const struct sbuf *s, size_t chunk, int usec, int *rfd)
{
	int p[2];
	pid_t pid;
	size_t o, k;

	if (pipe(p) == -1 || (pid = fork()) == -1)
		abort();
	if (pid == 0) {
		close(p[0]);
		for (o = 0; o < s->n; o += k) {
			k = s->n - o < chunk ? s->n - o : chunk;
			if (write(p[1], s->p + o, k) != (ssize_t)k)
				_exit(1);
			if (usec > 0)
				usleep((useconds_t)usec);
		}
		_exit(0);
	}
	close(p[1]);
	*rfd = p[0];
	return pid;
}

/* a stream trickling through a pipe 7 bytes at a time */
static void
test_pipe(void)
{
	struct sbuf s = { 0 };
	struct pcapr r;
	struct pcaprec rec;
	int fd, st, i, good = 0;
	pid_t pid;

	sb_filehdr(&s, 0, PCAP_MAGIC_US, 2, 4, 0, 101);
	for (i = 0; i < 200; i++)
		sb_rec(&s, 1, (uint32_t)i, (uint32_t)(i * 13 % 301),
		    (uint32_t)(i * 13 % 301), (unsigned)i);
	pid = writer(&s, 7, 0, &fd);
	is_int(pcapr_open(&r, fd, NULL, 0), 0, "opens from a trickling pipe");
	for (i = 0; i < 200; i++)
		good += pcapr_next(&r, &rec) == 1 &&
		    rec.caplen == (uint32_t)(i * 13 % 301) &&
		    rec.nsec == (uint32_t)i * 1000 && data_ok(&rec, (unsigned)i);
	is_int(good, 200, "all 200 records intact");
	is_int(pcapr_next(&r, &rec), 0, "clean end");
	pcapr_close(&r);
	close(fd);
	waitpid(pid, &st, 0);
	free(s.p);
}

static void
on_alarm(int sig)
{
	(void)sig;
}

/*
 * A complete record comes back while the pipe stays open (the reader
 * does not wait to fill its buffer), and reads interrupted by a signal
 * are retried: SIGALRM without SA_RESTART fires while it waits.
 */
static void
test_live(void)
{
	struct sbuf s = { 0 };
	struct sigaction sa;
	struct itimerval it = { { 0, 20000 }, { 0, 20000 } };
	struct pcapr r;
	struct pcaprec rec;
	int p[2], n;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	if (pipe(p) == -1)
		abort();
	sb_filehdr(&s, 1, PCAP_MAGIC_NS, 2, 4, 0, 101);
	sb_rec(&s, 1, 2, 5, 5, 0);
	if (write(p[1], s.p, s.n) != (ssize_t)s.n)
		abort();
	is_int(pcapr_open(&r, p[0], NULL, 0), 0, "opens from a live pipe");
	is_int(pcapr_next(&r, &rec), 1, "record returned, pipe still open");
	if (fork() == 0) {
		usleep(150000);
		_exit(write(p[1], s.p + 24, s.n - 24) != (ssize_t)(s.n - 24));
	}
	close(p[1]);
	setitimer(ITIMER_REAL, &it, NULL);
	n = pcapr_next(&r, &rec);
	it.it_value.tv_usec = it.it_interval.tv_usec = 0;
	setitimer(ITIMER_REAL, &it, NULL);
	is_int(n, 1, "record after interrupted reads: %s", r.err);
	is_int(pcapr_next(&r, &rec), 0, "clean end once the writer is gone");
	pcapr_close(&r);
	close(p[0]);
	wait(NULL);
	free(s.p);
	signal(SIGALRM, SIG_DFL);
	alarm(60);
}

int
main(void)
{
	alarm(60);		/* a hang is a failure, not a stuck test run */
	test_magics();
	test_header_errors();
	test_record_errors();
	test_lenient();
	test_fd();
	test_pipe();
	test_live();
	return tap_done();
}
