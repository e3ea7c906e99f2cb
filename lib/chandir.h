/* chandir.h: a channel directory: created, locked, its finished files. */
#ifndef CHANDIR_H
#define CHANDIR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* "2026-11-21T10-00-00.123456789Z.pcap": ISO 8601 UTC with '-' for ':' */
#define CHANDIR_NAMELEN 64

struct finished {
	char name[CHANDIR_NAMELEN];
	int64_t sec;
	uint32_t nsec;
	off_t size;
	int64_t mtime;		/* seconds */
};

/*
 * chandir_open: create path and its parents when missing (mode 0750,
 * umask respected) and open it. Returns the directory fd, or -1 with
 * errno set.
 */
int chandir_open(const char *path);

/*
 * chandir_lock: take DIR/lock (flock, exclusive, without waiting) and
 * write our pid into it. Returns the lock fd; -1 with errno EWOULDBLOCK
 * and *holder set (0 if unknown) when another process holds it; -1 with
 * errno set on other failures.
 */
int chandir_lock(int dirfd, pid_t *holder);

/* chandir_name: the finished-file name for a first record at sec.nsec
 * with extension ext ("pcap", "log") into buf (CHANDIR_NAMELEN). */
void chandir_name(char *buf, int64_t sec, uint32_t nsec, const char *ext);

/*
 * chandir_parse: 1 when name is a finished file of chanlog's: a time as
 * chandir_name writes it, ".pcap" or ".log", then nothing or ".SUFFIX"
 * (what a processor such as zstd --rm leaves). Its time in *sec, *nsec.
 */
int chandir_parse(const char *name, int64_t *sec, uint32_t *nsec);

/* chandir_list: the finished files in dirfd, oldest (first by name)
 * first, in a malloc'd array. Returns the count, -1 with errno set. */
long chandir_list(int dirfd, struct finished **out);

/*
 * chandir_retain: delete the oldest finished files until at most count
 * remain (0: no limit), their total is at most bytes (0: no limit) and
 * none was modified more than age seconds before now (0: no limit). The
 * newest finished file is always kept. Returns the files deleted, -1 on
 * a listing error.
 */
long chandir_retain(int dirfd, long count, uint64_t bytes, int64_t age,
    int64_t now);

/* the names chandir_finish tries, one nanosecond apart */
#define CHANDIR_TRIES 1000

/*
 * chandir_finish: rename DIR/current to the finished name of sec.nsec
 * with extension ext, or to the first of the CHANDIR_TRIES names after it
 * (+1 ns each) not taken; never over an existing file. The name in name
 * (CHANDIR_NAMELEN), the time it stands for in *sec, *nsec. On a file
 * system without renameat2(RENAME_NOREPLACE) (EINVAL, ENOSYS, ENOTSUP)
 * *linked is set and the name is made by link(2) and unlink(2): a crash
 * between the two leaves current as a second name of the finished file
 * (st_nlink 2: the caller removes that name at the next start). With
 * *linked set on entry, link(2) is used at once. Returns 0; -1 with errno set (EEXIST when every name was taken).
 * The rename is not synced: the caller syncs DIR.
 */
int chandir_finish(int dirfd, int64_t *sec, uint32_t *nsec, const char *ext,
    char *name, int *linked);

/* chandir_drop_oldest: delete the oldest finished file (to free space).
 * Returns 1, 0 when there is none, -1 with errno set. Its name in name. */
int chandir_drop_oldest(int dirfd, char *name);

#endif
