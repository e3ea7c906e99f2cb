/* test_addrfile.c: the bound-address file appears whole or not at all. */
#include <sys/stat.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addrfile.h"
#include "tap.h"

int
main(void)
{
	char dir[] = "/tmp/test_addrfile.XXXXXX", path[256], buf[64];
	struct stat st;
	FILE *f;
	const char *step;
	ssize_t n, r;
	pid_t pid;
	int fd, p[2], wst;

	ok(mkdtemp(dir) != NULL, "temp dir");
	snprintf(path, sizeof path, "%s/addr", dir);
	ok(addrfile_write(path, "127.0.0.1:4000") == 0, "write");
	f = fopen(path, "r");
	ok(f != NULL && fgets(buf, sizeof buf, f) != NULL, "read back");
	is_str(buf, "127.0.0.1:4000\n", "one line, the address");
	if (f)
		fclose(f);
	ok(addrfile_write(path, "[::1]:5") == 0, "replace");
	f = fopen(path, "r");
	ok(f != NULL && fgets(buf, sizeof buf, f) != NULL, "read again");
	is_str(buf, "[::1]:5\n", "replaced whole");
	if (f)
		fclose(f);
	snprintf(buf, sizeof buf, "%s/addr.%ld.tmp", dir, (long)getpid());
	ok(stat(buf, &st) == -1, "no temporary file left behind");
	unlink(path);
	snprintf(path, sizeof path, "%s/fifo", dir);
	ok(mkfifo(path, 0600) == 0, "fifo");
	fd = open(path, O_RDONLY | O_NONBLOCK);
	ok(addrfile_write(path, "1.2.3.4:5") == 0, "a FIFO is written into");
	memset(buf, 0, sizeof buf);
	ok(read(fd, buf, sizeof buf - 1) == 10, "10 bytes through it");
	is_str(buf, "1.2.3.4:5\n", "the address");
	ok(stat(path, &st) == 0 && S_ISFIFO(st.st_mode), "still a FIFO");
	close(fd);
	unlink(path);
	snprintf(path, sizeof path, "%s/no/such/dir", dir);
	ok(addrfile_write(path, "x") == -1, "a missing directory fails");
	rmdir(dir);

	fflush(stdout);
	if (pipe(p) == -1 || (pid = fork()) == -1)
		abort();
	if (pid == 0) {
		close(p[0]);
		dup2(p[1], 1);
		close(p[1]);
		if (addrfile_port("[::1]:4711", &step) == -1)
			_exit(1);
		printf("after\n");
		fflush(stdout);
		_exit(0);
	}
	close(p[1]);
	memset(buf, 0, sizeof buf);
	n = 0;
	while ((r = read(p[0], buf + n, sizeof buf - 1 - n)) > 0)
		n += r;
	close(p[0]);
	is_str(buf, "4711\n", "addrfile_port: the port, then EOF");
	ok(waitpid(pid, &wst, 0) == pid && WIFEXITED(wst) &&
	    WEXITSTATUS(wst) == 0, "  the rest of stdout goes nowhere");
	return tap_done();
}
