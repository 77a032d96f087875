// SPDX-License-Identifier: MIT
/*
 * antispoof_nft.c - the rules of antispoof.c, installed with libnftnl
 *
 * Theory of operation. Sandbox init, while it still holds CAP_NET_ADMIN
 * over the sandbox's network namespace, sends one nftables transaction per
 * VM NIC (and per command NIC on a named network): the table `netdev qbox`
 * (created once, left alone after), the chain's set of IPv6 addresses
 * where it binds them first come, first served, a base chain named after
 * the device with a hook on its ingress (a VM's TAP) or egress (a
 * command's veth to the hub) and the rules' policy, and the rules in
 * order. A network's hub sends one more, for its bridge (table `bridge
 * qbox`, its two sets, chain `savi`). The kernel applies a batch whole or
 * not at all, and acknowledges each message, so a failure names its
 * errno. Each match of a rule becomes what nft itself emits for it: a
 * payload (or meta l4proto) load into register 1 and a cmp, or a lookup
 * in a set (a concatenation of address and MAC takes registers 1 and
 * 2); a claim is a dynset update, and decides nothing; every other rule
 * ends in an immediate verdict; each carries its reason as a comment,
 * which `nft list ruleset` shows.
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
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "netns/nft.h"

#define TABLE "qbox"
#define NETWORK_CHAIN "savi"	/* a network's, on its hub's bridge */
#define NFT_TYPE_IP6ADDR 8	/* nft's ipv6_addr and ether_addr, for */
#define NFT_TYPE_ETHERADDR 9	/* `nft list` */
#define NFT_TYPE_BITS 6		/* a concatenation's types, shifted */

/* A set a rule names: by name, and by its id in the transaction that
 * makes it (the chain's own with the chain; a network's with its chain) */
struct set_ref {
	char name[32];
	uint32_t id;
};

static struct set_ref set_of(enum as_set set, const char *ifname)
{
	struct set_ref s = { .id = set };

	if (set == AS_SET_CHAIN)
		snprintf(s.name, sizeof(s.name), "%s-v6", ifname);
	else
		snprintf(s.name, sizeof(s.name), NETWORK_CHAIN "-%s",
			 set == AS_SET_OWNER ? "owner" : "taken");
	return s;
}

/* A set message's object: @ref in the batch's family's table; NULL when
 * out of memory */
static struct nftnl_set *set_named(const struct nft_batch *bt,
				   const struct set_ref *ref)
{
	struct nftnl_set *s = nftnl_set_alloc();

	if (s) {
		nftnl_set_set_str(s, NFTNL_SET_TABLE, TABLE);
		nftnl_set_set_str(s, NFTNL_SET_NAME, ref->name);
		nftnl_set_set_u32(s, NFTNL_SET_FAMILY, bt->family);
	}
	return s;
}

/* Set @set: IPv6 addresses (AS_SET_OWNER: and a MAC each), at most
 * @size of them, filled from the packet path (dynamic), each expiring
 * unused after AS_SET_TIMEOUT_MS */
static int put_set(struct nft_batch *bt, enum as_set set, const char *ifname,
		   uint32_t size)
{
	struct set_ref ref = set_of(set, ifname);
	struct nftnl_set *s = set_named(bt, &ref);
	bool mac = set == AS_SET_OWNER;
	struct nlmsghdr *nlh;

	if (!s)
		return -ENOMEM;
	nftnl_set_set_u32(s, NFTNL_SET_ID, ref.id);
	/* a MAC takes 8 bytes of a key: registers are 4-byte words */
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, mac ? 16 + 8 : 16);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, mac ?
			  NFT_TYPE_IP6ADDR << NFT_TYPE_BITS | NFT_TYPE_ETHERADDR :
			  NFT_TYPE_IP6ADDR);
	nftnl_set_set_u32(s, NFTNL_SET_FLAGS, NFT_SET_TIMEOUT | NFT_SET_EVAL);
	nftnl_set_set_u32(s, NFTNL_SET_DESC_SIZE, size);
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

/* @m's bytes loaded into register @reg */
static int put_load(struct nftnl_rule *r, const struct as_match *m,
		    uint32_t reg)
{
	struct nftnl_expr *load;

	if (m->base == AS_L4PROTO) {
		if (!(load = nftnl_expr_alloc("meta")))
			return -ENOMEM;
		nftnl_expr_set_u32(load, NFTNL_EXPR_META_KEY, NFT_META_L4PROTO);
		nftnl_expr_set_u32(load, NFTNL_EXPR_META_DREG, reg);
	} else {
		if (!(load = nftnl_expr_alloc("payload")))
			return -ENOMEM;
		nftnl_expr_set_u32(load, NFTNL_EXPR_PAYLOAD_BASE,
				   payload_base[m->base]);
		nftnl_expr_set_u32(load, NFTNL_EXPR_PAYLOAD_OFFSET, m->offset);
		nftnl_expr_set_u32(load, NFTNL_EXPR_PAYLOAD_LEN, m->len);
		nftnl_expr_set_u32(load, NFTNL_EXPR_PAYLOAD_DREG, reg);
	}
	nftnl_rule_add_expr(r, load);
	return 0;
}

/* The 16 bytes of @m into register 1 and, for AS_SET_OWNER, the frame's
 * Ethernet source into register 2: the key of a lookup in @m's set
 * (register 1's 16 bytes then register 2's first 8, a concatenation) */
static int put_key(struct nftnl_rule *r, const struct as_match *m)
{
	static const struct as_match src_mac = { .base = AS_LINK, .offset = 6,
						 .len = 6 };
	int err = put_load(r, m, NFT_REG_1);

	if (err == 0 && m->set == AS_SET_OWNER)
		err = put_load(r, &src_mac, NFT_REG_2);
	return err;
}

/* The set named in @e (a lookup or a dynset) */
static void name_set(struct nftnl_expr *e, uint16_t name_attr,
		     uint16_t id_attr, enum as_set set, const char *ifname)
{
	struct set_ref ref = set_of(set, ifname);

	nftnl_expr_set_str(e, name_attr, ref.name);
	nftnl_expr_set_u32(e, id_attr, ref.id);
}

/* A lookup of the key in @set; holds when found (or not) */
static int put_lookup(struct nftnl_rule *r, enum as_set set,
		      const char *ifname, bool neq)
{
	struct nftnl_expr *l = nftnl_expr_alloc("lookup");

	if (!l)
		return -ENOMEM;
	nftnl_expr_set_u32(l, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
	name_set(l, NFTNL_EXPR_LOOKUP_SET, NFTNL_EXPR_LOOKUP_SET_ID, set,
		 ifname);
	if (neq)
		nftnl_expr_set_u32(l, NFTNL_EXPR_LOOKUP_FLAGS, NFT_LOOKUP_F_INV);
	nftnl_rule_add_expr(r, l);
	return 0;
}

/* The key into @set, or its timeout refreshed there; a full set ends
 * the rule (NFT_BREAK) */
static int put_update(struct nftnl_rule *r, enum as_set set,
		      const char *ifname)
{
	struct nftnl_expr *d = nftnl_expr_alloc("dynset");

	if (!d)
		return -ENOMEM;
	nftnl_expr_set_u32(d, NFTNL_EXPR_DYNSET_SREG_KEY, NFT_REG_1);
	nftnl_expr_set_u32(d, NFTNL_EXPR_DYNSET_OP, NFT_DYNSET_OP_UPDATE);
	nftnl_expr_set_u64(d, NFTNL_EXPR_DYNSET_TIMEOUT, AS_SET_TIMEOUT_MS);
	name_set(d, NFTNL_EXPR_DYNSET_SET_NAME, NFTNL_EXPR_DYNSET_SET_ID, set,
		 ifname);
	nftnl_rule_add_expr(r, d);
	return 0;
}

/* The IPv6 source claimed as @claim says (enum as_claim): into the
 * chain's set, or with the MAC into the network's owners and then into
 * its taken addresses (whose key is register 1's 16 bytes alone) */
static int put_claim(struct nftnl_rule *r, enum as_claim claim,
		     const char *ifname)
{
	struct as_match src = { .base = AS_NETWORK, .offset = 8, .len = 16,
				.set = claim == AS_CLAIM_CHAIN ? AS_SET_CHAIN
							       : AS_SET_OWNER };
	int err;

	if ((err = put_key(r, &src)) < 0 ||
	    (err = put_update(r, (enum as_set)src.set, ifname)) < 0)
		return err;
	if (claim == AS_CLAIM_NETWORK)
		err = put_update(r, AS_SET_TAKEN, ifname);
	return err;
}

/* @m as a load into register 1 and a comparison (or lookup) of it */
static int put_match(struct nftnl_rule *r, const char *ifname,
		     const struct as_match *m)
{
	struct nftnl_expr *cmp;
	int err;

	if (m->set)
		return put_key(r, m) < 0 ? -ENOMEM :
		       put_lookup(r, (enum as_set)m->set, ifname, m->neq);
	if ((err = put_load(r, m, NFT_REG_1)) < 0)
		return err;
	if (!(cmp = nftnl_expr_alloc("cmp")))
		return -ENOMEM;
	nftnl_expr_set_u32(cmp, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(cmp, NFTNL_EXPR_CMP_OP, m->neq ? NFT_CMP_NEQ
							  : NFT_CMP_EQ);
	nftnl_expr_set(cmp, NFTNL_EXPR_CMP_DATA, m->data, m->len);
	nftnl_rule_add_expr(r, cmp);
	return 0;
}

/* The rule's verdict: accept or drop */
static int put_verdict(struct nftnl_rule *r, bool accept)
{
	struct nftnl_expr *v = nftnl_expr_alloc("immediate");

	if (!v)
		return -ENOMEM;
	nftnl_expr_set_u32(v, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(v, NFTNL_EXPR_IMM_VERDICT, accept ? NF_ACCEPT
							      : NF_DROP);
	nftnl_rule_add_expr(r, v);
	return 0;
}

/* The rule's matches, its verdict, and its reason as a comment */
static int rule_fill(struct nftnl_rule *r, uint32_t family,
		     const char *chain, const char *ifname,
		     const struct as_rule *ar)
{
	struct nftnl_udata_buf *ud;
	int i, err = 0;

	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, TABLE);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, family);
	for (i = 0; i < ar->n; i++)
		if ((err = put_match(r, ifname, &ar->m[i])) < 0)
			return err;
	/* a claim decides nothing: the next rule does */
	if (ar->claims)
		err = put_claim(r, (enum as_claim)ar->claims, ifname);
	else
		err = put_verdict(r, ar->accept);
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

static int put_rule(struct nft_batch *bt, const char *chain,
		    const char *ifname, const struct as_rule *ar)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	int err;

	if (!r)
		return -ENOMEM;
	if ((err = rule_fill(r, bt->family, chain, ifname, ar)) == 0)
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
		r = put_set(&bt, AS_SET_CHAIN, ifname, AS_SET_SIZE);
	if (r == 0)
		r = nft_put_chain(&bt, TABLE, ifname, ifname,
				  hook == AS_EGRESS, as->policy_accept);
	for (i = 0; r == 0 && i < as->n; i++)
		r = put_rule(&bt, ifname, ifname, &as->rules[i]);
	if ((r = nft_send(&bt, r)) < 0)
		return qerr_set(e, -r, "nftables: installing the anti-spoofing "
				       "rules on %s", ifname);
	return 0;
}

int antispoof_install_network(const struct antispoof *as, struct qerr *e)
{
	static struct nft_batch bt;
	int i, r;

	if ((r = nft_begin(&bt)) < 0)
		return qerr_set(e, -r, "building the network's anti-spoofing "
				       "rules");
	bt.family = NFPROTO_BRIDGE;
	r = nft_put_table(&bt, TABLE);
	if (r == 0)
		r = put_set(&bt, AS_SET_OWNER, NULL, AS_NETWORK_SET_SIZE);
	if (r == 0)
		r = put_set(&bt, AS_SET_TAKEN, NULL, AS_NETWORK_SET_SIZE);
	if (r == 0)
		r = nft_put_chain(&bt, TABLE, NETWORK_CHAIN, NULL, false,
				  as->policy_accept);
	for (i = 0; r == 0 && i < as->n; i++)
		r = put_rule(&bt, NETWORK_CHAIN, NULL, &as->rules[i]);
	if ((r = nft_send(&bt, r)) < 0)
		return qerr_set(e, -r, "nftables: installing the network's "
				       "anti-spoofing rules on its bridge");
	return 0;
}

/* Set @set of @ifname deleted (after the rules that name it) */
static int put_set_delete(struct nft_batch *bt, enum as_set set,
			  const char *ifname)
{
	struct set_ref ref = set_of(set, ifname);
	struct nftnl_set *s = set_named(bt, &ref);
	struct nlmsghdr *nlh;

	if (!s)
		return -ENOMEM;
	if ((nlh = nft_msg_start(bt, NFT_MSG_DELSET, 0))) {
		nftnl_set_nlmsg_build_payload(nlh, s);
		nft_msg_end(bt);
	}
	nftnl_set_free(s);
	return 0;
}

/* Used for a hub's socket members' TAPs: a NAT NIC's chain and set go
 * with its sandbox's network namespace */
int antispoof_remove(const char *ifname, bool has_set, struct qerr *e)
{
	static struct nft_batch bt;
	int r;

	if ((r = nft_begin(&bt)) == 0)
		r = nft_put_chain_delete(&bt, TABLE, ifname);
	if (r == 0 && has_set)
		r = put_set_delete(&bt, AS_SET_CHAIN, ifname);
	if ((r = nft_send(&bt, r)) < 0)
		return qerr_set(e, -r, "nftables: removing the anti-spoofing "
				       "rules of %s", ifname);
	return 0;
}

/* Each part of the dump's answer: its elements added to @arg's set */
static int elems_cb(const struct nlmsghdr *nlh, void *arg)
{
	return nftnl_set_elems_nlmsg_parse(nlh, arg) < 0 ? MNL_CB_ERROR
							 : MNL_CB_OK;
}

/* The network's owners set of the current namespace, dumped into @s */
static int owners_dump(struct nftnl_set *s)
{
	struct set_ref ref = set_of(AS_SET_OWNER, NULL);
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *sk = mnl_socket_open2(NETLINK_NETFILTER,
						 SOCK_CLOEXEC);
	uint32_t seq = (uint32_t)time(NULL), portid;
	struct nlmsghdr *nlh;
	ssize_t n;
	int r = 0;

	if (!sk)
		return -errno;
	nftnl_set_set_str(s, NFTNL_SET_TABLE, TABLE);
	nftnl_set_set_str(s, NFTNL_SET_NAME, ref.name);
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETSETELEM, NFPROTO_BRIDGE,
				    NLM_F_DUMP | NLM_F_ACK, seq);
	nftnl_set_elems_nlmsg_build_payload(nlh, s);
	if (mnl_socket_bind(sk, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    mnl_socket_sendto(sk, nlh, nlh->nlmsg_len) < 0)
		r = -errno;
	portid = mnl_socket_get_portid(sk);
	while (r == 0 && (n = mnl_socket_recvfrom(sk, buf, sizeof(buf))) > 0) {
		r = mnl_cb_run(buf, (size_t)n, seq, portid, elems_cb, s);
		if (r <= 0)	/* MNL_CB_STOP: the dump is done */
			r = r < 0 ? -errno : 1;
		else
			r = 0;
	}
	mnl_socket_close(sk);
	return r < 0 ? r : 0;
}

int antispoof_network_owners(struct as_owner *out, int max, struct qerr *e)
{
	struct nftnl_set *s = nftnl_set_alloc();
	struct nftnl_set_elems_iter *it = NULL;
	struct nftnl_set_elem *el;
	int n = 0, r;

	if (!s)
		return qerr_set(e, ENOMEM, "reading the network's IPv6 owners");
	if ((r = owners_dump(s)) == 0 && !(it = nftnl_set_elems_iter_create(s)))
		r = -ENOMEM;
	while (r == 0 && n < max && (el = nftnl_set_elems_iter_next(it))) {
		uint32_t len = 0;
		const uint8_t *k = nftnl_set_elem_get(el, NFTNL_SET_ELEM_KEY,
						      &len);

		if (!k || len < 16 + 6)
			continue;
		memcpy(&out[n].addr, k, 16);
		memcpy(out[n].mac, k + 16, 6);
		n++;
	}
	if (it)
		nftnl_set_elems_iter_destroy(it);
	nftnl_set_free(s);
	if (r < 0)
		return qerr_set(e, -r, "nftables: reading the network's IPv6 "
				       "owners");
	return n;
}
