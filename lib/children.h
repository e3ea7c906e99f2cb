/* children.h: the children a program runs, what each is for, and
 * reaping them when SIGCHLD says some ended. */
#ifndef CHILDREN_H
#define CHILDREN_H

#include <sys/types.h>
#include <stdint.h>

struct child {
	pid_t pid;
	void *what;		/* the caller's: what this child is for */
	uint64_t start;		/* clock_mono when it was added */
};

struct children {
	struct child *v;
	int n, cap;		/* running, and room for (it grows) */
};

/* children_init: room for cap children to begin with. Returns 0, -1
 * with errno set. */
int children_init(struct children *c, int cap);

/* children_add: pid is running for what. Returns 0, -1 with errno set
 * when the table cannot grow. */
int children_add(struct children *c, pid_t pid, void *what);

/*
 * children_reap: one child of the table that ended, out of the table:
 * *k as it was added, its wait status in *status (may be NULL). Waits
 * until the clock_mono deadline until (0: not at all, UINT64_MAX: as
 * long as it takes) when none has ended yet. Returns 1, or 0 when none
 * ended in time (or none is left). Children not in the table are reaped
 * and forgotten. *k stays valid when its what is freed or reused.
 */
int children_reap(struct children *c, struct child *k, int *status,
    uint64_t until);

/* children_kill: send signo to every child in the table. */
void children_kill(const struct children *c, int signo);

#endif
