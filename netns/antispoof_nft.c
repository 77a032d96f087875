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
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <string.h>
#include "netns/nft.h"

#define TABLE "qbox"
#define SET_ID 1		/* the set's name in its own transaction */
#define NFT_TYPE_IP6ADDR 8	/* nft's ipv6_addr, for `nft list` */

/* The set of @ifname's VM's IPv6 addresses: "IFNAME-v6" */
static void set_name(const char *ifname, char name[32])
{
	snprintf(name, 32, "%s-v6", ifname);
}

/* The set: 16-byte keys, AS_SET_SIZE of them at most, filled from the
 * packet path (dynamic), each expiring unused after AS_SET_TIMEOUT_MS */
static int put_set(struct nft_batch *bt, const char *ifname)
{
	struct nftnl_set *s = nftnl_set_alloc();
	struct nlmsghdr *nlh;
	char name[32];

	if (!s)
		return -ENOMEM;
	set_name(ifname, name);
	nftnl_set_set_str(s, NFTNL_SET_TABLE, TABLE);
	nftnl_set_set_str(s, NFTNL_SET_NAME, name);
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_NETDEV);
	nftnl_set_set_u32(s, NFTNL_SET_ID, SET_ID);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, 16);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, NFT_TYPE_IP6ADDR);
	nftnl_set_set_u32(s, NFTNL_SET_FLAGS, NFT_SET_TIMEOUT | NFT_SET_EVAL);
	nftnl_set_set_u32(s, NFTNL_SET_DESC_SIZE, AS_SET_SIZE);
	nftnl_set_set_u64(s, NFTNL_SET_TIMEOUT, AS_SET_TIMEOUT_MS);
	nlh = nft_msg_start(bt, NFT_MSG_NEWSET, NLM_F_CREATE | NLM_F_EXCL);
	if (nlh) {
		nftnl_set_nlmsg_build_payload(nlh, s);
		nft_msg_end(bt);
	}
	nftnl_set_free(s);
	return 0;
}

static const uint32_t payload_base[] = {
	[AS_LINK] = NFT_PAYLOAD_LL_HEADER,
	[AS_NETWORK] = NFT_PAYLOAD_NETWORK_HEADER,
	[AS_TRANSPORT] = NFT_PAYLOAD_TRANSPORT_HEADER,
};

/* @m's bytes loaded into register 1 */
static int put_load(struct nftnl_rule *r, const struct as_match *m)
{
	struct nftnl_expr *load;

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
	return 0;
}

/* The set named in @e (a lookup or a dynset), by name and by its id in
 * this transaction */
static void name_set(struct nftnl_expr *e, uint16_t name_attr,
		     uint16_t id_attr, const char *ifname)
{
	char name[32];

	set_name(ifname, name);
	nftnl_expr_set_str(e, name_attr, name);
	nftnl_expr_set_u32(e, id_attr, SET_ID);
}

/* A lookup of register 1 in @ifname's set; holds when found (or not) */
static int put_lookup(struct nftnl_rule *r, const char *ifname, bool neq)
{
	struct nftnl_expr *l = nftnl_expr_alloc("lookup");

	if (!l)
		return -ENOMEM;
	nftnl_expr_set_u32(l, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
	name_set(l, NFTNL_EXPR_LOOKUP_SET, NFTNL_EXPR_LOOKUP_SET_ID, ifname);
	if (neq)
		nftnl_expr_set_u32(l, NFTNL_EXPR_LOOKUP_FLAGS, NFT_LOOKUP_F_INV);
	nftnl_rule_add_expr(r, l);
	return 0;
}

/* The IPv6 source into @ifname's set, or its timeout refreshed there; a
 * full set ends the rule (NFT_BREAK) */
static int put_claim(struct nftnl_rule *r, const char *ifname)
{
	static const struct as_match src = { .base = AS_NETWORK, .offset = 8,
					     .len = 16 };
	struct nftnl_expr *d;
	int err;

	if ((err = put_load(r, &src)) < 0)
		return err;
	if (!(d = nftnl_expr_alloc("dynset")))
		return -ENOMEM;
	nftnl_expr_set_u32(d, NFTNL_EXPR_DYNSET_SREG_KEY, NFT_REG_1);
	nftnl_expr_set_u32(d, NFTNL_EXPR_DYNSET_OP, NFT_DYNSET_OP_UPDATE);
	nftnl_expr_set_u64(d, NFTNL_EXPR_DYNSET_TIMEOUT, AS_SET_TIMEOUT_MS);
	name_set(d, NFTNL_EXPR_DYNSET_SET_NAME, NFTNL_EXPR_DYNSET_SET_ID,
		 ifname);
	nftnl_rule_add_expr(r, d);
	return 0;
}

/* @m as a load into register 1 and a comparison (or lookup) of it */
static int put_match(struct nftnl_rule *r, const char *ifname,
		     const struct as_match *m)
{
	struct nftnl_expr *cmp;
	int err;

	if ((err = put_load(r, m)) < 0)
		return err;
	if (m->in_set)
		return put_lookup(r, ifname, m->neq);
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
		if ((err = put_match(r, ifname, &ar->m[i])) < 0)
			return err;
	if (ar->claims)		/* no verdict: on to the next rule */
		err = put_claim(r, ifname);
	else if (!(v = nftnl_expr_alloc("immediate")))
		err = -ENOMEM;
	else {
		nftnl_expr_set_u32(v, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
		nftnl_expr_set_u32(v, NFTNL_EXPR_IMM_VERDICT,
				   ar->accept ? NF_ACCEPT : NF_DROP);
		nftnl_rule_add_expr(r, v);
	}
	if (err < 0)
		return err;
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
	if (r == 0 && as->has_set)
		r = put_set(&bt, ifname);
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

/* Used for a hub's socket members' TAPs, which have no set: a NAT
 * NIC's chain and set go with its sandbox's network namespace */
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
