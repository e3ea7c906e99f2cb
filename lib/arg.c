/* arg.c: the one way a program refuses its command line: a message
 * naming the bad value, the usage line, exit 100. */
#include <err.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arg.h"

const char *arg_usage;

void
arg_fail(const char *what, const char *s, const char *why)
{
	warnx("invalid %s '%s': %s", what, s, why);
	if (arg_usage != NULL)
		fprintf(stderr, "%s\n", arg_usage);
	exit(100);
}

void
arg_help(int status)
{
	fprintf(status ? stderr : stdout, "%s\n", arg_usage ? arg_usage : "");
	exit(status);
}

void
arg_misuse(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarnx(fmt, ap);
	va_end(ap);
	arg_help(100);
}

void
arg_badopt(const char *optstring)
{
	extern int optopt;

	if (optopt == ':' || strchr(optstring, optopt) == NULL)
		warnx("unknown option -%c", optopt);
	else
		warnx("option -%c needs a value", optopt);
	if (arg_usage != NULL)
		fprintf(stderr, "%s\n", arg_usage);
	exit(100);
}

const char *
arg_operand(int argc, char *const *argv, const char *name)
{
	if (argc < 1)
		arg_misuse("missing %s", name);
	if (argc > 1)
		arg_misuse("too many arguments, starting at '%s'", argv[1]);
	return argv[0];
}
