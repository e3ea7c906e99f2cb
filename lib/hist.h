/* hist.h: latency histograms: log buckets, microsecond resolution. */
#ifndef HIST_H
#define HIST_H

#include <stdint.h>

/*
 * Values below HIST_EXACT microseconds each have a bucket of their own;
 * above, every power of two is split into HIST_SUB buckets, so a bucket is
 * at most 1/HIST_SUB (0.8 %) of its value wide (the scheme of
 * HdrHistogram). Values from 2^HIST_TOP us (about 13 days) up count in
 * the last bucket.
 */
#define HIST_EXACT	1024
#define HIST_SUB	128
#define HIST_TOP	40
#define HIST_NB		(HIST_EXACT + (HIST_TOP - 10) * HIST_SUB)

struct hist {
	uint64_t n;		/* values recorded */
	uint64_t min, max;	/* exact, in us; min is 0 while n is 0 */
	uint64_t b[HIST_NB];
};

/* hist_reset: forget every value. */
void hist_reset(struct hist *h);

/* hist_add: record one value of us microseconds. */
void hist_add(struct hist *h, uint64_t us);

/* hist_merge: add every value of src to dst. */
void hist_merge(struct hist *dst, const struct hist *src);

/*
 * hist_pct: the value at or below which ppm parts per million of the
 * values lie (500000: the median, 999000: p99.9): the highest value of
 * the bucket holding that rank, never above the largest value recorded.
 * 1000000 gives the maximum. Returns 0 for an empty histogram.
 */
uint64_t hist_pct(const struct hist *h, uint32_t ppm);

#endif
