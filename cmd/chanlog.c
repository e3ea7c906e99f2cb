/*
 * chanlog: write a record stream (pcap or text lines) from standard input
 * into a channel directory of rotated files that are always valid.
 */
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "arg.h"
#include "backoff.h"
#include "chandir.h"
#include "children.h"
#include "clock.h"
#include "frame.h"
#include "launch.h"
#include "nonblock.h"
#include "num.h"
#include "pcapw.h"
#include "recfile.h"
#include "recin.h"
#include "salvage.h"
#include "sig.h"
#include "timefmt.h"

#define USAGE "usage: chanlog [-fhvW] [-A AGE] [-b SIZE] [-e STAMP] " \
	"[-i INTERVAL] [-l SIZE] [-N SIZE] [-n COUNT] [-p CMD] " \
	"[-y INTERVAL] [-z SIZE] DIR"
#define OPTSTRING	"A:b:e:fhi:l:N:n:p:vWy:z:"

#define BATCH		(256u * 1024)	/* write in pieces this large */
#define HOLD_DEFAULT	(16u << 20)	/* held while the disk is full */
#define LINE_DEFAULT	(4u << 20)	/* longest line kept whole */
#define SLICE		4096		/* records between looks at the clock */
#define RETRY_MIN	100000000ull	/* backoff while the disk is full */
#define RETRY_MAX	5000000000ull
#define PROC_MAX	32
#define PROC_WAIT	10		/* seconds for processors at exit */
#define SYNC_DEFAULT	(300 * NS_PER_S) /* journald's SyncIntervalSec */
#define NS		NS_PER_S

struct opts {
	const char *dir, *proc;
	uint64_t age, hold, maxline, keepbytes, rotate, size, sync;
	long count;
	int freespace, iso, tai, verbose, align;
};

struct log {
	struct opts o;
	int dirfd, cur;			/* cur: DIR/current, -1 when closed */
	int okfd;			/* DIR/current.ok: current's mark */
	struct salvage_mark mark;
	uint64_t synced;		/* current's bytes known on disk */
	uint64_t pending;		/* records put since the last sync */
	uint64_t sync_due;		/* -y: when pending must be synced */
	int dirsynced;			/* current's name is on disk */
	int linked;			/* no RENAME_NOREPLACE: link+unlink */
	int64_t put_sec;		/* the last record's time */
	uint32_t put_nsec;
	int framing;
	struct recin in;
	int have_first;			/* current's first record time */
	int64_t first_sec, last_sec;	/* last: newest finished name */
	uint32_t first_nsec, last_nsec;
	struct recfile hw;		/* current's records, held until written */
	size_t hold;			/* the most hw may hold */
	int full;			/* the last write failed */
	int want_rotate;		/* HUP or timer while the disk was full */
	uint64_t retry_at, rot_due;
	struct backoff backoff;		/* the retries while the disk is full */
	char *script;			/* -p CMD "$1" */
	struct children procs;		/* what each runs for: its file name */
	uint64_t records, bytes, files, dropped, cut, split;
	int refused;	/* the input failed: its exit status (recin_fail) */
};

/* stamp_arg: -e STAMP, the stamp put before every line. */
static void
stamp_arg(const char *s, struct opts *o)
{
	o->iso = strcmp(s, "iso") == 0;
	o->tai = strcmp(s, "tai64n") == 0;
	if (!o->iso && !o->tai)
		arg_fail("stamp", s, "use iso or tai64n");
}

static void
parse(int argc, char **argv, struct opts *o)
{
	int c;

	memset(o, 0, sizeof *o);
	arg_usage = USAGE;
	o->hold = HOLD_DEFAULT;
	o->maxline = LINE_DEFAULT;
	o->sync = SYNC_DEFAULT;
	opterr = 0;
	while ((c = getopt(argc, argv, OPTSTRING)) != -1) {
		switch (c) {
		case 'A': o->age = dur_arg("age", optarg, NS, UINT64_MAX / 2);
		    break;
		case 'b': o->hold = size_arg("size", optarg, 64 * 1024,
		    1ull << 40); break;
		case 'e': stamp_arg(optarg, o); break;
		case 'f': o->freespace = 1; break;
		case 'h': arg_help(0); break;
		case 'i': o->rotate = dur_arg("interval", optarg, NS / 1000,
		    UINT64_MAX / 4); break;
		case 'l': o->maxline = size_arg("size", optarg, 1,
		    1ull << 30); break;
		case 'N': o->keepbytes = size_arg("size", optarg, 1,
		    UINT64_MAX); break;
		case 'n': o->count = num_arg("count", optarg, 1, LONG_MAX);
		    break;
		case 'p': o->proc = optarg; break;
		case 'v': o->verbose = 1; break;
		case 'W': o->align = 1; break;
		case 'y': o->sync = dur_arg("interval", optarg, 0,
		    UINT64_MAX / 4); break;
		case 'z': o->size = size_arg("size", optarg, 4096,
		    UINT64_MAX / 2); break;
		default:
			arg_badopt(OPTSTRING);
		}
	}
	if (argc - optind != 1)
		arg_misuse("%s", argc - optind == 0 ? "missing DIR" :
		    "too many arguments");
	o->dir = argv[optind];
	if (o->align && !o->rotate)
		arg_misuse("-W needs -i");
}

static void
counters(const struct log *l)
{
	fprintf(stderr, "chanlog: records=%llu bytes=%llu files=%llu "
	    "dropped=%llu cut=%llu split=%llu\n",
	    (unsigned long long)l->records, (unsigned long long)l->bytes,
	    (unsigned long long)l->files, (unsigned long long)l->dropped,
	    (unsigned long long)l->cut, (unsigned long long)l->split);
}

/* Processors: one asynchronous run per finished file. */

/* ended: a processor ended: say so when it failed. */
static void
ended(const struct log *l, struct child *k, int st)
{
	if (WIFEXITED(st) && WEXITSTATUS(st) != 0)
		warnx("processor for %s/%s exited %d", l->o.dir,
		    (char *)k->what, WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		warnx("processor for %s/%s killed by signal %d", l->o.dir,
		    (char *)k->what, WTERMSIG(st));
	free(k->what);
}

/* reap: the processors that ended; with until, the first one to end
 * before that deadline. */
static void
reap(struct log *l, uint64_t until)
{
	struct child k;
	int st;

	while (children_reap(&l->procs, &k, &st, until) == 1) {
		ended(l, &k, st);
		if (until)
			return;
	}
}

static void
process(struct log *l, const char *name)
{
	char path[PATH_MAX], *what;
	pid_t pid;

	if (l->script == NULL)
		return;
	/* PROC_MAX at once: something is stuck */
	while (l->procs.n == PROC_MAX)
		reap(l, UINT64_MAX);
	snprintf(path, sizeof path, "%s/%s", l->o.dir, name);
	if ((what = strdup(name)) == NULL ||
	    (pid = launch_sh(l->script, "chanlog", path, -1, 2)) == -1) {
		warn("unable to run the processor for %s", path);
		free(what);
		return;
	}
	children_add(&l->procs, pid, what);
}

static void
reap_all(struct log *l)
{
	uint64_t end = clock_mono() + PROC_WAIT * NS;
	struct child k;
	int st;

	while (children_reap(&l->procs, &k, &st, end) == 1)
		ended(l, &k, st);
	if (l->procs.n > 0)
		warnx("%d processor(s) still running; not waiting",
		    l->procs.n);
}

/* Finishing files. */

/*
 * finish: rename the file now called "current" to the name of its first
 * record's time, made to sort after every finished file before it (the
 * clock may have stepped back), and make the rename durable. Exits 111
 * when it cannot: current must not be written on under another's name.
 */
static void
finish(struct log *l, int64_t sec, uint32_t nsec, int framing, off_t size)
{
	char name[CHANDIR_NAMELEN], first[CHANDIR_NAMELEN];
	const char *ext = framing == FRAME_PCAP ? "pcap" : "log";
	int linked = l->linked;

	if (sec < l->last_sec || (sec == l->last_sec && nsec <= l->last_nsec)) {
		sec = l->last_sec;
		nsec = l->last_nsec + 1;
	}
	chandir_name(first, sec, nsec, ext);
	if (chandir_finish(l->dirfd, &sec, &nsec, ext, name, &l->linked) == -1) {
		if (errno == EEXIST)
			errx(111, "unable to rename %s/current: the %d names "
			    "from %s on are all taken", l->o.dir, CHANDIR_TRIES,
			    first);
		err(111, "unable to rename %s/current", l->o.dir);
	}
	if (l->linked && !linked)
		warnx("%s has no renameat2 RENAME_NOREPLACE: finishing files "
		    "with link and unlink, which never overwrite either",
		    l->o.dir);
	if (fsync(l->dirfd) == -1)
		err(111, "unable to sync %s", l->o.dir);
	l->last_sec = sec;
	l->last_nsec = nsec;
	l->files++;
	if (l->o.verbose)
		warnx("finished %s/%s (%lld bytes)", l->o.dir, name,
		    (long long)size);
	process(l, name);
	if (chandir_retain(l->dirfd, l->o.count, l->o.keepbytes,
	    (int64_t)(l->o.age / NS), time(NULL)) == -1)
		warn("unable to apply retention in %s", l->o.dir);
}

/* report: what salvage did to a crashed current, on stderr. */
static void
report(const struct log *l, const struct salvage *s)
{
	const char *what = s->framing == FRAME_PCAP ? "record" : "line";
	char n[48];

	if (s->fixhdr)
		warnx("recovered %s/current: its pcap file header %s",
		    l->o.dir, s->fixhdr == 1 ? "was not the channel's: "
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
	    l->o.dir, (long long)s->cut, (long long)s->keep, n, s->why);
}

/*
 * salvage_current: what a crash left in DIR/current, cut valid and
 * finished, or removed when nothing of it is whole. A read error stops
 * chanlog (111) with the file untouched.
 */
static void
salvage_current(struct log *l)
{
	struct salvage_mark m;
	struct salvage s;
	struct stat st;
	int fd, have;

	if ((have = salvage_mark_read(l->okfd, &m)) == -1)
		err(111, "unable to read %s/current.ok", l->o.dir);
	fd = openat(l->dirfd, "current", O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1 && errno == ENOENT)
		return;
	if (fd == -1)
		err(111, "unable to open %s/current", l->o.dir);
	/* the time of the last write, before the cut makes it now */
	if (fstat(fd, &st) == -1)
		err(111, "unable to read %s/current", l->o.dir);
	if (st.st_nlink > 1) {
		/* a crash between link and unlink: finished already */
		close(fd);
		if (unlinkat(l->dirfd, "current", 0) == -1)
			err(111, "unable to remove %s/current", l->o.dir);
		warnx("recovered %s/current: already finished under its other "
		    "name; removed this one", l->o.dir);
		return;
	}
	if (salvage_file(fd, have ? &m : NULL, &s) == -1)
		err(111, "unable to recover %s/current", l->o.dir);
	l->cut += (uint64_t)s.cut;
	report(l, &s);
	if (s.keep == 0) {
		close(fd);
		if (unlinkat(l->dirfd, "current", 0) == -1)
			err(111, "unable to remove %s/current", l->o.dir);
		return;
	}
	if (fsync(fd) == -1)
		err(111, "unable to sync %s/current", l->o.dir);
	close(fd);
	if (!s.have_time) {
		s.sec = st.st_mtim.tv_sec;
		s.nsec = (uint32_t)st.st_mtim.tv_nsec;
	}
	finish(l, s.sec, s.nsec, s.framing, s.keep);
}

/* newest: the time of the newest finished file, so names keep sorting. */
static void
newest(struct log *l)
{
	struct finished *v;
	long n;

	if ((n = chandir_list(l->dirfd, &v)) == -1)
		err(111, "unable to list %s", l->o.dir);
	if (n > 0) {
		l->last_sec = v[n - 1].sec;
		l->last_nsec = v[n - 1].nsec;
	}
	free(v);
}

/* Writing. */

static size_t
hdrlen(const struct log *l)
{
	return l->framing == FRAME_PCAP ? PCAP_FILEHDR_LEN : 0;
}

static int
empty(const struct log *l)
{
	return l->cur == -1 || l->hw.size + l->hw.len <= hdrlen(l);
}

static void
retry_later(struct log *l, int e)
{
	if (!l->full)
		warnx("unable to write %s/current: %s; holding %zu bytes, "
		    "retrying", l->o.dir, strerror(e), l->hw.len);
	l->full = 1;
	l->retry_at = clock_mono() + backoff_next(&l->backoff);
}

/*
 * flush: write out what is held. On a failure current stays valid (cut
 * back to its last whole record), the rest stays held and the disk is
 * retried later. Returns 0, or -1.
 */
static int
flush(struct log *l)
{
	if (recfile_flush(&l->hw) == -1) {
		retry_later(l, errno);
		return -1;
	}
	if (l->full)
		warnx("writing %s/current again", l->o.dir);
	l->full = 0;
	backoff_reset(&l->backoff);
	return 0;
}

/* mark: rewrite current.ok; a failure is reported once and is harmless:
 * salvage then judges all of current, as it does without a mark. */
static void
mark(struct log *l)
{
	static int told;

	if (salvage_mark_write(l->okfd, &l->mark) == -1 && !told++)
		warn("unable to write %s/current.ok", l->o.dir);
}

static void
open_current(struct log *l)
{
	struct stat st;

	l->cur = openat(l->dirfd, "current", O_WRONLY | O_CREAT | O_EXCL |
	    O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0640);
	if (l->cur == -1 || fstat(l->cur, &st) == -1)
		err(111, "unable to open %s/current", l->o.dir);
	l->have_first = 0;
	l->synced = 0;
	l->pending = 0;
	l->dirsynced = 0;
	recfile_reset(&l->hw, l->cur, 0, l->framing == FRAME_PCAP);
	/* the header waits with the records: a full disk cannot split it */
	if (l->framing == FRAME_PCAP &&
	    recfile_add(&l->hw, l->in.hdr, sizeof l->in.hdr) == -1)
		errx(111, "unable to hold the pcap header");
	/* the channel's framing is on disk before any byte of current */
	l->mark.ino = (uint64_t)st.st_ino;
	l->mark.synced = 0;
	l->mark.framing = l->framing;
	l->mark.first_sec = l->mark.last_sec = -1;
	memcpy(l->mark.hdr, l->in.hdr, sizeof l->mark.hdr);
	mark(l);
	if (fsync(l->okfd) == -1)
		warn("unable to sync %s/current.ok", l->o.dir);
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
cut_unsynced(struct log *l, int e)
{
	uint64_t held = recfile_records(&l->hw), lost = l->pending - held;
	uint64_t to = l->synced;

	if (l->framing == FRAME_PCAP && to < PCAP_FILEHDR_LEN)
		to = 0;
	if (ftruncate(l->cur, (off_t)to) == -1)
		err(111, "unable to cut %s/current back after a failed sync",
		    l->o.dir);
	l->hw.size = to;
	/* the header again, unless it is still held to be written */
	if (to == 0 && l->framing == FRAME_PCAP && !l->hw.hdr) {
		if (pwrite(l->cur, l->in.hdr, sizeof l->in.hdr, 0) !=
		    (ssize_t)sizeof l->in.hdr)
			err(111, "unable to write %s/current", l->o.dir);
		l->hw.size = PCAP_FILEHDR_LEN;
	}
	l->pending = held;
	l->dropped += lost;
	warnx("unable to sync %s/current: %s; cut back to the %llu bytes "
	    "synced before: %llu records lost", l->o.dir, strerror(e),
	    (unsigned long long)l->hw.size, (unsigned long long)lost);
}

/*
 * sync_current: fsync current and move the mark to what it holds. A
 * failure cuts off what was written since the last sync (cut_unsynced).
 * Returns 0, -1 with errno set.
 */
static int
sync_current(struct log *l)
{
	int e;

	if (fsync(l->cur) == -1) {
		e = errno;
		cut_unsynced(l, e);
		errno = e;
		return -1;
	}
	l->synced = l->hw.size;
	l->pending = l->hw.len > 0 ? recfile_records(&l->hw) : 0;
	l->mark.synced = l->synced;
	if (l->have_first) {
		l->mark.first_sec = l->first_sec;
		l->mark.first_nsec = l->first_nsec;
	}
	/* the last record's time, when it is the one the sync ends with */
	l->mark.last_sec = l->hw.len == 0 && l->have_first &&
	    l->framing == FRAME_PCAP ? l->put_sec : -1;
	l->mark.last_nsec = l->mark.last_sec == -1 ? 0 : l->put_nsec;
	mark(l);
	return 0;
}

/* sync_now: -y: what was written is synced, if it is due. */
static void
sync_now(struct log *l)
{
	if (!l->o.sync || l->cur == -1 || l->pending == 0 ||
	    clock_mono() < l->sync_due)
		return;
	if (!l->full)
		flush(l);
	if ((l->hw.size > l->synced || l->pending > 0) &&
	    sync_current(l) == 0 && !l->dirsynced) {
		/* the new file's name, too: fsync of a file need not
		 * commit it (a rotation syncs DIR after its rename) */
		if (fsync(l->dirfd) == 0)
			l->dirsynced = 1;
	}
	if (l->pending > 0)
		l->sync_due = clock_mono() + l->o.sync;
}

/* rotate: finish current, start the next. Returns -1 if it must wait
 * (the disk is full, or a sync failed and what it lost was cut). An
 * empty current stays as it is. */
static int
rotate(struct log *l, int reopen)
{
	int64_t sec = l->first_sec;
	uint32_t nsec = l->first_nsec;
	off_t size;

	if (empty(l))
		return 0;
	if (flush(l) == -1)
		return -1;
	/* after a failed sync, once more: what is held is written again */
	if (sync_current(l) == -1) {
		if (flush(l) == -1)
			return -1;
		if (sync_current(l) == -1) {
			retry_later(l, errno);
			return -1;
		}
	}
	if (empty(l))
		return 0;
	size = (off_t)l->hw.size;
	close(l->cur);
	l->cur = -1;
	finish(l, sec, nsec, l->framing, size);
	if (reopen)
		open_current(l);
	return 0;
}

/* put: one record, n bytes in v[0..cnt), first arrived at sec.nsec. */
static void
put(struct log *l, const struct iovec *v, int cnt, int64_t sec, uint32_t nsec)
{
	size_t n = 0;
	int i;

	for (i = 0; i < cnt; i++)
		n += v[i].iov_len;
	if (l->o.size && l->hw.size + l->hw.len + n > l->o.size)
		rotate(l, 1);
	if (l->hw.len + n > l->hw.max) {
		l->dropped++;
		return;
	}
	for (i = 0; i < cnt; i++)
		if (recfile_add(&l->hw, v[i].iov_base, v[i].iov_len) == -1)
			errx(111, "unable to hold a record: out of memory");
	if (!l->have_first) {
		l->first_sec = sec;
		l->first_nsec = nsec;
		l->have_first = 1;
	}
	l->put_sec = sec;
	l->put_nsec = nsec;
	if (l->pending++ == 0 && l->o.sync)
		l->sync_due = clock_mono() + l->o.sync;
	l->records++;
	l->bytes += n;
	if (!l->full && l->hw.len >= BATCH)
		flush(l);
}

/* Reading. */

static void
put_line(struct log *l, const unsigned char *s, size_t n, int flags,
    const struct timespec *now)
{
	char stamp[TIMEFMT_ISO_LEN + 1];
	struct iovec v[3];
	int c = 0;
	size_t k;

	if (l->o.iso || l->o.tai) {
		k = l->o.iso ? timefmt_iso(stamp, now->tv_sec,
		    (uint32_t)now->tv_nsec) : timefmt_tai64n(stamp, now->tv_sec,
		    (uint32_t)now->tv_nsec);
		stamp[k++] = ' ';
		v[c].iov_base = stamp;
		v[c++].iov_len = k;
	}
	v[c].iov_base = (void *)s;
	v[c++].iov_len = n;
	/* salvage takes a NUL for a hole while the stream has had none */
	if (!l->mark.nul && memchr(s, 0, n) != NULL) {
		l->mark.nul = 1;
		mark(l);
	}
	if (!(flags & LINE_NONL)) {
		v[c].iov_base = "\n";
		v[c++].iov_len = 1;
	}
	if ((flags & LINE_SPLIT) && !(flags & LINE_MORE))
		l->split++;
	put(l, v, c, now->tv_sec, (uint32_t)now->tv_nsec);
}

/*
 * take: the records that have arrived, SLICE at most. Returns 2 when more
 * may be buffered, 1 when the input has nothing now, 0 at its end, -1
 * when it failed (reported, l->refused set).
 */
static int
take(struct log *l)
{
	struct timespec now;
	struct iovec v;
	struct rec r;
	int i, n = 1;

	clock_gettime(CLOCK_REALTIME, &now);
	for (i = 0; i < SLICE; i++) {
		if ((n = recin_next(&l->in, &r)) != 1)
			break;
		if (l->framing == FRAME_TEXT) {
			put_line(l, r.p, r.n, r.flags, &now);
			continue;
		}
		v.iov_base = (void *)r.p;
		v.iov_len = r.n;
		put(l, &v, 1, r.sec, r.nsec);
	}
	if (i == SLICE)
		return 2;
	if (n == RECIN_AGAIN)
		return 1;
	if (n == -1)
		l->refused = recin_fail(&l->in);
	return n;
}

/*
 * sniff: wait for the first bytes of input and its framing. Returns 1,
 * 0 when the input ended (or TERM came) before any.
 */
static int
sniff(struct log *l, int sigfd)
{
	struct pollfd pfd[2] = { { 0, POLLIN, 0 }, { sigfd, POLLIN, 0 } };
	int n;

	recin_init(&l->in, 0, l->o.maxline);
	while ((n = recin_sniff(&l->in)) == RECIN_AGAIN) {
		if (poll(pfd, 2, -1) == -1 && errno != EINTR)
			err(111, "unable to wait for input");
		if (sig_take(SIGTERM) | sig_take(SIGINT))
			return 0;
		if (sig_take(SIGUSR1))
			counters(l);
	}
	if (n == -1) {
		l->refused = recin_fail(&l->in);
		return 0;
	}
	if (n == 0)
		return 0;
	l->framing = l->in.framing;
	if (l->framing == FRAME_PCAP && (l->o.iso || l->o.tai))
		warnx("the input is pcap: -e %s is for text lines, ignored",
		    l->o.iso ? "iso" : "tai64n");
	return 1;
}

/* Time rotation: next_rotation after every rotation (or at start). */
static void
next_rotation(struct log *l)
{
	struct timespec rt;
	uint64_t now, wall, iv = l->o.rotate;

	if (iv == 0)
		return;
	now = clock_mono();
	if (!l->o.align) {
		l->rot_due = now + iv;
		return;
	}
	/* the next multiple of the interval on the UTC wall clock */
	clock_gettime(CLOCK_REALTIME, &rt);
	wall = (uint64_t)rt.tv_sec * NS + (uint64_t)rt.tv_nsec;
	l->rot_due = now + (iv - wall % iv);
}

/*
 * early: with -W, whether the wall clock is still short of the boundary
 * the monotonic timer was set for (the two clocks drift apart, and NTP
 * slews the wall clock): then the timer is set again for the rest.
 */
static int
early(struct log *l)
{
	uint64_t iv = l->o.rotate, in;

	if (!l->o.align)
		return 0;
	in = clock_wall() % iv;
	if (in < iv / 2)
		return 0;
	l->rot_due = clock_mono() + (iv - in);
	return 1;
}

/* retry: the disk was full; with -f free space by dropping the oldest
 * finished files, one at a time, until the pending records fit. */
static void
retry(struct log *l)
{
	char name[CHANDIR_NAMELEN];

	while (flush(l) == -1 && l->o.freespace &&
	    chandir_drop_oldest(l->dirfd, name) == 1)
		warnx("freed space: removed %s/%s", l->o.dir, name);
}

/* wait_input: flush, then wait for input, a signal or the next timer. */
static void
wait_input(struct log *l, int sigfd, int now_only)
{
	struct pollfd pfd[2] = { { 0, POLLIN, 0 }, { sigfd, POLLIN, 0 } };
	uint64_t now = clock_mono(), due = UINT64_MAX;
	struct timespec ts, *tp = NULL;

	if (!l->full && l->hw.len > 0)
		flush(l);
	if (l->o.rotate)
		due = l->rot_due;
	if (l->full && l->retry_at < due)
		due = l->retry_at;
	if (l->o.sync && l->pending > 0 && l->sync_due < due)
		due = l->sync_due;
	if (now_only)
		due = now;
	if (due != UINT64_MAX) {
		due = due > now ? due - now : 0;
		ts.tv_sec = (time_t)(due / NS);
		ts.tv_nsec = (long)(due % NS);
		tp = &ts;
	}
	if (ppoll(pfd, 2, tp, NULL) == -1 && errno != EINTR)
		err(111, "unable to wait for input");
}

/*
 * run: log until the input ends or TERM. Returns 1 for TERM.
 */
static int
run(struct log *l, int sigfd)
{
	int n = 1;

	for (;;) {
		if (sig_take(SIGTERM) | sig_take(SIGINT))
			return 1;
		if (sig_take(SIGHUP) || (l->want_rotate && !l->full))
			l->want_rotate = rotate(l, 1) == -1;
		if (sig_take(SIGUSR1))
			counters(l);
		if (sig_take(SIGCHLD))
			reap(l, 0);
		if (l->full && clock_mono() >= l->retry_at)
			retry(l);
		if (l->o.rotate && clock_mono() >= l->rot_due &&
		    !early(l)) {
			l->want_rotate = rotate(l, 1) == -1;
			next_rotation(l);
		}
		if ((n = take(l)) <= 0)
			return 0;
		sync_now(l);
		wait_input(l, sigfd, n == 2);
	}
}

/*
 * drain: what is held goes to disk before the end: at the end of input
 * chanlog waits for space as long as it takes (TERM still stops it); on
 * TERM it writes what fits now. Returns the records lost.
 */
static uint64_t
drain(struct log *l, int sigfd, int term)
{
	struct timespec now;
	struct rec r;
	uint64_t lost = 0;
	size_t n;

	if (term && (n = recin_rest(&l->in)) > 0) {
		if (l->framing == FRAME_PCAP) {
			warnx("TERM: dropped a partial record (%zu bytes of "
			    "it read)", n);
			l->dropped++;
		} else {
			/* a line cut short by TERM is still data: keep it */
			clock_gettime(CLOCK_REALTIME, &now);
			while (recin_next(&l->in, &r) == 1)
				put_line(l, r.p, r.n, r.flags, &now);
		}
	}
	if (l->cur == -1)
		return 0;
	while (flush(l) == -1 && !term) {
		wait_input(l, sigfd, 0);
		if (sig_take(SIGTERM) | sig_take(SIGINT))
			term = 1;
		else
			retry(l);
	}
	if (l->hw.len == 0)
		return 0;
	/* TERM while the disk is full: what is still held is lost */
	lost = recfile_records(&l->hw);
	l->hw.len = 0;
	warnx("lost %llu records: %s/current could not be written",
	    (unsigned long long)lost, l->o.dir);
	return lost;
}

/* end_current: at the end, current finished, or removed when empty. */
static void
end_current(struct log *l)
{
	if (!empty(l) && rotate(l, 0) == -1)
		return;
	if (l->cur == -1)
		return;
	/* empty, maybe after a failed sync cut it back */
	close(l->cur);
	l->cur = -1;
	if (unlinkat(l->dirfd, "current", 0) == -1)
		warn("unable to remove %s/current", l->o.dir);
}

static void
setup(struct log *l)
{
	pid_t holder;
	int fd;
	size_t n;

	l->cur = -1;
	if ((l->dirfd = chandir_open(l->o.dir)) == -1)
		err(111, "unable to open %s", l->o.dir);
	if ((fd = chandir_lock(l->dirfd, &holder)) == -1) {
		if (errno == EWOULDBLOCK)
			errx(111, "unable to lock %s: held by pid %ld",
			    l->o.dir, (long)holder);
		err(111, "unable to lock %s", l->o.dir);
	}
	newest(l);
	l->okfd = openat(l->dirfd, "current.ok", O_RDWR | O_CREAT |
	    O_NOFOLLOW | O_CLOEXEC, 0640);
	if (l->okfd == -1)
		err(111, "unable to open %s/current.ok", l->o.dir);
	salvage_current(l);
	if (chandir_retain(l->dirfd, l->o.count, l->o.keepbytes,
	    (int64_t)(l->o.age / NS), time(NULL)) == -1)
		warn("unable to apply retention in %s", l->o.dir);
	backoff_init(&l->backoff, RETRY_MIN, RETRY_MAX);
	if (children_init(&l->procs, PROC_MAX) == -1)
		err(111, "unable to allocate");
	l->hold = l->o.hold;
	if (l->hold < BATCH + l->o.maxline + 64)
		l->hold = BATCH + l->o.maxline + 64;
	if (l->o.proc) {
		n = strlen(l->o.proc) + 8;
		if ((l->script = malloc(n)) == NULL)
			err(111, "unable to allocate");
		snprintf(l->script, n, "%s \"$1\"", l->o.proc);
	}
	/* the loop never blocks in read: it waits in ppoll, timers alive */
	if (nonblock_stdin() == -1)
		err(111, "unable to read stdin");
}

int
main(int argc, char **argv)
{
	static struct log l;
	uint64_t lost = 0;
	int sigfd, term = 0;

	parse(argc, argv, &l.o);
	if ((sigfd = sig_init()) == -1)
		err(111, "unable to create the signal pipe");
	if (sig_catch(SIGTERM) == -1 || sig_catch(SIGINT) == -1 ||
	    sig_catch(SIGHUP) == -1 || sig_catch(SIGUSR1) == -1 ||
	    sig_catch(SIGCHLD) == -1 || sig_ignore(SIGPIPE) == -1 ||
	    sig_ignore(SIGXFSZ) == -1)
		err(111, "unable to set signal handlers");
	setup(&l);
	if (sniff(&l, sigfd) == 1) {
		recfile_init(&l.hw, l.framing == FRAME_PCAP, l.in.rd.swap, l.hold);
		open_current(&l);
		next_rotation(&l);
		term = run(&l, sigfd);
		lost = drain(&l, sigfd, term);
		l.dropped += lost;
		if (lost == 0 && l.cur != -1)
			end_current(&l);
	}
	if (l.cur != -1 && fsync(l.cur) == -1 && lost == 0)
		err(111, "unable to sync %s/current", l.o.dir);
	/* no current: its mark describes nothing */
	if (l.cur == -1 && unlinkat(l.dirfd, "current.ok", 0) == -1 &&
	    errno != ENOENT)
		warn("unable to remove %s/current.ok", l.o.dir);
	reap_all(&l);
	if (l.o.verbose || l.dropped || l.cut || l.split || l.refused)
		counters(&l);
	if (lost > 0 || l.refused == 111)
		return 111;
	return l.dropped || l.refused ? 1 : 0;
}
