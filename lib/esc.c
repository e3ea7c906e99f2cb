/* esc.c: payload bytes as one printable line, and C escapes back to bytes. */
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

int
esc_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

const char *
esc_parse(unsigned char *out, const char *s, size_t *n)
{
	const char *p;
	size_t k = 0;
	int hi, lo;

	for (p = s; *p != '\0'; p++) {
		if (*p != '\\') {
			out[k++] = (unsigned char)*p;
			continue;
		}
		switch (*++p) {
		case 'n': out[k++] = '\n'; break;
		case 'r': out[k++] = '\r'; break;
		case 't': out[k++] = '\t'; break;
		case '\\': out[k++] = '\\'; break;
		case '0': out[k++] = '\0'; break;
		case 'x':
			/* p[2] is not read past a NUL in p[1] */
			if ((hi = esc_hexval(p[1])) < 0 || (lo = esc_hexval(p[2])) < 0)
				return "\\x needs two hex digits";
			out[k++] = (unsigned char)(hi << 4 | lo);
			p += 2;
			break;
		case '\0':
			return "a lone \\ at the end";
		default:
			return "unknown escape (\\n \\r \\t \\\\ \\0 \\xHH)";
		}
	}
	*n = k;
	return NULL;
}
