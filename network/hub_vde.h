/* SPDX-License-Identifier: MIT */
/*
 * hub_vde.h - a named network offered as a VDE switch (hub_vde.c)
 *
 * `qbox net vde NAME` prints vde://$RUNDIR/net@NAME.vde: a directory
 * (0700) with a control socket `ctl` speaking vde_switch's protocol, at
 * which vde_plug, a qemu built with VDE or VirtualBox's generic VDE
 * driver joins the network's segment as a member of kind vde: a TAP of
 * its own on the hub's bridge, its frames relayed by the stream relay
 * (dataplane/stream_relay.c) as datagrams, held to its MAC and lease as
 * any socket member is (hub_stream.c).
 */
#ifndef QBOX_HUB_VDE_H
#define QBOX_HUB_VDE_H

#include <stddef.h>

#include "common/pollset.h"
#include "supervisor/sup.h"

/* "net@NAME.vde", the switch's directory in the runtime directory */
void hub_vde_dir(const char *hub_name, char *buf, size_t size);

/* At NET_READY: the directory and its control socket. 0 or -errno. */
int hub_vde_listen(struct sup *s, struct qerr *e);

/* The loop: the control socket (new clients, as the relay can take them)
 * and each vde member's control connection (its end is the member's) */
void hub_vde_poll_fill(struct sup *s, struct pollset *ps);
void hub_vde_poll_done(struct sup *s, struct pollset *ps);

/* The end: the control socket, the directory and what is in it */
void hub_vde_free(struct sup *s);

#endif /* QBOX_HUB_VDE_H */
