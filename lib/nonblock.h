/* nonblock.h: a non-blocking standard input, its flag put back at exit. */
#ifndef NONBLOCK_H
#define NONBLOCK_H

/*
 * nonblock_stdin: set O_NONBLOCK on fd 0, so a loop can wait in poll with
 * its signals alive, and clear it again at exit(3) when it was clear
 * before. The flag belongs to the open file description, which a
 * terminal or the pipe of a shell shares with other processes: left set,
 * their next read fails with EAGAIN. Every exit through exit(3), err(3)
 * or a return from main (after TERM or INT, too) puts it back; _exit(2)
 * and a signal's default action do not. Returns 0, or -1 with errno set.
 */
int nonblock_stdin(void);

#endif
