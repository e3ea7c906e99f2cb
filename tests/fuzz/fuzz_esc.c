/*
 * fuzz_esc.c: libFuzzer harness for the C escapes. The input, as bytes,
 * escaped with esc_bytes must be printable ASCII that esc_parse turns
 * back into the same bytes; the input, as text up to a NUL, must be
 * accepted by esc_parse exactly when a grammar written here accepts it,
 * and what it decodes to must survive esc_bytes and esc_parse again.
 *
 * Built by `make build/fuzz/fuzz_esc`; run by tests/fuzz/run.sh esc.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "esc.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
hex(int c)
{
	return strchr("0123456789abcdefABCDEF", c) != NULL && c != '\0';
}

/* valid: every backslash starts \n \r \t \\ \0 or \x and two hex digits */
static int
valid(const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s != '\\')
			continue;
		s++;
		if (*s == 'x') {
			if (!hex(s[1]) || !hex(s[2]))
				return 0;
			s += 2;
		} else if (*s == '\0' || strchr("nrt\\0", *s) == NULL)
			return 0;
	}
	return 1;
}

/* roundtrip: esc_bytes of p, then esc_parse, gives p back */
static void
roundtrip(const unsigned char *p, size_t n)
{
	unsigned char *back;
	char *text;
	size_t len, i, m = 0;

	if ((text = malloc(4 * n + 1)) == NULL ||
	    (back = malloc(4 * n + 1)) == NULL)
		abort();
	len = esc_bytes(text, p, n);
	if (len > 4 * n)
		abort();
	for (i = 0; i < len; i++)
		if (text[i] < 0x20 || text[i] > 0x7e)
			abort();
	text[len] = '\0';
	if (esc_parse(back, text, &m) != NULL || m != n ||
	    memcmp(back, p, n) != 0)
		abort();
	free(text);
	free(back);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *out;
	const char *why;
	char *s;
	size_t n = 0, len;

	roundtrip(data, size);
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	len = strlen(s);
	/* exactly strlen(s) bytes, as the contract says: ASan checks it */
	if ((out = malloc(len > 0 ? len : 1)) == NULL)
		abort();
	why = esc_parse(out, s, &n);
	if ((why == NULL) != valid(s))
		abort();
	if (why == NULL) {
		if (n > len)
			abort();
		roundtrip(out, n);
	}
	free(out);
	free(s);
	return 0;
}
