/*
 * fuzz_rules.c: libFuzzer harness for tcp-listen's rules files, read by
 * rules_load. The input is the file (the first byte also sets the room
 * for the bad line's text). rules_load must agree with a reading of the
 * file written here from rules_load's contract, line by line: how many
 * rules, which line is bad; the rules it loads, written back out, must
 * load the same; a bad line must be bad alone too, for the same reason.
 *
 * Built by `make build/fuzz/fuzz_rules`; run by tests/fuzz/run.sh rules.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE		/* memfd_create */
#endif
#include <sys/mman.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cidr.h"
#include "rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* load: p as a file; rules_load's answer, the rules in *rs */
static int
load(const void *p, size_t n, struct rules *rs, unsigned long *line,
    const char **why, char *text, size_t textlen)
{
	char path[64];
	int fd, r;

	if ((fd = memfd_create("rules", 0)) == -1 ||
	    write(fd, p, n) != (ssize_t)n)
		abort();
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	memset(rs, 0, sizeof *rs);
	r = rules_load(rs, path, line, why, text, textlen);
	close(fd);
	if (r == -1)
		abort();
	return r;
}

/* ref: 0 blank, 1 a rule, -1 bad: the line (n bytes, no newline) cut at
 * '#' or CR, split at blanks: "allow" or "deny" and a prefix. A NUL
 * byte is bad wherever it is, in a comment too. */
static int
ref(const char *l, size_t n)
{
	char *w[3];
	size_t i, k, nw = 0;
	struct cidr c;
	int r;

	if (memchr(l, '\0', n) != NULL)
		return -1;
	for (i = 0; i < n && l[i] != '#' && l[i] != '\r'; i++)
		;
	n = i;
	for (i = 0; i < n && nw < 3;) {
		while (i < n && (l[i] == ' ' || l[i] == '\t'))
			i++;
		if (i >= n)
			break;
		if ((w[nw] = malloc(n + 1)) == NULL)
			abort();
		for (k = 0; i < n && l[i] != ' ' && l[i] != '\t'; i++)
			w[nw][k++] = l[i];
		w[nw++][k] = '\0';
	}
	if (nw == 0)
		return 0;
	r = nw == 2 && (strcmp(w[0], "allow") == 0 ||
	    strcmp(w[0], "deny") == 0) && cidr_parse(w[1], &c) == NULL;
	while (nw > 0)
		free(w[--nw]);
	return r ? 1 : -1;
}

/* writeback: the rules loaded, as a file, must load the same */
static void
writeback(const struct rules *rs)
{
	char *buf, ip[INET6_ADDRSTRLEN];
	struct rules back;
	unsigned long line;
	const char *why;
	char text[8];
	size_t i, o = 0;

	if ((buf = malloc(rs->n * 64 + 1)) == NULL)
		abort();
	for (i = 0; i < rs->n; i++) {
		inet_ntop(rs->r[i].af, rs->r[i].ip, ip, sizeof ip);
		o += (size_t)sprintf(buf + o, "%s %s/%d\n",
		    rs->r[i].allow ? "allow" : "deny", ip, rs->r[i].bits);
	}
	if (load(buf, o, &back, &line, &why, text, sizeof text) != 0 ||
	    back.n != rs->n || back.anyallow != rs->anyallow ||
	    (rs->n > 0 && memcmp(back.r, rs->r, rs->n * sizeof *rs->r) != 0))
		abort();
	rules_free(&back);
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size, *nl, *bad = NULL;
	const char *why = NULL, *why1 = NULL;
	unsigned long line = 0, line1 = 0, want = 0, nrules = 0;
	char text[96], text1[96];
	struct rules rs, rs1;
	size_t textlen;
	int r, k;

	if (size < 1)
		return 0;
	textlen = 1 + data[0] % sizeof text;
	for (p++; p < end && bad == NULL; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		want++;
		if ((k = ref(p, (size_t)(nl - p))) == -1)
			bad = p;
		nrules += k == 1;
	}
	r = load(data + 1, size - 1, &rs, &line, &why, text, textlen);
	if (r != (bad != NULL) || rs.n != nrules)
		abort();
	if (r == 0)
		writeback(&rs);
	else {
		if (line != want || why == NULL || *why == '\0' ||
		    strlen(text) >= textlen)
			abort();
		nl = memchr(bad, '\n', (size_t)(end - bad));
		if (load(bad, nl ? (size_t)(nl - bad) : (size_t)(end - bad),
		    &rs1, &line1, &why1, text1, textlen) != 1 || line1 != 1 ||
		    strcmp(why, why1) != 0 || strcmp(text, text1) != 0)
			abort();
		rules_free(&rs1);
	}
	rules_free(&rs);
	return 0;
}
