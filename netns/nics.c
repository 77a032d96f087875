// SPDX-License-Identifier: MIT
/*
 * nics.c - the NICs of a sandbox that runs a payload (see payload.h)
 *
 * Each NIC is a segment (segment.h) named after its index: qbrN, qupN,
 * qvmN, qnvN.
 *
 *   nat       the bridge, the uplink TAP (its fd goes to the supervisor,
 *             whose NAT engine runs libslirp on it), and for a VM its TAP
 *             (its fd stays here for QEMU) with .1 of the subnet on the
 *             bridge, so that forwards reach the guest from here; a
 *             command's address and default route go on the bridge, whose
 *             MAC is the plan's.
 *   natnet, hostonly, internal
 *             the bridge and a veth pair to the hub's bridge: init was
 *             cloned inside the user namespace of the user's networks
 *             (spawn.c), so it has power over the hub's network namespace
 *             too; it visits it through the pidfd the hub gave (to open a
 *             netlink socket there and learn the bridge's index), comes
 *             back, and makes the pair with its far end placed there.
 *             Frames between members cross two bridges and a veth pair,
 *             all in the kernel.
 *   vde       the bridge and the uplink TAP, whose fd goes to the
 *             supervisor's VDE relay, and the VM's TAP or the command's
 *             ip= on the bridge: see vde_nic().
 *   bridged   no link here: the administrator's TAP, opened by the
 *             supervisor in the host's namespace before the clone; init
 *             passes the fd it inherited on to QEMU, like a qvmN's.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "netns/antispoof.h"
#include "netns/egress.h"
#include "netns/payload.h"
#include "netns/segment.h"

/* What init keeps of a hub's network namespace while it links to it */
struct hub_ns {
	struct nl nl;		/* a netlink socket there */
	int netns;		/* an fd of the namespace */
	int bridge;		/* the hub's bridge, its ifindex there */
};

static void hub_ns_close(struct hub_ns *h)
{
	nl_close(&h->nl);
	if (h->netns >= 0)
		close(h->netns);
	h->netns = -1;
}

/* While inside NIC @i's hub's network namespace: what we keep of it */
static int hub_ns_take(struct init *in, int i, struct hub_ns *h,
		       struct qerr *e)
{
	const char *net = in->cfg->plan->nics[i].spec->name;
	int r;

	if (setns(in->cfg->join[i].pidfd, CLONE_NEWNET) < 0) {
		if (errno == ESRCH)	/* the pidfd's process is gone */
			return qerr_set(e, 0, "network '%s': its hub ended "
					      "while this sandbox joined it",
					net);
		return qerr_set(e, errno, "entering network '%s'", net);
	}
	if ((r = nl_open(&h->nl, e)) < 0)
		return r;
	if (!(h->bridge = (int)if_nametoindex(HUB_BRIDGE)))
		return qerr_set(e, errno, "network '%s' has no bridge", net);
	h->netns = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (h->netns < 0)
		return qerr_set(e, errno, "opening network '%s'", net);
	return 0;
}

/* Visit NIC @i's hub, then come back to our own network namespace */
static int hub_ns_open(struct init *in, int i, struct hub_ns *h,
		       struct qerr *e)
{
	cleanup_fd int own = open("/proc/thread-self/ns/net",
				  O_RDONLY | O_CLOEXEC);
	int r;

	*h = (struct hub_ns){ .netns = -1 };
	if (own < 0)
		return qerr_set(e, errno, "opening the sandbox's netns");
	r = hub_ns_take(in, i, h, e);
	if (setns(own, CLONE_NEWNET) < 0 && r == 0)
		r = qerr_set(e, errno, "returning to the sandbox's netns");
	if (r < 0)
		hub_ns_close(h);
	return r;
}

/* The VM's NIC @i is TAP fd @fd: QEMU inherits it, with the plan's MAC */
static void vm_nic(struct init *in, int i, int fd)
{
	in->nics[i].fd = fd;
	memcpy(in->nics[i].mac, in->cfg->plan->nics[i].mac, 6);
}

/* Segment @s for NIC @i: the VM's TAP kept, the uplink's sent */
static int nic_build(struct init *in, struct nl *nl, int i,
		     const struct segment *s, struct qerr *e)
{
	struct sbmsg m = { .type = SBMSG_UPLINK, .nic = i };
	int upfd, vmfd, r;

	if ((r = segment_build(nl, s, &upfd, &vmfd, e)) < 0)
		return r;
	if (vmfd >= 0)
		vm_nic(in, i, vmfd);
	if (upfd < 0)
		return 0;
	r = sbmsg_send(in->sock, &m, upfd);
	close(upfd);
	if (r < 0)
		return qerr_set(e, -r, "passing %s to the supervisor",
				s->uplink);
	return 0;
}

/* A NAT NIC: bridge, uplink TAP, and the VM's TAP or the command's address */
static int nat_nic(struct init *in, struct nl *nl, int i, bool *routed,
		   bool *routed6, struct qerr *e)
{
	const struct plan *p = in->cfg->plan;
	const struct nic_plan *n = &p->nics[i];
	char br[16], up[16], vm[16];
	struct segment s = { .bridge = br, .mtu = n->mtu, .uplink = up,
			     .prefix = n->prefix };
	struct in6_addr own6 = subnet6_host(&n->net6, HOST6_SANDBOX);
	struct as_v6 v6 = { .net = n->net6,
			    .others = { n->gateway6, n->dns6 },
			    .n_others = 2 };

	segment_names(i, br, up, vm);
	if (p->vm) {
		s.vm_tap = vm;
		s.guard_mac = n->mac;
		s.guard_addr = n->guest;	/* libslirp's lease for it */
		s.guard6 = n->ipv6 ? &v6 : NULL;
		/* forwards reach the guest from here (supervisor/fwd_engine.c) */
		s.addr = subnet_host(n->net, HOST_SANDBOX);
		s.addr6 = n->ipv6 ? &own6 : NULL;
	} else {
		s.bridge_mac = n->mac;
		s.addr = n->guest;
		s.addr6 = n->ipv6 ? &n->guest6 : NULL;
		if (!*routed)
			s.gateway = n->gateway;
		if (!*routed6 && n->ipv6) {
			s.gateway6 = &n->gateway6;
			*routed6 = true;
		}
		*routed = true;
	}
	return nic_build(in, nl, i, &s, e);
}

/*
 * A vde NIC: the bridge and the uplink TAP, as for NAT, but the uplink's
 * fd goes to the supervisor's VDE relay (dataplane/vde_relay.h), which
 * plugs it into somebody else's LAN; the VM's TAP, held to its MAC (its
 * addresses are that LAN's business), or the command's ip= and gw=.
 */
static int vde_nic(struct init *in, struct nl *nl, int i, bool *routed,
		   struct qerr *e)
{
	const struct plan *p = in->cfg->plan;
	const struct nic_plan *n = &p->nics[i];
	char br[16], up[16], vm[16];
	struct segment s = { .bridge = br, .uplink = up, .foreign = true,
			     .prefix = n->prefix, .mtu = n->mtu };

	segment_names(i, br, up, vm);
	if (p->vm) {
		s.vm_tap = vm;
		s.guard_mac = n->mac;
		s.no_ra = true;
	} else {
		s.bridge_mac = n->mac;
		s.addr = n->guest;
		if (!*routed && n->gateway.s_addr) {
			s.gateway = n->gateway;
			*routed = true;
		}
	}
	return nic_build(in, nl, i, &s, e);
}

/*
 * A NIC on a named network: our bridge with a veth pair to the hub's, and
 * the VM's TAP or the command's address (the one the hub reserved for it,
 * as it reserves a VM's DHCP lease: the payload's port is guarded for it).
 */
static int member_nic(struct init *in, struct nl *nl, int i, bool *routed,
		      bool *routed6, struct qerr *e)
{
	const struct plan *p = in->cfg->plan;
	const struct nic_plan *n = &p->nics[i];
	const struct sandbox_join *j = &in->cfg->join[i];
	const struct net_layout *l = &n->layout;
	char br[16], up[16], vm[16], veth[16];
	struct segment s = { .bridge = br, .mtu = n->mtu, .veth = veth,
			     .peer = j->peer, .guard_mac = n->mac,
			     .guard_addr = j->addr, .prefix = n->prefix };
	struct as_v6 v6;
	struct hub_ns h;
	int r;

	segment_names(i, br, up, vm);
	snprintf(veth, sizeof(veth), "qnv%d", i);
	s.guard6 = antispoof_net6(l, &v6) ? &v6 : NULL;
	if (s.guard6 && !p->vm) {	/* its addresses are qbox's to set */
		v6.fixed = true;
		v6.own = n->guest6;
	}
	if (p->vm) {
		s.vm_tap = vm;
		s.no_ra = n->ipv6;	/* the guest's business, not ours */
		/* a network with qbox's DHCP whose hub gave no lease: served
		   from another side (serve=off); its servers are there */
		s.guard_no_servers = l->dhcp;
	} else {
		s.bridge_mac = n->mac;
		s.addr = j->addr;
		if (j->addr.s_addr && !*routed && n->gateway.s_addr) {
			s.gateway = n->gateway;
			*routed = true;
		}
		s.addr6 = n->ipv6 ? &n->guest6 : NULL;
		if (n->ipv6 && !*routed6 &&
		    !IN6_IS_ADDR_UNSPECIFIED(&n->gateway6)) {
			s.gateway6 = &n->gateway6;
			*routed6 = true;
		}
	}
	if ((r = hub_ns_open(in, i, &h, e)) < 0)
		return r;
	s.peer_netns = h.netns;
	s.peer_nl = &h.nl;
	s.peer_bridge = h.bridge;
	r = nic_build(in, nl, i, &s, e);
	/* the hub's namespace must not live on through us */
	hub_ns_close(&h);
	return r;
}

/* The NAT NICs whose TCP leaves through the kernel, when it can */
static int egress_build(struct init *in, struct qerr *e)
{
	const struct plan *p = in->cfg->plan;
	struct egress_nic en[MAX_NICS];
	static char dev[MAX_NICS][16];
	char up[16], vm[16];
	unsigned int bits = 0;
	bool required = false;
	int i, n = 0;

	for (i = 0; i < p->n_nics; i++) {
		const struct nic_plan *np = &p->nics[i];

		if (np->mode != NET_NAT || !nat_egress_kernel(&np->nat))
			continue;
		segment_names(i, dev[i], up, vm);
		en[n++] = (struct egress_nic){
			.dev = dev[i], .local = !p->vm, .net = np->net,
			.prefix = np->prefix,
			.gateway = np->nat.no_hostloop ? (struct in_addr){ 0 }
						       : np->nat.host };
		bits |= 1U << i;
		required |= np->nat.path == EGRESS_KERNEL;
	}
	return egress_open(en, n, bits, in->sock, required, e);
}

int nics_build(struct init *in, struct nl *nl, struct qerr *e)
{
	const struct plan *p = in->cfg->plan;
	bool routed = false, routed6 = false;
	int i, r = 0;

	for (i = 0; r == 0 && i < p->n_nics; i++) {
		if (p->nics[i].mode == NET_NAT)
			r = nat_nic(in, nl, i, &routed, &routed6, e);
		else if (net_mode_named(p->nics[i].mode))
			r = member_nic(in, nl, i, &routed, &routed6, e);
		else if (p->nics[i].mode == NET_BRIDGED)
			vm_nic(in, i, in->cfg->tapfd[i]);
		else if (p->nics[i].mode == NET_VDE)
			r = vde_nic(in, nl, i, &routed, e);
	}
	return r < 0 ? r : egress_build(in, e);
}
