/* SPDX-License-Identifier: MIT */
/* netcmd.h - qbox net ls, inspect, create, rm */
#ifndef QBOX_NETCMD_H
#define QBOX_NETCMD_H

#include "../common/err.h"
#include "spec.h"

/* argv after "qbox" (argv[0] is "net"); returns the exit status */
int cmd_net(int argc, char **argv);

/*
 * Network @n (MODE:NAME) runs, and in that mode: 0, or a usage error
 * ("no network named ...", "... is a natnet network, not hostonly").
 */
int net_check_mode(int dirfd, const struct net_spec *n, struct qerr *e);

#endif /* QBOX_NETCMD_H */
