/* SPDX-License-Identifier: MIT */
/* client.h - the commands that talk to running sandboxes */
#ifndef QBOX_CLIENT_H
#define QBOX_CLIENT_H

#include "common/err.h"

/* Each takes argv after "qbox" (argv[0] is the command) and returns the
 * exit status; errors are printed as "qbox: ..." */
int cmd_ps(int argc, char **argv);
int cmd_fwd(int argc, char **argv);
int cmd_stop(int argc, char **argv);
int cmd_link(int argc, char **argv);
int cmd_capture(int argc, char **argv);	/* capture.c */
int cmd_wait(int argc, char **argv);
int cmd_exec(int argc, char **argv);	/* exec.c */
int cmd_nc(int argc, char **argv);	/* nc.c */

/* Option parsing's end: --help (@usage, exit 0), or an unknown option or
 * a missing value (exit 2) */
__attribute__((noreturn)) void client_bad_option(int c, char **argv,
						 const char *usage);

/*
 * A pidfd of the init of sandbox @name, or of network MODE:NAME's hub,
 * through which a client enters its namespaces (the `ns` request).
 * Return: 0, or -errno with @e (a usage error when nothing of that name
 * runs)
 */
int client_ns(int dirfd, const char *name, int *pidfd, struct qerr *e);

#endif /* QBOX_CLIENT_H */
