/* SPDX-License-Identifier: MIT */
/*
 * link.h - a command payload's NIC unplugged and plugged again, from the
 * supervisor
 *
 * A command talks over its NIC's bridge qbrN (nics.c), whose one other
 * port leads out: the uplink TAP qupN to the NAT engine, or the veth qnvN
 * to a network's hub. Setting that port down takes the bridge's carrier
 * with it: the command sees NO-CARRIER, as a guest sees a pulled cable,
 * and its address and routes stay. A VM's NIC is QEMU's business (QMP
 * set_link, supervisor/qmp.h). A NIC's impairment is made the same way,
 * from a child in the sandbox's namespaces (impair.h).
 */
#ifndef QBOX_LINK_H
#define QBOX_LINK_H

#include <stdbool.h>
#include <sys/types.h>

#include "common/err.h"
#include "plan/plan.h"

/*
 * A NAT NIC on the kernel's egress path (netns/egress_nft.h), whose TCP
 * out passes neither its uplink TAP's link state nor its impairment: the
 * path is told (egress_nft_cable()) after either changes
 */
struct link_cable {
	const char *dev;	/* its bridge, qbrN */
	bool local;		/* a command's NIC */
	bool bypass;		/* unplugged or impaired */
	bool down;		/* unplugged */
};

/* The port of NIC @i that carries a command's link (qupN, qnvN) into
 * @name; false when the NIC has none (none, bridged) */
bool link_port_name(const struct plan *p, int i, char name[16]);

/**
 * link_port_set() - set a port of the sandbox up or down
 * @init:	the sandbox's init: a short-lived child enters its user and
 *		network namespaces (seccomp/child.h) to do it
 * @ifname:	the port, from link_port_name()
 * @up:		up or down
 * @cable:	the NIC's kernel egress path, or NULL
 * @e:		what failed
 *
 * Return: 0 or -errno with @e
 */
int link_port_set(pid_t init, const char *ifname, bool up,
		  const struct link_cable *cable, struct qerr *e);

/*
 * link_impair() - NIC impairment @im on @port (and a VM's TAP @vmdev, or
 * NULL), from a child as link_port_set()'s (impair.h says what goes
 * where). 0 or -errno with @e (a usage error for a missing netem).
 */
int link_impair(pid_t init, const char *port, const char *vmdev,
		const struct net_impair *im, const struct link_cable *cable,
		struct qerr *e);

#endif /* QBOX_LINK_H */
