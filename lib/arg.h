/* arg.h: the one way a program refuses its command line: a message
 * naming the bad value, the usage line, exit 100. */
#ifndef ARG_H
#define ARG_H

/*
 * arg_usage: the program's usage line, set first thing in main.
 * arg_fail: "PROG: invalid WHAT 'S': REASON", then arg_usage when the
 * program set it, and exit 100.
 */
extern const char *arg_usage;
void arg_fail(const char *what, const char *s, const char *why)
    __attribute__((noreturn));

/* arg_help: print arg_usage (to stdout for status 0, else stderr) and
 * exit with status. arg_misuse: "PROG: MESSAGE", arg_usage, exit 100. */
void arg_help(int status) __attribute__((noreturn));
void arg_misuse(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

/* arg_badopt: after getopt returned '?' (with opterr 0): "PROG: unknown
 * option -x" or "PROG: option -x needs a value", arg_usage, exit 100. */
void arg_badopt(const char *optstring) __attribute__((noreturn));

/* arg_operand: the one operand, NAME (such as ADDRESS), left after the
 * options in argv[0..argc): "missing NAME" or "too many arguments,
 * starting at 'X'" (arg_misuse, exit 100) when there is not exactly one. */
const char *arg_operand(int argc, char *const *argv, const char *name);

#endif
