/* handoff.h: a command run on each finished file of a directory (the
 * -p processor of chanlog), in the background, a few at a time. */
#ifndef HANDOFF_H
#define HANDOFF_H

#include "children.h"

#define HANDOFF_MAX	32	/* at once: more means something is stuck */
#define HANDOFF_WAIT	10	/* seconds handoff_wait gives them */

struct handoff {
	const char *dir;	/* the files' directory, as given */
	char *script;		/* CMD "$1"; NULL: no command */
	struct children procs;	/* what each runs for: its file name */
};

/* handoff_init: for the files of dir, run cmd (NULL: none) with the
 * path as $1, sh -c CMD "$1". Exits 111 when memory is short. */
void handoff_init(struct handoff *h, const char *dir, const char *cmd);

/*
 * handoff_run: start the command on dir/name, its output on stderr;
 * with HANDOFF_MAX running, first wait for one to end. A failure to
 * start is told ("unable to run the processor for PATH") and forgotten.
 */
void handoff_run(struct handoff *h, const char *name);

/* handoff_reap: the runs that ended (after SIGCHLD); each one that
 * exited non-zero or was killed is told on stderr. */
void handoff_reap(struct handoff *h);

/* handoff_wait: at exit: the runs still going waited for, HANDOFF_WAIT
 * seconds at most, then told how many are left running. */
void handoff_wait(struct handoff *h);

#endif
