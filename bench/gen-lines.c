/*
 * gen-lines: benchmark input for line loggers. Writes COUNT lines of
 * exactly LEN bytes each, newline included, to stdout.
 *
 * usage: gen-lines [-l LEN] COUNT
 *
 * Line i (from 0) is its number in 12 decimal digits, a space, then
 * printable filler that changes with i, then '\n': every line differs, so
 * a checksum of a logger's output (timestamps removed) against the input
 * finds a line lost, doubled or moved. LEN is 14 to 1048576 (default 100).
 * Standalone on purpose (no lib/): the benchmark must not share code with
 * what it measures.
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "num.h"
#include "obuf.h"
#include "writeall.h"

#define MINLEN 14
#define MAXLEN 1048576
#define OUTBUF (1024 * 1024)

static void
usage(void)
{
	fprintf(stderr, "usage: gen-lines [-l LEN] COUNT\n");
	exit(100);
}

/* Writes all of buf to stdout (lib's writeall); exits 111 on an error. */
static void
put(const char *buf, size_t n)
{
	if (writeall(STDOUT_FILENO, buf, n) == -1)
		err(111, "unable to write to stdout");
}

/* Fills line (len bytes) for line number i. */
static void
fill(char *line, size_t len, unsigned long long i)
{
	static const char alpha[] =
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	unsigned long long v = i;
	size_t k;

	for (k = 12; k > 0; k--) {
		line[k - 1] = (char)('0' + v % 10);
		v /= 10;
	}
	line[12] = ' ';
	for (k = 13; k < len - 1; k++)
		line[k] = alpha[(i + k) % (sizeof(alpha) - 1)];
	line[len - 1] = '\n';
}

int
main(int argc, char **argv)
{
	unsigned long long count, i;
	size_t len = 100, used = 0;
	char *buf;
	int c;

	while ((c = getopt(argc, argv, "l:")) != -1) {
		switch (c) {
		case 'l':
			len = (size_t)num_arg("length", optarg, MINLEN, MAXLEN);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 1)
		usage();
	count = num_arg("count", argv[0], 0, 999999999999ULL);

	if ((buf = malloc(OUTBUF + MAXLEN)) == NULL)
		err(111, "unable to allocate the output buffer");
	for (i = 0; i < count; i++) {
		fill(buf + used, len, i);
		used += len;
		if (used >= OUTBUF) {
			put(buf, used);
			used = 0;
		}
	}
	put(buf, used);
	free(buf);
	return 0;
}
