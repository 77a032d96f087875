// SPDX-License-Identifier: MIT
/*
 * antispoof.c - the rules a VM's frames must pass (antispoof.h)
 *
 * Theory of operation. A guest controls every byte of what it sends, so
 * the rules say what a frame must look like, not what it must not: with
 * the address known, the chain's policy is drop and each rule that
 * accepts names one shape of legitimate frame. The first rule, whatever
 * the mode, drops a foreign Ethernet source. Why each further rule:
 *
 *  - ARP is what other hosts learn MAC addresses from, so its sender
 *    hardware and protocol addresses must be the VM's own (a gratuitous
 *    ARP or a reply claiming the gateway's or another member's address is
 *    dropped). The fixed header (Ethernet, IPv4, 6, 4) is required: Linux
 *    also takes hardware type 6 (IEEE 802) on Ethernet. A probe (RFC
 *    5227) comes from 0.0.0.0 and teaches nobody anything.
 *  - IPv4 comes from the VM's address; before its lease a DHCP client
 *    sends from 0.0.0.0, UDP port 68 to 67, and nothing else may. A
 *    DHCP server reply (from port 67) is dropped even from the VM's own
 *    address: a rogue server could hand the other members itself as
 *    their router. A DHCP request (to port 67) must name the VM's own
 *    MAC as its client hardware address, whatever its IPv4 source: the
 *    server leases per chaddr, so a guest asking for made-up MACs would
 *    otherwise take the whole pool from the members still to come.
 *  - IPv6 comes from :: (duplicate address detection, MLD before an
 *    address exists), and where no prefix is advertised (hostonly,
 *    internal, bridged: no NAT with IPv6) only from the MAC's EUI-64
 *    link-local address. Where libslirp advertises a /64 (a NAT NIC, a
 *    NAT network) a guest picks its own addresses, EUI-64, temporary
 *    (RFC 8981) or stable-privacy (RFC 7217) alike, so they cannot be
 *    known in advance: they are bound first come, first served (RFC
 *    6620), up to AS_SET_SIZE at a time, in a set of the chain's, and on
 *    a network also across members by the hub's chain on its bridge
 *    (antispoof_build_network()). A command member's addresses are
 *    qbox's own choice (its MAC's EUI-64 in the /64, and the link-local
 *    one): those two alone, as its IPv4 address is one (a command can
 *    send from any source with IPV6_FREEBIND, and must not claim one
 *    by it). Neighbor discovery is IPv6's ARP: a
 *    neighbor advertisement must be about the VM's own address, and
 *    router advertisements and redirects, which only a router sends, are
 *    dropped.
 *  - The EtherType is read where the frame has it, so a VLAN tag shows
 *    as 0x8100 and never matches ARP, IPv4 or IPv6: tagged frames fall
 *    to the policy.
 *
 * Without an address (a network without DHCP, where guests choose
 * their own) only the MAC can be checked: the Ethernet source, ARP's
 * sender hardware address, and no VLAN tags (a tagged frame's ARP would
 * be read by a guest's VLAN interface but not by the check).
 */
#include "netns/antispoof.h"

#include <string.h>

#include "plan/plan.h"

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_ARP 0x0806
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_VLAN 0x8100
#define ETHERTYPE_QINQ 0x88a8

#define IPPROTO_UDP_ 17
#define IPPROTO_ICMPV6_ 58
#define ND_ROUTER_ADVERT_ 134
#define ND_NEIGHBOR_ADVERT_ 136
#define ND_REDIRECT_ 137

/* fe80::/64, the link-local addresses' */
static const uint8_t ll_net[8] = { 0xfe, 0x80 };

/* ARP for IPv4 over Ethernet: hardware type 1, protocol 0x0800, 6, 4 */
static const uint8_t arp_eth_ipv4[6] = { 0, 1, 0x08, 0x00, 6, 4 };

/* Start rule @why, ending in @accept or drop */
static struct as_rule *rule(struct antispoof *as, bool accept,
			    const char *why)
{
	struct as_rule *r = &as->rules[as->n++];

	memset(r, 0, sizeof(*r));
	r->accept = accept;
	r->why = why;
	return r;
}

/* Add a comparison of @len bytes at @offset of @base with @data */
static void match(struct as_rule *r, enum as_base base, unsigned int offset,
		  const void *data, unsigned int len, bool neq)
{
	struct as_match *m = &r->m[r->n++];

	m->base = (uint8_t)base;
	m->offset = (uint8_t)offset;
	m->len = (uint8_t)len;
	m->neq = neq;
	memcpy(m->data, data, len);
}

static void match_u8(struct as_rule *r, enum as_base base,
		     unsigned int offset, uint8_t v)
{
	match(r, base, offset, &v, 1, false);
}

static void match_u16(struct as_rule *r, enum as_base base,
		      unsigned int offset, uint16_t v, bool neq)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	match(r, base, offset, b, 2, neq);
}

/* The EtherType, as the frame carries it (a VLAN tag shows as 0x8100) */
static void ethertype(struct as_rule *r, uint16_t type)
{
	match_u16(r, AS_LINK, 12, type, false);
}

/* ARP for IPv4 from @mac (sender hardware address at 8, IP at 14) */
static void arp_from(struct as_rule *r, const uint8_t mac[6])
{
	ethertype(r, ETHERTYPE_ARP);
	match(r, AS_NETWORK, 0, arp_eth_ipv4, sizeof(arp_eth_ipv4), false);
	match(r, AS_NETWORK, 8, mac, 6, false);
}

/* ICMPv6 of @type (in IPv6: the protocol seen past extension headers) */
static void icmpv6(struct as_rule *r, uint8_t type)
{
	ethertype(r, ETHERTYPE_IPV6);
	match_u8(r, AS_L4PROTO, 0, IPPROTO_ICMPV6_);
	match_u8(r, AS_TRANSPORT, 0, type);
}

/* The IPv6 address at @offset of @base in (or, @neq, not in) @set */
static void in_set(struct as_rule *r, enum as_set set, enum as_base base,
		   unsigned int offset, bool neq)
{
	r->m[r->n++] = (struct as_match){ .base = (uint8_t)base,
					  .offset = (uint8_t)offset,
					  .len = 16, .neq = neq,
					  .set = (uint8_t)set };
}

/* IPv6 from an address of /64 @net */
static void from_net6(struct as_rule *r, const void *net)
{
	ethertype(r, ETHERTYPE_IPV6);
	match(r, AS_NETWORK, 8, net, 8, false);
}

/* IPv6 by FCFS SAVI: the VM's addresses are those it sent from first */
static void build_v6(const struct as_v6 *v6, struct antispoof *as)
{
	struct as_rule *r;
	int i;

	as->has_set = true;
	for (i = 0; i < v6->n_others; i++) {
		r = rule(as, false, "qbox: IPv6 from the NAT's own addresses");
		ethertype(r, ETHERTYPE_IPV6);
		match(r, AS_NETWORK, 8, &v6->others[i], 16, false);
	}
	r = rule(as, false, "qbox: the VM claims an address of its /64");
	r->claims = AS_CLAIM_CHAIN;
	from_net6(r, &v6->net);

	r = rule(as, false, "qbox: the VM claims a link-local address");
	r->claims = AS_CLAIM_CHAIN;
	from_net6(r, ll_net);

	/* a neighbor advertisement's target (at 8 of ICMPv6) is the VM's */
	r = rule(as, false, "qbox: neighbor advertisements for an address "
			    "not the VM's");
	icmpv6(r, ND_NEIGHBOR_ADVERT_);
	in_set(r, AS_SET_CHAIN, AS_TRANSPORT, 8, true);

	r = rule(as, true, "qbox: IPv6 from the VM's addresses");
	ethertype(r, ETHERTYPE_IPV6);
	in_set(r, AS_SET_CHAIN, AS_NETWORK, 8, false);
}

/* The network's bindings for the addresses of /64 @net (antispoof.h) */
static void build_network_net(const void *net, struct antispoof *as)
{
	struct as_rule *r;

	r = rule(as, false, "qbox: another member's IPv6 address");
	from_net6(r, net);
	in_set(r, AS_SET_OWNER, AS_NETWORK, 8, true);
	in_set(r, AS_SET_TAKEN, AS_NETWORK, 8, false);

	/* its first frame binds it; every frame keeps it bound */
	r = rule(as, false, "qbox: a member claims an IPv6 address (first "
			    "come, first served)");
	r->claims = AS_CLAIM_NETWORK;
	from_net6(r, net);

	r = rule(as, false, "qbox: the network holds as many IPv6 addresses "
			    "as it takes");
	from_net6(r, net);
	in_set(r, AS_SET_OWNER, AS_NETWORK, 8, true);
}

void antispoof_build_network(const struct in6_addr *net6,
			     const uint8_t (*engine)[6], int n_engine,
			     struct antispoof *as)
{
	struct as_rule *r;
	int i;

	memset(as, 0, sizeof(*as));
	as->policy_accept = true;
	as->network = true;
	for (i = 0; i < n_engine; i++) {
		r = rule(as, true, "qbox: the NAT engine's frames");
		match(r, AS_LINK, 6, engine[i], 6, false);
	}
	build_network_net(net6, as);
	build_network_net(ll_net, as);
	/* after the claims: an advertisement's source may be the address
	   it advertises, bound by this very frame */
	r = rule(as, false, "qbox: a neighbor advertisement for an address "
			    "the member does not own");
	icmpv6(r, ND_NEIGHBOR_ADVERT_);
	in_set(r, AS_SET_OWNER, AS_TRANSPORT, 8, true);
}

static void build_known(const uint8_t mac[6], struct in_addr addr,
			const struct as_v6 *v6, struct antispoof *as)
{
	static const uint8_t any4[4], any6[16];
	static const uint8_t dhcp_client[4] = { 0, 68, 0, 67 };
	struct in6_addr ll;
	struct as_rule *r;

	antispoof_ll6(mac, &ll);
	as->policy_accept = false;

	r = rule(as, true, "qbox: ARP from the VM's address");
	arp_from(r, mac);
	match(r, AS_NETWORK, 14, &addr, 4, false);

	r = rule(as, true, "qbox: ARP probe");
	arp_from(r, mac);
	match_u16(r, AS_NETWORK, 6, 1, false);	/* a request */
	match(r, AS_NETWORK, 14, any4, 4, false);

	r = rule(as, false, "qbox: DHCP server replies");
	ethertype(r, ETHERTYPE_IPV4);
	match_u8(r, AS_L4PROTO, 0, IPPROTO_UDP_);
	match_u16(r, AS_TRANSPORT, 0, 67, false);

	/* BOOTP's chaddr (UDP header 8 + 28) is what the server leases to:
	 * one NIC, one MAC, one lease, so a guest cannot drain the pool */
	r = rule(as, false, "qbox: DHCP for another MAC");
	ethertype(r, ETHERTYPE_IPV4);
	match_u8(r, AS_L4PROTO, 0, IPPROTO_UDP_);
	match_u16(r, AS_TRANSPORT, 2, 67, false);
	match(r, AS_TRANSPORT, 8 + 28, mac, 6, true);

	r = rule(as, true, "qbox: IPv4 from the VM's address");
	ethertype(r, ETHERTYPE_IPV4);
	match(r, AS_NETWORK, 12, &addr, 4, false);

	r = rule(as, true, "qbox: DHCP client without an address");
	ethertype(r, ETHERTYPE_IPV4);
	match(r, AS_NETWORK, 12, any4, 4, false);
	match_u8(r, AS_L4PROTO, 0, IPPROTO_UDP_);
	match(r, AS_TRANSPORT, 0, dhcp_client, 4, false);

	r = rule(as, false, "qbox: IPv6 router advertisements");
	icmpv6(r, ND_ROUTER_ADVERT_);

	r = rule(as, false, "qbox: IPv6 redirects");
	icmpv6(r, ND_REDIRECT_);

	if (v6 && !v6->fixed) {
		build_v6(v6, as);
	} else {
		r = rule(as, false, "qbox: neighbor advertisements for "
				    "another address");
		icmpv6(r, ND_NEIGHBOR_ADVERT_);
		match(r, AS_TRANSPORT, 8, &ll, 16, true);
		if (v6)
			match(r, AS_TRANSPORT, 8, &v6->own, 16, true);

		r = rule(as, true, "qbox: IPv6 from the VM's link-local "
				   "address");
		ethertype(r, ETHERTYPE_IPV6);
		match(r, AS_NETWORK, 8, &ll, 16, false);
		if (v6) {
			r = rule(as, true, "qbox: IPv6 from the command's "
					   "address");
			ethertype(r, ETHERTYPE_IPV6);
			match(r, AS_NETWORK, 8, &v6->own, 16, false);
		}
	}

	r = rule(as, true, "qbox: IPv6 from :: (DAD, MLD)");
	ethertype(r, ETHERTYPE_IPV6);
	match(r, AS_NETWORK, 8, any6, 16, false);
}

static void build_mac_only(const uint8_t mac[6], struct antispoof *as)
{
	struct as_rule *r;

	as->policy_accept = true;
	r = rule(as, false, "qbox: VLAN tags");
	ethertype(r, ETHERTYPE_VLAN);
	r = rule(as, false, "qbox: VLAN tags (802.1ad)");
	ethertype(r, ETHERTYPE_QINQ);
	r = rule(as, false, "qbox: ARP from another MAC");
	ethertype(r, ETHERTYPE_ARP);
	match(r, AS_NETWORK, 8, mac, 6, true);
}

void antispoof_build(const uint8_t mac[6], struct in_addr addr,
		     const struct as_v6 *v6, struct antispoof *as)
{
	struct as_rule *r;

	memset(as, 0, sizeof(*as));
	r = rule(as, false, "qbox: not the VM's MAC");
	match(r, AS_LINK, 6, mac, 6, true);
	if (addr.s_addr)
		build_known(mac, addr, v6, as);
	else
		build_mac_only(mac, as);
}

void antispoof_no_servers(struct antispoof *as)
{
	struct as_rule *r;

	if (as->n > AS_RULES_MAX - 3)
		return;
	r = rule(as, false, "qbox: DHCP server replies (the network's own)");
	ethertype(r, ETHERTYPE_IPV4);
	match_u8(r, AS_L4PROTO, 0, IPPROTO_UDP_);
	match_u16(r, AS_TRANSPORT, 0, 67, false);
	r = rule(as, false, "qbox: DHCPv6 server replies (the network's own)");
	ethertype(r, ETHERTYPE_IPV6);
	match_u8(r, AS_L4PROTO, 0, IPPROTO_UDP_);
	match_u16(r, AS_TRANSPORT, 0, 547, false);
	r = rule(as, false, "qbox: IPv6 router advertisements (the network's "
			    "own)");
	icmpv6(r, ND_ROUTER_ADVERT_);
}

void antispoof_build_link(bool serving, const uint8_t (*own)[6], int n_own,
			  struct antispoof *as)
{
	struct as_rule *r;
	int i;

	memset(as, 0, sizeof(*as));
	as->policy_accept = true;
	for (i = 0; i < n_own && as->n < AS_RULES_MAX - 3; i++) {
		r = rule(as, false, "qbox: a MAC of this side's own");
		match(r, AS_LINK, 6, own[i], 6, false);
	}
	if (serving)
		antispoof_no_servers(as);
}

bool antispoof_net6(const struct net_layout *l, struct as_v6 *v6)
{
	const struct in6_addr *own[] = { &l->gateway6, &l->host6, &l->dns6,
					 &l->hub6 };
	size_t i;

	memset(v6, 0, sizeof(*v6));
	if (!l->ipv6)
		return false;
	v6->net = l->net6;
	for (i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		if (!IN6_IS_ADDR_UNSPECIFIED(own[i]))
			v6->others[v6->n_others++] = *own[i];
	return true;
}

void antispoof_ll6(const uint8_t mac[6], struct in6_addr *out)
{
	struct in6_addr ll = { 0 };

	memcpy(ll.s6_addr, ll_net, sizeof(ll_net));
	*out = subnet6_eui64(&ll, mac);
}
