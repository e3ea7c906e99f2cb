/* recsel.h: the records a sink takes: those a BPF filter passes (pcap
 * input, tee-sink -f) or those an extended regex matches (text lines,
 * -e); with neither, every record. */
#ifndef RECSEL_H
#define RECSEL_H

#include <sys/types.h>
#include <regex.h>
#include <stddef.h>
#include <stdint.h>
#include <pcap/pcap.h>

#include "recin.h"

enum { RECSEL_BPF, RECSEL_REGEX };

struct recsel {
	const char *bpf_expr;	/* given; compiled once the input is known */
	struct bpf_program bpf;
	int has_bpf, has_re;
	regex_t re;
};

/*
 * recsel_arg: "N=TEXT" selects for sink N (1..n) of v: a BPF expression
 * (kind RECSEL_BPF, kept for recsel_compile) or a regex (RECSEL_REGEX,
 * compiled now). A misuse (no N=, N out of range, a second selection for
 * a sink, a bad regex) is told as the arg_ functions tell it, exit 100.
 */
void recsel_arg(struct recsel *v, int n, int kind, const char *s);

/*
 * recsel_compile: the input's framing (FRAME_PCAP, with its linktype, or
 * FRAME_TEXT) is known: check the n selections fit it and compile the
 * BPF ones. Returns 0, or the exit status (100: a selection that does
 * not fit or does not compile, 111: libpcap unusable) with the message
 * in why (len bytes).
 */
int recsel_compile(struct recsel *v, int n, int framing, uint32_t linktype,
    char *why, size_t len);

/* recsel_any: 1 when s selects (a filter or a regex), 0 when it takes
 * every record. */
int recsel_any(const struct recsel *s);

/* recsel_match: 1 when s takes the record r. */
int recsel_match(const struct recsel *s, const struct rec *r);

#endif
