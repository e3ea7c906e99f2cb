/* priv.c: drop root to a named user once sockets and files are open. */
#include <sys/types.h>

#include <err.h>
#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include "arg.h"
#include "priv.h"

void
priv_drop(const char *user)
{
	struct passwd *pw;

	if ((pw = getpwnam(user)) == NULL)
		errx(100, "unknown user '%s'", user);
	if (setgroups(1, &pw->pw_gid) == -1)
		err(111, "unable to set groups for %s", user);
	if (setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) == -1)
		err(111, "unable to set gid %lu", (unsigned long)pw->pw_gid);
	if (setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) == -1)
		err(111, "unable to set uid %lu", (unsigned long)pw->pw_uid);
	if (pw->pw_uid != 0 && setuid(0) != -1)
		errx(111, "unable to drop privileges: root regained");
}

void
priv_arg(const char *user)
{
	if (getpwnam(user) == NULL)
		arg_fail("user", user, "no such user");
}
