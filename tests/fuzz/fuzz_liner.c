/*
 * fuzz_liner.c: libFuzzer harness for the line reader, fed through a
 * non-blocking pipe in small pieces, as it reads a slow peer, so every
 * LINER_AGAIN and partial read is exercised. The first input byte
 * sets the longest whole line (1..256), the second the piece sizes; the
 * rest is the stream. The lines and pieces handed out, put back
 * together, must give the stream back.
 *
 * Built by `make build/fuzz/fuzz_liner`; run by tests/fuzz/run.sh liner.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "liner.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* check: one line handed out; advance *o past it and its newline */
static void
check(const uint8_t *data, size_t size, size_t max, size_t *o,
    const unsigned char *line, size_t len, int fl, int *split)
{
	if (len > max || *o + len > size ||
	    memcmp(line, data + *o, len) != 0 ||
	    ((fl & LINE_MORE) && (len != max || !(fl & LINE_SPLIT))) ||
	    (*split && !(fl & LINE_SPLIT)))
		abort();
	*split = (fl & LINE_MORE) != 0;
	*o += len;
	if (!(fl & (LINE_MORE | LINE_NONL))) {
		if (*o >= size || data[*o] != '\n')
			abort();
		++*o;
	} else if ((fl & LINE_NONL) && *o != size)
		abort();
}

static void
pipe2nb(int p[2])
{
	if (pipe(p) == -1 || fcntl(p[0], F_SETFL, O_NONBLOCK) == -1)
		abort();
}

/* fuzz_liner: write a piece only when the reader has said LINER_AGAIN,
 * so every piece boundary falls where the reader is waiting */
static void
fuzz_liner(const uint8_t *data, size_t size, size_t max, unsigned seed)
{
	struct liner l;
	const unsigned char *line;
	size_t len, o = 0, w = 0, k;
	int p[2], fl, n, split = 0;

	pipe2nb(p);
	if (liner_init(&l, p[0], NULL, 0, max) == -1)
		abort();
	for (;;) {
		n = liner_next(&l, &line, &len, &fl);
		if (n == 1) {
			check(data, size, max, &o, line, len, fl, &split);
			continue;
		}
		if (n != LINER_AGAIN)
			break;
		if (w == size) {
			close(p[1]);
			p[1] = -1;
			continue;
		}
		seed = seed * 1103515245 + 12345;
		k = 1 + (seed >> 16) % 97;
		if (k > size - w)
			k = size - w;
		if (write(p[1], data + w, k) != (ssize_t)k)
			abort();
		w += k;
	}
	if (n != 0 || o != size || w != size || split)
		abort();
	liner_free(&l);
	close(p[0]);
	if (p[1] != -1)
		close(p[1]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	fuzz_liner(data + 2, size - 2, 1 + data[0], data[1]);
	return 0;
}
