/* SPDX-License-Identifier: MIT */
/*
 * segment.h - one bridge and its ports: how every NIC of qbox is made
 *
 * A sandbox's NAT NIC, a sandbox's NIC on a named network, and a network's
 * own segment in its hub are the same shape: a bridge, some of an uplink
 * TAP (for the NAT engine), a veth pair to a hub's bridge, and a VM's TAP,
 * then an address and a default route on the bridge. segment_build() makes
 * them in that order, one acknowledged rtnetlink request at a time, so a
 * failure names its step.
 *
 * The payload's own port (a VM's TAP, else a command's veth to a hub) gets
 * its anti-spoofing chain (antispoof.h) before it comes up: a VM's on its
 * TAP's ingress, a command's on its veth's egress, so nothing it sends
 * reaches the bridge before the rules exist.
 */
#ifndef QBOX_SEGMENT_H
#define QBOX_SEGMENT_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/err.h"
#include "netns/nl.h"

struct as_v6;

/* TAP queues longer than the default 1000 frames absorb bursts from QEMU */
#define TAP_TXQLEN 4096

/* Optional parts are NULL (names, MACs) or 0 (addresses, the MTU) */
struct segment {
	const char *bridge;
	const uint8_t *bridge_mac;	/* a command's NIC is the bridge: its
					   MAC; NULL: the kernel's choice */
	unsigned int mtu;		/* of the bridge and its TAPs */
	const char *uplink;		/* a TAP for the NAT engine (plain
					   frames): its fd to *uplink_fd */
	/* a veth pair to a hub's bridge, its far end made in the hub */
	const char *veth;
	const char *peer;		/* the far end's name */
	int peer_netns;			/* the hub's network namespace */
	struct nl *peer_nl;		/* a netlink socket there */
	int peer_bridge;		/* the hub's bridge, there */
	const char *vm_tap;		/* a VM's TAP (virtio header): its fd
					   to *vm_fd, for QEMU */
	/* the payload's port's chain: for this MAC and address */
	const uint8_t *guard_mac;	/* NULL: no chain */
	struct in_addr guard_addr;	/* INADDR_ANY: not known (only the
					   MAC is checked) */
	bool guard_no_servers;		/* ... and, not known, no DHCP server
					   or router either (a network whose
					   DHCP is served elsewhere) */
	struct in_addr addr;		/* on the bridge */
	unsigned int prefix;
	struct in_addr gateway;		/* the default route, via the bridge */
	/* IPv6 on the bridge (a NAT NIC's): its address in the /64 and
	   the default route; NULL: none. The bridge then takes no router
	   advertisement (libslirp's): its addresses are these alone */
	const struct in6_addr *addr6;
	const struct in6_addr *gateway6;
	bool no_ra;			/* no address of its own, but a router
					   advertises on the segment: the
					   bridge takes none (a VM's NIC on
					   a NAT network with IPv6) */
	bool foreign;			/* the uplink leads to a LAN not of
					   qbox's (a VDE network): the
					   sandbox's own links say nothing
					   there (no IPv6 on its TAPs, nor on
					   a VM's bridge, and a VM's uplink
					   sends the guest's MAC alone; a
					   command's bridge is its NIC) */
	const struct as_v6 *guard6;	/* what a VM may send from over
					   IPv6 (antispoof.h); NULL: its
					   EUI-64 link-local address */
};

/**
 * segment_build() - make segment @s
 * @nl:		netlink socket in the namespace it is made in
 * @s:		what to make
 * @uplink_fd:	filled with the uplink TAP's fd when @s has one, else -1
 * @vm_fd:	filled with the VM TAP's fd when @s has one, else -1
 * @e:		the step that failed and why
 *
 * Return: 0 or -errno; on failure no fd is left open
 */
int segment_build(struct nl *nl, const struct segment *s, int *uplink_fd,
		  int *vm_fd, struct qerr *e);

/* Names of the links qbox makes for a sandbox's NIC @i */
void segment_names(int i, char bridge[16], char uplink[16], char vm[16]);

#endif /* QBOX_SEGMENT_H */
