/* test_logdir.c: a channel directory's current file: records written
 * whole, rotated into finished names by hand and by size, dropped when
 * the hold is full, finished at the end with its mark removed, and what a
 * crash left in current cut valid and finished at the next start. */
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frame.h"
#include "logdir.h"
#include "tap.h"

static char top[] = "/tmp/test_logdir.XXXXXX";

static int
exists(const char *name)
{
	char p[256];

	snprintf(p, sizeof p, "%s/%s", top, name);
	return access(p, F_OK) == 0;
}

/* finished: the count of finished files ending in ext; the bytes of the
 * n-th (by name) into b, its size in *len */
static int
finished(const char *ext, int nth, char *b, size_t max, ssize_t *len)
{
	struct dirent **v;
	char p[256];
	int n, i, c = 0, fd;

	if ((n = scandir(top, &v, NULL, alphasort)) == -1)
		abort();
	for (i = 0; i < n; i++) {
		size_t k = strlen(v[i]->d_name), e = strlen(ext);

		if (k > e && strcmp(v[i]->d_name + k - e, ext) == 0 &&
		    v[i]->d_name[0] == '2' && c++ == nth && b != NULL) {
			snprintf(p, sizeof p, "%s/%s", top, v[i]->d_name);
			if ((fd = open(p, O_RDONLY)) == -1)
				abort();
			*len = read(fd, b, max);
			close(fd);
		}
		free(v[i]);
	}
	free(v);
	return c;
}

static void
line(struct logdir *d, const char *s, int64_t sec)
{
	struct iovec v = { (void *)s, strlen(s) };

	logdir_put(d, &v, 1, sec, 0);
}

static struct logdir_opts
opts(void)
{
	struct logdir_opts o;

	memset(&o, 0, sizeof o);
	o.dir = top;
	o.hold = 1 << 20;
	return o;
}

/* session: in a child (the directory stays locked until it exits) */
static void
text_session(void)
{
	static struct logdir d;
	struct logdir_opts o = opts();
	unsigned char hdr[24] = { 0 };

	logdir_open(&d, &o);
	logdir_start(&d, FRAME_TEXT, hdr, 0);
	line(&d, "a\n", 1700000000);
	line(&d, "b\n", 1700000001);
	logdir_rotate(&d, 1);
	logdir_rotate(&d, 1);		/* empty: stays */
	line(&d, "c\n", 1700000002);
	logdir_end(&d);
	logdir_close(&d, 0);
	_exit(d.files == 2 && d.records == 3 && d.bytes == 6 &&
	    logdir_disk_bytes(&d) == 6 ? 0 : 1);
}

static void
size_session(void)
{
	static struct logdir d;
	struct logdir_opts o = opts();
	unsigned char hdr[24] = { 0 };

	o.size = 10;
	logdir_open(&d, &o);
	logdir_start(&d, FRAME_TEXT, hdr, 0);
	line(&d, "dddd\n", 1700000100);
	line(&d, "eeee\n", 1700000101);
	line(&d, "ffff\n", 1700000102);	/* past 10 bytes: a new file */
	logdir_end(&d);
	logdir_close(&d, 0);
	_exit(d.files == 2 ? 0 : 1);
}

static void
drop_session(void)
{
	static struct logdir d;
	struct logdir_opts o = opts();
	unsigned char hdr[24] = { 0 };

	o.hold = 8;
	logdir_open(&d, &o);
	logdir_start(&d, FRAME_TEXT, hdr, 0);
	line(&d, "0123456789\n", 1700000200);
	line(&d, "g\n", 1700000201);
	logdir_end(&d);
	logdir_close(&d, 0);
	_exit(d.dropped == 1 && d.records == 1 && d.files == 1 ? 0 : 1);
}

static void
pcap_session(void)
{
	static struct logdir d;
	struct logdir_opts o = opts();
	unsigned char hdr[24] = { 0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0,
	    0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0 };
	unsigned char r[16 + 4] = { 0 };
	struct iovec v = { r, sizeof r };

	r[0] = 0x00; r[1] = 0xe1; r[2] = 0x40; r[3] = 0x65;	/* 1698750720 */
	r[8] = 4; r[12] = 4;
	memcpy(r + 16, "pkt!", 4);
	logdir_open(&d, &o);
	logdir_start(&d, FRAME_PCAP, hdr, 0);
	logdir_put(&d, &v, 1, 1800000000, 0);
	logdir_end(&d);
	logdir_close(&d, 0);
	_exit(d.files == 1 ? 0 : 1);
}

static void
reopen_session(void)
{
	static struct logdir d;
	struct logdir_opts o = opts();

	logdir_open(&d, &o);
	logdir_close(&d, 0);
	_exit(d.files == 1 && d.cut == 1 ? 0 : 1);
}

/* in: the exit status of fn run in a child */
static int
in(void (*fn)(void))
{
	pid_t pid;
	int st;

	if ((pid = fork()) == 0)
		fn();
	if (pid == -1 || waitpid(pid, &st, 0) == -1)
		abort();
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int
main(void)
{
	char b[256], p[256];
	ssize_t n = 0;
	int fd;

	if (mkdtemp(top) == NULL)
		abort();
	is_int(in(text_session), 0, "text: two files finished, 3 records, 6 bytes on disk");
	is_int(finished(".log", 0, b, sizeof b, &n), 2,
	    "  a rotation with records finishes a file, an empty one not");
	ok(n == 4 && memcmp(b, "a\nb\n", 4) == 0, "  the first holds a, b");
	finished(".log", 1, b, sizeof b, &n);
	ok(n == 2 && memcmp(b, "c\n", 2) == 0, "  the second c");
	ok(!exists("current") && !exists("current.ok"),
	    "  at the end current and its mark are gone");

	is_int(in(size_session), 0, "size: a record past the size rotates");
	is_int(finished(".log", 0, NULL, 0, NULL), 4, "  two more files");

	is_int(in(drop_session), 0, "a record larger than the hold is "
	    "dropped and counted");
	is_int(finished(".log", 0, NULL, 0, NULL), 5, "  one more file");

	is_int(in(pcap_session), 0, "pcap: one file");
	is_int(finished(".pcap", 0, b, sizeof b, &n), 1, "  named .pcap");
	ok(n == 24 + 20 && b[0] == (char)0xd4 && memcmp(b + 40, "pkt!", 4)
	    == 0, "  header then the record");

	/* a crash: a line cut short in current, no mark */
	snprintf(p, sizeof p, "%s/current", top);
	if ((fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0640)) == -1 ||
	    write(fd, "x\ny", 3) != 3)
		abort();
	close(fd);
	is_int(in(reopen_session), 0, "a crashed current: finished, "
	    "1 byte cut");
	ok(!exists("current"), "  current is gone");
	is_int(finished(".log", 0, NULL, 0, NULL), 6, "  one more file");

	snprintf(p, sizeof p, "rm -rf %s", top);
	if (system(p) != 0)
		ok(0, "clean up %s", top);
	return tap_done();
}
