/* SPDX-License-Identifier: MIT */
/*
 * impair.h - a NIC made slower, lossier or later, from inside its
 * sandbox's network namespace
 *
 * Which devices: the NIC's bridge's way out (qupN to the NAT engine, qnvN
 * to a network's hub) carries all of the payload's traffic; its egress
 * is what the payload sends, its ingress what it gets. A VM's TAP qvmN's
 * egress is also what the guest gets. So:
 *
 *   rate=    tc's tbf as the root qdisc of the port's egress (and of a
 *            VM's TAP): what the payload sends, and what a VM's guest
 *            gets, each at that rate; a command's own receiving is not
 *            limited (it ends in its own stack, where no qdisc is)
 *   loss=    nftables' numgen random in table netdev qbox-impair, a chain
 *            on the port's ingress and one on its egress: that share of
 *            frames dropped each way, for VMs and commands alike; no
 *            netem needed
 *   delay=, jitter=
 *            netem (with the rate, if any) instead of tbf, each way as
 *            rate= goes; a kernel without netem is an error that names
 *            its module
 *
 * Each call replaces the NIC's impairment whole: what is not asked for
 * is taken away.
 */
#ifndef QBOX_IMPAIR_H
#define QBOX_IMPAIR_H

#include "common/err.h"
#include "netns/nl.h"
#include "plan/spec.h"

/**
 * impair_apply() - give a NIC impairment @im, replacing its last
 * @nl:		rtnetlink in the sandbox's network namespace
 * @port:	its bridge's way out, qupN or qnvN
 * @vmdev:	a VM's TAP qvmN, or NULL for a command
 * @im:		the impairment; all zero takes it all away
 * @e:		what failed; a kernel without netem is a usage error naming
 *		sch_netem
 *
 * Return: 0 or -errno
 */
int impair_apply(struct nl *nl, const char *port, const char *vmdev,
		 const struct net_impair *im, struct qerr *e);

#endif /* QBOX_IMPAIR_H */
