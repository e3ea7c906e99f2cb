/* test_pcapdl.c: libpcap loaded on first use, once; a load that cannot
 * open the library says why. */
#include <sys/resource.h>
#include <sys/wait.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pcapdl.h"
#include "tap.h"

int
main(void)
{
	struct rlimit rl = { 3, 3 };
	char err[256] = "", buf[256];
	pcap_t *p;
	int fd[2], st;
	ssize_t n;
	pid_t pid;

	/* with no fd to spare, dlopen cannot open the library */
	fflush(stdout);
	if (pipe(fd) == -1 || (pid = fork()) == -1)
		abort();
	if (pid == 0) {
		close(fd[0]);
		dup2(fd[1], 1);
		close(fd[1]);
		setrlimit(RLIMIT_NOFILE, &rl);
		if (pcapdl_load(err, sizeof err) == 0)
			_exit(0);
		(void)write(1, err, strlen(err));
		_exit(1);
	}
	close(fd[1]);
	n = read(fd[0], buf, sizeof buf - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(fd[0]);
	waitpid(pid, &st, 0);
	is_int(WIFEXITED(st) ? WEXITSTATUS(st) : -1, 1,
	    "without a free fd the load fails");
	ok(strncmp(buf, "unable to load libpcap: ", 24) == 0,
	    "  saying why (%s)", buf);

	if (pcapdl_load(err, sizeof err) == -1) {
		ok(1, "# SKIP libpcap is not installed: %s", err);
		return tap_done();
	}
	ok(pcapdl.create != NULL && pcapdl.close != NULL &&
	    pcapdl.statustostr != NULL, "loaded: the functions are there");
	is_int(pcapdl_load(err, sizeof err), 0, "a second load is a no-op");
	p = pcapdl.open_dead(DLT_RAW, 65535);
	ok(p != NULL, "pcap_open_dead through the table");
	if (p != NULL) {
		is_int(pcapdl.datalink(p), DLT_RAW, "  its link type");
		pcapdl.close(p);
	}
	is_str(pcapdl.statustostr(PCAP_ERROR_NO_SUCH_DEVICE),
	    "No such device exists", "pcap_statustostr through the table");
	return tap_done();
}
