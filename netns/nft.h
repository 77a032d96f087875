/* SPDX-License-Identifier: MIT */
/*
 * nft.h - nftables transactions (libnftnl), in the netdev family or,
 * for a network's own rules on its bridge, the bridge family
 *
 * What the anti-spoofing chains (antispoof_nft.c) and a NIC's loss
 * (impair.c) share: a transaction (a batch the kernel applies whole or
 * not at all, every message acknowledged, so a failure names its errno),
 * a table, a base chain on a device's ingress or egress, and a chain's
 * removal. Each caller builds its own rules between nft_begin() and
 * nft_send(), with nft_msg_start() and nft_msg_end().
 */
#ifndef QBOX_NFT_H
#define QBOX_NFT_H

#include <stdbool.h>
#include <stdint.h>

struct mnl_nlmsg_batch;
struct nftnl_rule;
struct nlmsghdr;

/* A transaction being built, and how many acknowledgements it will earn */
struct nft_batch {
	uint32_t family;	/* NFPROTO_NETDEV from nft_begin(); a caller
				   may set NFPROTO_BRIDGE before any message */
	struct mnl_nlmsg_batch *b;
	uint32_t seq;
	int acks;
	bool full;
	char buf[32768];
};

/* A transaction's first message. 0 or -ENOMEM. */
int nft_begin(struct nft_batch *bt);

/* The next message's header, or NULL when the batch is full (nft_send()
 * then fails with -EMSGSIZE) */
struct nlmsghdr *nft_msg_start(struct nft_batch *bt, uint16_t type,
			       uint16_t flags);
void nft_msg_end(struct nft_batch *bt);

/* Table @table of the batch's family, made if it is not there */
int nft_put_table(struct nft_batch *bt, const char *table);

/* A base chain @name of @table on @dev's ingress or @egress, of policy
 * accept or drop; @dev NULL (the bridge family): on the bridge's
 * prerouting hook, every port's frames before they are forwarded */
int nft_put_chain(struct nft_batch *bt, const char *table, const char *name,
		  const char *dev, bool egress, bool accept);

/* Any base chain: @type "filter" (NULL) or "nat", on @hook of the batch's
 * family (NF_INET_*, or a netdev hook of @dev) at @prio */
struct nft_hook {
	const char *table, *name, *type, *dev;
	uint32_t hook;
	int32_t prio;
	bool accept;
};
int nft_put_hooked(struct nft_batch *bt, const struct nft_hook *h);

/* Rule @r appended to its chain (it names its table and chain); the
 * caller frees @r */
void nft_put_rule(struct nft_batch *bt, struct nftnl_rule *r);

/* Table @table of the batch's family deleted, with all it holds */
int nft_put_table_delete(struct nft_batch *bt, const char *table);

/* Chain @name of @table flushed: its rules deleted */
int nft_put_chain_flush(struct nft_batch *bt, const char *table,
			const char *name);

/* Chain @name of @table flushed and deleted */
int nft_put_chain_delete(struct nft_batch *bt, const char *table,
			 const char *name);

/*
 * Close the transaction built (@r: how building went; <0 sends nothing)
 * and send it. 0 once every message is acknowledged, or the first error
 * the kernel reports, as -errno.
 */
int nft_send(struct nft_batch *bt, int r);

#endif /* QBOX_NFT_H */
