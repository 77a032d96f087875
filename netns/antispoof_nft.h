/* SPDX-License-Identifier: MIT */
/* antispoof_nft.h - install a VM NIC's anti-spoofing chain (libnftnl) */
#ifndef QBOX_ANTISPOOF_NFT_H
#define QBOX_ANTISPOOF_NFT_H

#include <stdbool.h>

#include "common/err.h"
#include "netns/antispoof.h"

/* Where a chain sees its device's frames */
enum as_hook {
	AS_INGRESS,	/* what enters through it: a VM's TAP, a socket member's */
	AS_EGRESS,	/* what leaves through it: a command member's veth */
};

/**
 * antispoof_install() - filter what passes through @ifname
 * @ifname:	the VM's TAP (qvmN) or a hub's socket member's (qsID), whose
 *		ingress is what the guest sends; or a command member's veth
 *		to its hub (qnvN), whose egress is what the command sends
 *		onto the network; in the current network namespace
 * @hook:	AS_INGRESS or AS_EGRESS (Linux 5.16 or later)
 * @as:		the rules, from antispoof_build()
 * @e:		error naming the device and the kernel's errno
 *
 * One nftables transaction: table `netdev qbox`, a base chain named
 * @ifname on @ifname's @hook, the rules. Needs CAP_NET_ADMIN over the
 * namespace; a payload without it can neither see nor change them.
 * Return: 0 or -errno
 */
int antispoof_install(const char *ifname, enum as_hook hook,
		      const struct antispoof *as, struct qerr *e);

/**
 * antispoof_install_network() - a NAT network's own chain, on its bridge
 * @as:		the rules, from antispoof_build_network()
 * @e:		error naming the kernel's errno
 *
 * One nftables transaction in the hub's network namespace: table
 * `bridge qbox`, its sets savi-owner (IPv6 address . MAC) and savi-taken
 * (IPv6 address), and the chain savi on the bridge's prerouting hook,
 * which every member's frames pass before they are forwarded.
 * Return: 0 or -errno
 */
int antispoof_install_network(const struct antispoof *as, struct qerr *e);

/* An IPv6 address of a network and the member MAC that owns it */
struct as_owner {
	struct in6_addr addr;
	uint8_t mac[6];
};

/**
 * antispoof_network_owners() - the bindings of antispoof_install_network()
 * @out:	filled with up to @max of them
 * @max:	room in @out
 * @e:		error naming the kernel's errno
 *
 * Read in the current network namespace (a hub's), with CAP_NET_ADMIN
 * over it. Return: how many, or -errno
 */
int antispoof_network_owners(struct as_owner *out, int max, struct qerr *e);

/**
 * antispoof_remove() - delete @ifname's chain and its rules
 * @ifname:	a device whose chain antispoof_install() made
 * @has_set:	the chain has a set of IPv6 addresses (antispoof.h): it goes
 *		too
 * @e:		error naming it; -ENOENT when it has none
 *
 * A netdev chain outlives its device (and would bind again to a new one
 * of that name): a hub removes a socket member's chain with its TAP.
 * Return: 0 or -errno
 */
int antispoof_remove(const char *ifname, bool has_set, struct qerr *e);

#endif /* QBOX_ANTISPOOF_NFT_H */
