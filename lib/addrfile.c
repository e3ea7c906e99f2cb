/* addrfile.c: tell scripts the bound address, race-free, through a file. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "addrfile.h"
#include "obuf.h"
#include "writeall.h"

static int
putline(int fd, const char *text)
{
	if (writeall(fd, text, strlen(text)) == -1 ||
	    writeall(fd, "\n", 1) == -1)
		return -1;
	return 0;
}

int
addrfile_write(const char *path, const char *text)
{
	char tmp[PATH_MAX];
	struct stat st;
	int fd, e;

	if (stat(path, &st) == 0 && (S_ISFIFO(st.st_mode) ||
	    S_ISCHR(st.st_mode))) {
		if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1)
			return -1;
		if (putline(fd, text) == -1) {
			e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		return close(fd);
	}
	if ((size_t)snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path,
	    (long)getpid()) >= sizeof tmp) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd == -1)
		return -1;
	if (putline(fd, text) == -1) {
		e = errno;
		close(fd);
		unlink(tmp);
		errno = e;
		return -1;
	}
	if (close(fd) == -1 || rename(tmp, path) == -1) {
		e = errno;
		unlink(tmp);
		errno = e;
		return -1;
	}
	return 0;
}

int
addrfile_port(const char *text, const char **step)
{
	int null;

	*step = "write the port";
	printf("%s\n", strrchr(text, ':') + 1);
	if (fflush(stdout) == EOF)
		return -1;
	*step = "close standard output";
	if ((null = open("/dev/null", O_WRONLY)) == -1 || dup2(null, 1) == -1)
		return -1;
	close(null);
	return 0;
}
