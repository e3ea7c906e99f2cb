/* fdlim.c: the limit on open file descriptors, raised for programs that
 * hold many connections. */
#include <sys/resource.h>

#include <stdint.h>

#include "fdlim.h"

int
fdlim_raise(uint64_t need, uint64_t *limit)
{
	struct rlimit rl;
	rlim_t cur;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return -1;
	cur = rl.rlim_cur;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1) {
		/* an unlimited hard limit is above the kernel's nr_open */
		rl.rlim_cur = need > cur ? need : cur;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			rl.rlim_cur = cur;
	}
	*limit = rl.rlim_cur;
	return 0;
}
