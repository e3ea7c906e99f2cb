/* rules.c: allow/deny rules on address prefixes, from the command line
 * or a file. */
#include <sys/socket.h>

#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "arg.h"
#include "cidr.h"
#include "rules.h"

int
rules_add(struct rules *rs, const struct cidr *c)
{
	struct cidr *r;
	size_t cap;

	if (rs->n == rs->cap) {
		cap = rs->cap ? rs->cap * 2 : 8;
		if ((r = reallocarray(rs->r, cap, sizeof *r)) == NULL)
			return -1;
		rs->r = r;
		rs->cap = cap;
	}
	rs->r[rs->n++] = *c;
	if (c->allow)
		rs->anyallow = 1;
	return 0;
}

/* parseline: one line of a rules file; 0 blank, 1 rule, -1 bad. */
static int
parseline(char *line, struct cidr *c, const char **why)
{
	char *word, *prefix, *rest;

	line[strcspn(line, "#\r\n")] = '\0';
	word = strtok_r(line, " \t", &rest);
	if (word == NULL)
		return 0;
	prefix = strtok_r(NULL, " \t", &rest);
	if (strcmp(word, "allow") == 0)
		c->allow = 1;
	else if (strcmp(word, "deny") == 0)
		c->allow = 0;
	else
		return *why = "expected allow or deny", -1;
	if (prefix == NULL)
		return *why = "missing prefix", -1;
	if (strtok_r(NULL, " \t", &rest) != NULL)
		return *why = "trailing words", -1;
	if ((*why = cidr_parse(prefix, c)) != NULL)
		return -1;
	return 1;
}

/* cut: the line without its comment and outer blanks, into text. */
static void
cut(const char *line, char *text, size_t textlen)
{
	size_t n;

	line += strspn(line, " \t");
	n = strcspn(line, "#\r\n");
	while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t'))
		n--;
	snprintf(text, textlen, "%.*s", (int)n, line);
}

int
rules_load(struct rules *rs, const char *path, unsigned long *lineno,
    const char **why, char *text, size_t textlen)
{
	struct cidr c;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	FILE *f;
	int r = 0, k;

	if ((f = fopen(path, "re")) == NULL)
		return -1;
	*lineno = 0;
	while (r == 0 && (len = getline(&line, &cap, f)) != -1) {
		++*lineno;
		cut(line, text, textlen);
		/* the string functions below would stop at a NUL and take
		 * "allow 10.0.0.1\0junk" for a rule: a text file has none */
		if (memchr(line, '\0', (size_t)len) != NULL)
			*why = "a NUL byte", r = 1;
		else if ((k = parseline(line, &c, why)) == -1)
			r = 1;
		else if (k == 1 && rules_add(rs, &c) == -1)
			r = -1;
	}
	if (r == 0 && ferror(f))
		r = -1;
	free(line);
	fclose(f);
	return r;
}

void
rules_free(struct rules *rs)
{
	free(rs->r);
	rs->r = NULL;
	rs->n = rs->cap = 0;
	rs->anyallow = 0;
}

int
rules_allow(const struct rules *rs, const struct sockaddr *sa)
{
	unsigned char ip[16];
	size_t i;
	int af;

	if ((af = addr_ip(sa, ip)) == -1)
		return 0;
	for (i = 0; i < rs->n; i++)
		if (cidr_match(&rs->r[i], af, ip))
			return rs->r[i].allow;
	return !rs->anyallow;
}

int
rulesrc_add(struct rulesrcs *src, int kind, const char *arg,
    const char **why)
{
	struct rulesrc *v;
	struct cidr c;

	if (kind != 'x' && (*why = cidr_parse(arg, &c)) != NULL)
		return 1;
	if ((v = reallocarray(src->v, src->n + 1, sizeof *v)) == NULL)
		return -1;
	src->v = v;
	v[src->n].kind = kind;
	v[src->n++].arg = arg;
	return 0;
}

int
rules_build(struct rules *rs, const struct rulesrcs *src, char *why,
    size_t n, int *status)
{
	const struct rulesrc *s;
	unsigned long line;
	char text[80];
	const char *e;
	struct cidr c;
	size_t i;
	int r;

	memset(rs, 0, sizeof *rs);
	for (i = 0; i < src->n; i++) {
		s = &src->v[i];
		if (s->kind != 'x') {
			cidr_parse(s->arg, &c);
			c.allow = s->kind == 'A';
			r = rules_add(rs, &c);
		} else if ((r = rules_load(rs, s->arg, &line, &e, text,
		    sizeof text)) == 1) {
			snprintf(why, n, "%s:%lu: invalid rule '%s': %s",
			    s->arg, line, text, e);
			*status = 100;
			return rules_free(rs), -1;
		}
		if (r == -1) {
			snprintf(why, n, "unable to read %s: %s",
			    s->kind == 'x' ? s->arg : "rules",
			    strerror(errno));
			*status = 111;
			return rules_free(rs), -1;
		}
	}
	return 0;
}

int
rules_reload(struct rules *rs, const struct rulesrcs *src, char *why,
    size_t n)
{
	struct rules nrs;
	int st;

	if (rules_build(&nrs, src, why, n, &st) == -1)
		return -1;
	rules_free(rs);
	*rs = nrs;
	return 0;
}

void
rulesrc_arg(struct rulesrcs *src, int kind, const char *arg)
{
	const char *e;
	int r;

	if ((r = rulesrc_add(src, kind, arg, &e)) == 1)
		arg_fail("prefix", arg, e);
	if (r == -1)
		err(111, "unable to allocate the rules");
}

void
rules_start(struct rules *rs, const struct rulesrcs *src)
{
	char why[512];
	int st;

	if (rules_build(rs, src, why, sizeof why, &st) == -1) {
		if (st == 100)
			arg_misuse("%s", why);
		errx(st, "%s", why);
	}
}
