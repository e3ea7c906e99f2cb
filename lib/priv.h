/* priv.h: drop root to a named user once sockets and files are open. */
#ifndef PRIV_H
#define PRIV_H

/*
 * priv_drop: become user (supplementary groups, gid, uid, in that order,
 * then check root cannot be regained). An unknown user is a usage error:
 * "PROG: unknown user 'x'", exit 100; a failing call exits 111.
 */
void priv_drop(const char *user);

/* priv_arg: check the user of an option before anything is bound or
 * opened: one that does not exist is arg_fail ("invalid user 'x': no
 * such user", exit 100). */
void priv_arg(const char *user);

#endif
