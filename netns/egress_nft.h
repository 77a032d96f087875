/* SPDX-License-Identifier: MIT */
/*
 * egress_nft.h - the rules of the kernel's egress path, in the sandbox's
 * (or a hub's) network namespace: table `ip qbox_egress`
 *
 * Per NIC on that path, the SYNs of new TCP connections to anywhere
 * outside the NIC's subnet, or to its host alias, go to the egress
 * worker's queue (dataplane/egress.h); the connection, once its verdict
 * lets it through, is redirected to the egress listener. A VM's (or a
 * network's members') frames are bridged: the kernel's bridge netfilter
 * shows them to the IPv4 hooks (prerouting); a command's own connections
 * are the output hook's.
 */
#ifndef QBOX_EGRESS_NFT_H
#define QBOX_EGRESS_NFT_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#define EGRESS_TABLE "qbox_egress"

struct egress_nic {
	const char *dev;	/* the bridge (qbrN, a hub's qbr0) */
	bool local;		/* a command's own: the output hook */
	struct in_addr net;
	unsigned int prefix;
	struct in_addr gateway;	/* the host alias, 0: none (hostloop=off) */
};

/* Install the rules for @nics and @k workers, worker J's connections
 * redirected to listener port @ports[J] (host order): one transaction.
 * 0 or -errno (what the kernel said). */
int egress_nft_install(const struct egress_nic *nics, int n,
		       const uint16_t *ports, int k);

/*
 * egress_nft_cable() - NIC @dev's cable as the path must see it: with
 * @bypass (the NIC is unplugged or impaired, whose rules act on its
 * uplink TAP), its new connections are left to libslirp, which they then
 * reach through that TAP; with @down as well, a command's (@local)
 * connections already on the path stop passing (a VM's guest is
 * unplugged by QEMU). Replaces what was set before. 0, also where the
 * NIC is not on the path, or -errno.
 */
int egress_nft_cable(const char *dev, bool local, bool bypass, bool down);

/* Remove them all (table ip qbox_egress). 0 or -errno (-ENOENT: none). */
int egress_nft_remove(void);

#endif /* QBOX_EGRESS_NFT_H */
