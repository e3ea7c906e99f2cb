/* spawnsh.h: run a shell command as a child with chosen stdin and stdout. */
#ifndef SPAWNSH_H
#define SPAWNSH_H

#include <sys/types.h>

/*
 * spawn_sh: fork and run `sh -c script name arg` (arg may be NULL) with
 * fd in as its standard input and fd out as its standard output (-1:
 * /dev/null), every signal back at its default and nothing else of ours
 * inherited (our fds are close-on-exec). Returns the child's pid, -1 with
 * errno set when it cannot fork.
 */
pid_t spawn_sh(const char *script, const char *name, const char *arg,
    int in, int out);

#endif
