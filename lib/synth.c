/* synth.c: the synthetic payload: a sequence number and the send time. */
#include <string.h>

#include "extract.h"
#include "store.h"
#include "synth.h"

void
synth_fill(unsigned char *p, size_t size, uint64_t seq, uint64_t count)
{
	size_t i;

	store_be32(p, SYNTH_MAGIC);
	store_be32(p + 4, (uint32_t)size);
	store_be64(p + 8, seq);
	store_be64(p + 16, count);
	store_be64(p + 24, 0);
	for (i = SYNTH_HDRLEN; i < size; i++)
		p[i] = (unsigned char)(seq + i);
}

void
synth_stamp(unsigned char *p, uint64_t ns)
{
	store_be64(p + 24, ns);
}

/* be64: a big-endian 64-bit field through the cursor. */
static int
be64(struct cursor *c, uint64_t *v)
{
	uint32_t hi, lo;

	if (c->n < 8 || !cur_be32(c, &hi) || !cur_be32(c, &lo))
		return 0;
	*v = (uint64_t)hi << 32 | lo;
	return 1;
}

const char *
synth_parse(const unsigned char *p, size_t len, struct synth *s)
{
	struct cursor c;
	uint32_t magic;
	size_t i;

	cur_init(&c, p, len);
	if (!cur_be32(&c, &magic) || !cur_be32(&c, &s->size) ||
	    !be64(&c, &s->seq) || !be64(&c, &s->count) ||
	    !be64(&c, &s->ns))
		return "too short";
	if (magic != SYNTH_MAGIC)
		return "bad magic";
	if (s->size != len)
		return "length differs from size";
	if (s->seq >= s->count)
		return "seq past count";
	for (i = SYNTH_HDRLEN; i < len; i++)
		if (p[i] != (unsigned char)(s->seq + i))
			return "bad fill";
	return NULL;
}

void
synth_stats_init(struct synth_stats *st)
{
	memset(st, 0, sizeof *st);
	st->lat_min = INT64_MAX;
	st->lat_max = INT64_MIN;
}

const char *
synth_stats_add(struct synth_stats *st, const unsigned char *p, size_t len,
    int64_t recv_ns)
{
	struct synth s;
	const char *why;
	int64_t lat;

	if ((why = synth_parse(p, len, &s)) != NULL) {
		st->bad++;
		return why;
	}
	st->received++;
	st->count = s.count;
	if (s.seq >= st->next) {
		st->lost += s.seq - st->next;
		st->next = s.seq + 1;
	} else {
		st->late++;
		if (st->lost > 0)
			st->lost--;
	}
	lat = recv_ns - (int64_t)s.ns;
	if (lat < st->lat_min)
		st->lat_min = lat;
	if (lat > st->lat_max)
		st->lat_max = lat;
	st->lat_sum += lat;
	return NULL;
}

uint64_t
synth_lost(const struct synth_stats *st)
{
	return st->lost + (st->count > st->next ? st->count - st->next : 0);
}
