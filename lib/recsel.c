/* recsel.c: which records a sink takes: a BPF filter or a regex. */
#include <regex.h>
#include <stdio.h>
#include <string.h>

#include "arg.h"
#include "capture.h"
#include "frame.h"
#include "num.h"
#include "pcapdl.h"
#include "pcapr.h"
#include "pcapw.h"
#include "recsel.h"

/* selector: "N=TEXT" for sink N of n; returns TEXT, its index in *i. */
static const char *
selector(const char *what, const char *s, int n, int *i)
{
	const char *eq = strchr(s, '=');
	char num[16];

	if (eq == NULL || eq == s || (size_t)(eq - s) >= sizeof num)
		arg_fail(what, s, "use N=...");
	memcpy(num, s, (size_t)(eq - s));
	num[eq - s] = '\0';
	*i = (int)num_arg("sink number", num, 1, n > 0 ? n : 1) - 1;
	return eq + 1;
}

void
recsel_arg(struct recsel *v, int n, int kind, const char *s)
{
	const char *text;
	char msg[256];
	int i, rc;

	text = selector(kind == RECSEL_BPF ? "filter" : "regex", s, n, &i);
	if (v[i].bpf_expr || v[i].has_re) {
		snprintf(msg, sizeof msg, "sink %d has a selection already",
		    i + 1);
		arg_misuse("%s", msg);
	}
	if (kind == RECSEL_BPF) {
		v[i].bpf_expr = text;
		return;
	}
	if ((rc = regcomp(&v[i].re, text, REG_EXTENDED | REG_NOSUB)) != 0) {
		regerror(rc, &v[i].re, msg, sizeof msg);
		arg_fail("regex", text, msg);
	}
	v[i].has_re = 1;
}

/* dlt: libpcap's DLT_ for a savefile's LINKTYPE_ (they differ for RAW). */
static int
dlt(uint32_t linktype)
{
	return linktype == LINKTYPE_RAW ? DLT_RAW : (int)linktype;
}

int
recsel_compile(struct recsel *v, int n, int framing, uint32_t linktype,
    char *why, size_t len)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *dead = NULL;
	int i, st = 0;

	for (i = 0; i < n && st == 0; i++) {
		if (v[i].has_re && framing == FRAME_PCAP) {
			snprintf(why, len, "-e is for text input; the input "
			    "is pcap");
			st = 100;
		} else if (v[i].bpf_expr == NULL)
			continue;
		else if (framing == FRAME_TEXT) {
			snprintf(why, len, "-f is for pcap input; the input "
			    "is text");
			st = 100;
		} else if (dead == NULL && (pcapdl_load(ebuf,
		    sizeof ebuf) == -1 || (dead = pcapdl.open_dead(
		    dlt(linktype), PCAPR_MAXCAPLEN)) == NULL)) {
			snprintf(why, len, "unable to compile filters: %s",
			    ebuf);
			st = 111;
		} else if (pcapdl.compile(dead, &v[i].bpf, v[i].bpf_expr, 1,
		    PCAP_NETMASK_UNKNOWN) == -1) {
			snprintf(why, len, "invalid filter '%s': %s",
			    v[i].bpf_expr, pcapdl.geterr(dead));
			st = 100;
		} else
			v[i].has_bpf = 1;
	}
	if (dead != NULL)
		pcapdl.close(dead);
	return st;
}

int
recsel_any(const struct recsel *s)
{
	return s->has_bpf || s->has_re;
}

#ifndef REG_STARTEND
#include <err.h>
#include <stdlib.h>

/* cstr: musl's regexec has no REG_STARTEND: the record in a buffer of
 * ours, NUL-terminated, so a regex sees it only up to a NUL within it */
static const char *
cstr(const unsigned char *p, size_t n)
{
	static char *b;
	static size_t cap;
	char *t;

	if (n >= cap) {
		if ((t = realloc(b, n + 1)) == NULL)
			err(111, "unable to allocate %zu bytes", n + 1);
		b = t;
		cap = n + 1;
	}
	memcpy(b, p, n);
	b[n] = '\0';
	return b;
}
#endif

int
recsel_match(const struct recsel *s, const struct rec *r)
{
	struct capture_hdr h;

	if (s->has_bpf) {
		memset(&h, 0, sizeof h);
		h.caplen = r->caplen;
		h.len = r->origlen;
		return pcapdl.offline_filter(&s->bpf, capture_pkthdr(&h),
		    r->data) != 0;
	}
	if (s->has_re) {
#ifdef REG_STARTEND
		regmatch_t m = { .rm_so = 0, .rm_eo = (regoff_t)r->n };

		return regexec(&s->re, (const char *)r->p, 1, &m,
		    REG_STARTEND) == 0;
#else
		return regexec(&s->re, cstr(r->p, r->n), 0, NULL, 0) == 0;
#endif
	}
	return 1;
}
