// SPDX-License-Identifier: MIT
/* impair.c - rate, loss, delay and jitter of a NIC (impair.h) */
#include "netns/impair.h"

#include <errno.h>
#include <stdio.h>
#include <libmnl/libmnl.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <string.h>

#include "common/bytes.h"
#include "netns/nft.h"

#define IMPAIR_TABLE "qbox-impair"
#define LOSS_SCALE 10000	/* loss_bp's hundredths of a percent */

static struct nftnl_expr *expr(struct nftnl_rule *r, const char *name)
{
	struct nftnl_expr *x = nftnl_expr_alloc(name);

	if (x)
		nftnl_rule_add_expr(r, x);
	return x;
}

/*
 * numgen random mod 10000 < LOSS drop: what `nft` emits for it, the
 * number turned to network order first, as cmp compares bytes
 */
static int loss_rule(struct nftnl_rule *r, const char *chain,
		     unsigned int loss_bp)
{
	struct nftnl_expr *ng, *bo, *cmp, *v;
	uint8_t limit[4];

	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, IMPAIR_TABLE);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_NETDEV);
	if (!(ng = expr(r, "numgen")) || !(bo = expr(r, "byteorder")) ||
	    !(cmp = expr(r, "cmp")) || !(v = expr(r, "immediate")))
		return -ENOMEM;
	nftnl_expr_set_u32(ng, NFTNL_EXPR_NG_DREG, NFT_REG_1);
	nftnl_expr_set_u32(ng, NFTNL_EXPR_NG_MODULUS, LOSS_SCALE);
	nftnl_expr_set_u32(ng, NFTNL_EXPR_NG_TYPE, NFT_NG_RANDOM);
	nftnl_expr_set_u32(bo, NFTNL_EXPR_BYTEORDER_SREG, NFT_REG_1);
	nftnl_expr_set_u32(bo, NFTNL_EXPR_BYTEORDER_DREG, NFT_REG_1);
	nftnl_expr_set_u32(bo, NFTNL_EXPR_BYTEORDER_OP, NFT_BYTEORDER_HTON);
	nftnl_expr_set_u32(bo, NFTNL_EXPR_BYTEORDER_LEN, 4);
	nftnl_expr_set_u32(bo, NFTNL_EXPR_BYTEORDER_SIZE, 4);
	be32_put(limit, loss_bp);
	nftnl_expr_set_u32(cmp, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(cmp, NFTNL_EXPR_CMP_OP, NFT_CMP_LT);
	nftnl_expr_set(cmp, NFTNL_EXPR_CMP_DATA, limit, sizeof(limit));
	nftnl_expr_set_u32(v, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(v, NFTNL_EXPR_IMM_VERDICT, NF_DROP);
	return 0;
}

/* A chain on @port's ingress or egress, and its one rule */
static int loss_chain(struct nft_batch *bt, const char *port, bool egress,
		      unsigned int loss_bp)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	char name[32];
	int err;

	if (!r)
		return -ENOMEM;
	snprintf(name, sizeof(name), "%s-%s", port, egress ? "out" : "in");
	err = nft_put_chain(bt, IMPAIR_TABLE, name, port, egress, true);
	if (err == 0 && (err = loss_rule(r, name, loss_bp)) == 0)
		nft_put_rule(bt, r);
	nftnl_rule_free(r);
	return err;
}

/* @port's loss chains gone (none there is no error), then made anew */
static int loss_set(const char *port, unsigned int loss_bp, struct qerr *e)
{
	static struct nft_batch bt;	/* 32 KiB */
	static const char *const dirs[] = { "in", "out" };
	char name[32];
	size_t i;
	int r;

	for (i = 0; i < 2; i++) {
		snprintf(name, sizeof(name), "%s-%s", port, dirs[i]);
		if ((r = nft_begin(&bt)) < 0 ||
		    ((r = nft_send(&bt, nft_put_chain_delete(&bt, IMPAIR_TABLE,
							     name))) < 0 &&
		     r != -ENOENT))
			return qerr_set(e, -r, "nftables: %s's loss", port);
	}
	if (!loss_bp)
		return 0;
	if ((r = nft_begin(&bt)) < 0)
		return qerr_set(e, -r, "nftables: %s's loss", port);
	r = nft_put_table(&bt, IMPAIR_TABLE);
	if (r == 0)
		r = loss_chain(&bt, port, false, loss_bp);
	if (r == 0)
		r = loss_chain(&bt, port, true, loss_bp);
	if ((r = nft_send(&bt, r)) < 0)
		return qerr_set(e, -r, "nftables: %s's loss", port);
	return 0;
}

/*
 * The root qdisc for rate, delay and jitter. tbf lets no frame larger
 * than its burst pass: the burst holds a command's 65520-byte frames, and
 * 10 ms of the rate; the queue, 100 ms of it.
 */
static int shape(struct nl *nl, const char *dev, const struct net_impair *im,
		 struct qerr *e)
{
	struct nl_shape s = { .rate_Bps = im->rate_bps / 8,
			      .delay_ns = im->delay_ms * 1000000ULL,
			      .jitter_ns = im->jitter_ms * 1000000ULL };
	uint64_t burst = s.rate_Bps / 100 > 66000 ? s.rate_Bps / 100 : 66000;
	uint64_t limit = s.rate_Bps / 10 > 2 * burst ? s.rate_Bps / 10 :
						      2 * burst;
	int r;

	if (!im->rate_bps && !im->delay_ms)
		return nl_qdisc_clear(nl, dev, e);
	s.burst = burst > UINT32_MAX ? UINT32_MAX : (uint32_t)burst;
	s.limit = limit > UINT32_MAX ? UINT32_MAX : (uint32_t)limit;
	r = nl_qdisc_set(nl, dev, &s, e);
	if (r == -ENOENT)
		return qerr_usage(e, "%s needs the kernel's %s qdisc (module "
				     "%s), which this kernel does not have",
				  im->delay_ms ? "delay=" : "rate=",
				  im->delay_ms ? "netem" : "tbf",
				  im->delay_ms ? "sch_netem" : "sch_tbf");
	return r;
}

int impair_apply(struct nl *nl, const char *port, const char *vmdev,
		 const struct net_impair *im, struct qerr *e)
{
	int r;

	if ((r = shape(nl, port, im, e)) < 0 ||
	    (vmdev && (r = shape(nl, vmdev, im, e)) < 0))
		return r;
	return loss_set(port, im->loss_bp, e);
}
