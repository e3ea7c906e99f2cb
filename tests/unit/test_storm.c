/* test_storm.c: the failure causes, and the per-second line and summary
 * in every form, byte for byte, with values known and unknown. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storm.h"
#include "tap.h"

static char *text;
static size_t ntext;

/* mem: a stream whose text done() returns. */
static FILE *
mem(void)
{
	FILE *f;

	free(text);
	text = NULL;
	if ((f = open_memstream(&text, &ntext)) == NULL) {
		perror("open_memstream");
		exit(1);
	}
	return f;
}

static const char *
done(FILE *f)
{
	fclose(f);
	return text;
}

static void
test_causes(void)
{
	struct stormcount a, b;
	int k;

	is_int(storm_cause(ECONNREFUSED), STORM_REFUSED, "refused");
	is_int(storm_cause(ETIMEDOUT), STORM_TIMEOUT, "timed out");
	is_int(storm_cause(EPIPE), STORM_RESET, "EPIPE: a reset");
	is_int(storm_cause(EADDRNOTAVAIL), STORM_NOPORT, "no port left");
	is_int(storm_cause(EAGAIN), STORM_NOPORT, "EAGAIN: no port left");
	is_int(storm_cause(EHOSTUNREACH), STORM_UNREACH, "unreachable");
	is_int(storm_cause(EMFILE), STORM_NOFD, "out of descriptors");
	is_int(storm_cause(EINVAL), STORM_OTHER, "anything else: other");
	is_str(storm_causename[STORM_UNREACH], "unreachable", "its name");

	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	b.attempted = 10;
	b.failed = 7;
	for (k = 0; k < STORM_NCAUSE; k++)
		b.cause[k] = 1;
	storm_count_add(&a, &b);
	storm_count_add(&a, &b);
	is_int(a.attempted, 20, "counts add up");
	is_int(a.cause[STORM_NOFD], 2, "causes add up");
	is_int(storm_others(&a), 14 - 8, "others: failed but the four named");
}

/* sec: a line with every value known, or with the unknown ones unknown. */
static void
sec(struct stormsec *s, int known)
{
	memset(s, 0, sizeof *s);
	s->tms = known ? 3000 : 4412;
	s->rate = 100;
	s->c.attempted = 99;
	s->c.established = 98;
	s->c.completed = 95;
	s->c.failed = 4;
	s->c.cause[STORM_REFUSED] = 1;
	s->c.cause[STORM_EOF] = 3;
	s->other = storm_others(&s->c);
	s->open = 2;
	s->p50 = known ? 1234 : STORM_NONE;
	s->p99 = known ? 56 : STORM_NONE;
	s->overflows = known ? 5 : STORM_NONE;
	s->syndrops = known ? 6 : STORM_NONE;
	s->timewait = known ? 7 : STORM_NONE;
}

static void
test_second(void)
{
	struct stormsec s;
	char buf[512];
	FILE *f;

	sec(&s, 1);
	storm_sec_text(&s, buf, sizeof buf);
	is_str(buf, "t=3.0s rate=100 attempted=99 established=98 "
	    "completed=95 failed=4 refused=1 timeout=0 reset=0 noport=0 "
	    "other=3 open=2 connect_p50=1.234ms connect_p99=0.056ms "
	    "overflows=5 syndrops=6 timewait=7", "text, all known");
	sec(&s, 0);
	storm_sec_text(&s, buf, sizeof buf);
	is_str(buf, "t=4.412s rate=100 attempted=99 established=98 "
	    "completed=95 failed=4 refused=1 timeout=0 reset=0 noport=0 "
	    "other=3 open=2 connect_p50=- connect_p99=-",
	    "text: latency unknown '-', kernel unknown left out");
	storm_sec_text(&s, buf, 20);
	is_str(buf, "t=4.412s rate=100 a", "text: cut to the buffer");

	f = mem();
	storm_sec_csvhead(f);
	is_str(done(f), "t,rate,attempted,established,completed,failed,"
	    "refused,timeout,reset,noport,other,open,connect_p50_us,"
	    "connect_p99_us,overflows,syndrops,timewait\n", "CSV header");
	f = mem();
	sec(&s, 1);
	storm_sec_csv(&s, f);
	sec(&s, 0);
	storm_sec_csv(&s, f);
	is_str(done(f), "3.0,100,99,98,95,4,1,0,0,0,3,2,1234,56,5,6,7\n"
	    "4.412,100,99,98,95,4,1,0,0,0,3,2,,,,,\n",
	    "CSV: unknown values empty");

	f = mem();
	sec(&s, 1);
	storm_sec_json(&s, f, ",");
	sec(&s, 0);
	storm_sec_json(&s, f, "");
	is_str(done(f), "{\"t\":3.000,\"rate\":100,\"attempted\":99,"
	    "\"established\":98,\"completed\":95,\"failed\":4,\"refused\":1,"
	    "\"timeout\":0,\"reset\":0,\"noport\":0,\"other\":3,\"open\":2,"
	    "\"connect_p50_us\":1234,\"connect_p99_us\":56,\"overflows\":5,"
	    "\"syndrops\":6,\"timewait\":7},"
	    "{\"t\":4.412,\"rate\":100,\"attempted\":99,"
	    "\"established\":98,\"completed\":95,\"failed\":4,\"refused\":1,"
	    "\"timeout\":0,\"reset\":0,\"noport\":0,\"other\":3,\"open\":2,"
	    "\"connect_p50_us\":null,\"connect_p99_us\":null,"
	    "\"overflows\":null,\"syndrops\":null,\"timewait\":null}",
	    "JSON: unknown values null");
}

static void
test_summary(void)
{
	static struct hist hc, hr;
	struct stormsec secs[1];
	struct stormsum s;
	FILE *f;

	hist_reset(&hc);
	hist_reset(&hr);
	hist_add(&hc, 100);
	hist_add(&hc, 900);
	sec(&secs[0], 1);
	memset(&s, 0, sizeof s);
	strcpy(s.address, "127.0.0.1:80");
	s.rate = 100;
	s.start = 10;
	s.ramp = 1000000000;
	s.hold = 2500000000;
	s.target = 300;
	s.duration = 3500000000;
	s.elapsed = 3600000000;
	s.sustained = 99.26;
	s.peak = 4;
	s.aborted = 1;
	s.behind = 2;
	s.c = secs[0].c;
	s.connect = &hc;
	s.reply = &hr;
	s.overflows = s.syndrops = STORM_NONE;
	s.timewait = 9;
	s.secs = secs;
	s.nsecs = 1;

	f = mem();
	storm_sum_text(&s, f);
	is_str(done(f), "target: 127.0.0.1:80 rate=100 start=10 ramp=1.000s "
	    "hold=2.500s due=300\n"
	    "result: duration=3.500s elapsed=3.600s sustained_cps=99.3 "
	    "peak_concurrency=4 attempted=99 established=98 completed=95 "
	    "failed=4 aborted=1 behind=2\n"
	    "errors: refused=1 timeout=0 reset=0 noport=0 unreachable=0 "
	    "mismatch=0 eof=3 nofd=0 other=0\n"
	    "connect: p50=0.100ms p90=0.900ms p99=0.900ms p99.9=0.900ms "
	    "max=0.900ms\n"
	    "reply: none\n"
	    "kernel: timewait=9\n", "text summary");

	s.sustained = -1;
	s.overflows = 5;
	s.syndrops = 6;
	s.timewait = STORM_NONE;
	f = mem();
	storm_sum_json(&s, f);
	is_str(done(f), "\"address\":\"127.0.0.1:80\",\"target_rate\":100,"
	    "\"start_rate\":10,\"ramp_s\":1.000,\"hold_s\":2.500,"
	    "\"duration_s\":3.500,\"elapsed_s\":3.600,\"target\":300,"
	    "\"sustained_cps\":null,\"peak_concurrency\":4,\"attempted\":99,"
	    "\"established\":98,\"completed\":95,\"failed\":4,\"aborted\":1,"
	    "\"behind\":2,\"errors\":{\"refused\":1,\"timeout\":0,\"reset\":0,"
	    "\"noport\":0,\"unreachable\":0,\"mismatch\":0,\"eof\":3,"
	    "\"nofd\":0,\"other\":0},\"connect_us\":{\"p50\":100,\"p90\":900,"
	    "\"p99\":900,\"p999\":900,\"max\":900},\"reply_us\":{\"p50\":null,"
	    "\"p90\":null,\"p99\":null,\"p999\":null,\"max\":null},"
	    "\"listen_overflows\":5,\"syndrops\":6,\"timewait\":null,"
	    "\"seconds\":[{\"t\":3.000,\"rate\":100,\"attempted\":99,"
	    "\"established\":98,\"completed\":95,\"failed\":4,\"refused\":1,"
	    "\"timeout\":0,\"reset\":0,\"noport\":0,\"other\":3,\"open\":2,"
	    "\"connect_p50_us\":1234,\"connect_p99_us\":56,\"overflows\":5,"
	    "\"syndrops\":6,\"timewait\":7}]",
	    "JSON summary: no hold, kernel known, timewait not");

	f = mem();
	storm_sum_text(&s, f);
	ok(strstr(done(f), " sustained_cps=- ") != NULL &&
	    strstr(text, "kernel: listen_overflows=5 syndrops=6\n") != NULL,
	    "text summary: no hold '-', kernel shown, timewait left out");
}

int
main(void)
{
	test_causes();
	test_second();
	test_summary();
	free(text);
	return tap_done();
}
