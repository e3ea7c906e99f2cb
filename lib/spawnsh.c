/* spawnsh.c: run a shell command as a child with chosen stdin and stdout. */
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "spawnsh.h"

/* setfd: make want refer to have (or /dev/null when have is -1). */
static int
setfd(int have, int want, int flags)
{
	int fd = have;

	if (fd == -1 && (fd = open("/dev/null", flags)) == -1)
		return -1;
	if (fd != want && dup2(fd, want) == -1)
		return -1;
	if (fd != have && fd != want)
		close(fd);
	return 0;
}

pid_t
spawn_sh(const char *script, const char *name, const char *arg, int in,
    int out)
{
	struct sigaction sa;
	sigset_t none;
	pid_t pid;
	int s;

	if ((pid = fork()) != 0)
		return pid;
	/* the child: what we caught or ignored is the default again */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	for (s = 1; s < NSIG; s++)
		sigaction(s, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (setfd(in, 0, O_RDONLY) == -1 || setfd(out, 1, O_WRONLY) == -1)
		_exit(111);
	execl("/bin/sh", "sh", "-c", script, name, arg, (char *)NULL);
	_exit(127);
}
