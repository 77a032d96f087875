/* SPDX-License-Identifier: MIT */
/*
 * payload.h - the init of a sandbox that runs a payload: its parts
 *
 * init_payload_role (payload.c, declared in sandbox.h) is built from
 * these: the sandbox's NICs (nics.c), a command's resolv.conf (resolv.c),
 * and the payload's start (payload.c).
 */
#ifndef QBOX_PAYLOAD_H
#define QBOX_PAYLOAD_H

#include "common/err.h"
#include "netns/init.h"

/*
 * Every NIC of the plan: a NAT NIC's bridge, uplink TAP (its fd to the
 * supervisor) and VM TAP or the command's address; a named network's NIC
 * with its veth pair to the hub's bridge; a bridged NIC's inherited TAP.
 * The VM's TAP fds stay in @in->nics for QEMU. 0 or -errno with @e.
 */
int nics_build(struct init *in, struct nl *nl, struct qerr *e);

/*
 * A command payload whose host resolver is on the host's loopback gets a
 * private mount namespace with a resolv.conf naming the NAT's DNS
 * forwarder instead. 0 or -errno with @e.
 */
int resolv_private(struct init *in, struct qerr *e);

#endif /* QBOX_PAYLOAD_H */
