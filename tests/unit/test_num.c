/* test_num.c: num_parse, size_parse, dur_parse and milli_parse, every
 * reason and edge. */
#include <sys/wait.h>

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "num.h"
#include "tap.h"

#define LL(x) ((long long)(x))

/* show: s with control bytes as \xHH, so each TAP line stays one line. */
static const char *
show(const char *s)
{
	static char buf[4][256];
	static int k;
	char *b = buf[k++ & 3], *p = b;

	for (; *s != '\0' && p < b + sizeof(buf[0]) - 5; s++)
		if ((unsigned char)*s < 0x20)
			p += sprintf(p, "\\x%02x", (unsigned char)*s);
		else
			*p++ = *s;
	*p = '\0';
	return b;
}

static void
num_ok(const char *s, long long min, long long max, long long want)
{
	const char *e = "unset";
	long long v = num_parse(s, min, max, &e);

	ok(e == NULL && v == want, "num_parse \"%s\" [%lld,%lld] = %lld",
	    show(s), min, max, want);
	if (e != NULL || v != want)
		printf("#   got %lld, %s\n", v, e ? e : "(null)");
}

static void
num_bad(const char *s, long long min, long long max, const char *why)
{
	const char *e = NULL;
	long long v = num_parse(s, min, max, &e);

	ok(e != NULL && strcmp(e, why) == 0 && v == 0,
	    "num_parse \"%s\" [%lld,%lld]: %s", show(s), min, max, why);
	if (e == NULL || strcmp(e, why) != 0 || v != 0)
		printf("#   got %lld, %s\n", v, e ? e : "(null)");
}

static void
size_ok(const char *s, uint64_t want)
{
	const char *e = "unset";
	uint64_t v = size_parse(s, 0, UINT64_MAX, &e);

	ok(e == NULL && v == want, "size_parse \"%s\" = %llu", show(s),
	    (unsigned long long)want);
	if (e != NULL || v != want)
		printf("#   got %llu, %s\n", (unsigned long long)v,
		    e ? e : "(null)");
}

static void
size_bad(const char *s, uint64_t min, uint64_t max, const char *why)
{
	const char *e = NULL;
	uint64_t v = size_parse(s, min, max, &e);

	ok(e != NULL && strcmp(e, why) == 0 && v == 0,
	    "size_parse \"%s\": %s", show(s), why);
	if (e == NULL || strcmp(e, why) != 0)
		printf("#   got %llu, %s\n", (unsigned long long)v,
		    e ? e : "(null)");
}

static void
dur_ok(const char *s, uint64_t want)
{
	const char *e = "unset";
	uint64_t v = dur_parse(s, 0, UINT64_MAX, &e);

	ok(e == NULL && v == want, "dur_parse \"%s\" = %llu ns", show(s),
	    (unsigned long long)want);
	if (e != NULL || v != want)
		printf("#   got %llu, %s\n", (unsigned long long)v,
		    e ? e : "(null)");
}

static void
dur_bad(const char *s, uint64_t min, uint64_t max, const char *why)
{
	const char *e = NULL;
	uint64_t v = dur_parse(s, min, max, &e);

	ok(e != NULL && strcmp(e, why) == 0 && v == 0,
	    "dur_parse \"%s\": %s", show(s), why);
	if (e == NULL || strcmp(e, why) != 0)
		printf("#   got %llu, %s\n", (unsigned long long)v,
		    e ? e : "(null)");
}

static void
test_num(void)
{
	char buf[64];

	num_ok("0", 0, 10, 0);
	num_ok("10", 0, 10, 10);
	num_ok("1", 1, 1, 1);
	num_ok("007", 0, 10, 7);
	num_ok("-5", -10, 10, -5);
	num_ok("-10", -10, 10, -10);
	num_ok("-0", -1, 1, 0);
	num_ok("9223372036854775807", 0, LLONG_MAX, LLONG_MAX);
	num_ok("-9223372036854775808", LLONG_MIN, 0, LLONG_MIN);
	num_ok("-9223372036854775807", LLONG_MIN, 0, -LLONG_MAX);

	num_bad("11", 0, 10, "too large");
	num_bad("0", 1, 10, "too small");
	num_bad("-11", -10, 10, "too small");
	num_bad("-1", 0, 10, "too small");
	num_bad("9223372036854775808", 0, LLONG_MAX, "too large");
	num_bad("-9223372036854775809", LLONG_MIN, 0, "too small");
	num_bad("18446744073709551615", 0, LLONG_MAX, "too large");
	num_bad("18446744073709551616", 0, LLONG_MAX, "too large");
	num_bad("99999999999999999999999999", 0, LLONG_MAX, "too large");
	num_bad("-99999999999999999999999999", LLONG_MIN, 0, "too small");
	snprintf(buf, sizeof(buf), "%lld", LLONG_MAX);
	num_bad(buf, 0, LLONG_MAX - 1, "too large");

	num_bad("", 0, 10, "invalid");
	num_bad("-", -10, 10, "invalid");
	num_bad("+5", 0, 10, "invalid");
	num_bad(" 5", 0, 10, "invalid");
	num_bad("5 ", 0, 10, "invalid");
	num_bad("5\n", 0, 10, "invalid");
	num_bad("\t5", 0, 10, "invalid");
	num_bad("12x", 0, 100, "invalid");
	num_bad("0x10", 0, 100, "invalid");
	num_bad("1e3", 0, 10000, "invalid");
	num_bad("1.0", 0, 10, "invalid");
	num_bad("--5", -10, 10, "invalid");
	num_bad("- 5", -10, 10, "invalid");
	num_bad("5", 10, 0, "invalid");
	/* Trailing garbage wins over overflow: the string is not a number. */
	num_bad("99999999999999999999x", 0, 10, "invalid");
}

static void
test_size(void)
{
	const char *e;

	size_ok("0", 0);
	size_ok("512", 512);
	size_ok("512B", 512);
	size_ok("64k", 65536);
	size_ok("64K", 65536);
	size_ok("64KB", 65536);
	size_ok("64KiB", 65536);
	size_ok("64kiB", 65536);
	size_ok("10M", 10485760);
	size_ok("10m", 10485760);
	size_ok("10MB", 10485760);
	size_ok("10MiB", 10485760);
	size_ok("1G", 1073741824);
	size_ok("1g", 1073741824);
	size_ok("1GiB", 1073741824);
	size_ok("2T", 2199023255552ULL);
	size_ok("2t", 2199023255552ULL);
	size_ok("2TB", 2199023255552ULL);
	size_ok("1.5M", 1572864);
	size_ok("1.5k", 1536);
	size_ok("0.5k", 512);
	size_ok("1.0009765625k", 1025);
	size_ok("1.0009k", 1024);		/* rounds down */
	size_ok("0.001k", 1);			/* 1.024 bytes */
	size_ok("0.0001k", 0);
	size_ok("1.9", 1);
	size_ok("1.99999999999999999999999999999999k", 2047);
	size_ok("007k", 7168);
	size_ok("18446744073709551615", UINT64_MAX);
	size_ok("16777215T", 16777215ULL << 40);
	size_ok("16777215.999999999999999999999T", UINT64_MAX);

	size_bad("18446744073709551616", 0, UINT64_MAX, "too large");
	size_bad("16777216T", 0, UINT64_MAX, "too large");
	size_bad("17179869184G", 0, UINT64_MAX, "too large");
	size_bad("99999999999999999999999k", 0, UINT64_MAX, "too large");
	size_bad("1025", 0, 1024, "too large");
	size_bad("1.1k", 0, 1024, "too large");
	size_bad("0", 1, 1024, "too small");
	size_bad("1023B", 1024, 2048, "too small");
	size_bad("", 0, 10, "invalid");
	size_bad("k", 0, 10, "invalid");
	size_bad("KiB", 0, 10, "invalid");
	size_bad("-1", 0, 10, "invalid");
	size_bad("-1k", 0, UINT64_MAX, "invalid");
	size_bad("+1k", 0, UINT64_MAX, "invalid");
	size_bad(" 1k", 0, UINT64_MAX, "invalid");
	size_bad("1k ", 0, UINT64_MAX, "invalid");
	size_bad("1 k", 0, UINT64_MAX, "invalid");
	size_bad("1k\n", 0, UINT64_MAX, "invalid");
	size_bad("1.k", 0, UINT64_MAX, "invalid");
	size_bad(".5k", 0, UINT64_MAX, "invalid");
	size_bad("1..5k", 0, UINT64_MAX, "invalid");
	size_bad("1.2.3k", 0, UINT64_MAX, "invalid");
	size_bad("1k5", 0, UINT64_MAX, "invalid");
	size_bad("1kk", 0, UINT64_MAX, "unknown unit");
	size_bad("1x", 0, UINT64_MAX, "unknown unit");
	size_bad("1b", 0, UINT64_MAX, "unknown unit");
	size_bad("1kb", 0, UINT64_MAX, "unknown unit");
	size_bad("1Ki", 0, UINT64_MAX, "unknown unit");
	size_bad("1KIB", 0, UINT64_MAX, "unknown unit");
	size_bad("1iB", 0, UINT64_MAX, "unknown unit");
	size_bad("1P", 0, UINT64_MAX, "unknown unit");
	size_bad("1KiBs", 0, UINT64_MAX, "unknown unit");
	size_bad("1k", 2, 1, "invalid");
	e = "unset";
	ok(size_parse("1k", 1024, 1024, &e) == 1024 && e == NULL,
	    "size_parse min == max");
}

#define S 1000000000ULL

static void
test_dur(void)
{
	dur_ok("0", 0);
	dur_ok("0s", 0);
	dur_ok("30", 30 * S);
	dur_ok("30s", 30 * S);
	dur_ok("250ns", 250);
	dur_ok("10us", 10000);
	dur_ok("500ms", 500000000);
	dur_ok("5m", 300 * S);
	dur_ok("1h", 3600 * S);
	dur_ok("1d", 86400 * S);
	dur_ok("1.5s", 1500000000);
	dur_ok("1.5", 1500000000);
	dur_ok("0.5ms", 500000);
	dur_ok("1.5ns", 1);
	dur_ok("0.0000000019", 1);
	dur_ok("0.0000000001s", 0);
	dur_ok("1.5h", 5400 * S);
	dur_ok("0.25d", 21600 * S);
	dur_ok("1h30m", 5400 * S);
	dur_ok("1d2h3m4s5ms6us7ns", 93784005006007ULL);
	dur_ok("2m3.5s", 123500000000ULL);
	dur_ok("1s500ms", 1500000000);
	dur_ok("18446744073709551615ns", UINT64_MAX);
	dur_ok("18446744073.709551615s", UINT64_MAX);
	dur_ok("18446744073s709551615ns", UINT64_MAX);
	dur_ok("213503d", 213503ULL * 86400 * S);

	dur_bad("18446744073709551616ns", 0, UINT64_MAX, "too large");
	dur_bad("18446744074", 0, UINT64_MAX, "too large");
	dur_bad("18446744073.709551616s", 0, UINT64_MAX, "too large");
	dur_bad("213504d", 0, UINT64_MAX, "too large");
	dur_bad("18446744073s709551616ns", 0, UINT64_MAX, "too large");
	dur_bad("213503d23h35m", 0, UINT64_MAX, "too large");
	dur_bad("2s", 0, S, "too large");
	dur_bad("1.000000001s", 0, S, "too large");
	dur_bad("999ms", S, 2 * S, "too small");
	dur_bad("0", 1, S, "too small");
	dur_bad("", 0, S, "invalid");
	dur_bad("s", 0, S, "invalid");
	dur_bad("-1s", 0, S, "invalid");
	dur_bad("+1s", 0, S, "invalid");
	dur_bad(" 1s", 0, S, "invalid");
	dur_bad("1s ", 0, S, "invalid");
	dur_bad("1 s", 0, S, "invalid");
	dur_bad("1h 30m", 0, UINT64_MAX, "invalid");
	dur_bad("1h30", 0, UINT64_MAX, "invalid");
	dur_bad("30m1h", 0, UINT64_MAX, "invalid");
	dur_bad("1m1m", 0, UINT64_MAX, "invalid");
	dur_bad("1.s", 0, S, "invalid");
	dur_bad(".5s", 0, S, "invalid");
	dur_bad("1.2.3s", 0, S, "invalid");
	dur_bad("1s,", 0, S, "invalid");
	dur_bad("1sec", 0, S, "unknown unit");
	dur_bad("1S", 0, S, "unknown unit");
	dur_bad("1y", 0, S, "unknown unit");
	dur_bad("1µs", 0, S, "invalid");
	dur_bad("1h30x", 0, UINT64_MAX, "unknown unit");
	dur_bad("1s", 2, 1, "invalid");
}

/* run_arg: the message and exit status of a failing *_arg call. */
static void
run_arg(int kind, const char *s, const char *want)
{
	char buf[256];
	const char *rest;
	int fd[2], st;
	ssize_t n;
	size_t len = 0;
	pid_t pid;

	fflush(stdout);		/* or the child's exit() prints it again */
	if (pipe(fd) == -1 || (pid = fork()) == -1) {
		ok(0, "unable to fork");
		return;
	}
	if (pid == 0) {
		dup2(fd[1], 2);
		close(fd[0]);
		if (kind == 0)
			num_arg("count", s, 1, 100);
		else if (kind == 1)
			size_arg("size", s, 1, 1 << 20);
		else if (kind == 2)
			dur_arg("interval", s, 1, S);
		else if (kind == 4)
			num_arg_head("limit", s, ':', 1, 100, &rest);
		else
			milli_arg("factor", s, 1, 1000000, "below 0.001",
			    "above 1000");
		_exit(0);
	}
	close(fd[1]);
	while (len < sizeof(buf) - 1 &&
	    (n = read(fd[0], buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	buf[len] = '\0';
	close(fd[0]);
	waitpid(pid, &st, 0);
	is_int(WIFEXITED(st) ? WEXITSTATUS(st) : -1, 100, "*_arg \"%s\" exits 100",
	    s);
	ok(strstr(buf, want) != NULL && strchr(buf, '\n') != NULL,
	    "message has \"%s\"", show(want));
	if (strstr(buf, want) == NULL)
		printf("#   got \"%s\"\n", show(buf));
}

static void
test_arg(void)
{
	const char *rest;

	is_int(num_arg("count", "42", 1, 100), 42, "num_arg ok");
	is_int(LL(size_arg("size", "64k", 1, 1 << 20)), 65536, "size_arg ok");
	is_int(LL(dur_arg("interval", "10ms", 1, S)), 10000000, "dur_arg ok");
	run_arg(0, "12x", ": invalid count '12x': invalid\n");
	run_arg(0, "0", ": invalid count '0': too small\n");
	run_arg(0, "101", ": invalid count '101': too large\n");
	run_arg(1, "2M", ": invalid size '2M': too large\n");
	run_arg(1, "2X", ": invalid size '2X': unknown unit\n");
	run_arg(2, "", ": invalid interval '': invalid\n");
	run_arg(2, "0s", ": invalid interval '0s': too small\n");
	is_int(LL(milli_arg("factor", "2.5", 1, 1000000, "below 0.001",
	    "above 1000")), 2500, "milli_arg ok");
	run_arg(3, "2x", ": invalid factor '2x': invalid\n");
	run_arg(3, "0.0001", ": invalid factor '0.0001': below 0.001\n");
	run_arg(3, "1000.001", ": invalid factor '1000.001': above 1000\n");
	run_arg(3, "1..2", ": invalid factor '1..2': invalid\n");
	is_int(num_arg_head("limit", "5:busy:now", ':', 1, 100, &rest), 5,
	    "num_arg_head: the number before the separator");
	is_str(rest, "busy:now", "  the rest after it");
	is_int(num_arg_head("limit", "7", ':', 1, 100, &rest), 7,
	    "  without one: all of it");
	ok(rest == NULL, "  no rest");
	is_int(num_arg_head("limit", "3:", ':', 1, 100, &rest), 3,
	    "  an empty rest");
	is_str(rest, "", "  is empty");
	run_arg(4, "0:x", ": invalid limit '0': too small\n");
	run_arg(4, ":x", ": invalid limit '': invalid\n");
	run_arg(4, "12345678901234567:x",
	    ": invalid limit '12345678901234567:x': invalid\n");
}

static void
milli_ok(const char *s, uint64_t min, uint64_t max, uint64_t want)
{
	const char *e = "unset";
	uint64_t v = milli_parse(s, min, max, &e);

	ok(e == NULL && v == want, "milli_parse \"%s\" = %llu", show(s),
	    (unsigned long long)want);
	if (e != NULL || v != want)
		printf("#   got %llu, %s\n", (unsigned long long)v,
		    e ? e : "(null)");
}

static void
milli_bad(const char *s, uint64_t min, uint64_t max, const char *why)
{
	const char *e = NULL;
	uint64_t v = milli_parse(s, min, max, &e);

	ok(e != NULL && strcmp(e, why) == 0 && v == 0,
	    "milli_parse \"%s\": %s", show(s), why);
	if (e == NULL || strcmp(e, why) != 0)
		printf("#   got %llu, %s\n", (unsigned long long)v,
		    e ? e : "(null)");
}

static void
test_milli(void)
{
	milli_ok("2", 0, 1000000, 2000);
	milli_ok("0.5", 0, 1000000, 500);
	milli_ok("1.25", 0, 1000000, 1250);
	milli_ok("1.2345", 0, 1000000, 1234);
	milli_ok("0", 0, 1000000, 0);
	milli_ok("1.001", 1001, 100000, 1001);
	milli_ok("100", 1001, 100000, 100000);
	milli_ok("1000", 1, 1000000, 1000000);
	milli_bad("", 0, 1000000, "invalid");
	milli_bad("1s", 0, 1000000, "invalid");
	milli_bad("-1", 0, 1000000, "invalid");
	milli_bad(" 1", 0, 1000000, "invalid");
	milli_bad("1e3", 0, 1000000, "invalid");
	milli_bad(".5", 0, 1000000, "invalid");
	milli_bad("1", 1001, 100000, "too small");
	milli_bad("100.001", 1001, 100000, "too large");
	milli_bad("0.0009", 1, 1000000, "too small");
}

int
main(void)
{
	test_num();
	test_size();
	test_dur();
	test_milli();
	test_arg();
	return tap_done();
}
