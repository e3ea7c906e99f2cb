/* hist.c: latency histograms: log buckets, microsecond resolution. */
#include <string.h>

#include "hist.h"

/* bucket: the index of the bucket that holds v. */
static unsigned
bucket(uint64_t v)
{
	unsigned e;

	if (v < HIST_EXACT)
		return (unsigned)v;
	e = 63 - (unsigned)__builtin_clzll(v);	/* 2^e <= v < 2^(e+1) */
	if (e >= HIST_TOP)
		return HIST_NB - 1;
	/* the 7 bits below the leading one pick the sub-bucket */
	return HIST_EXACT + (e - 10) * HIST_SUB +
	    (unsigned)((v >> (e - 7)) & (HIST_SUB - 1));
}

/* upper: the highest value bucket i holds. */
static uint64_t
upper(unsigned i)
{
	unsigned e, k;

	if (i < HIST_EXACT)
		return i;
	if (i >= HIST_NB - 1)
		return UINT64_MAX;
	e = (i - HIST_EXACT) / HIST_SUB + 10;
	k = (i - HIST_EXACT) % HIST_SUB;
	return ((uint64_t)(HIST_SUB + k + 1) << (e - 7)) - 1;
}

void
hist_reset(struct hist *h)
{
	memset(h, 0, sizeof *h);
}

void
hist_add(struct hist *h, uint64_t us)
{
	if (h->n == 0 || us < h->min)
		h->min = us;
	if (us > h->max)
		h->max = us;
	h->n++;
	h->b[bucket(us)]++;
}

void
hist_merge(struct hist *dst, const struct hist *src)
{
	unsigned i;

	if (src->n == 0)
		return;
	if (dst->n == 0 || src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	dst->n += src->n;
	for (i = 0; i < HIST_NB; i++)
		dst->b[i] += src->b[i];
}

uint64_t
hist_pct(const struct hist *h, uint32_t ppm)
{
	uint64_t rank, seen = 0, v;
	unsigned i;

	if (h->n == 0)
		return 0;
	if (ppm >= 1000000)
		return h->max;
	/* the rank of the value wanted, 1-based: ceil(n * ppm / 10^6), in
	 * two parts so that no product overflows 64 bits (no __int128 on a
	 * 32-bit target): n = q * 10^6 + r, and r * ppm < 10^12 */
	rank = h->n / 1000000 * ppm + (h->n % 1000000 * ppm + 999999) / 1000000;
	if (rank == 0)
		rank = 1;
	for (i = 0; i < HIST_NB; i++) {
		seen += h->b[i];
		if (seen >= rank)
			break;
	}
	v = upper(i < HIST_NB ? i : HIST_NB - 1);
	if (v > h->max)
		v = h->max;
	if (v < h->min)
		v = h->min;
	return v;
}
