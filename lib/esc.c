/* esc.c: payload bytes as one printable line. */
#include <stddef.h>

#include "esc.h"

/*
 * esc_bytes: the common byte (printable, not a backslash) takes one
 * compare of an unsigned difference; the rest is off the hot path. Hex
 * digits are lower case, as in C and Python string escapes.
 */
size_t
esc_bytes(char *out, const unsigned char *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *end = p + n;
	char *o = out;

	for (; p < end; p++) {
		unsigned c = *p;

		if (c - 0x20 < 0x5f && c != '\\') {
			*o++ = (char)c;
			continue;
		}
		*o++ = '\\';
		switch (c) {
		case '\\':
			*o++ = '\\';
			break;
		case '\t':
			*o++ = 't';
			break;
		case '\n':
			*o++ = 'n';
			break;
		case '\r':
			*o++ = 'r';
			break;
		default:
			*o++ = 'x';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		}
	}
	return (size_t)(o - out);
}
