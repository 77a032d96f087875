/* SPDX-License-Identifier: MIT */
/* netcmd.h - qbox net ls, inspect, create, rm */
#ifndef QBOX_NETCMD_H
#define QBOX_NETCMD_H

#include <netinet/in.h>

#include "common/err.h"
#include "plan/spec.h"

/* argv after "qbox" (argv[0] is "net"); returns the exit status */
int cmd_net(int argc, char **argv);

/*
 * Network @n (MODE:NAME) runs, and in that mode: 0, or a usage error
 * ("no network named ...", "... is a natnet network, not hostonly").
 */
int netcmd_check_mode(int dirfd, const struct net_spec *n, struct qerr *e);

/*
 * A member that gives no subnet= joins network @n on the subnet it runs
 * on, and with the domain it runs with: when it runs, its subnet and
 * domain are set in @n (so the member's address, gateway and forwards
 * are planned in it, and its resolv.conf names the domain). When it does
 * not run (the member starts it, on the mode's defaults or what @n says)
 * or does not answer (joining it then says why), @n stays as it is.
 * Return: 0, or -EINVAL with a usage error when @n's domain= is not the
 * one the network runs with (a subnet= that is not its own, the hub
 * refuses at the join)
 */
int netcmd_adopt(int dirfd, struct net_spec *n, struct qerr *e);

/*
 * The address of member @host of network @spec (MODE:NAME): @host is its
 * name, short or long, or host.qbox.internal (plan/names.h), as the
 * network's DNS server would answer. 0, or -errno with a usage error
 * naming the network and the name.
 */
int netcmd_resolve(int dirfd, const char *spec, const char *host,
		   char addr[INET_ADDRSTRLEN], struct qerr *e);

#endif /* QBOX_NETCMD_H */
