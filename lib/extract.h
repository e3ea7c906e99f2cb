/* extract.h: bounds-checked reads of wire data through a cursor. */
#ifndef EXTRACT_H
#define EXTRACT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * A cursor is a pointer and the number of bytes left behind it. Every
 * cur_ function that reads or skips checks that many bytes are left and
 * returns 0 without moving (and without touching its output) when they
 * are not, 1 when it did its job. Nothing here ever reads past p + n, so a
 * decoder written with these cannot overrun a short capture.
 */
struct cursor {
	const unsigned char *p;
	size_t n;
};

static inline void
cur_init(struct cursor *c, const void *p, size_t n)
{
	c->p = p;
	c->n = n;
}

static inline int
cur_skip(struct cursor *c, size_t k)
{
	if (c->n < k)
		return 0;
	c->p += k;
	c->n -= k;
	return 1;
}

/* cur_limit: forget what lies beyond k bytes (a length field bounds the
 * rest, e.g. Ethernet padding after an IP packet). Never grows. */
static inline void
cur_limit(struct cursor *c, size_t k)
{
	if (k < c->n)
		c->n = k;
}

static inline int
cur_u8(struct cursor *c, uint8_t *v)
{
	if (c->n < 1)
		return 0;
	*v = c->p[0];
	c->p++;
	c->n--;
	return 1;
}

static inline int
cur_be16(struct cursor *c, uint16_t *v)
{
	if (c->n < 2)
		return 0;
	*v = (uint16_t)(c->p[0] << 8 | c->p[1]);
	c->p += 2;
	c->n -= 2;
	return 1;
}

static inline int
cur_le16(struct cursor *c, uint16_t *v)
{
	if (c->n < 2)
		return 0;
	*v = (uint16_t)(c->p[1] << 8 | c->p[0]);
	c->p += 2;
	c->n -= 2;
	return 1;
}

static inline int
cur_be32(struct cursor *c, uint32_t *v)
{
	if (c->n < 4)
		return 0;
	*v = (uint32_t)c->p[0] << 24 | (uint32_t)c->p[1] << 16 |
	    (uint32_t)c->p[2] << 8 | c->p[3];
	c->p += 4;
	c->n -= 4;
	return 1;
}

static inline int
cur_le32(struct cursor *c, uint32_t *v)
{
	if (c->n < 4)
		return 0;
	*v = (uint32_t)c->p[3] << 24 | (uint32_t)c->p[2] << 16 |
	    (uint32_t)c->p[1] << 8 | c->p[0];
	c->p += 4;
	c->n -= 4;
	return 1;
}

/* cur_u32, cur_u16: a field in a byte order known only at run time
 * (little != 0: little-endian, else big-endian), as in a pcap file. */
static inline int
cur_u32(struct cursor *c, int little, uint32_t *v)
{
	return little ? cur_le32(c, v) : cur_be32(c, v);
}

static inline int
cur_u16(struct cursor *c, int little, uint16_t *v)
{
	return little ? cur_le16(c, v) : cur_be16(c, v);
}

/* cur_copy: k bytes into dst. */
static inline int
cur_copy(struct cursor *c, void *dst, size_t k)
{
	if (c->n < k)
		return 0;
	if (k > 0)
		memcpy(dst, c->p, k);
	c->p += k;
	c->n -= k;
	return 1;
}

/* cur_peek8: the byte at offset k without moving; 0 when it is not there. */
static inline int
cur_peek8(const struct cursor *c, size_t k, uint8_t *v)
{
	if (c->n <= k)
		return 0;
	*v = c->p[k];
	return 1;
}

#endif
