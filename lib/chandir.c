/* chandir.c: a channel directory: created, locked, its finished files. */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chandir.h"
#include "timefmt.h"

/* glibc has renameat2 from 2.28; musl has none: the system call itself */
#if !defined(__GLIBC__) || __GLIBC__ < 2 || \
    (__GLIBC__ == 2 && __GLIBC_MINOR__ < 28)
#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE	(1 << 0)	/* <linux/fs.h> */
#endif
static int
renameat2(int ofd, const char *old, int nfd, const char *new,
    unsigned int flags)
{
#ifdef SYS_renameat2
	return (int)syscall(SYS_renameat2, ofd, old, nfd, new, flags);
#else
	(void)ofd, (void)old, (void)nfd, (void)new, (void)flags;
	errno = ENOSYS;
	return -1;
#endif
}
#endif

int
chandir_open(const char *path)
{
	char p[PATH_MAX], *s;
	int fd;

	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1)
		return fd;
	if (errno != ENOENT)
		return -1;
	if (strlen(path) >= sizeof p) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(p, path);
	/* each missing parent in turn, as mkdir -p does */
	for (s = p + 1; *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0750) == -1 && errno != EEXIST)
			return -1;
		*s = '/';
	}
	if (mkdir(p, 0750) == -1 && errno != EEXIST)
		return -1;
	return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static pid_t
read_pid(int fd)
{
	char b[24];
	ssize_t n;
	long v;

	n = pread(fd, b, sizeof b - 1, 0);
	if (n <= 0)
		return 0;
	b[n] = '\0';
	v = strtol(b, NULL, 10);
	return v > 0 ? (pid_t)v : 0;
}

int
chandir_lock(int dirfd, pid_t *holder)
{
	char b[24];
	int fd, n, e;

	*holder = 0;
	fd = openat(dirfd, "lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
	    0640);
	if (fd == -1)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		e = errno;
		if (e == EWOULDBLOCK)
			*holder = read_pid(fd);
		close(fd);
		errno = e;
		return -1;
	}
	n = snprintf(b, sizeof b, "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == -1 || pwrite(fd, b, (size_t)n, 0) != n) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

void
chandir_name(char *buf, int64_t sec, uint32_t nsec, const char *ext)
{
	char *p;

	timefmt_iso(buf, sec, nsec);
	/* ':' is not portable in file names (and means a drive to some) */
	for (p = buf; *p != '\0'; p++)
		if (*p == ':')
			*p = '-';
	snprintf(p, CHANDIR_NAMELEN - (size_t)(p - buf), ".%s", ext);
}

/* digits: n decimal digits at s into *v; 0 if any is not a digit. */
static int
digits(const char *s, int n, long long *v)
{
	*v = 0;
	while (n-- > 0) {
		if (*s < '0' || *s > '9')
			return 0;
		*v = *v * 10 + (*s++ - '0');
	}
	return 1;
}

/* days_from_civil (Hinnant): days since 1970-01-01 of y-m-d. */
static int64_t
days(long long y, unsigned m, unsigned d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int
chandir_parse(const char *name, int64_t *sec, uint32_t *nsec)
{
	/* YYYY-MM-DDTHH-MM-SS.NNNNNNNNNZ */
	static const char shape[] = "dddd-dd-ddTdd-dd-dd.dddddddddZ";
	long long y, mo, d, h, mi, s, ns;
	const char *ext;
	size_t i;

	for (i = 0; i < sizeof shape - 1; i++)
		if (shape[i] == 'd' ? name[i] < '0' || name[i] > '9' :
		    name[i] != shape[i])
			return 0;
	digits(name, 4, &y);
	digits(name + 5, 2, &mo);
	digits(name + 8, 2, &d);
	digits(name + 11, 2, &h);
	digits(name + 14, 2, &mi);
	digits(name + 17, 2, &s);
	digits(name + 20, 9, &ns);
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    s > 60)
		return 0;
	ext = name + sizeof shape - 1;
	if (strncmp(ext, ".pcap", 5) == 0)
		ext += 5;
	else if (strncmp(ext, ".log", 4) == 0)
		ext += 4;
	else
		return 0;
	if (*ext != '\0' && (*ext != '.' || ext[1] == '\0'))
		return 0;
	*sec = days(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 +
	    mi * 60 + s;
	*nsec = (uint32_t)ns;
	return 1;
}

static int
cmp_finished(const void *a, const void *b)
{
	return strcmp(((const struct finished *)a)->name,
	    ((const struct finished *)b)->name);
}

long
chandir_list(int dirfd, struct finished **out)
{
	struct finished *v = NULL, *nv;
	struct dirent *de;
	struct stat st;
	size_t n = 0, cap = 0;
	DIR *d;
	int fd;

	*out = NULL;
	if ((fd = dup(dirfd)) == -1 || (d = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return -1;
	}
	rewinddir(d);
	while ((de = readdir(d)) != NULL) {
		struct finished f;

		if (strlen(de->d_name) >= sizeof f.name ||
		    !chandir_parse(de->d_name, &f.sec, &f.nsec) ||
		    fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
		    !S_ISREG(st.st_mode))
			continue;
		strcpy(f.name, de->d_name);
		f.size = st.st_size;
		f.mtime = st.st_mtime;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((nv = realloc(v, cap * sizeof *v)) == NULL) {
				free(v);
				closedir(d);
				errno = ENOMEM;
				return -1;
			}
			v = nv;
		}
		v[n++] = f;
	}
	closedir(d);
	if (n > 0)
		qsort(v, n, sizeof *v, cmp_finished);
	*out = v;
	return (long)n;
}

long
chandir_retain(int dirfd, long count, uint64_t bytes, int64_t age,
    int64_t now)
{
	struct finished *v;
	uint64_t total = 0;
	long n, i, gone = 0;

	if ((n = chandir_list(dirfd, &v)) == -1)
		return -1;
	for (i = 0; i < n; i++)
		total += (uint64_t)v[i].size;
	/* oldest first; the newest (v[n - 1]) stays whatever the rules say */
	for (i = 0; i < n - 1; i++) {
		if (!(count > 0 && n - gone > count) &&
		    !(bytes > 0 && total > bytes) &&
		    !(age > 0 && now - v[i].mtime > age))
			continue;
		if (unlinkat(dirfd, v[i].name, 0) == -1 && errno != ENOENT)
			continue;
		total -= (uint64_t)v[i].size;
		gone++;
	}
	free(v);
	return gone;
}

int
chandir_drop_oldest(int dirfd, char *name)
{
	struct finished *v;
	long n;
	int r = 0;

	if ((n = chandir_list(dirfd, &v)) == -1)
		return -1;
	if (n > 0) {
		strcpy(name, v[0].name);
		r = unlinkat(dirfd, v[0].name, 0) == -1 ? -1 : 1;
	}
	free(v);
	return r;
}

/*
 * place: give current the name name, never replacing a file: by
 * renameat2(RENAME_NOREPLACE), or where the file system does not have it,
 * by a hard link and the removal of the old name. Returns 0, -1 with
 * errno set (EEXIST: the name is taken).
 */
static int
place(int dirfd, const char *name, int *linked)
{
	if (!*linked) {
		if (renameat2(dirfd, "current", dirfd, name,
		    RENAME_NOREPLACE) == 0)
			return 0;
		if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
			return -1;
		*linked = 1;
	}
	if (linkat(dirfd, "current", dirfd, name, 0) == -1)
		return -1;
	return unlinkat(dirfd, "current", 0);
}

int
chandir_finish(int dirfd, int64_t *sec, uint32_t *nsec, const char *ext,
    char *name, int *linked)
{
	int tries;

	for (tries = 0; tries < CHANDIR_TRIES; tries++) {
		if (*nsec >= 1000000000u) {
			++*sec;
			*nsec = 0;
		}
		chandir_name(name, *sec, *nsec, ext);
		if (place(dirfd, name, linked) == 0)
			return 0;
		if (errno != EEXIST)
			return -1;
		++*nsec;
	}
	errno = EEXIST;
	return -1;
}
