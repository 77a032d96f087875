// SPDX-License-Identifier: MIT
/*
 * nl.c - rtnetlink through libmnl
 *
 * Requests are built in a stack buffer with libmnl's attribute helpers and
 * answered synchronously: the sandbox is built step by step, and each step
 * must have succeeded before the next makes sense.
 */
#include "netns/nl.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/pkt_sched.h>
#include <linux/veth.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int nl_open(struct nl *nl, struct qerr *e)
{
	nl->sk = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl->sk)
		return qerr_set(e, errno, "opening rtnetlink socket");
	if (mnl_socket_bind(nl->sk, 0, MNL_SOCKET_AUTOPID) < 0) {
		int err = errno;

		mnl_socket_close(nl->sk);
		nl->sk = NULL;
		return qerr_set(e, err, "binding rtnetlink socket");
	}
	nl->portid = mnl_socket_get_portid(nl->sk);
	nl->seq = (unsigned int)time(NULL);
	return 0;
}

void nl_close(struct nl *nl)
{
	if (nl->sk)
		mnl_socket_close(nl->sk);
	nl->sk = NULL;
}

/*
 * Send @nlh and wait for its ACK; 0 or -errno from NLMSG_ERROR. Answers
 * before the ACK (to a GET request) go to @cb, when given.
 */
static int nl_request_cb(struct nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
			 void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned int seq = ++nl->seq;
	int r;

	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	if (mnl_socket_sendto(nl->sk, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		ssize_t n = mnl_socket_recvfrom(nl->sk, buf, sizeof(buf));

		if (n < 0)
			return -errno;
		r = mnl_cb_run(buf, (size_t)n, seq, nl->portid, cb, data);
		if (r < 0)
			return errno ? -errno : -EPROTO;
	} while (r != MNL_CB_STOP);
	return 0;
}

static int nl_request(struct nl *nl, struct nlmsghdr *nlh)
{
	return nl_request_cb(nl, nlh, NULL, NULL);
}

static struct nlmsghdr *put_link_header(char *buf, uint16_t flags, int index)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifm;

	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = flags;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = index;
	return nlh;
}

static int ifindex_of(const char *ifname, const char *what, struct qerr *e)
{
	unsigned int i = if_nametoindex(ifname);

	if (!i)
		return qerr_set(e, errno, "%s %s: no such link", what, ifname);
	return (int)i;
}

int nl_bridge_add(struct nl *nl, const char *name, const uint8_t *mac,
		  struct qerr *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct nlattr *info;
	int r;

	nlh = put_link_header(buf, NLM_F_CREATE | NLM_F_EXCL, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (mac)
		mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
	mnl_attr_nest_end(nlh, info);
	if ((r = nl_request(nl, nlh)) < 0)
		return qerr_set(e, -r, "netlink: creating bridge %s", name);
	return 0;
}

int nl_veth_add(struct nl *nl, const char *name, const char *peer,
		int peer_netns, struct qerr *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct nlattr *info, *data, *pa;
	struct ifinfomsg *pifm;
	int r;

	nlh = put_link_header(buf, NLM_F_CREATE | NLM_F_EXCL, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	/* VETH_INFO_PEER holds an ifinfomsg followed by the peer's attrs */
	pa = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	pifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*pifm));
	pifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, peer);
	if (peer_netns >= 0)
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)peer_netns);
	mnl_attr_nest_end(nlh, pa);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	if ((r = nl_request(nl, nlh)) < 0)
		return qerr_set(e, -r, "netlink: creating veth pair %s/%s",
				name, peer);
	return 0;
}

int nl_link_set(struct nl *nl, const char *ifname,
		const struct nl_link_change *c, struct qerr *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifm;
	int r;

	/* by name, so that a socket opened in another netns finds its link */
	nlh = put_link_header(buf, 0, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname);
	ifm = mnl_nlmsg_get_payload(nlh);
	if (c->up || c->down) {
		ifm->ifi_flags = c->up ? IFF_UP : 0;
		ifm->ifi_change = IFF_UP;
	}
	if (c->master)
		mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)c->master);
	if (c->txqlen)
		mnl_attr_put_u32(nlh, IFLA_TXQLEN, c->txqlen);
	/* the kernel applies the MTU before the master: a bridge adopts it */
	if (c->mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, c->mtu);
	if ((r = nl_request(nl, nlh)) < 0)
		return qerr_set(e, -r, "netlink: configuring link %s%s%s",
				ifname, c->master ? " (enslaving to bridge)" : "",
				c->up ? " (setting up)" :
				c->down ? " (setting down)" : "");
	return 0;
}

int nl_link_del(struct nl *nl, const char *ifname, struct qerr *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = put_link_header(buf, 0, 0);
	int r;

	nlh->nlmsg_type = RTM_DELLINK;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname);
	if ((r = nl_request(nl, nlh)) < 0)
		return qerr_set(e, -r, "netlink: deleting link %s", ifname);
	return 0;
}

int nl_addr_add(struct nl *nl, const char *ifname, int family,
		const void *addr, unsigned int prefix, struct qerr *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;
	size_t len = family == AF_INET6 ? 16 : 4;
	int index = ifindex_of(ifname, "netlink: adding address to", e), r;

	if (index < 0)
		return index;
	nlh->nlmsg_type = RTM_NEWADDR;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (unsigned char)family;
	ifa->ifa_prefixlen = (unsigned char)prefix;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (unsigned int)index;
	/* ours alone on a link of our own: no duplicate address detection,
	   so the address is usable at once (as the IPv4 one is) */
	if (family == AF_INET6)
		ifa->ifa_flags = IFA_F_NODAD;
	mnl_attr_put(nlh, IFA_LOCAL, len, addr);
	mnl_attr_put(nlh, IFA_ADDRESS, len, addr);
	if ((r = nl_request(nl, nlh)) < 0)
		return qerr_set(e, -r, "netlink: adding address to %s", ifname);
	return 0;
}

int nl_fdb_pin(struct nl *nl, const char *port, const uint8_t mac[6],
	       struct qerr *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ndmsg *nd;
	int index = ifindex_of(port, "netlink: pinning a MAC to", e), r;

	if (index < 0)
		return index;
	nlh->nlmsg_type = RTM_NEWNEIGH;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	nd = mnl_nlmsg_put_extra_header(nlh, sizeof(*nd));
	nd->ndm_family = AF_BRIDGE;
	nd->ndm_ifindex = index;
	nd->ndm_state = NUD_NOARP;		/* "static" */
	nd->ndm_flags = NTF_MASTER | NTF_STICKY;
	mnl_attr_put(nlh, NDA_LLADDR, 6, mac);
	if ((r = nl_request(nl, nlh)) < 0)
		return qerr_set(e, -r, "netlink: pinning a MAC to %s", port);
	return 0;
}

int nl_route_default(struct nl *nl, const char *ifname, int family,
		     const void *gw, struct qerr *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;
	int index = ifindex_of(ifname, "netlink: adding route via", e), r;

	if (index < 0)
		return index;
	nlh->nlmsg_type = RTM_NEWROUTE;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (unsigned char)family;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_BOOT;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put(nlh, RTA_GATEWAY, family == AF_INET6 ? 16 : 4, gw);
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)index);
	if ((r = nl_request(nl, nlh)) < 0)
		return qerr_set(e, -r, "netlink: adding %sdefault route via %s",
				family == AF_INET6 ? "IPv6 " : "", ifname);
	return 0;
}

/* Collect the attributes of one nesting level, by type, into @data */
static int attr_collect(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(a);

	/* every table below is this size; later types are not asked for */
	if (type <= IFLA_MAX)
		tb[type] = a;
	return MNL_CB_OK;
}

/* A tun link's IFLA_INFO_DATA (the kernel's tun_fill_info) */
static void tun_info_parse(const struct nlattr *data, struct nl_link_info *out)
{
	const struct nlattr *tb[IFLA_MAX + 1] = { 0 };

	mnl_attr_parse_nested(data, attr_collect, tb);
	if (tb[IFLA_TUN_TYPE])
		out->tun_type = mnl_attr_get_u8(tb[IFLA_TUN_TYPE]);
	if ((out->has_owner = tb[IFLA_TUN_OWNER] != NULL))
		out->owner = mnl_attr_get_u32(tb[IFLA_TUN_OWNER]);
	if ((out->has_group = tb[IFLA_TUN_GROUP] != NULL))
		out->group = mnl_attr_get_u32(tb[IFLA_TUN_GROUP]);
	out->persist = tb[IFLA_TUN_PERSIST] &&
		       mnl_attr_get_u8(tb[IFLA_TUN_PERSIST]);
	out->multi_queue = tb[IFLA_TUN_MULTI_QUEUE] &&
			   mnl_attr_get_u8(tb[IFLA_TUN_MULTI_QUEUE]);
}

/* The RTM_NEWLINK that answers our RTM_GETLINK */
static int link_info_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[IFLA_MAX + 1] = { 0 }, *li[IFLA_MAX + 1] = { 0 };
	const struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
	struct nl_link_info *out = data;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	out->type = ifm->ifi_type;
	mnl_attr_parse(nlh, sizeof(*ifm), attr_collect, tb);
	if (!tb[IFLA_LINKINFO])
		return MNL_CB_OK;
	mnl_attr_parse_nested(tb[IFLA_LINKINFO], attr_collect, li);
	if (li[IFLA_INFO_KIND])
		snprintf(out->kind, sizeof(out->kind), "%s",
			 mnl_attr_get_str(li[IFLA_INFO_KIND]));
	if (!strcmp(out->kind, "tun") && li[IFLA_INFO_DATA])
		tun_info_parse(li[IFLA_INFO_DATA], out);
	return MNL_CB_OK;
}

int nl_link_get(struct nl *nl, const char *ifname, struct nl_link_info *out,
		struct qerr *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = put_link_header(buf, 0, 0);
	int r;

	memset(out, 0, sizeof(*out));
	nlh->nlmsg_type = RTM_GETLINK;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname);
	r = nl_request_cb(nl, nlh, link_info_cb, out);
	if (r == -ENODEV)
		return r;
	if (r < 0)
		return qerr_set(e, -r, "netlink: looking up link %s", ifname);
	return 0;
}

int nl_link_up(struct nl *nl, const char *name, int master,
	       unsigned int txqlen, unsigned int mtu, struct qerr *e)
{
	struct nl_link_change c = { .master = master, .txqlen = txqlen,
				    .mtu = mtu, .up = true };

	return nl_link_set(nl, name, &c, e);
}

/* RTM_NEWQDISC or RTM_DELQDISC of @ifname's root qdisc */
static struct nlmsghdr *put_qdisc_header(char *buf, uint16_t type,
					 uint16_t flags, int index)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct tcmsg *t;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	t = mnl_nlmsg_put_extra_header(nlh, sizeof(*t));
	t->tcm_family = AF_UNSPEC;
	t->tcm_ifindex = index;
	t->tcm_parent = TC_H_ROOT;
	return nlh;
}

/* tbf: TCA_TBF_BURST in bytes lets the kernel work out the rest, and an
 * Ethernet link layer tells it no rate table follows */
static void put_tbf(struct nlmsghdr *nlh, const struct nl_shape *s)
{
	struct tc_tbf_qopt q = { .limit = s->limit };
	struct nlattr *opt;

	q.rate.rate = s->rate_Bps >= UINT32_MAX ? UINT32_MAX :
						  (uint32_t)s->rate_Bps;
	q.rate.linklayer = TC_LINKLAYER_ETHERNET;
	mnl_attr_put_strz(nlh, TCA_KIND, "tbf");
	opt = mnl_attr_nest_start(nlh, TCA_OPTIONS);
	mnl_attr_put(nlh, TCA_TBF_PARMS, sizeof(q), &q);
	if (s->rate_Bps >= UINT32_MAX)
		mnl_attr_put_u64(nlh, TCA_TBF_RATE64, s->rate_Bps);
	mnl_attr_put_u32(nlh, TCA_TBF_BURST, s->burst);
	mnl_attr_nest_end(nlh, opt);
}

/* netem's options are its struct, then attributes: its own format */
static void put_netem(struct nlmsghdr *nlh, const struct nl_shape *s)
{
	struct tc_netem_qopt q = { .limit = 10000 };
	struct nlattr *opt;

	mnl_attr_put_strz(nlh, TCA_KIND, "netem");
	opt = mnl_attr_nest_start(nlh, TCA_OPTIONS);
	memcpy(mnl_nlmsg_get_payload_tail(nlh), &q, sizeof(q));
	nlh->nlmsg_len += MNL_ALIGN(sizeof(q));
	mnl_attr_put_u64(nlh, TCA_NETEM_LATENCY64, s->delay_ns);
	if (s->jitter_ns)
		mnl_attr_put_u64(nlh, TCA_NETEM_JITTER64, s->jitter_ns);
	if (s->rate_Bps) {
		struct tc_netem_rate r = { 0 };

		r.rate = s->rate_Bps >= UINT32_MAX ? UINT32_MAX :
						     (uint32_t)s->rate_Bps;
		mnl_attr_put(nlh, TCA_NETEM_RATE, sizeof(r), &r);
		if (s->rate_Bps >= UINT32_MAX)
			mnl_attr_put_u64(nlh, TCA_NETEM_RATE64, s->rate_Bps);
	}
	mnl_attr_nest_end(nlh, opt);
}

int nl_qdisc_set(struct nl *nl, const char *ifname, const struct nl_shape *s,
		 struct qerr *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	const char *kind = s->delay_ns ? "netem" : "tbf";
	struct nlmsghdr *nlh;
	int index, r;

	if ((index = ifindex_of(ifname, "qdisc on", e)) < 0)
		return index;
	nlh = put_qdisc_header(buf, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_REPLACE,
			       index);
	if (s->delay_ns)
		put_netem(nlh, s);
	else
		put_tbf(nlh, s);
	if ((r = nl_request(nl, nlh)) < 0) {
		qerr_set(e, -r, "tc: %s on %s", kind, ifname);
		return r;
	}
	return 0;
}

int nl_qdisc_clear(struct nl *nl, const char *ifname, struct qerr *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int index, r;

	if ((index = ifindex_of(ifname, "qdisc on", e)) < 0)
		return index;
	r = nl_request(nl, put_qdisc_header(buf, RTM_DELQDISC, 0, index));
	/* ENOENT, EINVAL: the default qdisc, which cannot be deleted */
	if (r < 0 && r != -ENOENT && r != -EINVAL)
		return qerr_set(e, -r, "tc: clearing %s's qdisc", ifname);
	return 0;
}
