/* nonblock.c: a non-blocking standard input, its flag put back at exit. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "nonblock.h"

static int was_set = -1;	/* -1: nothing to put back */

/* restore: only the flag, so another change to the flags since stays */
static void
restore(void)
{
	int fl;

	if (was_set != 0 || (fl = fcntl(STDIN_FILENO, F_GETFL)) == -1)
		return;
	(void)fcntl(STDIN_FILENO, F_SETFL, fl & ~O_NONBLOCK);
}

int
nonblock_stdin(void)
{
	int fl;

	if (was_set != -1)
		return 0;	/* set already: the flag found first stays */
	if ((fl = fcntl(STDIN_FILENO, F_GETFL)) == -1 ||
	    atexit(restore) != 0)
		return -1;
	was_set = (fl & O_NONBLOCK) != 0;
	if (fcntl(STDIN_FILENO, F_SETFL, fl | O_NONBLOCK) == -1)
		return -1;
	return 0;
}
