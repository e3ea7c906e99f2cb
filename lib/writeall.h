/* writeall.h: write a whole buffer to a file descriptor. */
#ifndef WRITEALL_H
#define WRITEALL_H

#include <stddef.h>

/*
 * writeall: write n bytes to fd, retrying short writes and EINTR; on a
 * non-blocking fd (a shared pipe) it waits for room instead of failing.
 * Returns 0, -1 on a write error (errno set).
 * writesome: the same, and *done is what was written, also on -1.
 */
int writeall(int fd, const void *p, size_t n);
int writesome(int fd, const void *p, size_t n, size_t *done);

#endif
