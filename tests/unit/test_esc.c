/* test_esc.c: esc_bytes on every byte value and on mixed buffers;
 * esc_parse on each escape, bad escapes, and the round trip. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esc.h"
#include "tap.h"

/* want1: the escape of byte c, written independently of esc.c. */
static const char *
want1(unsigned c, char *buf)
{
	if (c == '\\')
		return "\\\\";
	if (c == '\t')
		return "\\t";
	if (c == '\n')
		return "\\n";
	if (c == '\r')
		return "\\r";
	if (c >= 0x20 && c <= 0x7e) {
		buf[0] = (char)c;
		buf[1] = '\0';
		return buf;
	}
	snprintf(buf, 8, "\\x%02x", c);
	return buf;
}

/* parse_is: s decodes to the n bytes want. */
static void
parse_is(const char *s, const char *want, size_t n)
{
	unsigned char out[64];
	const char *e;
	size_t got = 999;

	memset(out, '#', sizeof out);
	e = esc_parse(out, s, &got);
	ok(e == NULL && got == n && memcmp(out, want, n) == 0 &&
	    out[n] == '#', "esc_parse \"%s\" (%zu bytes)", s, n);
}

static void
test_parse(void)
{
	unsigned char out[4 * 256], back[4 * 256 + 1], in[256];
	size_t n = 0, m;
	unsigned c;

	parse_is("", "", 0);
	parse_is("plain text", "plain text", 10);
	parse_is("\\n\\r\\t\\\\\\0", "\n\r\t\\\0", 5);
	parse_is("a\\x41\\x7a\\x7A\\xff\\x00b", "aAzz\xff\0b", 7);
	parse_is("\\012", "\0" "12", 3);
	parse_is("\\x414", "A4", 2);
	parse_is("GET / HTTP/1.0\\r\\n\\r\\n", "GET / HTTP/1.0\r\n\r\n", 18);
	is_str(esc_parse(out, "a\\q", &n),
	    "unknown escape (\\n \\r \\t \\\\ \\0 \\xHH)", "\\q is unknown");
	is_str(esc_parse(out, "\\a", &n),
	    "unknown escape (\\n \\r \\t \\\\ \\0 \\xHH)", "\\a is unknown");
	is_str(esc_parse(out, "a\\", &n), "a lone \\ at the end",
	    "a trailing backslash");
	is_str(esc_parse(out, "\\x4", &n), "\\x needs two hex digits",
	    "\\x with one digit at the end");
	is_str(esc_parse(out, "\\x", &n), "\\x needs two hex digits",
	    "\\x with none at the end");
	is_str(esc_parse(out, "\\x4g", &n), "\\x needs two hex digits",
	    "\\x with a non-hex digit");
	is_str(esc_parse(out, "\\xZZ", &n), "\\x needs two hex digits",
	    "\\xZZ");

	/* esc_bytes then esc_parse gives every byte value back. */
	for (c = 0; c < 256; c++)
		in[c] = (unsigned char)c;
	m = esc_bytes((char *)back, in, 256);
	back[m] = '\0';
	ok(esc_parse(out, (const char *)back, &n) == NULL && n == 256 &&
	    memcmp(out, in, 256) == 0, "round trip of all 256 byte values");
}

int
main(void)
{
	unsigned char in[256], *big;
	char out[4 * 256 + 1], w[8], *exp, *bigout;
	size_t n, len, i;
	unsigned c;
	int good;

	/* Each byte alone, and an untouched canary after the output. */
	good = 1;
	for (c = 0; c < 256; c++) {
		unsigned char b = (unsigned char)c;
		const char *want = want1(c, w);

		memset(out, '#', sizeof(out));
		n = esc_bytes(out, &b, 1);
		if (n != strlen(want) || memcmp(out, want, n) != 0 ||
		    out[n] != '#') {
			printf("#   byte 0x%02x: got \"%.*s\", want \"%s\"\n",
			    c, (int)n, out, want);
			good = 0;
		}
	}
	ok(good, "each of the 256 byte values alone");

	is_int(esc_bytes(out, (const unsigned char *)"", 0), 0, "empty input");
	n = esc_bytes(out, (const unsigned char *)"a\\b\t\n\r\0\x7f\x80\xff ~",
	    12);
	is_int(n, 28, "mixed length");
	ok(memcmp(out, "a\\\\b\\t\\n\\r\\x00\\x7f\\x80\\xff ~", n) == 0,
	    "mixed: %.*s", (int)n, out);
	n = esc_bytes(out, (const unsigned char *)"\\x41", 4);
	ok(n == 5 && memcmp(out, "\\\\x41", 5) == 0,
	    "a literal \\x41 stays distinguishable");

	/* All 256 in one call, against the concatenation. */
	for (c = 0; c < 256; c++)
		in[c] = (unsigned char)c;
	n = esc_bytes(out, in, 256);
	exp = malloc(4 * 256 + 1);
	exp[0] = '\0';
	for (c = 0; c < 256; c++)
		strcat(exp, want1(c, w));
	ok(n == strlen(exp) && memcmp(out, exp, n) == 0,
	    "all 256 bytes in one call");
	ok(n <= 4 * 256, "output within 4*n");
	ok(memchr(out, '\n', n) == NULL && memchr(out, '\0', n) == NULL,
	    "output has no newline or NUL");
	free(exp);

	/* The 4*n bound is tight: all non-printable bytes. */
	len = 100000;
	big = malloc(len);
	bigout = malloc(4 * len);
	memset(big, 0x01, len);
	is_int(esc_bytes(bigout, big, len), 4 * len, "worst case is exactly 4*n");
	for (i = 0; i < len; i++)
		big[i] = (unsigned char)(i * 2654435761u >> 13);
	n = esc_bytes(bigout, big, len);
	good = n <= 4 * len;
	for (i = 0, len = 0; good && i < 100000; i++) {
		const char *wa = want1(big[i], w);

		good = memcmp(bigout + len, wa, strlen(wa)) == 0;
		len += strlen(wa);
	}
	ok(good && len == n, "100000 pseudo-random bytes");
	free(big);
	free(bigout);
	test_parse();
	return tap_done();
}
