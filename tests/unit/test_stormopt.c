/* test_stormopt.c: a connection storm's settings: the defaults, what
 * the checks fill in, the conflicts and bad values they refuse (exit 100
 * and the message), the -v line. */
#include <sys/wait.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "stormopt.h"
#include "tap.h"

static struct stormopt o;

/* refused: run f in a child; its exit status, its stderr in buf. */
static int
refused(void (*f)(void), char *buf, size_t len)
{
	int e[2], st;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	fflush(stdout);
	if (pipe(e) == -1 || (pid = fork()) == -1)
		abort();
	if (pid == 0) {
		dup2(e[1], 2);
		f();
		_exit(0);
	}
	close(e[1]);
	while (got < len - 1 && (n = read(e[0], buf + got, len - 1 - got)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	close(e[0]);
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void
both(void)
{
	stormopt_init(&o);
	stormopt_reply(&o, "pong");
	o.length = 4;
	stormopt_check(&o, "127.0.0.1:9");
}

static void
searchnorate(void)
{
	stormopt_init(&o);
	o.search = 1;
	stormopt_check(&o, "127.0.0.1:9");
}

static void
searchramp(void)
{
	stormopt_init(&o);
	o.search = o.rateset = 1;
	o.ramp = NS_PER_S;
	stormopt_check(&o, "127.0.0.1:9");
}

static void
needx(void)
{
	stormopt_init(&o);
	o.gset = 1;
	stormopt_check(&o, "127.0.0.1:9");
}

static void
startabove(void)
{
	stormopt_init(&o);
	o.search = o.rateset = o.startset = 1;
	o.start = 200;
	stormopt_check(&o, "127.0.0.1:9");
}

static void
wildcard(void)
{
	stormopt_init(&o);
	stormopt_check(&o, ":9");
}

static void
port0(void)
{
	stormopt_init(&o);
	stormopt_check(&o, "127.0.0.1:0");
}

static void
srcfamily(void)
{
	stormopt_init(&o);
	o.srcarg = "::1";
	stormopt_check(&o, "127.0.0.1:9");
}

static void
emptyreply(void)
{
	stormopt_init(&o);
	stormopt_reply(&o, "");
}

static void
badescape(void)
{
	stormopt_init(&o);
	stormopt_payload(&o, "a\\q");
}

static void
badformat(void)
{
	stormopt_format("xml");
}

static void
notours(void)
{
	stormopt_init(&o);
	o.srcarg = "192.0.2.1";
	stormopt_check(&o, "127.0.0.1:9");
	stormopt_probe(&o);
}

static void
test_refused(void)
{
	static const struct {
		void (*f)(void);
		const char *msg;
	} t[] = {
		{ both, "use one of -e and -n" },
		{ searchnorate, "-X needs -r: the highest rate to try" },
		{ searchramp, "-X steps without a ramp: leave out -I" },
		{ needx, "-E, -g and -P need -X" },
		{ startabove, "start rate 200 above the highest rate 100" },
		{ wildcard, "invalid address ':9': a destination needs a host" },
		{ port0, "invalid address '127.0.0.1:0': port 0" },
		{ srcfamily, "invalid sources '::1': not IPv4, as the address "
		    "is" },
		{ emptyreply, "invalid reply '': empty" },
		{ badescape, "invalid payload 'a\\q': unknown escape" },
		{ badformat, "invalid format 'xml': not text, json or csv" },
		{ notours, "invalid source '192.0.2.1': not an address of this "
		    "host" },
	};
	char buf[512];
	size_t i;
	int st;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		st = refused(t[i].f, buf, sizeof buf);
		is_int(st, 100, "refused, exit 100: %s", t[i].msg);
		ok(strstr(buf, t[i].msg) != NULL, "  the message says so");
		if (strstr(buf, t[i].msg) == NULL)
			printf("#   stderr: %s", buf);
	}
}

static void
test_filled(void)
{
	stormopt_init(&o);
	is_int(o.rate, 100, "default rate 100");
	is_int(o.cap, 1000, "  limit 1000");
	is_int(o.dur, 5 * NS_PER_S, "  duration 5 s");
	is_int(o.factor, 1250, "  factor 1.25");
	stormopt_check(&o, "127.0.0.1:9");
	is_int(o.start, 100, "no ramp: starts at the rate");
	is_int(o.expect, 0, "  nothing expected back");
	o.ramp = NS_PER_S;
	o.startset = 0;
	stormopt_check(&o, "127.0.0.1:9");
	is_int(o.start, 1, "a ramp: starts at 1");
	stormopt_init(&o);
	o.search = o.rateset = 1;
	o.rate = 5;
	stormopt_check(&o, "127.0.0.1:9");
	is_int(o.start, 1, "-X -r 5: starts at 1");
	o.rate = 500;
	stormopt_check(&o, "127.0.0.1:9");
	is_int(o.start, 50, "-X -r 500: starts at a tenth");
	stormopt_init(&o);
	stormopt_reply(&o, "po\\x6eg\\n");
	stormopt_payload(&o, "pi\\0ng");
	o.srcarg = "127.0.0.1,127.0.0.2";
	stormopt_check(&o, "127.0.0.1:9");
	is_int(o.nreply, 5, "-e decoded");
	ok(memcmp(o.reply, "pong\n", 5) == 0, "  to its bytes");
	is_int(o.expect, 5, "  and expected back");
	is_int(o.npayload, 5, "-p decoded, a NUL in it");
	is_int(o.nsrc, 2, "-s: two sources");
	stormopt_probe(&o);
	ok(1, "  both of this host");
	stormopt_free(&o);
	stormopt_init(&o);
	o.length = 7;
	stormopt_check(&o, "127.0.0.1:9");
	is_int(o.expect, 7, "-n: its length expected back");
	is_int(stormopt_format("text"), STORMOPT_TEXT, "-F text");
	is_int(stormopt_format("json"), STORMOPT_JSON, "-F json");
	is_int(stormopt_format("csv"), STORMOPT_CSV, "-F csv");
	o.cap = 1;
	stormopt_fdlimit(&o);
	ok(1, "-l 1 fits the descriptor limit");
}

static void
test_print(void)
{
	char *text = NULL;
	size_t n;
	FILE *f;

	stormopt_init(&o);
	stormopt_check(&o, "127.0.0.1:9");
	if ((f = open_memstream(&text, &n)) == NULL)
		abort();
	stormopt_print(&o, f);
	o.search = 1;
	stormopt_print(&o, f);
	fclose(f);
	is_str(text, "connstorm: 127.0.0.1:9: rate=100 start=100 "
	    "ramp=0.000s duration=5.000s limit=1000 timeout=5.000s "
	    "hold=0.000s close=reset payload=0 reply=0 sources=0\n"
	    "connstorm: 127.0.0.1:9: rate=100 start=100 "
	    "ramp=0.000s duration=5.000s limit=1000 timeout=5.000s "
	    "hold=0.000s close=reset payload=0 reply=0 sources=0 search: "
	    "factor=1.250 errors=1.000% latency=100.000ms\n",
	    "the -v line, and with -X");
	free(text);
}

int
main(void)
{
	test_refused();
	test_filled();
	test_print();
	return tap_done();
}
