/* SPDX-License-Identifier: MIT */
/*
 * egress.h - the kernel egress path's part in a network namespace: its
 * listener, its queue and its rules, made by init (or a hub's init) while
 * it holds CAP_NET_ADMIN there, and handed to the supervisor, whose
 * egress worker serves them from the host's namespaces
 * (dataplane/egress.h tells the path)
 */
#ifndef QBOX_NETNS_EGRESS_H
#define QBOX_NETNS_EGRESS_H

#include <stdbool.h>

#include "common/err.h"
#include "netns/egress_nft.h"

/**
 * egress_open() - the kernel egress path for @nics, handed over @sock
 * @nics, @n:	the NICs on it (none: nothing to do)
 * @bits:	their indexes, a bit each, for the supervisor
 * @required:	egress=kernel was asked for: a failure fails the setup;
 *		otherwise the supervisor is told why (SBMSG_EGRESS_OFF) and
 *		the NICs' TCP stays libslirp's
 * Return: 0, or -errno with @e
 */
int egress_open(const struct egress_nic *nics, int n, unsigned int bits,
		int sock, bool required, struct qerr *e);

#endif /* QBOX_NETNS_EGRESS_H */
