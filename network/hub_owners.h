/* SPDX-License-Identifier: MIT */
/*
 * hub_owners.h - which member holds which IPv6 address, for net inspect
 *
 * A NAT network with IPv6 binds each address to the MAC of the member
 * that claimed it first, in a set of the hub's nftables table
 * (netns/antispoof.h, antispoof_build_network()). Only a process with
 * CAP_NET_ADMIN over the hub's network namespace may read it, and the
 * hub's supervisor runs outside it: hub_owners() starts a short-lived
 * child that enters the network's namespaces, reads the set, drops its
 * capabilities and confines itself (seccomp/child.h), then sends each
 * binding and ends.
 */
#ifndef QBOX_HUB_OWNERS_H
#define QBOX_HUB_OWNERS_H

#include "netns/antispoof_nft.h"
#include "supervisor/sup.h"

/* The most bindings read: the set's own bound */
#define HUB_OWNERS_MAX AS_NETWORK_SET_SIZE

/**
 * hub_owners() - the network's IPv6 bindings, as the kernel has them now
 * @s:		the hub's supervisor (its init's namespaces are read)
 * @out:	filled with a malloc'd array the caller frees (NULL when
 *		there are none)
 * @e:		what failed
 *
 * Return: how many, or -errno
 */
int hub_owners(struct sup *s, struct as_owner **out, struct qerr *e);

#endif /* QBOX_HUB_OWNERS_H */
