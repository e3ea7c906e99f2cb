/* launch.h: start a program as a child with chosen stdin and stdout and
 * nothing of our signal state. */
#ifndef LAUNCH_H
#define LAUNCH_H

#include <sys/types.h>

/*
 * launch_prog: start argv[0] (searched in PATH) with argv, and envp (NULL:
 * ours), fd in as its standard input and fd out as its standard output
 * (-1: /dev/null). In the child every signal 1..NSIG-1, glibc's own and
 * the realtime ones included, is back at its default and none is
 * blocked, whatever we catch, ignore or block; no handler of ours runs
 * in it. Our fds must be close-on-exec. Returns the child's pid, -1 with
 * errno set when it cannot start or its exec failed (that child is
 * reaped here).
 */
pid_t launch_prog(char *const argv[], char *const envp[], int in, int out);

/*
 * launch_sh: launch_prog of `sh -c script name arg` (arg may be NULL).
 * Returns as launch_prog; a command sh cannot find exits 127.
 */
pid_t launch_sh(const char *script, const char *name, const char *arg,
    int in, int out);

#endif
