// SPDX-License-Identifier: MIT
/* nft.c - nftables transactions (nft.h) */
#include "netns/nft.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter_bridge.h>
#include <linux/netfilter/nf_tables.h>
#include <string.h>
#include <time.h>

struct nlmsghdr *nft_msg_start(struct nft_batch *bt, uint16_t type,
			       uint16_t flags)
{
	struct nlmsghdr *nlh;

	if (bt->full)
		return NULL;
	nlh = nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(bt->b), type,
				    (uint16_t)bt->family, flags | NLM_F_ACK,
				    bt->seq++);
	bt->acks++;
	return nlh;
}

void nft_msg_end(struct nft_batch *bt)
{
	if (!mnl_nlmsg_batch_next(bt->b))
		bt->full = true;
}

/* Table @table of the batch's family: a message of @type with @flags */
static int table_msg(struct nft_batch *bt, const char *table, uint16_t type,
		     uint16_t flags)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh;

	if (!t)
		return -ENOMEM;
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, table);
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, bt->family);
	if ((nlh = nft_msg_start(bt, type, flags))) {
		nftnl_table_nlmsg_build_payload(nlh, t);
		nft_msg_end(bt);
	}
	nftnl_table_free(t);
	return 0;
}

int nft_put_table(struct nft_batch *bt, const char *table)
{
	return table_msg(bt, table, NFT_MSG_NEWTABLE, NLM_F_CREATE);
}

int nft_put_hooked(struct nft_batch *bt, const struct nft_hook *h)
{
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct nlmsghdr *nlh;

	if (!c)
		return -ENOMEM;
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, h->table);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, h->name);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, h->type ? h->type : "filter");
	if (h->dev)
		nftnl_chain_set_str(c, NFTNL_CHAIN_DEV, h->dev);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, h->hook);
	nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, h->prio);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, h->accept ? NF_ACCEPT
							     : NF_DROP);
	nlh = nft_msg_start(bt, NFT_MSG_NEWCHAIN, NLM_F_CREATE | NLM_F_EXCL);
	if (nlh) {
		nftnl_chain_nlmsg_build_payload(nlh, c);
		nft_msg_end(bt);
	}
	nftnl_chain_free(c);
	return 0;
}

int nft_put_chain(struct nft_batch *bt, const char *table, const char *name,
		  const char *dev, bool egress, bool accept)
{
	struct nft_hook h = { .table = table, .name = name, .dev = dev,
			      .accept = accept };

	if (dev)
		h.hook = egress ? NF_NETDEV_EGRESS : NF_NETDEV_INGRESS;
	else {	/* the bridge family: before the bridge forwards */
		h.hook = NF_BR_PRE_ROUTING;
		h.prio = NF_BR_PRI_FILTER_BRIDGED;
	}
	return nft_put_hooked(bt, &h);
}

void nft_put_rule(struct nft_batch *bt, struct nftnl_rule *r)
{
	struct nlmsghdr *nlh = nft_msg_start(bt, NFT_MSG_NEWRULE,
					     NLM_F_CREATE | NLM_F_APPEND);

	if (nlh) {
		nftnl_rule_nlmsg_build_payload(nlh, r);
		nft_msg_end(bt);
	}
}

int nft_put_table_delete(struct nft_batch *bt, const char *table)
{
	return table_msg(bt, table, NFT_MSG_DELTABLE, 0);
}

int nft_put_chain_flush(struct nft_batch *bt, const char *table,
			const char *name)
{
	struct nftnl_rule *rl = nftnl_rule_alloc();
	struct nlmsghdr *nlh;

	if (!rl)
		return -ENOMEM;
	/* a rule message naming only the chain flushes it */
	nftnl_rule_set_str(rl, NFTNL_RULE_TABLE, table);
	nftnl_rule_set_str(rl, NFTNL_RULE_CHAIN, name);
	nftnl_rule_set_u32(rl, NFTNL_RULE_FAMILY, bt->family);
	if ((nlh = nft_msg_start(bt, NFT_MSG_DELRULE, 0))) {
		nftnl_rule_nlmsg_build_payload(nlh, rl);
		nft_msg_end(bt);
	}
	nftnl_rule_free(rl);
	return 0;
}

int nft_put_chain_delete(struct nft_batch *bt, const char *table,
			 const char *name)
{
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct nlmsghdr *nlh;
	int err = nft_put_chain_flush(bt, table, name);

	if (c && !err) {
		nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, table);
		nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name);
		if ((nlh = nft_msg_start(bt, NFT_MSG_DELCHAIN, 0))) {
			nftnl_chain_nlmsg_build_payload(nlh, c);
			nft_msg_end(bt);
		}
	}
	if (c)
		nftnl_chain_free(c);
	return err ? err : c ? 0 : -ENOMEM;
}

/* Send the transaction; 0 once every message is acknowledged, or the
 * first error the kernel reports */
static int nft_commit(struct mnl_socket *sk, struct nft_batch *bt)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	uint32_t portid = mnl_socket_get_portid(sk);
	int acks = 0;

	if (mnl_socket_sendto(sk, mnl_nlmsg_batch_head(bt->b),
			      mnl_nlmsg_batch_size(bt->b)) < 0)
		return -errno;
	while (acks < bt->acks) {
		ssize_t n = mnl_socket_recvfrom(sk, buf, sizeof(buf));
		const struct nlmsghdr *nlh = (const void *)buf;
		int len = (int)n;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			const struct nlmsgerr *err;

			if (nlh->nlmsg_type != NLMSG_ERROR ||
			    nlh->nlmsg_pid != portid)
				continue;
			err = mnl_nlmsg_get_payload(nlh);
			if (err->error)
				return err->error;
			acks++;
		}
	}
	return 0;
}

int nft_begin(struct nft_batch *bt)
{
	memset(bt, 0, sizeof(*bt));
	bt->family = NFPROTO_NETDEV;
	bt->seq = (uint32_t)time(NULL);
	/* libmnl wants twice the batch's limit: a message may overflow it */
	bt->b = mnl_nlmsg_batch_start(bt->buf, sizeof(bt->buf) / 2);
	if (!bt->b)
		return -ENOMEM;
	nftnl_batch_begin(mnl_nlmsg_batch_current(bt->b), bt->seq++);
	mnl_nlmsg_batch_next(bt->b);
	return 0;
}

int nft_send(struct nft_batch *bt, int r)
{
	struct mnl_socket *sk;

	if (r == 0 && !bt->full) {
		nftnl_batch_end(mnl_nlmsg_batch_current(bt->b), bt->seq++);
		bt->full = !mnl_nlmsg_batch_next(bt->b);
	}
	if (r == 0 && bt->full)
		r = -EMSGSIZE;
	if (r < 0) {
		mnl_nlmsg_batch_stop(bt->b);
		return r;
	}
	sk = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (!sk)
		r = -errno;
	else if (mnl_socket_bind(sk, 0, MNL_SOCKET_AUTOPID) < 0)
		r = -errno;
	else
		r = nft_commit(sk, bt);
	if (sk)
		mnl_socket_close(sk);
	mnl_nlmsg_batch_stop(bt->b);
	return r;
}
