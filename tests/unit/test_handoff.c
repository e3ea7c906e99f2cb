/* test_handoff.c: the command runs once on each file, with its path as
 * $1; no command runs nothing; at the end the runs are waited for. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "handoff.h"
#include "tap.h"

int
main(void)
{
	char top[] = "/tmp/test_handoff.XXXXXX", cmd[256], p[300], b[512];
	struct handoff h, none;
	ssize_t n;
	int fd;

	if (mkdtemp(top) == NULL)
		abort();
	snprintf(cmd, sizeof cmd, "echo >>%s/out", top);
	handoff_init(&h, top, cmd);
	is_str(h.script, strcat(strcpy(p, cmd), " \"$1\""),
	    "the command is given the path as $1");
	handoff_run(&h, "a.log");
	handoff_run(&h, "b.log");
	handoff_wait(&h);
	is_int(h.procs.n, 0, "  both runs waited for");
	snprintf(p, sizeof p, "%s/out", top);
	n = -1;
	if ((fd = open(p, O_RDONLY)) != -1) {
		n = read(fd, b, sizeof b - 1);
		close(fd);
	}
	b[n > 0 ? n : 0] = '\0';
	snprintf(cmd, sizeof cmd, "%s/a.log\n", top);
	ok(strstr(b, cmd) != NULL, "  a.log's path given");
	snprintf(cmd, sizeof cmd, "%s/b.log\n", top);
	ok(strstr(b, cmd) != NULL, "  b.log's path given");

	handoff_init(&none, top, NULL);
	handoff_run(&none, "c.log");
	is_int(none.procs.n, 0, "no command: nothing runs");
	handoff_reap(&none);
	handoff_wait(&none);
	free(h.script);
	free(h.procs.v);
	free(none.procs.v);

	snprintf(p, sizeof p, "rm -rf %s", top);
	if (system(p) != 0)
		ok(0, "clean up %s", top);
	return tap_done();
}
