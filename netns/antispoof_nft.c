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
 * file's bulk and its likeliest bug.
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
#include <time.h>

#define TABLE "qbox"

/* A transaction being built, and how many acknowledgements it will earn */
struct batch {
	struct mnl_nlmsg_batch *b;
	uint32_t seq;
	int acks;
	bool full;
	char buf[32768];
};

/* The next message's header, or NULL when the batch is full */
static struct nlmsghdr *msg_start(struct batch *bt, uint16_t type,
				  uint16_t flags)
{
	struct nlmsghdr *nlh;

	if (bt->full)
		return NULL;
	nlh = nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(bt->b), type,
				    NFPROTO_NETDEV, flags | NLM_F_ACK,
				    bt->seq++);
	bt->acks++;
	return nlh;
}

static void msg_end(struct batch *bt)
{
	if (!mnl_nlmsg_batch_next(bt->b))
		bt->full = true;
}

static int put_table(struct batch *bt)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh;

	if (!t)
		return -ENOMEM;
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, TABLE);
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_NETDEV);
	nlh = msg_start(bt, NFT_MSG_NEWTABLE, NLM_F_CREATE);
	if (nlh) {
		nftnl_table_nlmsg_build_payload(nlh, t);
		msg_end(bt);
	}
	nftnl_table_free(t);
	return 0;
}

/* The base chain on @ifname's @hook */
static int put_chain(struct batch *bt, const char *ifname, enum as_hook hook,
		     bool accept)
{
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct nlmsghdr *nlh;

	if (!c)
		return -ENOMEM;
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, TABLE);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, ifname);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "filter");
	nftnl_chain_set_str(c, NFTNL_CHAIN_DEV, ifname);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, hook == AS_EGRESS ?
			    NF_NETDEV_EGRESS : NF_NETDEV_INGRESS);
	nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, 0);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, accept ? NF_ACCEPT : NF_DROP);
	nlh = msg_start(bt, NFT_MSG_NEWCHAIN, NLM_F_CREATE | NLM_F_EXCL);
	if (nlh) {
		nftnl_chain_nlmsg_build_payload(nlh, c);
		msg_end(bt);
	}
	nftnl_chain_free(c);
	return 0;
}

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

static int put_rule(struct batch *bt, const char *ifname,
		    const struct as_rule *ar)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nlmsghdr *nlh;
	int err;

	if (!r)
		return -ENOMEM;
	err = rule_fill(r, ifname, ar);
	if (err == 0 && (nlh = msg_start(bt, NFT_MSG_NEWRULE,
					  NLM_F_CREATE | NLM_F_APPEND))) {
		nftnl_rule_nlmsg_build_payload(nlh, r);
		msg_end(bt);
	}
	nftnl_rule_free(r);
	return err;
}

/* Send the transaction; 0 once every message is acknowledged, or the
 * first error the kernel reports */
static int batch_commit(struct mnl_socket *sk, struct batch *bt)
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

/* A transaction's first message */
static int batch_begin(struct batch *bt)
{
	memset(bt, 0, sizeof(*bt));
	bt->seq = (uint32_t)time(NULL);
	/* libmnl wants twice the batch's limit: a message may overflow it */
	bt->b = mnl_nlmsg_batch_start(bt->buf, sizeof(bt->buf) / 2);
	if (!bt->b)
		return -ENOMEM;
	nftnl_batch_begin(mnl_nlmsg_batch_current(bt->b), bt->seq++);
	mnl_nlmsg_batch_next(bt->b);
	return 0;
}

/* Close the transaction built (@r: how building went) and send it */
static int batch_send(struct batch *bt, int r)
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
		r = batch_commit(sk, bt);
	if (sk)
		mnl_socket_close(sk);
	mnl_nlmsg_batch_stop(bt->b);
	return r;
}

int antispoof_install(const char *ifname, enum as_hook hook,
		      const struct antispoof *as, struct qerr *e)
{
	static struct batch bt;	/* init is single-threaded; 32 KiB */
	int i, r;

	if ((r = batch_begin(&bt)) < 0)
		return qerr_set(e, -r, "building %s's anti-spoofing rules",
				ifname);
	r = put_table(&bt);
	if (r == 0)
		r = put_chain(&bt, ifname, hook, as->policy_accept);
	for (i = 0; r == 0 && i < as->n; i++)
		r = put_rule(&bt, ifname, &as->rules[i]);
	if ((r = batch_send(&bt, r)) < 0)
		return qerr_set(e, -r, "nftables: installing the anti-spoofing "
				       "rules on %s", ifname);
	return 0;
}

/* Flush and delete the chain named @ifname */
static int put_chain_delete(struct batch *bt, const char *ifname)
{
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct nftnl_rule *rl = nftnl_rule_alloc();
	struct nlmsghdr *nlh;

	if (c && rl) {
		/* a rule message naming only the chain flushes it */
		nftnl_rule_set_str(rl, NFTNL_RULE_TABLE, TABLE);
		nftnl_rule_set_str(rl, NFTNL_RULE_CHAIN, ifname);
		nftnl_rule_set_u32(rl, NFTNL_RULE_FAMILY, NFPROTO_NETDEV);
		if ((nlh = msg_start(bt, NFT_MSG_DELRULE, 0))) {
			nftnl_rule_nlmsg_build_payload(nlh, rl);
			msg_end(bt);
		}
		nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, TABLE);
		nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, ifname);
		if ((nlh = msg_start(bt, NFT_MSG_DELCHAIN, 0))) {
			nftnl_chain_nlmsg_build_payload(nlh, c);
			msg_end(bt);
		}
	}
	if (rl)
		nftnl_rule_free(rl);
	if (c)
		nftnl_chain_free(c);
	return c && rl ? 0 : -ENOMEM;
}

int antispoof_remove(const char *ifname, struct qerr *e)
{
	static struct batch bt;
	int r;

	if ((r = batch_begin(&bt)) < 0 ||
	    (r = batch_send(&bt, put_chain_delete(&bt, ifname))) < 0)
		return qerr_set(e, -r, "nftables: removing the anti-spoofing "
				       "rules of %s", ifname);
	return 0;
}
