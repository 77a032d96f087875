/* SPDX-License-Identifier: MIT */
/*
 * hub.h - a named network's hub: the supervisor's role for it (hub.c)
 *
 * A hub is a supervisor (supervisor/supervisor.c) in the hub's role whose
 * plan has no payload (plan_hub()): its sandbox's init holds the network's
 * namespaces and bridge (hub_init.c), and the supervisor runs the
 * network's uplink, DHCP server, forwards and control socket
 * $RUNDIR/net@NAME.sock. Members join over that socket (hub_members.c;
 * their side is supervisor/member.c) and keep the connection open for as
 * long as they live; clients of its generic socket are members too
 * (hub_stream.c).
 */
#ifndef QBOX_HUB_H
#define QBOX_HUB_H

#include "supervisor/role.h"

/* The role of a network's hub, for supervise() */
extern const struct role hub_role;

/* `qbox __hub`: the hub daemon's main (started by hub_client_start()) */
int hub_main(int argc, char **argv);

#endif /* QBOX_HUB_H */
