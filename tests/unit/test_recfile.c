/* test_recfile.c: a write that fails part way leaves whole records only,
 * and what was not written is held for the next try. */
#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "recfile.h"
#include "tap.h"

static off_t
fsize(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 ? st.st_size : -1;
}

/* rec: a pcap record of n data bytes (host order) into b; its length */
static size_t
rec(unsigned char *b, uint32_t n)
{
	memset(b, 0, 16);
	memcpy(b + 8, &n, 4);
	memcpy(b + 12, &n, 4);
	memset(b + 16, 'r', n);
	return 16 + n;
}

int
main(void)
{
	char path[] = "/tmp/test_recfile.XXXXXX";
	unsigned char hdr[24], r[200];
	struct rlimit rl;
	struct recfile w;
	int fd, i;
	size_t n;

	signal(SIGXFSZ, SIG_IGN);
	fd = mkstemp(path);
	ok(fd >= 0, "temp file");
	unlink(path);

	/* text: a limit of 100 bytes cuts the file after the last line */
	recfile_init(&w, 0, 0, 1 << 20);
	recfile_reset(&w, fd, 0, 0);
	for (i = 0; i < 10; i++)
		recfile_add(&w, "0123456789abcdefghijklmnopqrstu\n", 32);
	getrlimit(RLIMIT_FSIZE, &rl);
	rl.rlim_cur = 100;
	setrlimit(RLIMIT_FSIZE, &rl);
	errno = 0;
	is_int(recfile_flush(&w), -1, "text: a write past the limit fails");
	is_int(errno, EFBIG, "  with EFBIG");
	is_int(fsize(fd), 96, "  the file holds 3 whole lines, not 100 bytes");
	is_int(w.size, 96, "  and says so");
	is_int(w.len, 320 - 96, "  the other 7 lines are held");
	is_int(recfile_records(&w), 7, "  7 records held");
	rl.rlim_cur = RLIM_INFINITY;
	setrlimit(RLIMIT_FSIZE, &rl);
	is_int(recfile_flush(&w), 0, "space again: everything written");
	is_int(fsize(fd), 320, "  320 bytes");
	is_int(w.len, 0, "  nothing held");
	free(w.p);

	/* pcap: the file header first, then records of 16 + 100 bytes */
	ok(ftruncate(fd, 0) == 0 && lseek(fd, 0, SEEK_SET) == 0, "reset");
	memset(hdr, 'h', sizeof hdr);
	recfile_init(&w, 1, 0, 1 << 20);
	recfile_reset(&w, fd, 0, 1);
	recfile_add(&w, hdr, sizeof hdr);
	for (i = 0; i < 5; i++) {
		n = rec(r, 100);
		recfile_add(&w, r, n);
	}
	is_int(recfile_records(&w), 5, "pcap: 5 records held, header apart");
	rl.rlim_cur = 24 + 116 * 2 + 50;
	setrlimit(RLIMIT_FSIZE, &rl);
	is_int(recfile_flush(&w), -1, "pcap: a write past the limit fails");
	is_int(fsize(fd), 24 + 116 * 2, "  header and 2 whole records kept");
	is_int(recfile_records(&w), 3, "  3 held");
	rl.rlim_cur = 10;
	setrlimit(RLIMIT_FSIZE, &rl);
	rl.rlim_cur = RLIM_INFINITY;
	setrlimit(RLIMIT_FSIZE, &rl);
	is_int(recfile_flush(&w), 0, "then all of it");
	is_int(fsize(fd), 24 + 116 * 5, "  every record");
	free(w.p);

	/* a header that did not fit at all leaves an empty file */
	ok(ftruncate(fd, 0) == 0, "reset");
	recfile_init(&w, 1, 0, 1 << 20);
	recfile_reset(&w, fd, 0, 1);
	recfile_add(&w, hdr, sizeof hdr);
	n = rec(r, 100);
	recfile_add(&w, r, n);
	rl.rlim_cur = 20;
	setrlimit(RLIMIT_FSIZE, &rl);
	is_int(recfile_flush(&w), -1, "a header cut short fails");
	is_int(fsize(fd), 0, "  and is cut back to nothing");
	is_int(w.len, 24 + 116, "  all of it still held");
	rl.rlim_cur = RLIM_INFINITY;
	setrlimit(RLIMIT_FSIZE, &rl);
	free(w.p);

	/* held past the first room (as on a full disk), then written: the
	 * room goes back to 512 KiB */
	recfile_init(&w, 1, 0, 4 << 20);
	recfile_reset(&w, fd, 0, 0);
	memset(r, 0, sizeof r);
	for (i = 0; i < 16384; i++)
		recfile_add(&w, r, 100);
	ok(w.cap > 512 * 1024, "a hold of 1.6 MB grew the room (%zu)", w.cap);
	is_int(recfile_flush(&w), 0, "  written");
	is_int(w.cap, 512 * 1024, "  and the room is back to 512 KiB");
	free(w.p);

	recfile_init(&w, 0, 0, 64);
	ok(recfile_add(&w, r, 64) == 0, "max: 64 bytes fit");
	is_int(recfile_add(&w, r, 1), -1, "  one more does not");
	free(w.p);
	close(fd);
	return tap_done();
}
