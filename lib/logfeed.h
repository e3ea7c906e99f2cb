/* logfeed.h: a record stream (lib/recin) put into a channel directory
 * (lib/logdir): pcap records as they came, with their own times; text
 * lines each with its newline, at the time they were read, and with that
 * time before them when a stamp is asked for (chanlog -e). */
#ifndef LOGFEED_H
#define LOGFEED_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "logdir.h"
#include "recin.h"

/* the stamp before each text line */
enum { LOGFEED_NOSTAMP, LOGFEED_ISO, LOGFEED_TAI64N };

struct logfeed {
	struct recin in;
	struct logdir *d;
	int stamp;			/* LOGFEED_* */
	int framing;			/* the input's, once known */
	uint64_t records, bytes;	/* read (text: without newlines) */
	uint64_t split;			/* lines longer than maxline, split */
	int refused;	/* the input failed: its exit status (recin_fail) */
};

/* logfeed_stamp_arg: LOGFEED_ISO for "iso", LOGFEED_TAI64N for
 * "tai64n"; anything else is "invalid stamp 'S': use iso or tai64n"
 * (arg_fail, exit 100). */
int logfeed_stamp_arg(const char *s);

/* logfeed_init: records from fd (O_NONBLOCK, lines whole up to maxline
 * bytes) for d, text lines stamped as stamp says. */
void logfeed_init(struct logfeed *f, struct logdir *d, int fd,
    size_t maxline, int stamp);

/* logfeed_start: the input's framing is known (recin_sniff said 1):
 * the directory's current file is started; a stamp asked for a pcap
 * input is told to be ignored. */
void logfeed_start(struct logfeed *f);

/* logfeed_line: one text line of n bytes (flags: lib/liner's), read at
 * now, into the directory. */
void logfeed_line(struct logfeed *f, const unsigned char *s, size_t n,
    int flags, const struct timespec *now);

/*
 * logfeed_take: the records that have arrived, max at most, into the
 * directory. Returns 2 when more may be buffered, 1 when the input has
 * nothing now, 0 at its end, -1 when it failed (told, f->refused set).
 */
int logfeed_take(struct logfeed *f, int max);

/* logfeed_wait: what the directory holds written (unless its disk is
 * full), then a wait for input, sigfd (the signal self-pipe) or the
 * directory's next timer; with now_only, no wait, a look. Exits 111 when
 * poll fails. */
void logfeed_wait(struct logfeed *f, int sigfd, int now_only);

/* logfeed_cut: TERM: a partial last line is still data, written; a
 * partial pcap record is dropped, told and counted in the directory. */
void logfeed_cut(struct logfeed *f);

#endif
