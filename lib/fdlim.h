/* fdlim.h: the limit on open file descriptors, raised for programs that
 * hold many connections. */
#ifndef FDLIM_H
#define FDLIM_H

#include <stdint.h>

/*
 * fdlim_raise: raise the soft RLIMIT_NOFILE to the hard limit or, when
 * the kernel refuses that (an unlimited hard limit is above its nr_open),
 * to need if that is higher than the soft limit. *limit gets the soft
 * limit now in effect, which may still be below need. Returns 0, or -1
 * with errno set when the limit cannot be read.
 */
int fdlim_raise(uint64_t need, uint64_t *limit);

#endif
