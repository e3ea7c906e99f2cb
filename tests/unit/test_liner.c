/* test_liner.c: the line reader: whole lines, long ones in pieces, from
 * memory, a pipe fed slowly, a non-blocking fd, and a read error. */
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "liner.h"
#include "tap.h"

/* feeder: a child writing s into a pipe in chunks of chunk bytes */
static pid_t
feeder(const void *s, size_t n, size_t chunk, int *rfd)
{
	const unsigned char *p = s;
	int fds[2];
	pid_t pid;
	size_t o, k;

	if (pipe(fds) == -1 || (pid = fork()) == -1)
		abort();
	if (pid == 0) {
		close(fds[0]);
		for (o = 0; o < n; o += k) {
			k = n - o < chunk ? n - o : chunk;
			if (write(fds[1], p + o, k) != (ssize_t)k)
				_exit(1);
			usleep(1000);
		}
		_exit(0);
	}
	close(fds[1]);
	*rfd = fds[0];
	return pid;
}

/* lines_are: the lines of l, joined as "text|flags;" */
static void
lines_are(struct liner *l, const char *want, const char *what)
{
	char got[4096];
	const unsigned char *line;
	size_t len, o = 0, i;
	int fl, n;

	while ((n = liner_next(l, &line, &len, &fl)) == 1 &&
	    o + len + 8 < sizeof got) {
		for (i = 0; i < len; i++)
			got[o++] = line[i] ? (char)line[i] : '@';
		o += (size_t)snprintf(got + o, sizeof got - o, "|%d;", fl);
	}
	got[o] = '\0';
	is_int(n, 0, "%s: ends cleanly", what);
	is_str(got, want, "%s: lines", what);
	is_int(liner_next(l, &line, &len, &fl), 0, "%s: still at EOF", what);
	liner_free(l);
}

/* mem: lines of a string, no fd */
static void
mem(const char *s, size_t n, size_t max, const char *want, const char *what)
{
	struct liner l;

	is_int(liner_init(&l, -1, s, n, max), 0, "%s: init", what);
	lines_are(&l, want, what);
}

static void
test_lines(void)
{
	mem("a\nbb\n\nccc\n", 10, 10, "a|0;bb|0;|0;ccc|0;", "simple lines");
	mem("a\nbb", 4, 10, "a|0;bb|1;", "no final newline");
	mem("", 0, 10, "", "empty stream");
	mem("\n", 1, 10, "|0;", "one empty line");
	mem("\n\n", 2, 10, "|0;|0;", "two empty lines");
	mem("x", 1, 10, "x|1;", "one byte, no newline");
	mem("a\0b\n\0\n", 6, 10, "a@b|0;@|0;", "NUL bytes kept");
	mem("abcd\n", 5, 4, "abcd|0;", "exactly max: whole");
	mem("abcde\n", 6, 4, "abcd|6;e|2;", "max + 1: split");
	mem("abcdefghij\nk\n", 13, 4, "abcd|6;efgh|6;ij|2;k|0;",
	    "split in three");
	mem("abcdefgh\n", 9, 4, "abcd|6;efgh|2;", "exactly 2 max");
	mem("abcdefgh", 8, 4, "abcd|6;efgh|3;", "2 max, no newline");
	mem("abcdefg", 7, 4, "abcd|6;efg|3;", "split, no newline");
	mem("abcd", 4, 4, "abcd|1;", "max, no newline");
	mem("ab\ncdefghi\n", 11, 4, "ab|0;cdef|6;ghi|2;", "short then long");
	mem("abc\n", 4, 1, "a|6;b|6;c|2;", "max 1");
	mem("abc\n", 4, 0, "a|6;b|6;c|2;", "max 0 counts as 1");
	mem("ab\0\0\0\0cd\n", 9, 4, "ab@@|6;@@cd|2;", "NUL bytes in a split");
}

/* a stream of lines of every length from 0 to 3 max, through a pipe in
 * odd-sized chunks; the pieces put back together must give it back */
static void
pipe_lines(size_t max, size_t chunk, const char *what)
{
	struct liner l;
	const unsigned char *line;
	unsigned char *s, *back;
	size_t n = 0, bn = 0, len, i, k, lines = 0, split = 0, pieces = 0;
	size_t wantsplit = 0, badpiece = 0;
	int fd, fl, r, nonl = 0;
	pid_t pid;

	n = (3 * max + 1) * (3 * max + 2) / 2 + 1;
	if ((s = malloc(n)) == NULL || (back = malloc(n)) == NULL)
		abort();
	n = 0;
	for (k = 0; k <= 3 * max; k++) {
		for (i = 0; i < k; i++)
			s[n++] = (unsigned char)(i * 31 + k) == '\n' ? 0 :
			    (unsigned char)(i * 31 + k);
		s[n++] = '\n';
		wantsplit += k > max;
	}
	s[n++] = 'z';			/* a last line without newline */
	pid = feeder(s, n, chunk, &fd);
	is_int(liner_init(&l, fd, NULL, 0, max), 0, "%s: init", what);
	while ((r = liner_next(&l, &line, &len, &fl)) == 1) {
		memcpy(back + bn, line, len);
		bn += len;
		if (fl & LINE_SPLIT)
			pieces++;
		if ((fl & LINE_MORE) && len != max)
			badpiece++;
		if ((fl & (LINE_SPLIT | LINE_MORE)) == LINE_SPLIT)
			split++;
		if (!(fl & LINE_MORE) && !(fl & LINE_NONL))
			back[bn++] = '\n', lines++;
		nonl += (fl & LINE_NONL) != 0;
		if (l.cap > max + 1)
			badpiece++;
	}
	is_int(r, 0, "%s: clean end", what);
	is_int(lines, 3 * max + 1, "%s: lines", what);
	is_int(split, wantsplit, "%s: split lines counted", what);
	ok(pieces > 2 * split, "%s: pieces (%zu)", what, pieces);
	is_int(badpiece, 0, "%s: pieces of max bytes, buffer <= max + 1",
	    what);
	is_int(nonl, 1, "%s: one line without newline", what);
	ok(bn == n && memcmp(back, s, n) == 0, "%s: stream rebuilt", what);
	liner_free(&l);
	close(fd);
	waitpid(pid, NULL, 0);
	free(s);
	free(back);
}

static void
test_fd(void)
{
	struct liner l;
	int fd;
	pid_t pid;

	pid = feeder("c\nd\n", 4, 1, &fd);
	is_int(liner_init(&l, fd, "ab", 2, 80), 0, "prefix then fd");
	lines_are(&l, "abc|0;d|0;", "prefix then fd");
	close(fd);
	waitpid(pid, NULL, 0);
	pid = feeder("", 0, 1, &fd);
	is_int(liner_init(&l, fd, "x\ny", 3, 80), 0, "prefix, empty fd");
	lines_are(&l, "x|0;y|1;", "prefix, empty fd");
	close(fd);
	waitpid(pid, NULL, 0);
	pid = feeder("89\n", 3, 1, &fd);
	is_int(liner_init(&l, fd, "1234567", 7, 4), 0, "long prefix");
	lines_are(&l, "1234|6;5678|6;9|2;", "prefix longer than max");
	close(fd);
	waitpid(pid, NULL, 0);

	pipe_lines(7, 3, "max 7, 3-byte chunks");
	pipe_lines(64, 1000, "max 64, 1000-byte chunks");
	pipe_lines(300, 4093, "max 300, 4093-byte chunks");

	if ((fd = open("/", O_RDONLY)) == -1)
		abort();
	{
		const unsigned char *line;
		size_t len;
		int fl;

		is_int(liner_init(&l, fd, NULL, 0, 80), 0, "directory");
		errno = 0;
		is_int(liner_next(&l, &line, &len, &fl), -1, "  read error");
		is_int(errno, EISDIR, "  EISDIR");
		liner_free(&l);
	}
	close(fd);
}

/* a line far longer than the initial buffer: it grows to max + 1 */
static void
test_big(void)
{
	struct liner l;
	const unsigned char *line;
	unsigned char *s;
	size_t n = 300000, len;
	int fd, fl;
	pid_t pid;

	if ((s = malloc(n + 1)) == NULL)
		abort();
	memset(s, 'q', n);
	s[n] = '\n';
	pid = feeder(s, n + 1, 65536, &fd);
	is_int(liner_init(&l, fd, NULL, 0, 200000), 0, "max 200000");
	is_int(liner_next(&l, &line, &len, &fl), 1, "first piece");
	is_int(len, 200000, "  max bytes");
	is_int(fl, LINE_SPLIT | LINE_MORE, "  split, more to come");
	ok(l.cap <= 200001, "  buffer %zu <= max + 1", l.cap);
	is_int(liner_next(&l, &line, &len, &fl), 1, "last piece");
	is_int(len, 100000, "  the rest");
	is_int(fl, LINE_SPLIT, "  split, last");
	is_int(liner_next(&l, &line, &len, &fl), 0, "EOF");
	liner_free(&l);
	close(fd);
	waitpid(pid, NULL, 0);

	pid = feeder(s, n + 1, 65536, &fd);
	is_int(liner_init(&l, fd, NULL, 0, n), 0, "max 300000");
	is_int(liner_next(&l, &line, &len, &fl), 1, "a line of max bytes");
	is_int(len, n, "  whole");
	is_int(fl, 0, "  not split");
	is_int(l.cap, n + 1, "  buffer max + 1");
	liner_free(&l);
	close(fd);
	waitpid(pid, NULL, 0);
	free(s);
}

int
main(void)
{
	alarm(60);		/* a hang is a failure, not a stuck test run */
	test_lines();
	test_fd();
	test_big();
	return tap_done();
}
