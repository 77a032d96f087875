/* SPDX-License-Identifier: MIT */
/*
 * vde_relay.h - a vde NIC's plug: frames between its uplink TAP and a VDE
 * network (libvdeplug4), in a confined process of the host's namespaces
 *
 * One relay per vde NIC, a child of the supervisor, named qbox-vde. It
 * opens the plug (vde_open(): the locator's plugin, its sockets, for
 * cmd:// its command), then confines itself as the NAT engine does: a
 * user namespace of its own, no capabilities, no_new_privs, no file at
 * all (Landlock), qbox's baseline filter and the relay's allowlist
 * (seccomp/filter.h: filter_vde). What the NIC's guest sends has passed
 * its TAP's anti-spoofing chain in the sandbox before the relay reads it.
 *
 * A plug whose far end hangs up (a vde_switch that ends: its control
 * socket's EOF; a stream plug's EOF) ends the relay with
 * VDE_RELAY_GONE; the supervisor starts it again, with back-off, until
 * the far end is back (supervisor/sup_vde.c). The NIC and its payload
 * never notice but as a link that carried nothing for a while.
 */
#ifndef QBOX_VDE_RELAY_H
#define QBOX_VDE_RELAY_H

#include <stdint.h>

#include "common/err.h"
#include "common/ipaddr.h"
#include "seccomp/child.h"
#include "seccomp/filter.h"

/* The relay's exit status when the plug's far end went away */
#define VDE_RELAY_GONE 3

struct vde_relay_cfg {
	const char *locator;
	const char *descr;		/* shown by a switch: "qbox NAME nicN" */
	const char *text;		/* what messages start with: "--net
					   VALUE", "link=LOCATOR" */
	const char *scheme;		/* its plugin's name ("vde" for a
					   path), and the Debian package that
					   has it (NULL: none known), for
					   messages */
	const char *package;
	int tapfd;			/* the uplink TAP: the child gets it,
					   the caller keeps its own */
	/* a UDP tunnel (udp:): its local port, checked first, and its
	   peer, the one address frames are taken from; NULL: none */
	const struct ipaddr *local;	/* family 0: any */
	uint16_t lport;
	const struct ipaddr *remote;
	uint16_t rport;
	long vxlan_vni;			/* a vxlan:// plug: its VNI, whose
					   frames the relay reads itself
					   (vde_relay.c says why); -1: not
					   one */
	const struct filters *filters;	/* baseline and vde */
};

/**
 * vde_relay_start() - fork a relay and wait until its plug is open and it
 * is confined
 * @c:		what to plug
 * @ch:		filled: the child (its socket: our end; closing it ends it)
 * @e:		why not: a usage error for a local port in use or a plugin
 *		not installed (naming its Debian package), else what failed
 *
 * Return: 0, or -errno with @e (the child then is reaped)
 */
int vde_relay_start(const struct vde_relay_cfg *c, struct child *ch,
		    struct qerr *e);

#endif /* QBOX_VDE_RELAY_H */
