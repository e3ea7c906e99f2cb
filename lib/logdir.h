/* logdir.h: the writing side of a channel directory: its current file,
 * held records written whole, synced and marked, finished into names that
 * sort, rotated, retained, and handed to a processor. */
#ifndef LOGDIR_H
#define LOGDIR_H

#include <sys/types.h>
#include <sys/uio.h>
#include <stddef.h>
#include <stdint.h>

#include "backoff.h"
#include "handoff.h"
#include "recfile.h"
#include "salvage.h"

#define LOGDIR_BATCH	(256u * 1024)	/* written in pieces this large */

/* What the user asked for; times in nanoseconds, 0: no limit, none. */
struct logdir_opts {
	const char *dir;	/* the directory, as named in every message */
	const char *proc;	/* -p: run with each finished file's path */
	uint64_t age;		/* -A: finished files kept at most this long */
	uint64_t keepbytes;	/* -N: and at most this many bytes of them */
	long count;		/* -n: and at most this many */
	uint64_t rotate;	/* -i: a new file this often */
	int align;		/* -W: on multiples of it on the UTC clock */
	uint64_t size;		/* -z: a new file before current passes it */
	uint64_t sync;		/* -y: records synced at most this late */
	size_t hold;		/* the most held while the disk is full */
	int freespace;		/* -f: a full disk drops the oldest files */
	int verbose;		/* -v: say when a file is finished */
};

/*
 * Every failure of the directory itself (open, lock, list, rename, the
 * sync of a rename, a cut after a failed sync) exits 111 with a message
 * "unable to VERB DIR/...": current must not be written on under another
 * name. A full disk is not one: the records wait (up to hold bytes, then
 * they are dropped and counted), current stays valid (cut back to its
 * last whole record), and the write is tried again after a backoff.
 */
struct logdir {
	struct logdir_opts o;
	int dirfd, cur;			/* cur: DIR/current, -1 when closed */
	int lockfd;			/* DIR/lock, held until exit */
	int okfd;			/* DIR/current.ok: current's mark */
	struct salvage_mark mark;
	int marktold;			/* a failed mark write was told */
	int framing;			/* FRAME_PCAP or FRAME_TEXT */
	unsigned char hdr[24];		/* pcap: each file's header */
	uint64_t synced;		/* current's bytes known on disk */
	uint64_t pending;		/* records put since the last sync */
	uint64_t sync_due;		/* -y: when pending must be synced */
	int dirsynced;			/* current's name is on disk */
	int linked;			/* no RENAME_NOREPLACE: link+unlink */
	int64_t put_sec;		/* the last record's time */
	uint32_t put_nsec;
	int have_first;			/* current's first record time */
	int64_t first_sec, last_sec;	/* last: newest finished name */
	uint32_t first_nsec, last_nsec;
	struct recfile hw;		/* current's records, held until written */
	int full;			/* the last write failed */
	int want_rotate;		/* HUP or timer while the disk was full */
	uint64_t retry_at, rot_due;
	struct backoff backoff;		/* the retries while the disk is full */
	struct handoff proc;		/* -p: run on each finished file */
	uint64_t records, bytes, files, dropped, cut;
};

/*
 * logdir_open: create and lock the directory o->dir (exit 111 when another
 * holds it), recover what a crash left in current (salvage: cut valid
 * and finished, or removed, each cut told on stderr) and apply retention.
 */
void logdir_open(struct logdir *d, const struct logdir_opts *o);

/* logdir_start: the stream's framing is known; hdr: its first 24 bytes
 * (pcap: the file header of every file, in the byte order swap says):
 * create current and set the rotation timer. */
void logdir_start(struct logdir *d, int framing, const unsigned char *hdr,
    int swap);

/* logdir_put: one record, the bytes of v[0..cnt), first arrived at
 * sec.nsec; dropped (and counted) when the hold is full. */
void logdir_put(struct logdir *d, const struct iovec *v, int cnt,
    int64_t sec, uint32_t nsec);

/* logdir_nul: text: a line with a NUL byte is coming (salvage must not
 * take NUL bytes for a hole any more). */
void logdir_nul(struct logdir *d);

/* logdir_flush: write what is held. Returns 0, -1 when the disk is full
 * (told once, retried by logdir_timers or logdir_retry). */
int logdir_flush(struct logdir *d);

/* logdir_write: before a wait: what is held written, unless the disk is
 * full. */
void logdir_write(struct logdir *d);

/* logdir_sync: -y: what was written synced and marked, if it is due. */
void logdir_sync(struct logdir *d);

/* logdir_rotate: finish current and start the next: at once when asked
 * (HUP), else when a rotation the full disk held back can go ahead. */
void logdir_rotate(struct logdir *d, int asked);

/* logdir_timers: what is due: the retry of a full disk, the rotation of
 * -i (with -W once the wall clock has reached the boundary). */
void logdir_timers(struct logdir *d);

/* logdir_due: when (clock_mono) the next timer is due, UINT64_MAX if
 * none is. */
uint64_t logdir_due(const struct logdir *d);

/* logdir_retry: write again after a full disk; with -f drop the oldest
 * finished files, one at a time, until what is held fits. */
void logdir_retry(struct logdir *d);

/* logdir_abandon: what is still held is lost (TERM while the disk is
 * full): told, and returned as a count of records. */
uint64_t logdir_abandon(struct logdir *d);

/* logdir_end: at the end of input: current finished, or removed when it
 * has no record. */
void logdir_end(struct logdir *d);

/* logdir_close: current (if still open) synced, exit 111 if that fails
 * and lost is 0; its mark removed when there is no current; processors
 * waited for a while (handoff_wait). */
void logdir_close(struct logdir *d, uint64_t lost);

/* logdir_disk_bytes: the sizes of DIR's finished files and of current
 * added up (a listing: for the metrics, not for every record). */
uint64_t logdir_disk_bytes(const struct logdir *d);

#endif
