// SPDX-License-Identifier: MIT
/* segment.c - one bridge and its ports (see segment.h) */
#include "netns/segment.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <unistd.h>

#include "common/util.h"
#include "netns/antispoof.h"
#include "netns/antispoof_nft.h"
#include "netns/tap.h"

void segment_names(int i, char bridge[16], char uplink[16], char vm[16])
{
	snprintf(bridge, 16, "qbr%d", i);
	snprintf(uplink, 16, "qup%d", i);
	snprintf(vm, 16, "qvm%d", i);
}

/* The payload's port @ifname filtered at @hook, before it is up */
static int guard(const struct segment *s, const char *ifname,
		 enum as_hook hook, struct qerr *e)
{
	struct antispoof as;

	if (!s->guard_mac)
		return 0;
	antispoof_build(s->guard_mac, s->guard_addr, s->guard6, &as);
	if (s->guard_no_servers && !s->guard_addr.s_addr)
		antispoof_no_servers(&as);
	return antispoof_install(ifname, hook, &as, e);
}

/* Our end of the veth pair on our bridge, its far end on the hub's */
static int veth_ports(struct nl *nl, const struct segment *s, int brindex,
		      struct qerr *e)
{
	struct nl_link_change hub = { .master = s->peer_bridge, .up = true };
	int r;

	if ((r = nl_veth_add(nl, s->veth, s->peer, s->peer_netns, e)) < 0)
		return r;
	/* a command's frames onto the network leave through it */
	if (!s->vm_tap && (r = guard(s, s->veth, AS_EGRESS, e)) < 0)
		return r;
	if ((r = nl_link_up(nl, s->veth, brindex, 0, 0, e)) < 0)
		return r;
	return nl_link_set(s->peer_nl, s->peer, &hub, e);
}

/*
 * No IPv6 on link @ifname: nothing of its own (duplicate address
 * detection, multicast listener reports from a link-local address) goes
 * out through it. Without IPv6 in the kernel there is nothing to say.
 */
static int no_ipv6(const char *ifname, struct qerr *e)
{
	char path[64];
	int r;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6",
		 ifname);
	if ((r = write_file(path, "1")) < 0 && r != -ENOENT)
		return qerr_set(e, -r, "writing %s", path);
	return 0;
}

/* A TAP on the bridge; its fd to *@fd */
static int tap_port(struct nl *nl, const struct segment *s, const char *name,
		    bool vm, int brindex, int *fd, struct qerr *e)
{
	int r;

	if ((*fd = tap_open(name, vm, e)) < 0)
		return *fd;
	/* a VM's on a foreign LAN: its uplink carries the guest's frames
	   alone, nothing of the sandbox's own links (the bridge's IGMP
	   reports, say), which the LAN would take for a member's */
	if ((vm && (r = guard(s, name, AS_INGRESS, e)) < 0) ||
	    (!vm && s->foreign && s->vm_tap &&
	     (r = guard(s, name, AS_EGRESS, e)) < 0) ||
	    (s->foreign && (r = no_ipv6(name, e)) < 0) ||
	    (r = nl_link_up(nl, name, brindex, TAP_TXQLEN, s->mtu, e)) < 0) {
		close(*fd);
		*fd = -1;
		return r;
	}
	return 0;
}

static int ports(struct nl *nl, const struct segment *s, int brindex,
		 int *uplink_fd, int *vm_fd, struct qerr *e)
{
	int r;

	if (s->uplink &&
	    (r = tap_port(nl, s, s->uplink, false, brindex, uplink_fd, e)) < 0)
		return r;
	if (s->veth && (r = veth_ports(nl, s, brindex, e)) < 0)
		return r;
	if (s->vm_tap &&
	    (r = tap_port(nl, s, s->vm_tap, true, brindex, vm_fd, e)) < 0)
		return r;
	return 0;
}

/*
 * The bridge's IPv6 is qbox's to set: libslirp's router advertisements
 * would otherwise give it an address of the kernel's choosing and a
 * default route of their own. Per network namespace, ours to write.
 */
static int no_autoconf(const char *bridge, struct qerr *e)
{
	char path[64];
	int r;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/accept_ra",
		 bridge);
	if ((r = write_file(path, "0")) < 0)
		return qerr_set(e, -r, "writing %s", path);
	return 0;
}

/* The bridge's addresses and default routes, once it is up */
static int addresses(struct nl *nl, const struct segment *s, struct qerr *e)
{
	int r;

	if (s->addr.s_addr &&
	    (r = nl_addr_add(nl, s->bridge, AF_INET, &s->addr, s->prefix,
			     e)) < 0)
		return r;
	if (s->gateway.s_addr &&
	    (r = nl_route_default(nl, s->bridge, AF_INET, &s->gateway, e)) < 0)
		return r;
	if (s->addr6 &&
	    (r = nl_addr_add(nl, s->bridge, AF_INET6, s->addr6, 64, e)) < 0)
		return r;
	if (s->gateway6 &&
	    (r = nl_route_default(nl, s->bridge, AF_INET6, s->gateway6,
				  e)) < 0)
		return r;
	return 0;
}

int segment_build(struct nl *nl, const struct segment *s, int *uplink_fd,
		  int *vm_fd, struct qerr *e)
{
	int r, brindex;

	*uplink_fd = *vm_fd = -1;
	if ((r = nl_bridge_add(nl, s->bridge, s->bridge_mac, e)) < 0)
		return r;
	brindex = (int)if_nametoindex(s->bridge);
	if (((s->addr6 || s->no_ra) && (r = no_autoconf(s->bridge, e)) < 0) ||
	    (s->foreign && s->vm_tap && (r = no_ipv6(s->bridge, e)) < 0) ||
	    (r = ports(nl, s, brindex, uplink_fd, vm_fd, e)) < 0 ||
	    (r = nl_link_up(nl, s->bridge, 0, 0, s->mtu, e)) < 0 ||
	    (r = addresses(nl, s, e)) < 0) {
		if (*uplink_fd >= 0)
			close(steal_fd(uplink_fd));
		if (*vm_fd >= 0)
			close(steal_fd(vm_fd));
		return r;
	}
	return 0;
}
