/* sig.h: signals as events: handlers only record them (self-pipe). */
#ifndef SIG_H
#define SIG_H

#include <signal.h>

/* sig_init: create the self-pipe. Returns its read end (for poll), or -1. */
int sig_init(void);

/* sig_catch: record signo when it arrives (SA_RESTART off, so a blocking
 * call returns EINTR). Returns 0 or -1. */
int sig_catch(int signo);

/* sig_ignore: SIG_IGN for signo. Returns 0 or -1. */
int sig_ignore(int signo);

/* sig_take: 1 if signo arrived since the last sig_take of it (then
 * cleared), else 0. Drains the self-pipe. */
int sig_take(int signo);

/*
 * sig_setup: the signals of a long-running program (chanrelay(7)
 * SIGNALS): the self-pipe, TERM, INT and USR1 recorded, PIPE ignored;
 * HUP recorded with SIG_HUP, else ignored; CHLD recorded with SIG_CHLD;
 * XFSZ ignored with SIG_XFSZ (a write past the file size limit fails
 * instead of killing). Returns the self-pipe's read end; exits 111 with
 * a message when it cannot.
 */
#define SIG_HUP		1
#define SIG_CHLD	2
#define SIG_XFSZ	4
int sig_setup(int flags);

/*
 * sig_block: block the signals sig_setup(flags) records, and SIGALRM
 * (lib/metrics' interval), so they arrive
 * only where the program waits: *waitmask gets the mask to wait with
 * (ppoll), the one before without them. Exits 111 with a message when
 * it cannot.
 */
void sig_block(int flags, sigset_t *waitmask);

/* sig_all_default: every signal 1..NSIG-1 back at its default action,
 * glibc's own 32 and 33 and the realtime ones included: for a child
 * about to exec, which would otherwise inherit what we ignore. */
void sig_all_default(void);

#endif
