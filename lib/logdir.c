/*
 * logdir.c: the writing side of a channel directory: DIR/current written
 * from held records, synced with its mark DIR/current.ok, cut back after
 * a failed sync, finished into the name of its first record's time,
 * rotated, retained, and each finished file handed to the processor.
 */
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "chandir.h"
#include "clock.h"
#include "frame.h"
#include "logdir.h"
#include "pcapw.h"

#define RETRY_MIN	100000000ull	/* backoff while the disk is full */
#define RETRY_MAX	5000000000ull

/* Finishing files. */

static void
retain(struct logdir *d)
{
	if (chandir_retain(d->dirfd, d->o.count, d->o.keepbytes,
	    (int64_t)(d->o.age / NS_PER_S), time(NULL)) == -1)
		warn("unable to apply retention in %s", d->o.dir);
}

/*
 * finish: rename the file now called "current" to the name of its first
 * record's time, made to sort after every finished file before it (the
 * clock may have stepped back), and make the rename durable. Exits 111
 * when it cannot: current must not be written on under another's name.
 */
static void
finish(struct logdir *d, int64_t sec, uint32_t nsec, int framing, off_t size)
{
	char name[CHANDIR_NAMELEN], first[CHANDIR_NAMELEN];
	const char *ext = framing == FRAME_PCAP ? "pcap" : "log";
	int linked = d->linked;

	if (sec < d->last_sec || (sec == d->last_sec && nsec <= d->last_nsec)) {
		sec = d->last_sec;
		nsec = d->last_nsec + 1;
	}
	chandir_name(first, sec, nsec, ext);
	if (chandir_finish(d->dirfd, &sec, &nsec, ext, name, &d->linked) == -1) {
		if (errno == EEXIST)
			errx(111, "unable to rename %s/current: the %d names "
			    "from %s on are all taken", d->o.dir, CHANDIR_TRIES,
			    first);
		err(111, "unable to rename %s/current", d->o.dir);
	}
	if (d->linked && !linked)
		warnx("%s has no renameat2 RENAME_NOREPLACE: finishing files "
		    "with link and unlink, which never overwrite either",
		    d->o.dir);
	if (fsync(d->dirfd) == -1)
		err(111, "unable to sync %s", d->o.dir);
	d->last_sec = sec;
	d->last_nsec = nsec;
	d->files++;
	if (d->o.verbose)
		warnx("finished %s/%s (%lld bytes)", d->o.dir, name,
		    (long long)size);
	handoff_run(&d->proc, name);
	retain(d);
}

/* Recovery at the start. */

/* report: what salvage did to a crashed current, on stderr. */
static void
report(const struct logdir *d, const struct salvage *s)
{
	const char *what = s->framing == FRAME_PCAP ? "record" : "line";
	char n[48];

	if (s->fixhdr)
		warnx("recovered %s/current: its pcap file header %s",
		    d->o.dir, s->fixhdr == 1 ? "was not the channel's: "
		    "replaced by the one in current.ok" : "was torn: "
		    "repaired to version 2.4");
	if (s->cut == 0)
		return;
	if (s->cutrecs >= 0)
		snprintf(n, sizeof n, "%lld %s%s", s->cutrecs, what,
		    s->cutrecs == 1 ? "" : "s");
	else
		snprintf(n, sizeof n, "%ss not countable", what);
	warnx("recovered %s/current: cut %lld bytes at offset %lld (%s): %s",
	    d->o.dir, (long long)s->cut, (long long)s->keep, n, s->why);
}

/*
 * salvage_current: what a crash left in DIR/current, cut valid and
 * finished, or removed when nothing of it is whole. A read error stops
 * chanlog (111) with the file untouched.
 */
static void
salvage_current(struct logdir *d)
{
	struct salvage_mark m;
	struct salvage s;
	struct stat st;
	int fd, have;

	if ((have = salvage_mark_read(d->okfd, &m)) == -1)
		err(111, "unable to read %s/current.ok", d->o.dir);
	fd = openat(d->dirfd, "current", O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1 && errno == ENOENT)
		return;
	if (fd == -1)
		err(111, "unable to open %s/current", d->o.dir);
	/* the time of the last write, before the cut makes it now */
	if (fstat(fd, &st) == -1)
		err(111, "unable to read %s/current", d->o.dir);
	if (st.st_nlink > 1) {
		/* a crash between link and unlink: finished already */
		close(fd);
		if (unlinkat(d->dirfd, "current", 0) == -1)
			err(111, "unable to remove %s/current", d->o.dir);
		warnx("recovered %s/current: already finished under its other "
		    "name; removed this one", d->o.dir);
		return;
	}
	if (salvage_file(fd, have ? &m : NULL, &s) == -1)
		err(111, "unable to recover %s/current", d->o.dir);
	d->cut += (uint64_t)s.cut;
	report(d, &s);
	if (s.keep == 0) {
		close(fd);
		if (unlinkat(d->dirfd, "current", 0) == -1)
			err(111, "unable to remove %s/current", d->o.dir);
		return;
	}
	if (fsync(fd) == -1)
		err(111, "unable to sync %s/current", d->o.dir);
	close(fd);
	if (!s.have_time) {
		s.sec = st.st_mtim.tv_sec;
		s.nsec = (uint32_t)st.st_mtim.tv_nsec;
	}
	finish(d, s.sec, s.nsec, s.framing, s.keep);
}

/* newest: the time of the newest finished file, so names keep sorting. */
static void
newest(struct logdir *d)
{
	struct finished *v;
	long n;

	if ((n = chandir_list(d->dirfd, &v)) == -1)
		err(111, "unable to list %s", d->o.dir);
	if (n > 0) {
		d->last_sec = v[n - 1].sec;
		d->last_nsec = v[n - 1].nsec;
	}
	free(v);
}

void
logdir_open(struct logdir *d, const struct logdir_opts *o)
{
	pid_t holder;

	memset(d, 0, sizeof *d);
	d->o = *o;
	d->cur = -1;
	if ((d->dirfd = chandir_open(o->dir)) == -1)
		err(111, "unable to open %s", o->dir);
	if ((d->lockfd = chandir_lock(d->dirfd, &holder)) == -1) {
		if (errno == EWOULDBLOCK)
			errx(111, "unable to lock %s: held by pid %ld",
			    o->dir, (long)holder);
		err(111, "unable to lock %s", o->dir);
	}
	newest(d);
	d->okfd = openat(d->dirfd, "current.ok", O_RDWR | O_CREAT |
	    O_NOFOLLOW | O_CLOEXEC, 0640);
	if (d->okfd == -1)
		err(111, "unable to open %s/current.ok", o->dir);
	salvage_current(d);
	retain(d);
	backoff_init(&d->backoff, RETRY_MIN, RETRY_MAX);
	/* only now: a file salvage_current finished is not processed */
	handoff_init(&d->proc, o->dir, o->proc);
}

/* Writing. */

static size_t
hdrlen(const struct logdir *d)
{
	return d->framing == FRAME_PCAP ? PCAP_FILEHDR_LEN : 0;
}

static int
empty(const struct logdir *d)
{
	return d->cur == -1 || d->hw.size + d->hw.len <= hdrlen(d);
}

static void
retry_later(struct logdir *d, int e)
{
	if (!d->full)
		warnx("unable to write %s/current: %s; holding %zu bytes, "
		    "retrying", d->o.dir, strerror(e), d->hw.len);
	d->full = 1;
	d->retry_at = clock_mono() + backoff_next(&d->backoff);
}

/*
 * logdir_flush: write out what is held. On a failure current stays valid
 * (cut back to its last whole record), the rest stays held and the disk
 * is retried later.
 */
int
logdir_flush(struct logdir *d)
{
	if (recfile_flush(&d->hw) == -1) {
		retry_later(d, errno);
		return -1;
	}
	if (d->full)
		warnx("writing %s/current again", d->o.dir);
	d->full = 0;
	backoff_reset(&d->backoff);
	return 0;
}

void
logdir_write(struct logdir *d)
{
	if (!d->full && d->hw.len > 0)
		logdir_flush(d);
}

/* mark: rewrite current.ok; a failure is reported once and is harmless:
 * salvage then judges all of current, as it does without a mark. */
static void
mark(struct logdir *d)
{
	if (salvage_mark_write(d->okfd, &d->mark) == -1 && !d->marktold++)
		warn("unable to write %s/current.ok", d->o.dir);
}

void
logdir_nul(struct logdir *d)
{
	d->mark.nul = 1;
	mark(d);
}

static void
open_current(struct logdir *d)
{
	struct stat st;

	d->cur = openat(d->dirfd, "current", O_WRONLY | O_CREAT | O_EXCL |
	    O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0640);
	if (d->cur == -1 || fstat(d->cur, &st) == -1)
		err(111, "unable to open %s/current", d->o.dir);
	d->have_first = 0;
	d->synced = 0;
	d->pending = 0;
	d->dirsynced = 0;
	recfile_reset(&d->hw, d->cur, 0, d->framing == FRAME_PCAP);
	/* the header waits with the records: a full disk cannot split it */
	if (d->framing == FRAME_PCAP &&
	    recfile_add(&d->hw, d->hdr, sizeof d->hdr) == -1)
		errx(111, "unable to hold the pcap header");
	/* the channel's framing is on disk before any byte of current */
	d->mark.ino = (uint64_t)st.st_ino;
	d->mark.synced = 0;
	d->mark.framing = d->framing;
	d->mark.first_sec = d->mark.last_sec = -1;
	memcpy(d->mark.hdr, d->hdr, sizeof d->mark.hdr);
	mark(d);
	if (fsync(d->okfd) == -1)
		warn("unable to sync %s/current.ok", d->o.dir);
}

/*
 * cut_unsynced: after a failed fsync of current. Linux may have dropped
 * the pages it could not write and marked them clean, so a later fsync
 * succeeds without them ("fsyncgate"): what was written since the last
 * good sync cannot be trusted. It is cut off and its records counted
 * lost; what is still held is written again after it. Exits 111 if the
 * cut fails: the next start judges current from the mark.
 */
static void
cut_unsynced(struct logdir *d, int e)
{
	uint64_t held = recfile_records(&d->hw), lost = d->pending - held;
	uint64_t to = d->synced;

	if (d->framing == FRAME_PCAP && to < PCAP_FILEHDR_LEN)
		to = 0;
	if (ftruncate(d->cur, (off_t)to) == -1)
		err(111, "unable to cut %s/current back after a failed sync",
		    d->o.dir);
	d->hw.size = to;
	/* the header again, unless it is still held to be written */
	if (to == 0 && d->framing == FRAME_PCAP && !d->hw.hdr) {
		if (pwrite(d->cur, d->hdr, sizeof d->hdr, 0) !=
		    (ssize_t)sizeof d->hdr)
			err(111, "unable to write %s/current", d->o.dir);
		d->hw.size = PCAP_FILEHDR_LEN;
	}
	d->pending = held;
	d->dropped += lost;
	warnx("unable to sync %s/current: %s; cut back to the %llu bytes "
	    "synced before: %llu records lost", d->o.dir, strerror(e),
	    (unsigned long long)d->hw.size, (unsigned long long)lost);
}

/*
 * sync_current: fsync current and move the mark to what it holds. A
 * failure cuts off what was written since the last sync (cut_unsynced).
 * Returns 0, -1 with errno set.
 */
static int
sync_current(struct logdir *d)
{
	int e;

	if (fsync(d->cur) == -1) {
		e = errno;
		cut_unsynced(d, e);
		errno = e;
		return -1;
	}
	d->synced = d->hw.size;
	d->pending = d->hw.len > 0 ? recfile_records(&d->hw) : 0;
	d->mark.synced = d->synced;
	if (d->have_first) {
		d->mark.first_sec = d->first_sec;
		d->mark.first_nsec = d->first_nsec;
	}
	/* the last record's time, when it is the one the sync ends with */
	d->mark.last_sec = d->hw.len == 0 && d->have_first &&
	    d->framing == FRAME_PCAP ? d->put_sec : -1;
	d->mark.last_nsec = d->mark.last_sec == -1 ? 0 : d->put_nsec;
	mark(d);
	return 0;
}

void
logdir_sync(struct logdir *d)
{
	if (!d->o.sync || d->cur == -1 || d->pending == 0 ||
	    clock_mono() < d->sync_due)
		return;
	if (!d->full)
		logdir_flush(d);
	if ((d->hw.size > d->synced || d->pending > 0) &&
	    sync_current(d) == 0 && !d->dirsynced) {
		/* the new file's name, too: fsync of a file need not
		 * commit it (a rotation syncs DIR after its rename) */
		if (fsync(d->dirfd) == 0)
			d->dirsynced = 1;
	}
	if (d->pending > 0)
		d->sync_due = clock_mono() + d->o.sync;
}

/* rotate: finish current, start the next. Returns -1 if it must wait
 * (the disk is full, or a sync failed and what it lost was cut). An
 * empty current stays as it is. */
static int
rotate(struct logdir *d, int reopen)
{
	int64_t sec = d->first_sec;
	uint32_t nsec = d->first_nsec;
	off_t size;

	if (empty(d))
		return 0;
	if (logdir_flush(d) == -1)
		return -1;
	/* after a failed sync, once more: what is held is written again */
	if (sync_current(d) == -1) {
		if (logdir_flush(d) == -1)
			return -1;
		if (sync_current(d) == -1) {
			retry_later(d, errno);
			return -1;
		}
	}
	if (empty(d))
		return 0;
	size = (off_t)d->hw.size;
	close(d->cur);
	d->cur = -1;
	finish(d, sec, nsec, d->framing, size);
	if (reopen)
		open_current(d);
	return 0;
}

void
logdir_rotate(struct logdir *d, int asked)
{
	if (asked || (d->want_rotate && !d->full))
		d->want_rotate = rotate(d, 1) == -1;
}

void
logdir_put(struct logdir *d, const struct iovec *v, int cnt, int64_t sec,
    uint32_t nsec)
{
	size_t n = 0;
	int i;

	for (i = 0; i < cnt; i++)
		n += v[i].iov_len;
	if (d->o.size && d->hw.size + d->hw.len + n > d->o.size)
		rotate(d, 1);
	if (d->hw.len + n > d->hw.max) {
		d->dropped++;
		return;
	}
	for (i = 0; i < cnt; i++)
		if (recfile_add(&d->hw, v[i].iov_base, v[i].iov_len) == -1)
			errx(111, "unable to hold a record: out of memory");
	if (!d->have_first) {
		d->first_sec = sec;
		d->first_nsec = nsec;
		d->have_first = 1;
	}
	d->put_sec = sec;
	d->put_nsec = nsec;
	if (d->pending++ == 0 && d->o.sync)
		d->sync_due = clock_mono() + d->o.sync;
	d->records++;
	d->bytes += n;
	if (!d->full && d->hw.len >= LOGDIR_BATCH)
		logdir_flush(d);
}

/* Time rotation: next_rotation after every rotation (or at start). */
static void
next_rotation(struct logdir *d)
{
	uint64_t now, wall, iv = d->o.rotate;

	if (iv == 0)
		return;
	now = clock_mono();
	if (!d->o.align) {
		d->rot_due = now + iv;
		return;
	}
	/* the next multiple of the interval on the UTC wall clock */
	wall = clock_wall();
	d->rot_due = now + (iv - wall % iv);
}

/*
 * early: with -W, whether the wall clock is still short of the boundary
 * the monotonic timer was set for (the two clocks drift apart, and NTP
 * slews the wall clock): then the timer is set again for the rest.
 */
static int
early(struct logdir *d)
{
	uint64_t iv = d->o.rotate, in;

	if (!d->o.align)
		return 0;
	in = clock_wall() % iv;
	if (in < iv / 2)
		return 0;
	d->rot_due = clock_mono() + (iv - in);
	return 1;
}

void
logdir_retry(struct logdir *d)
{
	char name[CHANDIR_NAMELEN];

	while (logdir_flush(d) == -1 && d->o.freespace &&
	    chandir_drop_oldest(d->dirfd, name) == 1)
		warnx("freed space: removed %s/%s", d->o.dir, name);
}

void
logdir_timers(struct logdir *d)
{
	if (d->full && clock_mono() >= d->retry_at)
		logdir_retry(d);
	if (d->o.rotate && clock_mono() >= d->rot_due && !early(d)) {
		d->want_rotate = rotate(d, 1) == -1;
		next_rotation(d);
	}
}

uint64_t
logdir_due(const struct logdir *d)
{
	uint64_t due = UINT64_MAX;

	if (d->o.rotate)
		due = d->rot_due;
	if (d->full && d->retry_at < due)
		due = d->retry_at;
	if (d->o.sync && d->pending > 0 && d->sync_due < due)
		due = d->sync_due;
	return due;
}

void
logdir_start(struct logdir *d, int framing, const unsigned char *hdr,
    int swap)
{
	d->framing = framing;
	memcpy(d->hdr, hdr, sizeof d->hdr);
	recfile_init(&d->hw, framing == FRAME_PCAP, swap, d->o.hold);
	open_current(d);
	next_rotation(d);
}

/* The end. */

uint64_t
logdir_abandon(struct logdir *d)
{
	uint64_t lost;

	if (d->hw.len == 0)
		return 0;
	lost = recfile_records(&d->hw);
	d->hw.len = 0;
	warnx("lost %llu records: %s/current could not be written",
	    (unsigned long long)lost, d->o.dir);
	return lost;
}

void
logdir_end(struct logdir *d)
{
	if (!empty(d) && rotate(d, 0) == -1)
		return;
	if (d->cur == -1)
		return;
	/* empty, maybe after a failed sync cut it back */
	close(d->cur);
	d->cur = -1;
	if (unlinkat(d->dirfd, "current", 0) == -1)
		warn("unable to remove %s/current", d->o.dir);
}

void
logdir_close(struct logdir *d, uint64_t lost)
{
	if (d->cur != -1 && fsync(d->cur) == -1 && lost == 0)
		err(111, "unable to sync %s/current", d->o.dir);
	/* no current: its mark describes nothing */
	if (d->cur == -1 && unlinkat(d->dirfd, "current.ok", 0) == -1 &&
	    errno != ENOENT)
		warn("unable to remove %s/current.ok", d->o.dir);
	handoff_wait(&d->proc);
}

uint64_t
logdir_disk_bytes(const struct logdir *d)
{
	struct finished *f = NULL;
	struct stat st;
	uint64_t sum = 0;
	long i, n;

	if ((n = chandir_list(d->dirfd, &f)) > 0)
		for (i = 0; i < n; i++)
			sum += (uint64_t)f[i].size;
	free(f);
	if (d->cur != -1 && fstat(d->cur, &st) == 0)
		sum += (uint64_t)st.st_size;
	return sum;
}
