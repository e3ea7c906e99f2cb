/* test_rules.c: allow/deny rules: the first-match decision and rule files. */
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cidr.h"
#include "rules.h"
#include "tap.h"

static struct sockaddr_storage ss;

static const struct sockaddr *
sa(const char *ip)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof ss);
	if (inet_pton(AF_INET, ip, &s4->sin_addr) == 1)
		s4->sin_family = AF_INET;
	else if (inet_pton(AF_INET6, ip, &s6->sin6_addr) == 1)
		s6->sin6_family = AF_INET6;
	return (struct sockaddr *)&ss;
}

static void
add(struct rules *rs, const char *p, int allow)
{
	struct cidr c;

	ok(cidr_parse(p, &c) == NULL, "parse %s", p);
	c.allow = allow;
	rules_add(rs, &c);
}

static void
deciding(void)
{
	struct rules rs;

	memset(&rs, 0, sizeof rs);
	ok(rules_allow(&rs, sa("1.2.3.4")), "no rules: allowed");
	add(&rs, "127.0.0.1", 0);
	ok(!rules_allow(&rs, sa("127.0.0.1")), "denied by a /32");
	ok(rules_allow(&rs, sa("127.0.0.2")), "deny rules only: others pass");
	ok(!rules_allow(&rs, sa("::ffff:127.0.0.1")),
	    "an IPv4-mapped address matches as IPv4");
	add(&rs, "127.0.0.0/8", 1);
	ok(rules_allow(&rs, sa("127.9.9.9")), "allowed by the /8");
	ok(!rules_allow(&rs, sa("127.0.0.1")), "the first match decides");
	ok(!rules_allow(&rs, sa("10.0.0.1")),
	    "an allow rule exists: no match is a deny");
	ok(!rules_allow(&rs, sa("::1")), "IPv6 matches no IPv4 rule");
	add(&rs, "::/0", 1);
	ok(rules_allow(&rs, sa("2001:db8::5")), "::/0 allows every IPv6");
	rules_free(&rs);
	ok(rs.n == 0 && rules_allow(&rs, sa("127.0.0.1")), "freed");
}

static void
files(void)
{
	char path[] = "/tmp/test_rules.XXXXXX";
	const char *why = NULL;
	unsigned long line = 0;
	char text[80];
	struct rules rs;
	FILE *f;
	int fd;

	memset(&rs, 0, sizeof rs);
	fd = mkstemp(path);
	f = fdopen(fd, "w");
	fputs("# office\n\nallow 192.0.2.0/24  # lab\ndeny ::1\n", f);
	fclose(f);
	is_int(rules_load(&rs, path, &line, &why, text, sizeof text), 0, "a good file loads");
	is_int(rs.n, 2, "two rules");
	ok(rules_allow(&rs, sa("192.0.2.7")), "allowed from the file");
	ok(!rules_allow(&rs, sa("::1")), "denied from the file");
	f = fopen(path, "w");
	fputs("allow 10.0.0.0/8\npermit 1.2.3.4\n", f);
	fclose(f);
	is_int(rules_load(&rs, path, &line, &why, text, sizeof text), 1, "a bad line fails");
	is_int(line, 2, "on line 2");
	is_str(why, "expected allow or deny", "saying why");
	is_str(text, "permit 1.2.3.4", "with the line's text");
	f = fopen(path, "w");
	fputs("deny 10.0.0.0/40\n", f);
	fclose(f);
	is_int(rules_load(&rs, path, &line, &why, text, sizeof text), 1, "a bad prefix fails");
	is_str(why, "invalid prefix length", "saying why");
	/* found by tests/fuzz/fuzz_rules: the NUL cut the line short */
	f = fopen(path, "w");
	fwrite("allow ::1\ndeny 10.0.0.1\0junk\n", 1, 30, f);
	fclose(f);
	rules_free(&rs);
	is_int(rules_load(&rs, path, &line, &why, text, sizeof text), 1,
	    "a NUL byte in a rule fails");
	is_int(line, 2, "on line 2");
	is_str(why, "a NUL byte", "saying why");
	is_str(text, "deny 10.0.0.1", "with the line's text up to the NUL");
	f = fopen(path, "w");
	fwrite("# a \0 in a comment\n", 1, 20, f);
	fclose(f);
	rules_free(&rs);
	is_int(rules_load(&rs, path, &line, &why, text, sizeof text), 1,
	    "a NUL byte in a comment fails too");
	unlink(path);
	is_int(rules_load(&rs, path, &line, &why, text, sizeof text), -1, "a missing file");
	rules_free(&rs);
}

/* starting: rules_start in a child: its exit status, 0 when it built */
static int
starting(const struct rulesrcs *src)
{
	struct rules rs;
	pid_t pid;
	int st;

	fflush(stdout);
	if ((pid = fork()) == 0) {
		close(2);
		rules_start(&rs, src);
		_exit(rs.n == src->n ? 0 : 1);
	}
	if (pid == -1 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static void
sources(void)
{
	struct rulesrcs src;
	struct rules rs;
	char path[] = "/tmp/test_rules_src.XXXXXX", why[256];
	const char *e = NULL;
	pid_t pid;
	int fd, st = 0;

	memset(&src, 0, sizeof src);
	is_int(rulesrc_add(&src, 'X', "127.0.0.1", &e), 0, "a deny prefix");
	is_int(rulesrc_add(&src, 'A', "127.0.0.0/8", &e), 0,
	    "an allow prefix");
	is_int(rulesrc_add(&src, 'A', "10.0.0.0/99", &e), 1,
	    "a bad prefix is refused");
	is_str(e, "invalid prefix length", "saying why");
	is_int((long long)src.n, 2, "and not kept");
	ok(rules_build(&rs, &src, why, sizeof why, &st) == 0,
	    "prefixes build");
	ok(!rules_allow(&rs, sa("127.0.0.1")), "in order: the deny first");
	ok(rules_allow(&rs, sa("127.0.0.2")), "then the allow");
	ok(!rules_allow(&rs, sa("10.0.0.1")), "an allow: others denied");
	rules_free(&rs);
	fd = mkstemp(path);
	(void)!write(fd, "deny 127.0.0.2\n", 15);
	close(fd);
	is_int(rulesrc_add(&src, 'x', path, &e), 0, "a file is not checked "
	    "when added");
	ok(rules_build(&rs, &src, why, sizeof why, &st) == 0, "with a file");
	ok(rules_allow(&rs, sa("127.0.0.2")),
	    "the file comes after the prefixes: the /8 decides");
	rules_free(&rs);
	fd = open(path, O_WRONLY | O_TRUNC);
	(void)!write(fd, "permit 1.2.3.4\n", 15);
	close(fd);
	ok(rules_build(&rs, &src, why, sizeof why, &st) == -1,
	    "a bad rule fails the build");
	is_int(st, 100, "status 100");
	ok(strstr(why, ":1: invalid rule 'permit 1.2.3.4': ") != NULL,
	    "naming the file, line and rule: %s", why);
	is_int((long long)rs.n, 0, "no rules kept");
	unlink(path);
	ok(rules_build(&rs, &src, why, sizeof why, &st) == -1,
	    "a missing file fails the build");
	is_int(st, 111, "status 111");
	ok(strncmp(why, "unable to read /tmp/test_rules_src.", 35) == 0,
	    "naming the file: %s", why);
	src.n = 2;
	ok(rules_build(&rs, &src, why, sizeof why, &st) == 0,
	    "reload: the prefixes first");
	src.n = 3;
	ok(rules_reload(&rs, &src, why, sizeof why) == -1,
	    "reload: a missing file fails");
	ok(rs.n == 2 && !rules_allow(&rs, sa("127.0.0.1")),
	    "  the old rules kept");
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	(void)!write(fd, "deny 127.0.0.2\n", 15);
	close(fd);
	ok(rules_reload(&rs, &src, why, sizeof why) == 0,
	    "  a good file replaces them");
	is_int((long long)rs.n, 3, "  with its rule");
	unlink(path);
	rules_free(&rs);
	rulesrc_arg(&src, 'X', "10.1.0.0/16");
	ok(src.n == 4 && src.v[3].kind == 'X', "rulesrc_arg: one added");
	fflush(stdout);
	if ((pid = fork()) == 0) {
		close(2);
		rulesrc_arg(&src, 'A', "10.0.0.0/99");
		_exit(0);
	}
	ok(waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 100, "  a bad prefix: exit 100");
	src.n = 3;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	(void)!write(fd, "permit 1.2.3.4\n", 15);
	close(fd);
	is_int(starting(&src), 100, "rules_start: a bad rule, exit 100");
	unlink(path);
	is_int(starting(&src), 111, "  a missing file, exit 111");
	src.n = 2;
	is_int(starting(&src), 0, "  good ones, built");
	free(src.v);
}

int
main(void)
{
	deciding();
	files();
	sources();
	return tap_done();
}
