// SPDX-License-Identifier: MIT
/*
 * egress_nft.c - the kernel egress path's rules (egress_nft.h), built with
 * libnftnl as nft itself would emit them
 *
 *   table ip qbox_egress
 *     hold, hold_out  (filter; prerouting, output; priority -300, before
 *                      conntrack): a SYN re-run with a refusal's mark is
 *                      refused as marked (RST, ICMP unreachable or
 *                      administratively prohibited, or dropped); a NIC's
 *                      new SYN outward goes to worker J's queue, J its
 *                      connection's symmetric hash modulo the workers
 *     nat, nat_out    (nat; priority -100): the connection, its SYN let
 *                      through with worker J's mark, goes to listener J
 *                      at 127.H, H a hash of its original destination
 *                      (dnat_hashed() tells why)
 *     cable_DEV       (filter; prerouting or output, priority -310): a
 *                      NIC unplugged or impaired marks its frames to
 *                      bypass the path (its new connections are
 *                      libslirp's, through the impaired uplink TAP); a
 *                      command's unplugged NIC drops its own
 *     guard           (filter; prerouting, priority 0): a bridge that
 *                      routes 127/8 (route_localnet, for the dnat) takes
 *                      nothing there but what the dnat sent
 *
 * This kernel has no nft `queue` expression (CONFIG_NFT_QUEUE) on some
 * builds, while xtables' NFQUEUE target is there through nft_compat, and
 * works in a user's network namespace: the queue rule uses the target,
 * as iptables-nft does.
 */
#include "netns/egress_nft.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter/xt_NFQUEUE.h>
#include <net/if.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "dataplane/egress.h"
#include "netns/nft.h"

#define PRIO_HOLD (-300)	/* before conntrack (-200) */
#define PRIO_NAT (-100)		/* dstnat */
#define PRIO_GUARD 0		/* filter: after the dnat */
#define PRIO_CABLE (-310)	/* before hold */

static int add(struct nftnl_rule *r, struct nftnl_expr *x)
{
	if (!x)
		return -ENOMEM;
	nftnl_rule_add_expr(r, x);
	return 0;
}

/* meta KEY into register 1 */
static int meta_load(struct nftnl_rule *r, uint32_t key)
{
	struct nftnl_expr *x = nftnl_expr_alloc("meta");

	if (x) {
		nftnl_expr_set_u32(x, NFTNL_EXPR_META_KEY, key);
		nftnl_expr_set_u32(x, NFTNL_EXPR_META_DREG, NFT_REG_1);
	}
	return add(r, x);
}

/* register 1 OP @data */
static int cmp(struct nftnl_rule *r, uint32_t op, const void *data,
	       uint32_t len)
{
	struct nftnl_expr *x = nftnl_expr_alloc("cmp");

	if (x) {
		nftnl_expr_set_u32(x, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
		nftnl_expr_set_u32(x, NFTNL_EXPR_CMP_OP, op);
		nftnl_expr_set(x, NFTNL_EXPR_CMP_DATA, data, len);
	}
	return add(r, x);
}

/* @len bytes at @off of header @base into register 1 */
static int load(struct nftnl_rule *r, uint32_t base, uint32_t off,
		uint32_t len, uint32_t reg);

static int payload(struct nftnl_rule *r, uint32_t base, uint32_t off,
		   uint32_t len)
{
	return load(r, base, off, len, NFT_REG_1);
}

/* register 1 = register 1 & @mask (xor 0) */
static int mask(struct nftnl_rule *r, const void *m, uint32_t len)
{
	struct nftnl_expr *x = nftnl_expr_alloc("bitwise");
	uint8_t zero[4] = { 0 };

	if (x) {
		nftnl_expr_set_u32(x, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
		nftnl_expr_set_u32(x, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
		nftnl_expr_set_u32(x, NFTNL_EXPR_BITWISE_LEN, len);
		nftnl_expr_set(x, NFTNL_EXPR_BITWISE_MASK, m, len);
		nftnl_expr_set(x, NFTNL_EXPR_BITWISE_XOR, zero, len);
	}
	return add(r, x);
}

/* meta mark set @mark */
static int mark_set(struct nftnl_rule *r, uint32_t mark)
{
	struct nftnl_expr *imm = nftnl_expr_alloc("immediate");
	struct nftnl_expr *x = nftnl_expr_alloc("meta");
	int err;

	if (imm) {
		nftnl_expr_set_u32(imm, NFTNL_EXPR_IMM_DREG, NFT_REG_1);
		nftnl_expr_set(imm, NFTNL_EXPR_IMM_DATA, &mark, sizeof(mark));
	}
	if (x) {
		nftnl_expr_set_u32(x, NFTNL_EXPR_META_KEY, NFT_META_MARK);
		nftnl_expr_set_u32(x, NFTNL_EXPR_META_SREG, NFT_REG_1);
	}
	if ((err = add(r, imm)) < 0) {
		if (x)
			nftnl_expr_free(x);
		return err;
	}
	return add(r, x);
}

static int mark_is(struct nftnl_rule *r, uint32_t mark)
{
	int err = meta_load(r, NFT_META_MARK);

	return err ? err : cmp(r, NFT_CMP_EQ, &mark, sizeof(mark));
}

/* A NIC's device, TCP, and its destination: off the subnet, or the alias */
static int nic_match(struct nftnl_rule *r, const struct egress_nic *n,
		     bool alias)
{
	char name[IFNAMSIZ] = { 0 };
	uint8_t tcp = IPPROTO_TCP;
	uint32_t m = htonl(n->prefix ? ~0U << (32 - n->prefix) : 0);
	int err;

	strncpy(name, n->dev, sizeof(name) - 1);
	if ((err = meta_load(r, n->local ? NFT_META_OIFNAME : NFT_META_IIFNAME)) ||
	    (err = cmp(r, NFT_CMP_EQ, name, sizeof(name))) ||
	    (err = meta_load(r, NFT_META_L4PROTO)) ||
	    (err = cmp(r, NFT_CMP_EQ, &tcp, 1)) ||
	    (err = payload(r, NFT_PAYLOAD_NETWORK_HEADER, 16, 4)))
		return err;
	if (alias)
		return cmp(r, NFT_CMP_EQ, &n->gateway, 4);
	if ((err = mask(r, &m, 4)))
		return err;
	return cmp(r, NFT_CMP_NEQ, &n->net, 4);
}

static int verdict(struct nftnl_rule *r, int v)
{
	struct nftnl_expr *x = nftnl_expr_alloc("immediate");

	if (x) {
		nftnl_expr_set_u32(x, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
		nftnl_expr_set_u32(x, NFTNL_EXPR_IMM_VERDICT, (uint32_t)v);
	}
	return add(r, x);
}

static int reject(struct nftnl_rule *r, uint32_t type, uint8_t code)
{
	struct nftnl_expr *x = nftnl_expr_alloc("reject");

	if (x) {
		nftnl_expr_set_u32(x, NFTNL_EXPR_REJECT_TYPE, type);
		nftnl_expr_set_u8(x, NFTNL_EXPR_REJECT_CODE, code);
	}
	return add(r, x);
}

/* The connection's symmetric hash modulo @k is @j */
static int hash_is(struct nftnl_rule *r, uint32_t k, uint32_t j)
{
	struct nftnl_expr *x = nftnl_expr_alloc("hash");
	int err;

	if (x) {
		nftnl_expr_set_u32(x, NFTNL_EXPR_HASH_TYPE, NFT_HASH_SYM);
		nftnl_expr_set_u32(x, NFTNL_EXPR_HASH_DREG, NFT_REG_1);
		nftnl_expr_set_u32(x, NFTNL_EXPR_HASH_MODULUS, k);
		nftnl_expr_set_u32(x, NFTNL_EXPR_HASH_OFFSET, 0);
	}
	if ((err = add(r, x)) < 0)
		return err;
	return cmp(r, NFT_CMP_EQ, &j, sizeof(j));
}

/* xtables' NFQUEUE, revision 3, through nft_compat: queue @num */
static int to_queue(struct nftnl_rule *r, uint16_t num)
{
	struct nftnl_expr *x = nftnl_expr_alloc("target");
	/* the kernel wants the info at its aligned size; the expression
	   takes the buffer (libnftnl frees it) */
	size_t size = XT_ALIGN(sizeof(struct xt_NFQ_info_v3));
	struct xt_NFQ_info_v3 *q = calloc(1, size);

	if (!x || !q) {
		free(q);
		if (x)
			nftnl_expr_free(x);
		return -ENOMEM;
	}
	q->queuenum = num;
	q->queues_total = 1;
	nftnl_expr_set_str(x, NFTNL_EXPR_TG_NAME, "NFQUEUE");
	nftnl_expr_set_u32(x, NFTNL_EXPR_TG_REV, 3);
	nftnl_expr_set(x, NFTNL_EXPR_TG_INFO, q, (uint32_t)size);
	return add(r, x);
}

/* @len bytes at @off of header @base into register @reg */
static int load(struct nftnl_rule *r, uint32_t base, uint32_t off,
		uint32_t len, uint32_t reg)
{
	struct nftnl_expr *x = nftnl_expr_alloc("payload");

	if (x) {
		nftnl_expr_set_u32(x, NFTNL_EXPR_PAYLOAD_DREG, reg);
		nftnl_expr_set_u32(x, NFTNL_EXPR_PAYLOAD_BASE, base);
		nftnl_expr_set_u32(x, NFTNL_EXPR_PAYLOAD_OFFSET, off);
		nftnl_expr_set_u32(x, NFTNL_EXPR_PAYLOAD_LEN, len);
	}
	return add(r, x);
}

/*
 * dnat to 127.H:@port, H the jhash of the original destination's address
 * and port (24 bits, 0.0.1 to 255.255.254): a guest reuses a source port
 * toward different destinations, and one listener address would make
 * their redirected tuples the same (the second connection's NAT fails
 * while the first's conntrack entry lives). As nft emits `dnat to jhash
 * ip daddr . tcp dport mod 16777214 offset 0x7f000001 :PORT`, plus the
 * byte order the address register wants.
 */
static int dnat_hashed(struct nftnl_rule *r, uint16_t port)
{
	struct nftnl_expr *h = nftnl_expr_alloc("hash");
	struct nftnl_expr *bo = nftnl_expr_alloc("byteorder");
	struct nftnl_expr *imm = nftnl_expr_alloc("immediate");
	struct nftnl_expr *nat = nftnl_expr_alloc("nat");
	uint16_t be = htons(port);
	int err;

	if (h) {
		nftnl_expr_set_u32(h, NFTNL_EXPR_HASH_TYPE, NFT_HASH_JENKINS);
		nftnl_expr_set_u32(h, NFTNL_EXPR_HASH_SREG, NFT_REG32_00);
		nftnl_expr_set_u32(h, NFTNL_EXPR_HASH_DREG, NFT_REG32_04);
		nftnl_expr_set_u32(h, NFTNL_EXPR_HASH_LEN, 8);
		nftnl_expr_set_u32(h, NFTNL_EXPR_HASH_MODULUS, 0xfffffe);
		nftnl_expr_set_u32(h, NFTNL_EXPR_HASH_SEED, 0x71626f78);
		nftnl_expr_set_u32(h, NFTNL_EXPR_HASH_OFFSET, 0x7f000001);
	}
	if (bo) {
		nftnl_expr_set_u32(bo, NFTNL_EXPR_BYTEORDER_SREG, NFT_REG32_04);
		nftnl_expr_set_u32(bo, NFTNL_EXPR_BYTEORDER_DREG, NFT_REG32_04);
		nftnl_expr_set_u32(bo, NFTNL_EXPR_BYTEORDER_OP, NFT_BYTEORDER_HTON);
		nftnl_expr_set_u32(bo, NFTNL_EXPR_BYTEORDER_LEN, 4);
		nftnl_expr_set_u32(bo, NFTNL_EXPR_BYTEORDER_SIZE, 4);
	}
	if (imm) {
		nftnl_expr_set_u32(imm, NFTNL_EXPR_IMM_DREG, NFT_REG32_05);
		nftnl_expr_set(imm, NFTNL_EXPR_IMM_DATA, &be, sizeof(be));
	}
	if (nat) {
		nftnl_expr_set_u32(nat, NFTNL_EXPR_NAT_TYPE, NFT_NAT_DNAT);
		nftnl_expr_set_u32(nat, NFTNL_EXPR_NAT_FAMILY, NFPROTO_IPV4);
		nftnl_expr_set_u32(nat, NFTNL_EXPR_NAT_REG_ADDR_MIN, NFT_REG32_04);
		nftnl_expr_set_u32(nat, NFTNL_EXPR_NAT_REG_ADDR_MAX, NFT_REG32_04);
		nftnl_expr_set_u32(nat, NFTNL_EXPR_NAT_REG_PROTO_MIN, NFT_REG32_05);
		nftnl_expr_set_u32(nat, NFTNL_EXPR_NAT_REG_PROTO_MAX, NFT_REG32_05);
	}
	if ((err = load(r, NFT_PAYLOAD_NETWORK_HEADER, 16, 4, NFT_REG32_00)) ||
	    (err = load(r, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG32_01)) ||
	    (err = add(r, h)) < 0) {
		h = NULL;
		goto out;
	}
	h = NULL;
	if ((err = add(r, bo)) < 0) {
		bo = NULL;
		goto out;
	}
	bo = NULL;
	if ((err = add(r, imm)) < 0) {
		imm = NULL;
		goto out;
	}
	imm = NULL;
	err = add(r, nat);
	nat = NULL;
out:
	if (h)
		nftnl_expr_free(h);
	if (bo)
		nftnl_expr_free(bo);
	if (imm)
		nftnl_expr_free(imm);
	if (nat)
		nftnl_expr_free(nat);
	return err;
}

/* A bridged frame to 127/8 the dnat did not make: dropped (the bridge
 * routes 127/8 for the dnat's sake, route_localnet) */
static int ct_not_dnat(struct nftnl_rule *r)
{
	struct nftnl_expr *x = nftnl_expr_alloc("ct");
	uint32_t dnat = IPS_DST_NAT, zero = 0;
	int err;

	if (x) {
		nftnl_expr_set_u32(x, NFTNL_EXPR_CT_KEY, NFT_CT_STATUS);
		nftnl_expr_set_u32(x, NFTNL_EXPR_CT_DREG, NFT_REG_1);
	}
	if ((err = add(r, x)) < 0 || (err = mask(r, &dnat, 4)) < 0)
		return err;
	return cmp(r, NFT_CMP_EQ, &zero, 4);
}

enum what { REFUSE_RST, REFUSE_NET, REFUSE_HOST, REFUSE_DROP,
	     REFUSE_PROHIBITED, QUEUE, REDIRECT, GUARD, GUARD_OTHER,
	     NOTRACK_LOCAL, NOTRACK_OTHER, BYPASS, UNPLUGGED };

/* Which NIC, destination and worker a QUEUE or REDIRECT rule is for */
struct target {
	char dev[IFNAMSIZ];	/* GUARD's */
	const struct egress_nic *n;
	bool alias;		/* the host alias, not the outside */
	int j, k;		/* worker J of K */
	uint16_t port;		/* its listener's */
};

/* The refusal of a SYN re-run with @w's mark */
static int refusal_fill(struct nftnl_rule *r, enum what w)
{
	static const uint32_t marks[] = { EGRESS_MARK_RST, EGRESS_MARK_NET,
					   EGRESS_MARK_HOST, EGRESS_MARK_DROP,
					   EGRESS_MARK_PROHIBITED };
	uint8_t tcp = IPPROTO_TCP;
	int err;

	if ((err = mark_is(r, marks[w])) < 0)
		return err;
	switch (w) {
	case REFUSE_RST:
		if (!(err = meta_load(r, NFT_META_L4PROTO)) &&
		    !(err = cmp(r, NFT_CMP_EQ, &tcp, 1)))
			err = reject(r, NFT_REJECT_TCP_RST, 0);
		return err;
	case REFUSE_NET:
	case REFUSE_HOST:
		return reject(r, NFT_REJECT_ICMP_UNREACH,
			      w == REFUSE_NET ? 0 : 1);
	case REFUSE_PROHIBITED:	/* the egress policy's, as libslirp's path */
		return reject(r, NFT_REJECT_ICMP_UNREACH, 13);
	default:
		return verdict(r, NF_DROP);
	}
}

/* A NIC's new SYN to its queue (QUEUE), or its connection let through
 * to its listener (REDIRECT) */
static int path_fill(struct nftnl_rule *r, enum what w,
		     const struct target *t)
{
	uint8_t flags = 0x17, syn = 0x02;	/* fin|syn|rst|ack == syn */
	int err;

	if ((err = nic_match(r, t->n, t->alias)) < 0)
		return err;
	if (w == REDIRECT)
		return mark_is(r, EGRESS_MARK_LISTEN(t->j)) ?:
		       dnat_hashed(r, t->port);
	if (!(err = payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 13, 1)) &&
	    !(err = mask(r, &flags, 1)) &&
	    !(err = cmp(r, NFT_CMP_EQ, &syn, 1)) &&
	    !(err = mark_is(r, 0)) &&
	    !(err = t->k > 1 ? hash_is(r, (uint32_t)t->k, (uint32_t)t->j) : 0))
		err = to_queue(r, (uint16_t)t->j);
	return err;
}

/* What a NIC's own frames meet besides the path: untracked, guarded,
 * unplugged or impaired */
static int nic_fill(struct nftnl_rule *r, enum what w, const struct target *t)
{
	uint8_t tcp = IPPROTO_TCP, loopnet = 127;
	uint32_t netmask = htonl(t->n->prefix ? ~0U << (32 - t->n->prefix)
					      : 0);
	bool out = t->n->local && (w == BYPASS || w == UNPLUGGED);
	int err;

	if ((err = meta_load(r, out ? NFT_META_OIFNAME : NFT_META_IIFNAME)) ||
	    (err = cmp(r, NFT_CMP_EQ, t->dev, IFNAMSIZ)))
		return err;
	switch (w) {
	case NOTRACK_LOCAL:	/* within the subnet, but for the host alias */
		if (!(err = payload(r, NFT_PAYLOAD_NETWORK_HEADER, 16, 4)) &&
		    !(err = t->n->gateway.s_addr ?
			    cmp(r, NFT_CMP_NEQ, &t->n->gateway, 4) : 0) &&
		    !(err = mask(r, &netmask, 4)) &&
		    !(err = cmp(r, NFT_CMP_EQ, &t->n->net, 4)) &&
		    !(err = add(r, nftnl_expr_alloc("notrack"))))
			err = verdict(r, NF_ACCEPT);	/* nothing more here */
		return err;
	case NOTRACK_OTHER:	/* not TCP: libslirp's, the NAT's not ours */
		if (!(err = meta_load(r, NFT_META_L4PROTO)) &&
		    !(err = cmp(r, NFT_CMP_NEQ, &tcp, 1)) &&
		    !(err = add(r, nftnl_expr_alloc("notrack"))))
			err = verdict(r, NF_ACCEPT);
		return err;
	case GUARD:		/* TCP the dnat did not send there */
	case GUARD_OTHER:	/* anything else (untracked: no ct to ask) */
		if (!(err = payload(r, NFT_PAYLOAD_NETWORK_HEADER, 16, 1)) &&
		    !(err = cmp(r, NFT_CMP_EQ, &loopnet, 1)) &&
		    !(err = meta_load(r, NFT_META_L4PROTO)) &&
		    !(err = cmp(r, w == GUARD ? NFT_CMP_EQ : NFT_CMP_NEQ,
				&tcp, 1)) &&
		    !(err = w == GUARD ? ct_not_dnat(r) : 0))
			err = verdict(r, NF_DROP);
		return err;
	case BYPASS:		/* [io]ifname DEV meta mark set BYPASS */
		return mark_set(r, EGRESS_MARK_BYPASS);
	default:		/* UNPLUGGED: oifname DEV drop */
		return verdict(r, NF_DROP);
	}
}

/* One rule of @chain; @t for all but the refusals */
static int rule(struct nft_batch *bt, const char *chain, enum what w,
		const struct target *t)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	int err;

	if (!r)
		return -ENOMEM;
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, EGRESS_TABLE);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_IPV4);
	if (w <= REFUSE_PROHIBITED)
		err = refusal_fill(r, w);
	else if (w == QUEUE || w == REDIRECT)
		err = path_fill(r, w, t);
	else
		err = nic_fill(r, w, t);
	if (!err)
		nft_put_rule(bt, r);
	nftnl_rule_free(r);
	return err;
}

static int chains(struct nft_batch *bt)
{
	const struct nft_hook h[] = {
		{ EGRESS_TABLE, "hold", NULL, NULL, NF_INET_PRE_ROUTING,
		  PRIO_HOLD, true },
		{ EGRESS_TABLE, "hold_out", NULL, NULL, NF_INET_LOCAL_OUT,
		  PRIO_HOLD, true },
		{ EGRESS_TABLE, "nat", "nat", NULL, NF_INET_PRE_ROUTING,
		  PRIO_NAT, true },
		{ EGRESS_TABLE, "nat_out", "nat", NULL, NF_INET_LOCAL_OUT,
		  PRIO_NAT, true },
		{ EGRESS_TABLE, "guard", NULL, NULL, NF_INET_PRE_ROUTING,
		  PRIO_GUARD, true },
	};
	size_t i;
	int err;

	if ((err = nft_put_table(bt, EGRESS_TABLE)) < 0)
		return err;
	for (i = 0; i < sizeof(h) / sizeof(h[0]); i++)
		if ((err = nft_put_hooked(bt, &h[i])) < 0)
			return err;
	return 0;
}

/* The refusals come first in both hold chains */
static int refusals(struct nft_batch *bt, const char *chain)
{
	enum what w;
	int err;

	for (w = REFUSE_RST; w <= REFUSE_PROHIBITED; w++)
		if ((err = rule(bt, chain, w, NULL)) < 0)
			return err;
	return 0;
}

/*
 * What the path does not take, conntrack need not see, nor the rest of
 * the hold chain: frames bridged between a network's members, and to
 * and from libslirp, cross the bridge's IPv4 hooks at less cost
 */
static int untracked(struct nft_batch *bt, const struct egress_nic *n)
{
	struct target t = { .n = n };
	int err;

	if (n->local)
		return 0;
	strncpy(t.dev, n->dev, sizeof(t.dev) - 1);
	if ((err = rule(bt, "hold", NOTRACK_LOCAL, &t)) < 0)
		return err;
	return rule(bt, "hold", NOTRACK_OTHER, &t);
}

static int nic_rules(struct nft_batch *bt, const struct egress_nic *n,
		     const uint16_t *ports, int k)
{
	const char *hold = n->local ? "hold_out" : "hold";
	const char *nat = n->local ? "nat_out" : "nat";
	struct target t = { .n = n, .k = k };
	int alias, err;

	/* a bridge that routes 127/8 for the dnat: nothing else to it */
	strncpy(t.dev, n->dev, sizeof(t.dev) - 1);
	if (!n->local && ((err = rule(bt, "guard", GUARD, &t)) < 0 ||
			  (err = rule(bt, "guard", GUARD_OTHER, &t)) < 0))
		return err;


	for (alias = 0; alias <= (n->gateway.s_addr != 0); alias++)
		for (t.j = 0; t.j < k; t.j++) {
			t.alias = alias;
			t.port = ports[t.j];
			if ((err = rule(bt, hold, QUEUE, &t)) < 0 ||
			    (err = rule(bt, nat, REDIRECT, &t)) < 0)
				return err;
		}
	return 0;
}

/* NIC @n's cable chain, "cable_DEV", before the hold chains: empty
 * until its NIC is unplugged or impaired (egress_nft_cable()) */
static int cable_chain(struct nft_batch *bt, const struct egress_nic *n)
{
	char name[32];
	struct nft_hook h = { .table = EGRESS_TABLE, .name = name,
			      .hook = n->local ? NF_INET_LOCAL_OUT :
						 NF_INET_PRE_ROUTING,
			      .prio = PRIO_CABLE, .accept = true };

	snprintf(name, sizeof(name), "cable_%s", n->dev);
	return nft_put_hooked(bt, &h);
}

int egress_nft_cable(const char *dev, bool local, bool bypass, bool down)
{
	struct egress_nic n = { .dev = dev, .local = local };
	struct target t = { .n = &n };
	struct nft_batch bt;
	char name[32];
	int err;

	if ((err = nft_begin(&bt)) < 0)
		return err;
	bt.family = NFPROTO_IPV4;
	snprintf(name, sizeof(name), "cable_%s", dev);
	strncpy(t.dev, dev, sizeof(t.dev) - 1);
	err = nft_put_chain_flush(&bt, EGRESS_TABLE, name);
	if (!err && bypass)
		err = rule(&bt, name, BYPASS, &t);
	if (!err && down && local)
		err = rule(&bt, name, UNPLUGGED, &t);
	err = nft_send(&bt, err);
	return err == -ENOENT ? 0 : err;	/* not on the path */
}

int egress_nft_install(const struct egress_nic *nics, int n,
		       const uint16_t *ports, int k)
{
	struct nft_batch bt;
	int i, err;

	if ((err = nft_begin(&bt)) < 0)
		return err;
	bt.family = NFPROTO_IPV4;
	err = chains(&bt);
	for (i = 0; !err && i < n; i++)
		err = cable_chain(&bt, &nics[i]);
	/* first in hold: most bridged frames are done with at once */
	for (i = 0; !err && i < n; i++)
		err = untracked(&bt, &nics[i]);
	if (!err)
		err = refusals(&bt, "hold");
	if (!err)
		err = refusals(&bt, "hold_out");
	for (i = 0; !err && i < n; i++)
		err = nic_rules(&bt, &nics[i], ports, k);
	return nft_send(&bt, err);
}

int egress_nft_remove(void)
{
	struct nft_batch bt;
	int err;

	if ((err = nft_begin(&bt)) < 0)
		return err;
	bt.family = NFPROTO_IPV4;
	return nft_send(&bt, nft_put_table_delete(&bt, EGRESS_TABLE));
}
