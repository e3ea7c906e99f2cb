/* test_stormrun.c: runs of a schedule over loopback: every connection
 * due started and completed, the summary and verdict of a good run and
 * of a refused one, the lines of a second run following the first's, a
 * run stopped at once by SIGTERM. */
#include <sys/socket.h>

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "stormrun.h"
#include "tap.h"
#include "tcpsock.h"

#define MS 1000000ull

static struct addr srv, closed;

static struct stormrun *
fresh(const struct addr *dst)
{
	struct stormrun *r;

	r = stormrun_new(dst, 16);
	r->p.timeout = 1000 * MS;
	r->log.quiet = 1;
	return r;
}

static void
test_good(void)
{
	struct stormrun *r = fresh(&srv);
	char a[ADDR_STRLEN];
	struct stormsum s;
	uint64_t t0;

	t0 = clock_mono();
	stormrun_go(r, 50, 50, 0, 200 * MS);
	ok(clock_mono() - t0 < 1000 * MS, "200 ms at 50/s: over in time");
	stormrun_sum(r, &s);
	is_str(s.address, addr_format((const struct sockaddr *)&srv.ss, a),
	    "  the summary names the address");
	is_int(s.target, 10, "  10 due");
	is_int(s.c.attempted, 10, "  10 attempted");
	is_int(s.c.established, 10, "  10 established");
	is_int(s.c.completed, 10, "  10 completed");
	is_int(s.c.failed, 0, "  none failed");
	is_int(s.behind, 0, "  none behind");
	is_int(s.duration, 200 * MS, "  the schedule: 200 ms");
	ok(s.elapsed >= s.duration, "  the run at least that");
	is_int(s.nsecs, 1, "  one line, a partial second");
	ok(s.secs[0].tms >= 200 && s.secs[0].tms < 1000,
	    "  ending at 200 ms (the stop, and the moment it took)");
	is_int(s.secs[0].c.completed, 10, "  with the 10 in it");
	is_int(r->offset, 200 * MS, "  the next run's lines go on from it");
	is_int(stormrun_verdict(r), 0, "  the verdict: good");
	stormrun_go(r, 20, 20, 0, 100 * MS);
	stormrun_sum(r, &s);
	is_int(s.target, 2, "a second run: its own target");
	is_int(s.c.completed, 2, "  its own counts");
	ok(s.secs[0].tms >= 300 && s.secs[0].tms < 1000,
	    "  its line at 300 ms: it follows the first run's");
	is_int(stormrun_verdict(r), 0, "  good");
	stormrun_free(r);
}

static void
test_refused(void)
{
	struct stormrun *r = fresh(&closed);
	struct stormsum s;

	stormrun_go(r, 20, 20, 0, 100 * MS);
	stormrun_sum(r, &s);
	is_int(s.c.attempted, 2, "refused: 2 attempted");
	is_int(s.c.failed, 2, "  2 failed");
	is_int(s.c.cause[STORM_REFUSED], 2, "  by refusal");
	is_int(stormrun_verdict(r), 1, "  the verdict: bad");
	stormrun_free(r);
}

static void
test_signal(void)
{
	struct stormrun *r = fresh(&srv);
	struct stormsum s;

	raise(SIGTERM);
	stormrun_go(r, 50, 50, 0, 10000 * MS);
	stormrun_sum(r, &s);
	ok(r->interrupted, "SIGTERM: interrupted");
	ok(s.duration < 1000 * MS, "  stopped at once");
	is_int(s.target, s.c.attempted, "  the target what was due");
	is_int(stormrun_verdict(r), 0, "  good");
	stormrun_free(r);
}

int
main(void)
{
	const char *step;
	int lfd, fd;

	addr_parse("127.0.0.1:0", &srv);
	if ((lfd = tcpsock_listen(&srv, 64, 0, &step)) == -1)
		return 1;
	srv.len = sizeof srv.ss;
	getsockname(lfd, (struct sockaddr *)&srv.ss, &srv.len);
	addr_parse("127.0.0.1:0", &closed);
	if ((fd = tcpsock_listen(&closed, 1, 0, &step)) == -1)
		return 1;
	closed.len = sizeof closed.ss;
	getsockname(fd, (struct sockaddr *)&closed.ss, &closed.len);
	close(fd);	/* its port now refuses */
	test_good();
	test_refused();
	test_signal();
	close(lfd);
	return tap_done();
}
