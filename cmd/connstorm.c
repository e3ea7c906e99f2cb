/*
 * connstorm: open TCP connections to one address at a controlled rate
 * (ramp and hold, open loop, paced against an absolute clock) and report
 * what really happened: attempts, handshakes, completions, failures by
 * cause, latency percentiles, and, when the target is on this host, the
 * kernel's listen overflows and SYN drops.
 */
#include <err.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arg.h"
#include "ceiling.h"
#include "clock.h"
#include "metrics.h"
#include "num.h"
#include "storm.h"
#include "stormlog.h"
#include "stormopt.h"
#include "stormrun.h"

#define USAGE "usage: connstorm [-hNqvX] [-E PERCENT] [-e REPLY] " \
	"[-F FORMAT] [-g FACTOR] [-I RAMP] [-i START] [-k HOLD] [-l LIMIT] " \
	"[-M FILE] [-n LENGTH] [-P LATENCY] [-p PAYLOAD] [-r RATE] " \
	"[-s SOURCES] [-t DURATION] [-w TIMEOUT] ADDRESS"
#define OPTSTRING	"E:e:F:g:hI:i:k:l:M:Nn:P:p:qr:s:t:vw:X"

#define MS		1000000ull
#define RATE_MAX	10000000
#define CAP_MAX		1000000

/* ---- options ---- */

static void
getopts(int argc, char **argv, struct stormopt *o)
{
	int c;

	opterr = 0;	/* getopt's messages name argv[0]; ours name the program */
	while ((c = getopt(argc, argv, OPTSTRING)) != -1) {
		switch (c) {
		case 'E': o->errmp = milli_arg("error percentage", optarg,
		    0, 100000, "below 0", "above 100");
			o->eset = 1; break;
		case 'e': stormopt_reply(o, optarg); break;
		case 'F': o->fmt = stormopt_format(optarg); break;
		case 'g': o->factor = milli_arg("growth factor", optarg,
		    1001, 100000, "not above 1", "above 100");
			o->gset = 1; break;
		case 'h': arg_help(0); break;
		case 'I': o->ramp = dur_arg("ramp", optarg, 0,
		    86400 * NS_PER_S); break;
		case 'i': o->start = num_arg("start rate", optarg, 1,
		    RATE_MAX); o->startset = 1; break;
		case 'k': o->hold = dur_arg("hold", optarg, 0,
		    86400 * NS_PER_S); break;
		case 'l': o->cap = num_arg("concurrency", optarg, 1, CAP_MAX);
			break;
		case 'M': o->metrics = optarg; break;
		case 'N': o->normal = 1; break;
		case 'n': o->length = size_arg("length", optarg, 1,
		    1ull << 40); break;
		case 'P': o->maxlat = dur_arg("latency", optarg, 1000,
		    3600 * NS_PER_S); o->pset = 1; break;
		case 'p': stormopt_payload(o, optarg); break;
		case 'q': o->quiet = 1; break;
		case 'r': o->rate = num_arg("rate", optarg, 1, RATE_MAX);
			o->rateset = 1; break;
		case 's': o->srcarg = optarg; break;
		case 't': o->dur = dur_arg("duration", optarg, MS,
		    86400 * NS_PER_S); break;
		case 'v': o->verbose = 1; break;
		case 'w': o->timeout = dur_arg("timeout", optarg, MS,
		    3600 * NS_PER_S); break;
		case 'X': o->search = 1; break;
		default:
			arg_badopt(OPTSTRING);
		}
	}
}

/* parse: the options, then every conflict refused before anything opens. */
static void
parse(int argc, char **argv, struct stormopt *o)
{
	stormopt_init(o);
	arg_usage = USAGE;
	getopts(argc, argv, o);
	stormopt_check(o, arg_operand(argc - optind, argv + optind, "ADDRESS"));
}

/* ---- the two ways to run ---- */

/* storm: one run of the schedule the options give, and its summary.
 * Returns the exit status. */
static int
storm(struct stormrun *r, const struct stormopt *o, FILE *out)
{
	struct stormsum s;

	stormrun_go(r, o->start, o->rate, o->ramp, o->dur);
	stormlog_endlive(&r->log);
	stormrun_sum(r, &s);
	if (o->fmt == STORMOPT_JSON) {
		fputc('{', out);
		storm_sum_json(&s, out);
		fputs("}\n", out);
	} else
		storm_sum_text(&s, out);
	fflush(out);
	return stormrun_verdict(r);
}

/* search: -X: steps of rising rate until one fails; the ceiling is the
 * last that held. Returns the exit status. */
static int
search(struct stormrun *r, const struct stormopt *o, FILE *out)
{
	struct ceiling c;
	struct stormsum s;
	uint64_t rate;

	memset(&c, 0, sizeof c);
	c.start = o->start;
	c.max = o->rate;
	c.factor = o->factor;
	c.errmp = o->errmp;
	c.maxlat = o->maxlat;
	c.json = o->fmt == STORMOPT_JSON;
	rate = ceiling_begin(&c, out);
	while (rate != 0) {
		stormrun_go(r, rate, rate, 0, o->dur);
		stormrun_sum(r, &s);
		stormlog_endlive(&r->log);
		rate = ceiling_step(&c, &s, r->interrupted, out);
	}
	return ceiling_end(&c, out);
}

/* ---- main ---- */

/* setup: the run, and what every connection is to do, from the options. */
static struct stormrun *
setup(const struct stormopt *o)
{
	struct stormrun *r;

	r = stormrun_new(&o->dst, (uint32_t)o->cap);
	r->p.src = o->src;
	r->p.nsrc = o->nsrc;
	r->p.payload = o->payload;
	r->p.npayload = o->npayload;
	r->p.reply = o->reply;
	r->p.expect = o->expect;
	r->p.timeout = o->timeout;
	r->p.hold = o->hold;
	r->p.normal = o->normal;
	r->p.onfail = o->verbose ? stormlog_fail : NULL;
	r->p.arg = &r->log;
	r->log.csv = o->fmt == STORMOPT_CSV;
	r->log.quiet = o->quiet;
	r->log.tty = isatty(STDERR_FILENO);
	return r;
}

int
main(int argc, char **argv)
{
	struct stormopt o;
	struct stormrun *r;
	FILE *out;
	int status;

	parse(argc, argv, &o);
	stormopt_fdlimit(&o);
	if (o.nsrc)
		stormopt_probe(&o);
	r = setup(&o);
	if (metrics_setup(&r->m, o.metrics, "connstorm"))
		stormrun_metrics(r);
	if (o.verbose)
		stormopt_print(&o, stderr);
	/* with -F csv, the per-second lines go to stdout, the rest aside */
	out = o.fmt == STORMOPT_CSV ? stderr : stdout;
	if (o.fmt == STORMOPT_CSV)
		storm_sec_csvhead(stdout);
	status = o.search ? search(r, &o, out) : storm(r, &o, out);
	stormrun_metrics(r);
	/* give back what was taken, for leak checkers */
	stormrun_free(r);
	stormopt_free(&o);
	if (fflush(stdout) == EOF || ferror(stdout))
		err(111, "unable to write output");
	return status;
}
