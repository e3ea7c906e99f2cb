/* rules.h: allow/deny rules on address prefixes, the first match decides. */
#ifndef RULES_H
#define RULES_H

#include <sys/socket.h>

#include <stddef.h>

#include "cidr.h"

struct rules {
	struct cidr *r;
	size_t n, cap;
	int anyallow;		/* an allow rule exists: default is deny */
};

/* rules_add: append a rule. Returns 0, -1 when out of memory. */
int rules_add(struct rules *rs, const struct cidr *c);

/*
 * rules_load: append the rules of a file: "allow PREFIX" or "deny PREFIX"
 * per line, blank lines and '#' comments skipped. Returns 0; -1 with
 * errno set when the file cannot be read; 1 when line *lineno is bad
 * (then *why says how, and text holds the line, comment and blanks cut).
 */
int rules_load(struct rules *rs, const char *path, unsigned long *lineno,
    const char **why, char *text, size_t textlen);

/* rules_free: forget every rule. */
void rules_free(struct rules *rs);

/*
 * rules_allow: whether sa may connect: the first matching rule decides;
 * with none, allowed unless an allow rule exists. An IPv4-mapped IPv6
 * address is matched as IPv4.
 */
int rules_allow(const struct rules *rs, const struct sockaddr *sa);

/*
 * Sources of rules, in command-line order, read again on every build (a
 * HUP reloads the files): a prefix allowed ('A') or denied ('X'), or a
 * rules file ('x').
 */
struct rulesrc {
	int kind;		/* 'A', 'X' or 'x' */
	const char *arg;	/* the prefix or the file's path */
};

struct rulesrcs {
	struct rulesrc *v;
	size_t n;
};

/*
 * rulesrc_add: append a source (arg is kept, not copied). Returns 0; 1
 * when a prefix is invalid (*why says how); -1 with errno set when out
 * of memory.
 */
int rulesrc_add(struct rulesrcs *src, int kind, const char *arg,
    const char **why);

/* rulesrc_arg: rulesrc_add for a command-line option: an invalid prefix
 * is arg_fail ("invalid prefix 'S': WHY", exit 100), no memory exit 111. */
void rulesrc_arg(struct rulesrcs *src, int kind, const char *arg);

/*
 * rules_build: the rules of every source, in order, into rs (which is
 * overwritten). Returns 0; -1 with the message in why (of size n) and
 * the exit status in *status: 100 for an invalid rule in a file, 111 when
 * a file cannot be read or memory runs out. rs holds nothing then.
 */
int rules_build(struct rules *rs, const struct rulesrcs *src, char *why,
    size_t n, int *status);

/* rules_start: rules_build when the program starts: an invalid rule is
 * a usage error (arg_misuse, exit 100), an unreadable file or no memory
 * exits 111, with the message. */
void rules_start(struct rules *rs, const struct rulesrcs *src);

/* rules_reload: rules_build into a new set that replaces rs when it
 * builds (HUP); rs is kept as it was when it does not. Returns 0, -1
 * with the message in why. */
int rules_reload(struct rules *rs, const struct rulesrcs *src, char *why,
    size_t n);

#endif
