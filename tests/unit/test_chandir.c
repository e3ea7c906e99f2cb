/* test_chandir.c: a channel directory: made with its parents, locked
 * against a second writer, finished files named, listed, found again,
 * retained and dropped; each failure with its errno. */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "chandir.h"
#include "tap.h"

static char top[] = "/tmp/test_chandir.XXXXXX";

/* file: create name in dirfd with n bytes, modified mtime seconds ago */
static void
file(int dirfd, const char *name, size_t n, time_t ago)
{
	struct timespec t[2];
	char b[4096] = { 0 };
	int fd;

	if ((fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC, 0640)) == -1
	    || write(fd, b, n) != (ssize_t)n)
		abort();
	clock_gettime(CLOCK_REALTIME, &t[0]);
	t[0].tv_sec -= ago;
	t[1] = t[0];
	futimens(fd, t);
	close(fd);
}

static int
exists(int dirfd, const char *name)
{
	return faccessat(dirfd, name, F_OK, 0) == 0;
}

static void
test_open_lock(void)
{
	char path[256], b[32];
	struct stat st;
	pid_t holder = -1, pid;
	int d, l, st2, fd;
	ssize_t n;

	snprintf(path, sizeof path, "%s/a/b/chan", top);
	d = chandir_open(path);
	ok(d >= 0 && stat(path, &st) == 0 && S_ISDIR(st.st_mode),
	    "chandir_open makes the directory and its parents");
	ok(fcntl(d, F_GETFD) & FD_CLOEXEC, "  close-on-exec");
	fd = chandir_open(path);
	ok(fd >= 0, "  and opens one that exists");
	close(fd);
	snprintf(path, sizeof path, "%s/a/b/chan/file", top);
	close(open(path, O_WRONLY | O_CREAT, 0640));
	snprintf(path, sizeof path, "%s/a/b/chan/file/sub", top);
	errno = 0;
	is_int(chandir_open(path), -1, "under a file: -1");
	is_int(errno, ENOTDIR, "  ENOTDIR");

	l = chandir_lock(d, &holder);
	ok(l >= 0, "chandir_lock takes the lock");
	fd = openat(d, "lock", O_RDONLY);
	n = read(fd, b, sizeof b - 1);
	b[n > 0 ? n : 0] = '\0';
	close(fd);
	ok(atol(b) == (long)getpid(), "  with our pid in it (%s)", b);
	fflush(stdout);
	if ((pid = fork()) == 0) {	/* a second writer, a process apart */
		errno = 0;
		fd = chandir_lock(d, &holder);
		_exit(fd == -1 && errno == EWOULDBLOCK &&
		    holder == getppid() ? 0 : 1);
	}
	waitpid(pid, &st2, 0);
	ok(WIFEXITED(st2) && WEXITSTATUS(st2) == 0,
	    "a second process: EWOULDBLOCK, holder is our pid");
	close(l);
	l = chandir_lock(d, &holder);
	ok(l >= 0, "free again once closed");
	close(l);
	close(d);
}

static void
test_names(void)
{
	char name[CHANDIR_NAMELEN];
	int64_t sec;
	uint32_t nsec;

	chandir_name(name, 1795255200, 123456789, "pcap");
	is_str(name, "2026-11-21T10-00-00.123456789Z.pcap", "chandir_name");
	ok(chandir_parse(name, &sec, &nsec) && sec == 1795255200 &&
	    nsec == 123456789, "chandir_parse reads it back");
	ok(chandir_parse("2026-11-21T10-00-00.123456789Z.log.zst", &sec,
	    &nsec), "  a .log with a processor's suffix");
	ok(!chandir_parse("current", &sec, &nsec), "  not current");
	ok(!chandir_parse("lock", &sec, &nsec), "  not lock");
	ok(!chandir_parse("2026-11-21T10-00-00.123456789Z.txt", &sec, &nsec),
	    "  not another extension");
	ok(!chandir_parse("2026-11-21T10:00:00.123456789Z.pcap", &sec, &nsec),
	    "  not ':' for '-'");
	ok(!chandir_parse("2026-13-21T10-00-00.123456789Z.pcap", &sec, &nsec),
	    "  not month 13");
	ok(!chandir_parse("2026-11-21T10-00-00.12345678Z.pcap", &sec, &nsec),
	    "  not 8 digits of fraction");
}

static void
test_finish(int d)
{
	char name[CHANDIR_NAMELEN];
	int64_t sec = 1795255200;
	uint32_t nsec = 999999999;
	int linked = 0;

	errno = 0;
	is_int(chandir_finish(d, &sec, &nsec, "pcap", name, &linked), -1,
	    "finish without current: -1");
	is_int(errno, ENOENT, "  ENOENT");
	file(d, "current", 10, 0);
	is_int(chandir_finish(d, &sec, &nsec, "pcap", name, &linked), 0,
	    "finish current");
	is_str(name, "2026-11-21T10-00-00.999999999Z.pcap", "  its name");
	ok(exists(d, name) && !exists(d, "current"), "  renamed");
	file(d, "current", 20, 0);
	sec = 1795255200;
	nsec = 999999999;
	is_int(chandir_finish(d, &sec, &nsec, "pcap", name, &linked), 0,
	    "finish another of the same time");
	is_str(name, "2026-11-21T10-00-01.000000000Z.pcap",
	    "  one nanosecond later, into the next second");
	ok(sec == 1795255201 && nsec == 0, "  the time it stands for");
	file(d, "current", 30, 0);
	linked = 1;
	sec = 1795255100;
	nsec = 0;
	is_int(chandir_finish(d, &sec, &nsec, "log", name, &linked), 0,
	    "finish by link(2) and unlink(2)");
	ok(exists(d, name) && !exists(d, "current"), "  renamed just the same");
}

static void
test_retain(int d)
{
	struct finished *v;
	char name[CHANDIR_NAMELEN];
	long n;

	n = chandir_list(d, &v);
	is_int(n, 3, "chandir_list: the three finished files");
	ok(n == 3 && strncmp(v[0].name, "2026-11-21T09-58-20", 19) == 0,
	    "  oldest first (%s)", n > 0 ? v[0].name : "");
	ok(n == 3 && v[2].size == 20, "  sizes (%lld)", n == 3 ?
	    (long long)v[2].size : -1);
	free(v);
	file(d, "2026-11-21T09-00-00.000000000Z.pcap", 100, 3600);
	is_int(chandir_retain(d, 0, 0, 1800, time(NULL)), 1,
	    "retain by age: the file of an hour ago goes");
	is_int(chandir_retain(d, 2, 0, 0, time(NULL)), 1,
	    "retain 2: the oldest of 3 goes");
	is_int(chandir_retain(d, 0, 25, 0, time(NULL)), 1,
	    "retain 25 bytes: 10 + 20 is too many, the older goes");
	is_int(chandir_retain(d, 0, 1, 0, time(NULL)), 0,
	    "the newest stays whatever the rules say");
	is_int(chandir_drop_oldest(d, name), 1, "chandir_drop_oldest");
	is_str(name, "2026-11-21T10-00-01.000000000Z.pcap", "  its name");
	is_int(chandir_drop_oldest(d, name), 0, "  none left: 0");
	errno = 0;
	is_int(chandir_list(-1, &v), -1, "chandir_list of a closed fd: -1");
	is_int(errno, EBADF, "  EBADF");
}

int
main(void)
{
	char path[256];
	int d;

	if (mkdtemp(top) == NULL)
		abort();
	test_open_lock();
	snprintf(path, sizeof path, "%s/fin", top);
	d = chandir_open(path);
	test_names();
	test_finish(d);
	test_retain(d);
	close(d);
	snprintf(path, sizeof path, "rm -rf %s", top);
	if (system(path) != 0)
		ok(0, "clean up %s", top);
	return tap_done();
}
