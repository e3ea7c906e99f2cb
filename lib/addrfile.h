/* addrfile.h: tell scripts the bound address, race-free, through a file. */
#ifndef ADDRFILE_H
#define ADDRFILE_H

/*
 * addrfile_write: put "TEXT\n" in path so that a reader never sees it
 * half-written: into a temporary file in the same directory, then renamed.
 * An existing FIFO or character device (a pipe to a script, /dev/stderr)
 * is written directly. Returns 0, -1 with errno set.
 */
int addrfile_write(const char *path, const char *text);

#endif
