/*
 * faultinj.c: an LD_PRELOAD library that makes a power cut, a torn write
 * or a failing disk happen to one file, for tests/chanlog-crash.bats.
 *
 * The file watched is every file opened under the base name FI_FILE
 * (default "current"). The disk is taken to write 512-byte sectors whole:
 * a lost part of a write is lost by sectors. Environment:
 *   FI_WRITE=N   the Nth write(2)/pwrite(2) to the file (counted from 1)
 *                does FI_DO, then the process is killed (SIGKILL):
 *   FI_DO=kill       the write is done whole
 *         short:K    only its first K bytes are written (a torn write)
 *         tail:K     it is written, then its sectors from byte K of it on
 *                    read back as zeros (the end of the write was lost)
 *         head:K     the same for its sectors up to byte K (the first part
 *                    never reached the disk)
 *         drop       everything written since the last fsync is lost
 *         reorder    it reached the disk, the write before it did not
 *                    (the sectors of that one not shared with this one)
 *         half       only half of it is written and the short count
 *                    returned; the process is not killed
 *   FI_FSYNC=N   the Nth fsync/fdatasync of the file fails with EIO, and
 *                what was written since the last good one reads back as
 *                zeros (Linux drops the pages it could not write)
 *   FI_RENAME=E  renameat2 fails with EINVAL or ENOSYS (E), every time
 *   FI_READ=OFF  a read of the file that covers byte OFF fails with EIO
 *   FI_GSO=E     a socket that refuses UDP segmentation offload, as on a
 *                path or device without it (any file, not FI_FILE): a
 *                sendmsg or a sendmmsg message with a UDP_SEGMENT control
 *                message, and setsockopt(UDP_SEGMENT), fail with EIO,
 *                EINVAL or ENOPROTOOPT (E); sendmmsg sends the messages
 *                before the first such one. FI_GSO_LOG=FILE: a line
 *                "refused" appended for each refusal.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
/* open and open64 are both defined here, so neither may be renamed to the
 * other, as config.mk's _FILE_OFFSET_BITS=64 would on a 32-bit target;
 * the offsets kept here are off_t, 32 bits there: enough for the small
 * files of the tests */
#undef _FILE_OFFSET_BITS
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <netinet/udp.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAXFD	1024
#define SECTOR	512

struct wr {
	off_t off;
	size_t len;
};

static struct {
	int watched[MAXFD];
	off_t synced[MAXFD];		/* size at the last good fsync */
	struct wr last[MAXFD][2];	/* the last two writes */
	long writes, fsyncs;
} st;

#define REAL(name) \
	static __typeof__(name) *real_##name; \
	if (real_##name == NULL) \
		real_##name = (__typeof__(name) *)dlsym(RTLD_NEXT, #name)

static long
envnum(const char *name)
{
	const char *s = getenv(name);

	return s ? strtol(s, NULL, 10) : -1;
}

static int
watched(int fd)
{
	return fd >= 0 && fd < MAXFD && st.watched[fd];
}

static void
watch(int fd, const char *path)
{
	const char *want = getenv("FI_FILE"), *b = strrchr(path, '/');

	if (fd < 0 || fd >= MAXFD)
		return;
	b = b ? b + 1 : path;
	st.watched[fd] = strcmp(b, want ? want : "current") == 0;
	st.synced[fd] = 0;
	memset(st.last[fd], 0, sizeof st.last[fd]);
	if (st.watched[fd]) {
		struct stat s;

		if (fstat(fd, &s) == 0)
			st.synced[fd] = s.st_size;	/* on disk already */
	}
}

static off_t
fsize(int fd)
{
	struct stat s;

	return fstat(fd, &s) == 0 ? s.st_size : 0;
}

/* zero: bytes [a, b) of the file read back as zeros. */
static void
zero(int fd, off_t a, off_t b)
{
	static const char z[SECTOR];
	off_t end = fsize(fd);
	REAL(pwrite);
	char path[64];
	size_t n;
	int f2;

	if (b > end)
		b = end;
	/* pwrite on an O_APPEND fd appends on Linux: write through another */
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	if ((f2 = open(path, O_WRONLY)) == -1)
		return;
	for (; a < b; a += (off_t)n) {
		n = (size_t)(SECTOR - a % SECTOR);
		if ((off_t)n > b - a)
			n = (size_t)(b - a);
		(void)!real_pwrite(f2, z, n, a);
	}
	close(f2);
}

static off_t
down(off_t x)
{
	return x / SECTOR * SECTOR;
}

static off_t
up(off_t x)
{
	return (x + SECTOR - 1) / SECTOR * SECTOR;
}

static void
die(void)
{
	raise(SIGKILL);
	_exit(137);
}

/* after: the write of len bytes at off was done (n of them); the fault. */
static void
after(int fd, off_t off, size_t n, const char *what)
{
	struct wr *l = st.last[fd], prev = l[1];
	off_t a, b;
	long k = what[0] && strchr(what, ':') ? strtol(strchr(what, ':') + 1,
	    NULL, 10) : 0;

	if (strncmp(what, "tail", 4) == 0) {
		a = down(off + k) > off ? down(off + k) : off;
		zero(fd, a, off + (off_t)n);
	} else if (strncmp(what, "head", 4) == 0) {
		b = up(off + k) < off + (off_t)n ? up(off + k) : off + (off_t)n;
		zero(fd, off, b);
	} else if (strcmp(what, "drop") == 0) {
		if (ftruncate(fd, st.synced[fd]) == -1)
			_exit(99);
	} else if (strcmp(what, "reorder") == 0 && prev.len > 0 &&
	    prev.off >= st.synced[fd]) {
		/* the sectors of the previous write this one does not cover */
		a = prev.off;
		b = down(off) > a ? down(off) : a;
		zero(fd, a, b);
	}
	die();
}

static ssize_t
do_write(int fd, const void *p, size_t n, off_t off, int positional)
{
	REAL(pwrite);
	REAL(write);
	const char *what = getenv("FI_DO");
	ssize_t r;
	size_t k = n;
	off_t at;

	if (!watched(fd))
		return positional ? real_pwrite(fd, p, n, off) :
		    real_write(fd, p, n);
	what = what ? what : "kill";
	at = (fcntl(fd, F_GETFL) & O_APPEND) || !positional ? fsize(fd) : off;
	if (++st.writes == envnum("FI_WRITE")) {
		if (strncmp(what, "short:", 6) == 0)
			k = (size_t)strtol(what + 6, NULL, 10) < n ?
			    (size_t)strtol(what + 6, NULL, 10) : n;
		else if (strcmp(what, "half") == 0)
			k = n / 2;
	} else
		what = NULL;
	r = positional ? real_pwrite(fd, p, k, off) : real_write(fd, p, k);
	if (r > 0) {
		st.last[fd][0] = st.last[fd][1];
		st.last[fd][1].off = at;
		st.last[fd][1].len = (size_t)r;
	}
	if (what != NULL && strcmp(what, "half") != 0) {
		if (strncmp(what, "short:", 6) == 0)
			die();
		st.last[fd][1] = st.last[fd][0];	/* prev for reorder */
		st.last[fd][0].len = 0;
		after(fd, at, r > 0 ? (size_t)r : 0, what);
	}
	return r;
}

ssize_t
write(int fd, const void *p, size_t n)
{
	return do_write(fd, p, n, 0, 0);
}

ssize_t
pwrite(int fd, const void *p, size_t n, off_t off)
{
	return do_write(fd, p, n, off, 1);
}

ssize_t
pwrite64(int fd, const void *p, size_t n, off64_t off)
{
	return do_write(fd, p, n, off, 1);
}

static int
do_sync(int fd, int data)
{
	REAL(fsync);
	REAL(fdatasync);

	if (watched(fd) && ++st.fsyncs == envnum("FI_FSYNC")) {
		zero(fd, st.synced[fd], fsize(fd));
		errno = EIO;
		return -1;
	}
	if ((data ? real_fdatasync(fd) : real_fsync(fd)) == -1)
		return -1;
	if (watched(fd))
		st.synced[fd] = fsize(fd);
	return 0;
}

int
fsync(int fd)
{
	return do_sync(fd, 0);
}

int
fdatasync(int fd)
{
	return do_sync(fd, 1);
}

int
ftruncate(int fd, off_t len)
{
	REAL(ftruncate);
	int r = real_ftruncate(fd, len);

	if (r == 0 && watched(fd) && st.synced[fd] > len)
		st.synced[fd] = len;
	return r;
}

/* what a program built with a 64-bit off_t calls on a 32-bit target */
int
ftruncate64(int fd, off64_t len)
{
	REAL(ftruncate64);
	int r = real_ftruncate64(fd, len);

	if (r == 0 && watched(fd) && st.synced[fd] > len)
		st.synced[fd] = (off_t)len;
	return r;
}

int
renameat2(int a, const char *from, int b, const char *to, unsigned fl)
{
	REAL(renameat2);
	const char *e = getenv("FI_RENAME");

	if (e != NULL && *e != '\0') {
		errno = strcmp(e, "ENOSYS") == 0 ? ENOSYS : EINVAL;
		return -1;
	}
	return real_renameat2(a, from, b, to, fl);
}

/* covers: a read of n bytes at off takes in FI_READ. */
static int
covers(int fd, off_t off, size_t n)
{
	long at = envnum("FI_READ");

	return watched(fd) && at >= 0 && off <= at && at < off + (off_t)n;
}

ssize_t
pread(int fd, void *p, size_t n, off_t off)
{
	REAL(pread);

	if (covers(fd, off, n)) {
		errno = EIO;
		return -1;
	}
	return real_pread(fd, p, n, off);
}

ssize_t
pread64(int fd, void *p, size_t n, off64_t off)
{
	return pread(fd, p, n, off);
}

ssize_t
read(int fd, void *p, size_t n)
{
	REAL(read);

	if (watched(fd) && covers(fd, lseek(fd, 0, SEEK_CUR), n)) {
		errno = EIO;
		return -1;
	}
	return real_read(fd, p, n);
}

static int
do_openat(int dirfd, const char *path, int fl, mode_t mode)
{
	REAL(openat);
	int fd = real_openat(dirfd, path, fl, mode);

	if (fd >= 0)
		watch(fd, path);
	return fd;
}

int
openat(int dirfd, const char *path, int fl, ...)
{
	va_list ap;
	mode_t mode = 0;

	va_start(ap, fl);
	if (fl & (O_CREAT | O_TMPFILE))
		mode = va_arg(ap, mode_t);
	va_end(ap);
	return do_openat(dirfd, path, fl, mode);
}

int
openat64(int dirfd, const char *path, int fl, ...)
{
	va_list ap;
	mode_t mode = 0;

	va_start(ap, fl);
	if (fl & (O_CREAT | O_TMPFILE))
		mode = va_arg(ap, mode_t);
	va_end(ap);
	return do_openat(dirfd, path, fl, mode);
}

int
open(const char *path, int fl, ...)
{
	va_list ap;
	mode_t mode = 0;

	va_start(ap, fl);
	if (fl & (O_CREAT | O_TMPFILE))
		mode = va_arg(ap, mode_t);
	va_end(ap);
	return do_openat(AT_FDCWD, path, fl, mode);
}

int
open64(const char *path, int fl, ...)
{
	va_list ap;
	mode_t mode = 0;

	va_start(ap, fl);
	if (fl & (O_CREAT | O_TMPFILE))
		mode = va_arg(ap, mode_t);
	va_end(ap);
	return do_openat(AT_FDCWD, path, fl, mode);
}

int
close(int fd)
{
	REAL(close);

	if (fd >= 0 && fd < MAXFD)
		st.watched[fd] = 0;
	return real_close(fd);
}

/* gso_errno: the errno FI_GSO asks for, 0 when it is not set. */
static int
gso_errno(void)
{
	const char *e = getenv("FI_GSO");

	if (e == NULL || *e == '\0')
		return 0;
	if (strcmp(e, "EINVAL") == 0)
		return EINVAL;
	if (strcmp(e, "ENOPROTOOPT") == 0)
		return ENOPROTOOPT;
	return EIO;
}

/* gso_refuse: fail with the errno of FI_GSO, logged. */
static int
gso_refuse(int e)
{
	const char *log = getenv("FI_GSO_LOG");
	int fd, saved = e;

	if (log != NULL && (fd = open(log, O_WRONLY | O_APPEND | O_CREAT,
	    0644)) != -1) {
		(void)!write(fd, "refused\n", 8);
		close(fd);
	}
	errno = saved;
	return -1;
}

/* segmented: m carries a UDP_SEGMENT control message. */
static int
segmented(const struct msghdr *m)
{
	struct cmsghdr *c;

	for (c = CMSG_FIRSTHDR(m); c != NULL;
	    c = CMSG_NXTHDR((struct msghdr *)m, c))
		if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_SEGMENT)
			return 1;
	return 0;
}

ssize_t
sendmsg(int fd, const struct msghdr *m, int fl)
{
	REAL(sendmsg);
	int e = gso_errno();

	if (e && segmented(m))
		return gso_refuse(e);
	return real_sendmsg(fd, m, fl);
}

int
sendmmsg(int fd, struct mmsghdr *v, unsigned n, int fl)
{
	REAL(sendmmsg);
	int e = gso_errno();
	unsigned i;

	for (i = 0; e && i < n && !segmented(&v[i].msg_hdr); i++)
		;
	if (e && i == 0 && n > 0)
		return gso_refuse(e);
	return real_sendmmsg(fd, v, e ? i : n, fl);
}

int
setsockopt(int fd, int level, int name, const void *v, socklen_t len)
{
	REAL(setsockopt);
	int e = gso_errno();

	if (e && level == SOL_UDP && name == UDP_SEGMENT)
		return gso_refuse(e);
	return real_setsockopt(fd, level, name, v, len);
}
