/* tcpstat.c: the kernel's TCP counters of this network namespace. */
#include <sys/socket.h>

#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "tcpstat.h"

/* readfile: up to n - 1 bytes of path, NUL-terminated. Returns the
 * length, -1 when it cannot be read. */
static ssize_t
readfile(const char *path, char *buf, size_t n)
{
	ssize_t len, got = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	while ((size_t)got < n - 1 &&
	    (len = read(fd, buf + got, n - 1 - (size_t)got)) > 0)
		got += len;
	close(fd);
	buf[got] = '\0';
	return got;
}

/* word_num: the number that is the index-th blank-separated word of
 * line (from 0). Returns 0, or -1 when there is no such number. */
static int
word_num(const char *line, int index, uint64_t *v)
{
	const char *p = line;
	int i;

	for (i = 0; i < index; i++) {
		p += strcspn(p, " \n");
		if (*p != ' ')
			return -1;
		p++;
	}
	if (*p < '0' || *p > '9')
		return -1;
	for (*v = 0; *p >= '0' && *p <= '9'; p++)
		*v = *v * 10 + (uint64_t)(*p - '0');
	return 0;
}

/* word_index: the position of word in line (names line of a /proc
 * table), or -1. */
static int
word_index(const char *line, const char *word)
{
	size_t n = strlen(word);
	const char *p = line;
	int i;

	for (i = 0; *p != '\0' && *p != '\n'; i++) {
		if (strncmp(p, word, n) == 0 && (p[n] == ' ' ||
		    p[n] == '\n' || p[n] == '\0'))
			return i;
		p += strcspn(p, " \n");
		if (*p == ' ')
			p++;
	}
	return -1;
}

struct tcpstat
tcpstat_parse_netstat(const char *text)
{
	struct tcpstat k = { 0, 0, 0 };
	const char *names, *vals;
	int io, id;

	if ((names = strstr(text, "TcpExt:")) == NULL ||
	    (vals = strstr(names + 7, "TcpExt:")) == NULL)
		return k;
	io = word_index(names, "ListenOverflows");
	id = word_index(names, "ListenDrops");
	if (io < 0 || id < 0 || word_num(vals, io, &k.overflows) == -1 ||
	    word_num(vals, id, &k.drops) == -1)
		return k;
	k.ok = 1;
	return k;
}

uint64_t
tcpstat_parse_tw(const char *text)
{
	const char *p;
	uint64_t v;
	int i;

	if ((p = strstr(text, "\nTCP: ")) == NULL ||
	    (i = word_index(p + 1, "tw")) < 0 ||
	    word_num(p + 1, i + 1, &v) == -1)
		return TCPSTAT_NONE;
	return v;
}

struct tcpstat
tcpstat_read(void)
{
	static char buf[16384];
	struct tcpstat k = { 0, 0, 0 };

	if (readfile("/proc/net/netstat", buf, sizeof buf) <= 0)
		return k;
	return tcpstat_parse_netstat(buf);
}

uint64_t
tcpstat_timewait(void)
{
	char buf[4096];

	if (readfile("/proc/net/sockstat", buf, sizeof buf) <= 0)
		return TCPSTAT_NONE;
	return tcpstat_parse_tw(buf);
}
