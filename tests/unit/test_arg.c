/* test_arg.c: the one way a program refuses its command line: each call's
 * message, the usage line after it, and the exit status. */
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arg.h"
#include "tap.h"

#define USAGE "usage: test_arg [-v] [-c COUNT] FILE"

/* readall: fd to its end into buf (len bytes, a string). */
static void
readall(int fd, char *buf, size_t len)
{
	size_t got;
	ssize_t n;

	for (got = 0; got < len - 1; got += (size_t)n)
		if ((n = read(fd, buf + got, len - 1 - got)) <= 0)
			break;
	buf[got] = '\0';
}

/*
 * run: call what (0 arg_fail, 1 arg_misuse, 2 arg_badopt after getopt,
 * 3 arg_help(0), 4 arg_help(100), 5 arg_operand of argv, printed) in a
 * child; its exit status, and its standard output and error in out and
 * err.
 */
static int
run(int what, char *const *argv, char *out, char *err, size_t len)
{
	int o[2], e[2], st, c;
	pid_t pid;

	fflush(stdout);		/* or the child's exit() prints it again */
	if (pipe(o) == -1 || pipe(e) == -1 || (pid = fork()) == -1)
		abort();
	if (pid == 0) {
		dup2(o[1], 1);
		dup2(e[1], 2);
		arg_usage = USAGE;
		if (what == 0)
			arg_fail("count", "12x", "invalid");
		if (what == 1)
			arg_misuse("use one of -%c and -%c", 'a', 'b');
		if (what == 5) {
			for (c = 0; argv[c] != NULL; c++)
				;
			printf("%s\n", arg_operand(c, argv, "ADDRESS"));
			exit(0);
		}
		if (what == 2) {
			opterr = 0;
			while ((c = getopt(3, argv, "vc:")) != -1)
				if (c == '?')
					arg_badopt("vc:");
			_exit(0);
		}
		arg_help(what == 3 ? 0 : 100);
	}
	close(o[1]);
	close(e[1]);
	/* each to its end: err(3) writes in pieces, and a pipe closed after
	 * the first would kill the child with SIGPIPE */
	readall(o[0], out, len);
	readall(e[0], err, len);
	close(o[0]);
	close(e[0]);
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int
main(void)
{
	char out[512], err[512];
	char *unknown[] = { "test_arg", "-x", "f", NULL };
	char *novalue[] = { "test_arg", "-v", "-c", NULL };
	char *one[] = { "1.2.3.4:5", NULL }, *none[] = { NULL };
	char *two[] = { "a", "b", NULL };

	is_int(run(0, NULL, out, err, sizeof out), 100, "arg_fail exits 100");
	is_str(err, "test_arg: invalid count '12x': invalid\n" USAGE "\n",
	    "  names the value, then the usage line");
	is_str(out, "", "  nothing on standard output");
	is_int(run(1, NULL, out, err, sizeof out), 100, "arg_misuse exits 100");
	is_str(err, "test_arg: use one of -a and -b\n" USAGE "\n",
	    "  the message formatted, then the usage line");
	is_int(run(2, unknown, out, err, sizeof out), 100,
	    "arg_badopt: an unknown option exits 100");
	is_str(err, "test_arg: unknown option -x\n" USAGE "\n",
	    "  names the option");
	is_int(run(2, novalue, out, err, sizeof out), 100,
	    "arg_badopt: a missing value exits 100");
	is_str(err, "test_arg: option -c needs a value\n" USAGE "\n",
	    "  says which option needs one");
	is_int(run(3, NULL, out, err, sizeof out), 0, "arg_help(0) exits 0");
	is_str(out, USAGE "\n", "  the usage line on standard output");
	is_str(err, "", "  nothing on standard error");
	is_int(run(4, NULL, out, err, sizeof out), 100,
	    "arg_help(100) exits 100");
	is_str(err, USAGE "\n", "  the usage line on standard error");
	is_str(out, "", "  nothing on standard output");
	is_int(run(5, one, out, err, sizeof out), 0, "arg_operand: one");
	is_str(out, "1.2.3.4:5\n", "  is returned");
	is_int(run(5, none, out, err, sizeof out), 100, "  none exits 100");
	is_str(err, "test_arg: missing ADDRESS\n" USAGE "\n", "  naming it");
	is_int(run(5, two, out, err, sizeof out), 100, "  two exit 100");
	is_str(err, "test_arg: too many arguments, starting at 'b'\n" USAGE
	    "\n", "  naming the first too many");
	return tap_done();
}
