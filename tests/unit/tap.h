/* tap.h: a minimal TAP producer for the C unit tests of lib/. */
#ifndef TAP_H
#define TAP_H

#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int tap_n, tap_failed;

/* ok(cond, fmt, ...): one TAP line per assertion; failures say where. */
#define ok(cond, ...) do {						\
	int tap_c_ = !!(cond);						\
	printf("%sok %d - ", tap_c_ ? "" : "not ", ++tap_n);		\
	printf(__VA_ARGS__);						\
	putchar('\n');							\
	if (!tap_c_) {							\
		tap_failed++;						\
		printf("#   failed at %s:%d: %s\n", __FILE__, __LINE__,	\
		    #cond);						\
	}								\
} while (0)

#define is_int(got, want, ...) do {					\
	long long tap_g_ = (got), tap_w_ = (want);			\
	ok(tap_g_ == tap_w_, __VA_ARGS__);				\
	if (tap_g_ != tap_w_)						\
		printf("#   got %lld, want %lld\n", tap_g_, tap_w_);	\
} while (0)

#define is_str(got, want, ...) do {					\
	const char *tap_g_ = (got), *tap_w_ = (want);			\
	int tap_e_ = tap_g_ && tap_w_ ? strcmp(tap_g_, tap_w_) == 0	\
	    : tap_g_ == tap_w_;						\
	ok(tap_e_, __VA_ARGS__);					\
	if (!tap_e_)							\
		printf("#   got \"%s\", want \"%s\"\n",			\
		    tap_g_ ? tap_g_ : "(null)", tap_w_ ? tap_w_ : "(null)"); \
} while (0)

/* tap_done: print the plan; the exit status is non-zero on any failure. */
static int
tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed != 0;
}

/*
 * tap_child: fn(arg) in a child whose standard error goes to msg (len
 * bytes, NUL-terminated); its exit status, or -1 when a signal ended it.
 * fn returning is exit 0: for a check that refuses with exit(100).
 */
static int __attribute__((unused))
tap_child(void (*fn)(const void *), const void *arg, char *msg, size_t len)
{
	int e[2], status;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	fflush(stdout);		/* or the child's exit() prints it again */
	if (pipe(e) == -1 || (pid = fork()) == -1)
		abort();
	if (pid == 0) {
		close(e[0]);
		dup2(e[1], 2);
		fn(arg);
		_exit(0);
	}
	close(e[1]);
	while (got < len - 1 &&
	    (n = read(e[0], msg + got, len - 1 - got)) > 0)
		got += (size_t)n;
	msg[got] = '\0';
	close(e[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

#endif
