/* pace.h: an absolute schedule of due times: a fixed rate or a replay. */
#ifndef PACE_H
#define PACE_H

#include <stdint.h>

#define PACE_SPIN	50000ull	/* the last 50 us are spun, not slept */
#define PACE_SLIP	1000000ull	/* late: more than 1 ms after due */
#define PACE_TRAIN	200000ull	/* rate: a batch holds 200 us of records */

enum { PACE_RATE, PACE_REPLAY };

/*
 * A schedule: every due time is computed from the start, never from the
 * previous record, so sleeping late never accumulates into drift.
 * Times are CLOCK_MONOTONIC nanoseconds (clock_mono).
 */
struct pace {
	int mode;
	uint64_t rate;		/* PACE_RATE: records per second */
	uint64_t milli;		/* PACE_REPLAY: speed factor x 1000 */
	uint64_t batch;		/* records that may go out at once */
	uint64_t run;		/* records in a row already due when read */
	uint64_t start;		/* the first record's due time */
	uint64_t shift;		/* time lost to stalls, added to every due */
	uint64_t n;		/* records scheduled so far */
	int64_t sec0;		/* PACE_REPLAY: the first record's time */
	uint32_t nsec0;
	uint64_t last;		/* PACE_REPLAY: the previous offset */
	uint64_t spin;		/* pace_sleep spins this long before a due
				 * time (PACE_SPIN unless set) */
	uint64_t window;	/* records due this long after the first of
				 * a batch go out with it (PACE_TRAIN at high
				 * rates; else 0: each at its time) */
};

/* pace_rate: rate records a second (1..NS_PER_S), evenly spaced; up to
 * batch records may go out at once to catch up (see pace_behind). Above
 * a record every PACE_TRAIN, those due within PACE_TRAIN of the first of
 * a batch go out with it (window): one send, not one a record; nothing
 * is spun then (spin 0; set it after to spin). */
void pace_rate(struct pace *p, uint64_t rate, unsigned batch);

/* pace_replay: the records' own timing, sped up by milli / 1000
 * (1..1000000: 0.001x to 1000x); batch as for pace_rate. */
void pace_replay(struct pace *p, uint64_t milli, unsigned batch);

/*
 * pace_due: schedule the next record (sec, nsec: its timestamp, used in
 * replay) and return its due time. The first record is due at now. A
 * record stamped earlier than the one before it is due with it. A record
 * already due at now lengthens the run of records sent without a wait.
 */
uint64_t pace_due(struct pace *p, int64_t sec, uint32_t nsec, uint64_t now);

/*
 * pace_behind: 1 when the schedule should slip rather than catch up: a
 * whole batch of records has gone out in a row without a wait and the
 * record due at due is still more than PACE_SLIP late at now (a stall
 * longer than a batch can make up). Else 0.
 */
int pace_behind(const struct pace *p, uint64_t due, uint64_t now);

/* pace_slip: move the rest of the schedule later by the time between due
 * and now, so the record due at due is due now; it starts a new run.
 * Returns the new due time. */
uint64_t pace_slip(struct pace *p, uint64_t due, uint64_t now);

/* pace_ready: 1 when the record due at due is due already at
 * clock_mono(), the schedule slipped first when behind (pace_behind,
 * pace_slip); else 0 (wait for it: pace_sleep). */
int pace_ready(struct pace *p, uint64_t due);

/*
 * pace_sleep: wait until due: clock_nanosleep(TIMER_ABSTIME) to p->spin
 * before it, then spin on the clock. A thread that sleeps wakes late by
 * whatever the scheduler makes it (milliseconds on a loaded VM): a spin
 * longer than that lateness makes the due time exact at the cost of a
 * core while it spins. Returns 0 at due, -1 when a signal interrupted
 * the sleep (errno EINTR; call again to go on waiting).
 */
int pace_sleep(const struct pace *p, uint64_t due);

#endif
