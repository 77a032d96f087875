/* SPDX-License-Identifier: MIT */
/* client.h - the commands that talk to running sandboxes */
#ifndef QBOX_CLIENT_H
#define QBOX_CLIENT_H

/* Each takes argv after "qbox" (argv[0] is the command) and returns the
 * exit status; errors are printed as "qbox: ..." */
int cmd_ps(int argc, char **argv);
int cmd_fwd(int argc, char **argv);
int cmd_stop(int argc, char **argv);
int cmd_wait(int argc, char **argv);
int cmd_exec(int argc, char **argv);

#endif /* QBOX_CLIENT_H */
