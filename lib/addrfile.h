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

/*
 * addrfile_port: put the port of the address text ("HOST:PORT") on
 * standard output, "PORT\n", then point standard output at /dev/null:
 * its reader sees EOF once the port is out, the sign that we are ready.
 * Returns 0, -1 with errno set and *step naming what failed ("write the
 * port", "close standard output").
 */
int addrfile_port(const char *text, const char **step);

#endif
