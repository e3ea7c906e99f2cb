/* sig.h: signals as events: handlers only record them (self-pipe). */
#ifndef SIG_H
#define SIG_H

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

/* sig_all_default: every signal 1..NSIG-1 back at its default action,
 * glibc's own 32 and 33 and the realtime ones included: for a child
 * about to exec, which would otherwise inherit what we ignore. */
void sig_all_default(void);

#endif
