/* test_natsrec.c: the record's id, time and address texts. */
#include <sys/socket.h>
#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "natsrec.h"
#include "tap.h"

/* refused: natsrec_name_arg("durable name", s) (or, name 0,
 * natsrec_subject_arg(s)) in a child: its exit status, 0 when s was
 * taken, and its standard error in msg (len bytes). */
static void
name_arg(const void *s)
{
	(void)natsrec_name_arg("durable name", s);
}

static void
subject_arg(const void *s)
{
	(void)natsrec_subject_arg(s);
}

static int
refused(int name, const char *s, char *msg, size_t len)
{
	return tap_child(name ? name_arg : subject_arg, s, msg, len);
}

int
main(void)
{
	struct udpmeta m;
	char a[NATSREC_IDLEN], b[NATSREC_IDLEN], t[NATSREC_TIMELEN];
	unsigned char ip[16];
	const unsigned char pay[] = "hello";
	const char *s_gps = "chanrelay.gps";
	char msg[512];
	int64_t sec;
	uint32_t nsec;
	uint16_t port;
	int af;


	memset(&m, 0, sizeof m);
	m.af = AF_INET;
	memcpy(m.src, "\x7f\0\0\1", 4);
	memcpy(m.dst, "\x7f\0\0\2", 4);
	m.sport = 5000;
	m.dport = 6000;
	m.ts.tv_sec = 1733321234;
	m.ts.tv_nsec = 42;
	natsrec_id_udp(a, "chanrelay.gps", &m, pay, 5);
	natsrec_id_udp(b, "chanrelay.gps", &m, pay, 5);
	ok(strcmp(a, b) == 0, "the same record has the same id");
	ok(strncmp(a, "1733321234000000042-", 20) == 0 && strlen(a) == 36,
	    "the id starts with the time in ns: %s", a);
	natsrec_id_udp(b, "chanrelay.gnss", &m, pay, 5);
	ok(strcmp(a, b) != 0, "another subject, another id");
	m.sport++;
	natsrec_id_udp(b, "chanrelay.gps", &m, pay, 5);
	ok(strcmp(a, b) != 0, "another source port, another id");
	m.sport--;
	natsrec_id_udp(b, "chanrelay.gps", &m, pay, 4);
	ok(strcmp(a, b) != 0, "another payload, another id");
	natsrec_id_line(a, "s", 7, pay, 5);
	ok(strncmp(a, "L7-", 3) == 0, "a line's id has its number: %s", a);
	natsrec_id_pack(a, 3, 0xabcull);
	ok(strcmp(a, "P3-0000000000000abc") == 0, "a pack's id: %s", a);
	ok(strcmp(natsrec_time(t, 12, 5), "12.000000005") == 0,
	    "time text: %s", t);
	ok(natsrec_time_parse("1733321234.000000042", &sec, &nsec) == 0 &&
	    sec == 1733321234 && nsec == 42, "time parsed back");
	ok(natsrec_time_parse("12.5", &sec, &nsec) == 0 && sec == 12 &&
	    nsec == 500000000, "a short fraction");
	ok(natsrec_time_parse("12", &sec, &nsec) == 0 && sec == 12 &&
	    nsec == 0, "no fraction");
	ok(natsrec_time_parse("12.", &sec, &nsec) == -1 &&
	    natsrec_time_parse("1.0000000001", &sec, &nsec) == -1 &&
	    natsrec_time_parse("x", &sec, &nsec) == -1 &&
	    natsrec_time_parse("1 ", &sec, &nsec) == -1, "bad times refused");
	ok(natsrec_addr_parse("127.0.0.1:5000", &af, ip, &port) == 0 &&
	    af == AF_INET && port == 5000 && memcmp(ip, "\x7f\0\0\1", 4) == 0,
	    "IPv4 address parsed");
	ok(natsrec_addr_parse("[::1]:9", &af, ip, &port) == 0 &&
	    af == AF_INET6 && port == 9 && ip[15] == 1, "IPv6 address parsed");
	ok(natsrec_addr_parse("gps.example:1", &af, ip, &port) == -1 &&
	    natsrec_addr_parse(":5", &af, ip, &port) == -1,
	    "names and wildcards refused");
	ok(strcmp(natsrec_addr(t, AF_INET, m.src, 5000), "127.0.0.1:5000") ==
	    0, "address text: %s", t);
	ok(!natsrec_subject_bad("chanrelay.gps") && !natsrec_subject_bad("a"),
	    "subjects taken");
	ok(natsrec_subject_bad("") && natsrec_subject_bad("a..b") &&
	    natsrec_subject_bad(".a") && natsrec_subject_bad("a.") &&
	    natsrec_subject_bad("a.*") && natsrec_subject_bad("a.>") &&
	    natsrec_subject_bad("a b"), "empty tokens, wildcards, spaces refused");
	ok(!natsrec_name_bad("CHAN_1-x") && natsrec_name_bad("a.b") &&
	    natsrec_name_bad("a$b") && natsrec_name_bad(""), "names");
	ok(natsrec_subject_arg(s_gps) == s_gps, "subject_arg: a subject "
	    "taken is returned");
	ok(natsrec_name_arg("stream name", "GPS_1") != NULL,
	    "name_arg: a name taken is returned");
	is_int(refused(0, "a.*", msg, sizeof msg), 100,
	    "subject_arg: a wildcard exits 100");
	ok(strstr(msg, "invalid subject 'a.*': use tokens of letters, "
	    "digits, '-' and '_' between dots") != NULL, "  says so: %s", msg);
	is_int(refused(1, "a.b", msg, sizeof msg), 100,
	    "name_arg: a dot exits 100");
	ok(strstr(msg, "invalid durable name 'a.b': use letters, digits, "
	    "'-' and '_'") != NULL, "  says so: %s", msg);
	is_int(refused(1, "ok-1", msg, sizeof msg), 0,
	    "name_arg: a good name does not exit");
	return tap_done();
}
