// SPDX-License-Identifier: MIT
/*
 * hub_init.c - a named network's init (hub_init_role, netns/init.h)
 *
 * A hub's sandbox has no payload: its init holds the network's namespaces.
 *
 *   links    the network's segment (netns/segment.h): the bridge qbr0, the
 *            uplink TAP when the network has a way out (natnet, hostonly;
 *            its fd goes to the supervisor's NAT engine), and the hub's own
 *            address (its DNS and DHCP server's, and where forwards and
 *            `qbox exec NETWORK` start from);
 *   prepare  the stream relay (dataplane/stream_relay.c), the generic
 *            members' frames, in a confined child (seccomp/child.h) whose
 *            socket goes to the supervisor;
 *   go       init confines itself but keeps CAP_NET_ADMIN over the hub's
 *            namespaces, and nothing else: while the network runs it makes
 *            and removes a TAP, its anti-spoofing chain and its bridge port
 *            for each client of the network's socket (hub_stream.c asks).
 *            That capability is also its guard against its capless forward
 *            workers and stream relay: ptrace and /proc/PID/mem need the
 *            tracer's permitted set to cover the target's;
 *   reaped   the relay's death is told to the supervisor, which ends the
 *            hub (it has the relay's last words).
 */
#include "network/hub_init.h"

#include <errno.h>
#include <linux/capability.h>
#include <net/if.h>
#include <stdio.h>
#include <unistd.h>

#include "common/util.h"
#include "dataplane/stream_relay.h"
#include "netns/antispoof.h"
#include "netns/antispoof_nft.h"
#include "netns/egress.h"
#include "netns/segment.h"
#include "netns/tap.h"
#include "seccomp/child.h"

/* The hub's own: its stream relay, while it runs */
static pid_t relay;

/* Pass @fd to the supervisor in a message of @type; @fd is closed */
static int hand_over(struct init *in, uint32_t type, int fd, const char *what,
		     struct qerr *e)
{
	struct sbmsg m = { .type = type };
	int r = sbmsg_send(in->sock, &m, fd);

	close(fd);
	if (r < 0)
		return qerr_set(e, -r, "passing %s to the supervisor", what);
	return 0;
}

/* A NAT network with IPv6: its members' addresses bound across them
 * (antispoof_build_network()), before the first joins */
static int hub_guard6(const struct nic_plan *n, const uint8_t (*macs)[6],
		      int k, struct qerr *e)
{
	struct antispoof as;

	if (!n->layout.ipv6)
		return 0;
	antispoof_build_network(&n->layout.net6, macs, k, &as);
	return antispoof_install_network(&as, e);
}

/* The network's TCP out through the hub's kernel, when it can: members'
 * frames are bridged here (netns/egress.h) */
static int hub_egress(const struct nic_plan *n, const char *bridge, int sock,
		      struct qerr *e)
{
	struct egress_nic en = { .dev = bridge, .net = n->net,
				 .prefix = n->prefix };

	if (!nat_egress_kernel(&n->nat))
		return 0;
	if (!n->nat.no_hostloop)
		en.gateway = n->nat.host;
	return egress_open(&en, 1, 1, sock, n->nat.path == EGRESS_KERNEL, e);
}

static int hub_links(struct init *in, struct nl *nl, struct qerr *e)
{
	const struct nic_plan *n = &in->cfg->plan->nics[0];
	char br[16], up[16], vm[16];
	struct segment s = { .bridge = br, .addr = n->layout.hub,
			     .prefix = n->prefix };
	uint8_t own[6];
	uint8_t macs[NAT_ENGINE_MACS][6];
	int upfd, vmfd, r, i, k = nat_engine_macs(&n->nat, macs);

	segment_names(0, br, up, vm);
	if (hub_bridge_mac(&n->layout, own))
		s.bridge_mac = own;
	if (n->layout.uplink)
		s.uplink = up;
	/* serve=off: the hub has no address of its own on the segment */
	if (n->layout.ipv6 && !IN6_IS_ADDR_UNSPECIFIED(&n->layout.hub6))
		s.addr6 = &n->layout.hub6;
	if ((r = segment_build(nl, &s, &upfd, &vmfd, e)) < 0)
		return r;
	if ((r = hub_guard6(n, macs, k, e)) < 0) {
		if (upfd >= 0)
			close(upfd);
		return r;
	}
	/* The NAT engine's MACs are its port's for good: a member sending
	   from one does not move it (hub_member_claim() refuses them too),
	   and frames to its DNS forwarder's, which it never sends from, are
	   not flooded to every member */
	for (i = 0; i < k && upfd >= 0; i++)
		if ((r = nl_fdb_pin(nl, up, macs[i], e)) < 0) {
			close(upfd);
			return r;
		}
	if (upfd >= 0 && (r = hand_over(in, SBMSG_UPLINK, upfd, up, e)) < 0)
		return r;
	return hub_egress(n, br, in->sock, e);
}

static int hub_prepare(struct init *in, struct qerr *e)
{
	struct child_spec spec = { .name = "qbox-stream", .enter_pidfd = -1,
				   .main = stream_relay_main,
				   .arg = (void *)in->cfg->filters };
	struct child c;
	char how[256];
	int r;

	r = child_start(&spec, &c, e);
	if (r == -ECHILD) {
		status_describe(c.status, how, sizeof(how));
		return qerr_set(e, 0, "the stream relay ended while starting "
				      "(%s)", how);
	}
	if (r < 0 && r != -EIO)
		return qerr_set(e, -r, "starting the stream relay");
	if (r < 0)
		return r;
	relay = c.pid;
	return hand_over(in, SBMSG_RELAY, c.sock, "the stream relay", e);
}

static int hub_go(struct init *in, struct qerr *e)
{
	return confine_keeping(in->cfg->filters->baseline, CAP_BIT(CAP_NET_ADMIN), e);
}

/* The TAP of socket member @id, or of link @id (@kind HUB_TAP_LINK) */
static void tap_name(int32_t kind, int32_t id, char name[16])
{
	snprintf(name, 16, kind == HUB_TAP_LINK ? "ql%d" : "qs%d", (int)id);
}

/*
 * A link's TAP: its chain (antispoof_build_link(): no frame carrying a
 * MAC of this side's own, and where this side serves, no DHCP server or
 * router from the far side), then up
 */
static int link_guard(struct init *in, struct nl *nl, const char *name,
		      struct qerr *e)
{
	const struct nic_plan *n = &in->cfg->plan->nics[0];
	uint8_t own[NAT_ENGINE_MACS + 1][6];
	int k = nat_engine_macs(&n->nat, own), r;
	struct antispoof as;

	if (hub_bridge_mac(&n->layout, own[k]))
		k++;
	antispoof_build_link(!n->layout.serve_off, own, k, &as);
	if ((r = antispoof_install(name, AS_INGRESS, &as, e)) < 0)
		return r;
	return nl_link_up(nl, name, 0, TAP_TXQLEN, 0, e);
}

/*
 * Socket member @id gets a TAP of its own on the bridge, made here (init
 * keeps CAP_NET_ADMIN; the relay has none) and handed to the relay. It
 * stays down, so nothing the client sends reaches the segment, until the
 * member's MAC (and lease) are known and its anti-spoofing chain is in
 * place (tap_guard), as a VM's is before its TAP comes up.
 */
static void tap_make(struct init *in, int32_t kind, int32_t id)
{
	struct sbmsg m = { .type = SBMSG_TAP, .nic = kind, .value = id };
	struct nl_link_change port = {
		.master = (int)if_nametoindex(HUB_BRIDGE) };
	struct nl nl = { 0 };
	struct qerr e = { 0 };
	cleanup_fd int fd = -1;
	char name[16];

	tap_name(kind, id, name);
	if (!port.master)
		m.errnum = ENODEV;
	else if (nl_open(&nl, &e) < 0 || (fd = tap_open(name, false, &e)) < 0 ||
		 nl_link_set(&nl, name, &port, &e) < 0 ||
		 (kind == HUB_TAP_LINK && link_guard(in, &nl, name, &e) < 0))
		m.errnum = e.errnum > 0 ? e.errnum : EIO;
	if (m.errnum && fd >= 0)
		nl_link_del(&nl, name, &e);
	nl_close(&nl);
	sbmsg_send(in->sock, &m, m.errnum ? -1 : fd);
}

/* Socket member @r->value's rules (antispoof.c), then its TAP up */
static void tap_guard(struct init *in, const struct sbmsg *r)
{
	struct sbmsg m = { .type = SBMSG_GUARD, .value = r->value };
	struct in_addr addr = { r->addr };
	struct nl nl = { 0 };
	struct qerr e = { 0 };
	struct antispoof as;
	struct as_v6 v6;
	char name[16];

	tap_name(HUB_TAP_SOCKET, r->value, name);
	antispoof_build(r->mac, addr,
			antispoof_net6(&in->cfg->plan->nics[0].layout, &v6) ?
				&v6 : NULL, &as);
	if (antispoof_install(name, AS_INGRESS, &as, &e) < 0 ||
	    nl_open(&nl, &e) < 0 || nl_link_up(&nl, name, 0, 0, 0, &e) < 0)
		m.errnum = e.errnum > 0 ? e.errnum : EIO;
	nl_close(&nl);
	sbmsg_send(in->sock, &m, -1);
}

/*
 * Socket member @id left: its chain (and its set of IPv6 addresses) and
 * its TAP go. TAPs are persistent (tap.h) and a netdev chain outlives its
 * device, so all are deleted here, by name (a member that never sent a
 * frame has none of them).
 */
static void tap_remove(struct init *in, int32_t kind, int32_t id)
{
	struct nl nl = { 0 };
	struct qerr e = { 0 };
	char name[16];

	tap_name(kind, id, name);
	/* a chain guarding a lease has a set where the network has IPv6;
	   one for a MAC alone (no lease to give) has none, nor has a
	   link's, and a batch naming a set that is not there deletes
	   nothing */
	if (kind == HUB_TAP_LINK || !in->cfg->plan->nics[0].layout.ipv6 ||
	    antispoof_remove(name, true, &e) < 0)
		antispoof_remove(name, false, &e);
	if (nl_open(&nl, &e) == 0)
		nl_link_del(&nl, name, &e);
	nl_close(&nl);
}

/* The supervisor asks for its socket members' TAPs, rules and end */
static void hub_message(struct init *in, const struct sbmsg *m)
{
	if (m->type == SBMSG_TAP_REQ)
		tap_make(in, m->nic, m->value);
	else if (m->type == SBMSG_GUARD_REQ)
		tap_guard(in, m);
	else if (m->type == SBMSG_TAP_DEL)
		tap_remove(in, m->nic, m->value);
}

/* The relay died: the supervisor ends the hub (it has its last words);
 * anything else was nobody's */
static void hub_reaped(struct init *in, pid_t pid, int status)
{
	struct sbmsg m = { .type = SBMSG_RELAY_EXIT, .value = status };

	if (pid != relay)
		return;
	relay = 0;
	sbmsg_send(in->sock, &m, -1);
}

const struct init_role hub_init_role = {
	.fault = "hub-init",
	.links = hub_links,
	.prepare = hub_prepare,
	.go = hub_go,
	.message = hub_message,
	.reaped = hub_reaped,
};
