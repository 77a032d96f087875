/* SPDX-License-Identifier: MIT */
/*
 * nl.h - the rtnetlink requests qbox needs, over libmnl
 *
 * Each request is sent with NLM_F_ACK and waits for its answer, so a failure
 * is reported where it happened: NLMSG_ERROR becomes -errno and a message
 * naming the operation and the link ("creating bridge qbr0: File exists").
 */
#ifndef QBOX_NL_H
#define QBOX_NL_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/err.h"

struct mnl_socket;

struct nl {
	struct mnl_socket *sk;
	unsigned int seq;
	unsigned int portid;
};

int nl_open(struct nl *nl, struct qerr *e);
void nl_close(struct nl *nl);

/* Create a bridge; @mac may be NULL to let the kernel choose */
int nl_bridge_add(struct nl *nl, const char *name, const uint8_t *mac,
		  struct qerr *e);

/**
 * nl_veth_add() - create a veth pair
 * @name:	this end, in the socket's netns
 * @peer:	the other end's name
 * @peer_netns:	fd of the netns the peer is created in, -1: the same
 * @e:		error naming the pair
 *
 * Placing the peer in another netns needs CAP_NET_ADMIN over both.
 * Return: 0 or -errno
 */
int nl_veth_add(struct nl *nl, const char *name, const char *peer,
		int peer_netns, struct qerr *e);

struct nl_link_change {
	int master;		/* ifindex of the bridge to enslave to; 0: none */
	unsigned int txqlen;	/* 0: leave as is */
	unsigned int mtu;	/* 0: leave as is */
	bool up;
	bool down;		/* set it down (a command's unplugged NIC) */
};

/* Change link @ifname (found by name in the socket's netns): MTU, master,
 * txqueuelen, up (one request) */
int nl_link_set(struct nl *nl, const char *ifname,
		const struct nl_link_change *c, struct qerr *e);

/* Set link @name up, with a master, queue length and MTU where not 0 */
int nl_link_up(struct nl *nl, const char *name, int master,
	       unsigned int txqlen, unsigned int mtu, struct qerr *e);

/* Delete link @ifname (found by name in the socket's netns) */
int nl_link_del(struct nl *nl, const char *ifname, struct qerr *e);

/* What RTM_GETLINK tells of a link, as far as qbox asks */
struct nl_link_info {
	unsigned short type;		/* ARPHRD_* */
	char kind[16];			/* IFLA_INFO_KIND ("tun", "bridge",
					   "veth"); "" for none */
	/* kind "tun": TUN and TAP devices */
	uint8_t tun_type;		/* IFF_TUN or IFF_TAP */
	bool has_owner, has_group;	/* only the owner, or members of the
					   group, may attach to it */
	uint32_t owner, group;
	bool persist, multi_queue;
};

/**
 * nl_link_get() - what link @ifname is, in the socket's netns
 * @nl:		socket
 * @ifname:	the link's name
 * @out:	filled on success
 * @e:		error naming the link (not filled for -ENODEV)
 *
 * Needs no privilege: any user may ask.
 * Return: 0, -ENODEV when there is no such link, or -errno
 */
int nl_link_get(struct nl *nl, const char *ifname, struct nl_link_info *out,
		struct qerr *e);

/* Add @addr/@prefix of @family (AF_INET, or AF_INET6 without duplicate
 * address detection) to @ifname */
int nl_addr_add(struct nl *nl, const char *ifname, int family,
		const void *addr, unsigned int prefix, struct qerr *e);

/* Add a default route of @family via @gw out of @ifname */
int nl_route_default(struct nl *nl, const char *ifname, int family,
		     const void *gw, struct qerr *e);

/*
 * Pin @mac to bridge port @port: a static, sticky forwarding entry, so the
 * bridge neither floods frames to it nor learns it on another port
 */
int nl_fdb_pin(struct nl *nl, const char *port, const uint8_t mac[6],
	       struct qerr *e);

/* What a device's root qdisc does to what leaves it (impair.c) */
struct nl_shape {
	uint64_t rate_Bps;	/* bytes per second; 0: no limit */
	uint32_t burst;		/* tbf: bytes sent at once at most */
	uint32_t limit;		/* tbf: bytes waiting at most */
	uint64_t delay_ns;	/* netem: each frame held this long */
	uint64_t jitter_ns;	/* netem: give or take this */
};

/*
 * Replace @ifname's root qdisc: netem (delay, jitter, and rate) when
 * @s->delay_ns, else tbf (rate). -ENOENT when the kernel has no such
 * qdisc (netem, tbf: a module missing), as a bare errno with @e set.
 */
int nl_qdisc_set(struct nl *nl, const char *ifname, const struct nl_shape *s,
		 struct qerr *e);

/* Back to @ifname's default root qdisc; none set is no error */
int nl_qdisc_clear(struct nl *nl, const char *ifname, struct qerr *e);

#endif /* QBOX_NL_H */
