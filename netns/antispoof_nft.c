// SPDX-License-Identifier: MIT
/*
 * antispoof_nft.c - the rules of antispoof.c, installed with libnftnl
 *
 * Theory of operation. Sandbox init, while it still holds CAP_NET_ADMIN
 * over the sandbox's network namespace, sends one nftables transaction per
 * VM NIC (and per command NIC on a named network): the table `netdev qbox`
 * (created once, left alone after), a base chain named after the device
 * with a hook on its ingress (a VM's TAP) or egress (a command's veth to
 * the hub) and the rules' policy, and the rules in order. The kernel applies a batch whole
 * or not at all, and acknowledges each message, so a failure names its
 * errno. Each match of a rule becomes what nft itself emits for it: a
 * payload (or meta l4proto) load into register 1 and a cmp; each rule
 * ends in an immediate verdict and carries its reason as a comment, which
 * `nft list ruleset` shows.
 *
 * libnftnl, the netfilter project's own library on top of libmnl, builds
 * the messages; hand-built nested expression attributes would be this
 * file's bulk and its likeliest bug. The transaction, table and chains
 * are nft.c's, shared with a NIC's loss (impair.c).
 */
#include "netns/antispoof_nft.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <string.h>
#include "netns/nft.h"

#define TABLE "qbox"

static const uint32_t payload_base[] = {
	[AS_LINK] = NFT_PAYLOAD_LL_HEADER,
	[AS_NETWORK] = NFT_PAYLOAD_NETWORK_HEADER,
	[AS_TRANSPORT] = NFT_PAYLOAD_TRANSPORT_HEADER,
};

/* @m as a load into register 1 and a comparison of it */
static int put_match(struct nftnl_rule *r, const struct as_match *m)
{
	struct nftnl_expr *load, *cmp;

	if (m->base == AS_L4PROTO) {
		if (!(load = nftnl_expr_alloc("meta")))
			return -ENOMEM;
		nftnl_expr_set_u32(load, NFTNL_EXPR_META_KEY, NFT_META_L4PROTO);
		nftnl_expr_set_u32(load, NFTNL_EXPR_META_DREG, NFT_REG_1);
	} else {
		if (!(load = nftnl_expr_alloc("payload")))
			return -ENOMEM;
		nftnl_expr_set_u32(load, NFTNL_EXPR_PAYLOAD_BASE,
				   payload_base[m->base]);
		nftnl_expr_set_u32(load, NFTNL_EXPR_PAYLOAD_OFFSET, m->offset);
		nftnl_expr_set_u32(load, NFTNL_EXPR_PAYLOAD_LEN, m->len);
		nftnl_expr_set_u32(load, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
	}
	nftnl_rule_add_expr(r, load);
	if (!(cmp = nftnl_expr_alloc("cmp")))
		return -ENOMEM;
	nftnl_expr_set_u32(cmp, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(cmp, NFTNL_EXPR_CMP_OP, m->neq ? NFT_CMP_NEQ
							  : NFT_CMP_EQ);
	nftnl_expr_set(cmp, NFTNL_EXPR_CMP_DATA, m->data, m->len);
	nftnl_rule_add_expr(r, cmp);
	return 0;
}

/* The rule's matches, its verdict, and its reason as a comment */
static int rule_fill(struct nftnl_rule *r, const char *ifname,
		     const struct as_rule *ar)
{
	struct nftnl_udata_buf *ud;
	struct nftnl_expr *v;
	int i, err;

	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, TABLE);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, ifname);
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_NETDEV);
	for (i = 0; i < ar->n; i++)
		if ((err = put_match(r, &ar->m[i])) < 0)
			return err;
	if (!(v = nftnl_expr_alloc("immediate")))
		return -ENOMEM;
	nftnl_expr_set_u32(v, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(v, NFTNL_EXPR_IMM_VERDICT,
			   ar->accept ? NF_ACCEPT : NF_DROP);
	nftnl_rule_add_expr(r, v);
	if (!(ud = nftnl_udata_buf_alloc(NFT_USERDATA_MAXLEN)))
		return -ENOMEM;
	nftnl_udata_put_strz(ud, NFTNL_UDATA_RULE_COMMENT, ar->why);
	nftnl_rule_set_data(r, NFTNL_RULE_USERDATA, nftnl_udata_buf_data(ud),
			    nftnl_udata_buf_len(ud));
	nftnl_udata_buf_free(ud);
	return 0;
}

static int put_rule(struct nft_batch *bt, const char *ifname,
		    const struct as_rule *ar)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	int err;

	if (!r)
		return -ENOMEM;
	if ((err = rule_fill(r, ifname, ar)) == 0)
		nft_put_rule(bt, r);
	nftnl_rule_free(r);
	return err;
}

int antispoof_install(const char *ifname, enum as_hook hook,
		      const struct antispoof *as, struct qerr *e)
{
	static struct nft_batch bt;	/* init is single-threaded; 32 KiB */
	int i, r;

	if ((r = nft_begin(&bt)) < 0)
		return qerr_set(e, -r, "building %s's anti-spoofing rules",
				ifname);
	r = nft_put_table(&bt, TABLE);
	if (r == 0)
		r = nft_put_chain(&bt, TABLE, ifname, ifname,
				  hook == AS_EGRESS, as->policy_accept);
	for (i = 0; r == 0 && i < as->n; i++)
		r = put_rule(&bt, ifname, &as->rules[i]);
	if ((r = nft_send(&bt, r)) < 0)
		return qerr_set(e, -r, "nftables: installing the anti-spoofing "
				       "rules on %s", ifname);
	return 0;
}

int antispoof_remove(const char *ifname, struct qerr *e)
{
	static struct nft_batch bt;
	int r;

	if ((r = nft_begin(&bt)) < 0 ||
	    (r = nft_send(&bt, nft_put_chain_delete(&bt, TABLE, ifname))) < 0)
		return qerr_set(e, -r, "nftables: removing the anti-spoofing "
				       "rules of %s", ifname);
	return 0;
}
