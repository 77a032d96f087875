// SPDX-License-Identifier: MIT
/*
 * test_antispoof.c - the anti-spoofing rules, run on frames
 *
 * run() evaluates a chain as nftables does on a netdev ingress hook: rules
 * in order, the first whose every match holds gives the verdict, else the
 * policy; a match on bytes the frame lacks fails. The chain's set is
 * modelled as nftables' dynamic set: a claim adds an address or refreshes
 * it, and does nothing once AS_SET_SIZE addresses are in. Headers are located as
 * the kernel does for these frames (no VLAN offload, no IPv6 extension
 * headers, transport header only in a first fragment). The frames are the
 * attacks the rules exist for, and the traffic they must let through.
 */
#include <arpa/inet.h>

#include "common/bytes.h"
#include "netns/antispoof.h"
#include "tests/unit/unit.h"

static const uint8_t vm_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t other_mac[6] = { 0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc };

struct frame {
	uint8_t b[128];
	size_t len;
};

/* Where @base starts in @f, or -1 when the frame has no such header */
static long base_of(const struct frame *f, uint8_t base, uint8_t *l4)
{
	uint16_t type = be16_get(f->b + 12);
	const uint8_t *nh = f->b + 14;

	*l4 = 0;
	if (base == AS_LINK)
		return 0;
	if (base == AS_NETWORK)
		return 14;
	if (type == 0x0800 && f->len >= 34 &&
	    !((nh[6] & 0x1f) | nh[7])) {	/* a first fragment */
		*l4 = nh[9];
		return 14 + (nh[0] & 0xf) * 4;
	}
	if (type == 0x86dd && f->len >= 54) {
		*l4 = nh[6];
		return 54;
	}
	return -1;
}

/* The sets (enum as_set): the chain's, a VM's addresses; a network's
 * owners (address . MAC) and taken addresses */
struct mset {
	uint8_t e[AS_SET_SIZE * 4][16 + 6];
	int n, max;
};
static struct mset sets[4];
#define set_n (sets[AS_SET_CHAIN].n)

static void sets_reset(int net_max)
{
	memset(sets, 0, sizeof(sets));
	sets[AS_SET_CHAIN].max = AS_SET_SIZE;
	sets[AS_SET_OWNER].max = sets[AS_SET_TAKEN].max = net_max;
}

/* The key of set @which: 16 bytes at @a, for AS_SET_OWNER then @f's
 * source MAC */
static void key_of(const struct frame *f, int which, const uint8_t *a,
		   uint8_t k[22])
{
	memset(k, 0, 22);
	memcpy(k, a, 16);
	if (which == AS_SET_OWNER)
		memcpy(k + 16, f->b + 6, 6);
}

static bool set_has(int which, const uint8_t k[22])
{
	for (int i = 0; i < sets[which].n; i++)
		if (!memcmp(sets[which].e[i], k, 22))
			return true;
	return false;
}

/* @k into set @which, unless there; false when it is full (a break) */
static bool set_put(int which, const uint8_t k[22])
{
	struct mset *m = &sets[which];

	if (set_has(which, k))
		return true;
	if (m->n >= m->max)
		return false;
	memcpy(m->e[m->n++], k, 22);
	return true;
}

static bool match_holds(const struct frame *f, const struct as_match *m)
{
	uint8_t l4, k[22];
	long at = base_of(f, m->base, &l4);
	bool eq;

	if (m->base == AS_L4PROTO) {
		if (at < 0)
			return false;
		eq = l4 == m->data[0];
	} else {
		if (at < 0 || (size_t)at + m->offset + m->len > f->len)
			return false;
		key_of(f, m->set, f->b + at + m->offset, k);
		eq = m->set ? set_has(m->set, k) :
			      !memcmp(f->b + at + m->offset, m->data, m->len);
	}
	return m->neq ? !eq : eq;
}

/* The IPv6 source of @f claimed as @claim says (a full set takes none) */
static void claim(const struct frame *f, int claim)
{
	const uint8_t *src = f->b + 14 + 8;
	uint8_t k[22];

	if (claim == AS_CLAIM_CHAIN) {
		key_of(f, AS_SET_CHAIN, src, k);
		set_put(AS_SET_CHAIN, k);
		return;
	}
	/* both sets or neither: nftables' dynsets in one rule, the second
	   never reached when the first breaks */
	key_of(f, AS_SET_OWNER, src, k);
	if (!set_put(AS_SET_OWNER, k))
		return;
	key_of(f, AS_SET_TAKEN, src, k);
	set_put(AS_SET_TAKEN, k);
}

/* true: accepted */
static bool run(const struct antispoof *as, const struct frame *f)
{
	for (int i = 0; i < as->n; i++) {
		const struct as_rule *r = &as->rules[i];
		int k = 0;

		while (k < r->n && match_holds(f, &r->m[k]))
			k++;
		if (k < r->n)
			continue;
		if (!r->claims)
			return r->accept;
		claim(f, r->claims);
	}
	return as->policy_accept;
}

static void eth(struct frame *f, const uint8_t src[6], uint16_t type)
{
	memset(f, 0, sizeof(*f));
	memset(f->b, 0xff, 6);
	memcpy(f->b + 6, src, 6);
	be16_put(f->b + 12, type);
	f->len = 14;
}

static void put_ip4(uint8_t *p, const char *a)
{
	inet_pton(AF_INET, a, p);
}

/* ARP @op from Ethernet @src, sender @sha / @spa, asking for @tpa */
static struct frame arp(const uint8_t src[6], uint16_t op,
			const uint8_t sha[6], const char *spa, const char *tpa)
{
	static const uint8_t hdr[6] = { 0, 1, 8, 0, 6, 4 };
	struct frame f;

	eth(&f, src, 0x0806);
	memcpy(f.b + 14, hdr, 6);
	be16_put(f.b + 20, op);
	memcpy(f.b + 22, sha, 6);
	put_ip4(f.b + 28, spa);
	put_ip4(f.b + 38, tpa);
	f.len = 42;
	return f;
}

/* IPv4 from @src to @dst, protocol @proto, ports @sport -> @dport */
static struct frame ip4(const uint8_t mac[6], const char *src, const char *dst,
			uint8_t proto, uint16_t sport, uint16_t dport)
{
	struct frame f;
	uint8_t *h;

	eth(&f, mac, 0x0800);
	h = f.b + 14;
	h[0] = 0x45;
	h[8] = 64;
	h[9] = proto;
	put_ip4(h + 12, src);
	put_ip4(h + 16, dst);
	be16_put(h + 20, sport);
	be16_put(h + 22, dport);
	f.len = 14 + 20 + 8;
	return f;
}

/* ICMPv6 @type from @src; for a neighbor advertisement, about @target */
static struct frame icmp6(const uint8_t mac[6], const char *src, uint8_t type,
			  const char *target)
{
	struct frame f;
	uint8_t *h;

	eth(&f, mac, 0x86dd);
	h = f.b + 14;
	h[0] = 0x60;
	h[6] = 58;
	h[7] = 255;
	inet_pton(AF_INET6, src, h + 8);
	inet_pton(AF_INET6, "ff02::1", h + 24);
	h[40] = type;
	if (target)
		inet_pton(AF_INET6, target, h + 48);
	f.len = 14 + 40 + 24;
	return f;
}

/* A DHCP request from @src whose BOOTP chaddr (at UDP + 8 + 28) is @chaddr */
static struct frame dhcp4(const uint8_t mac[6], const char *src,
			  const uint8_t chaddr[6])
{
	struct frame f = ip4(mac, src, "255.255.255.255", 17, 68, 67);

	memcpy(f.b + 14 + 20 + 8 + 28, chaddr, 6);
	f.len = 14 + 20 + 8 + 28 + 16;
	return f;
}

#define VM "10.0.2.15"
#define LL "fe80::5054:ff:fe12:3456"

static void test_known(void)
{
	struct antispoof as;
	struct in_addr a;
	struct frame f;

	inet_pton(AF_INET, VM, &a);
	antispoof_build(vm_mac, a, NULL, &as);
	CHECK(!as.policy_accept, "address known: the policy drops");

	f = arp(vm_mac, 1, vm_mac, VM, "10.0.2.2");
	CHECK(run(&as, &f), "ARP request from the VM's MAC and address passes");
	f = arp(vm_mac, 2, vm_mac, VM, "10.0.2.16");
	CHECK(run(&as, &f), "ARP reply from the VM's MAC and address passes");
	f = arp(other_mac, 1, vm_mac, VM, "10.0.2.2");
	CHECK(!run(&as, &f), "a frame from another MAC is dropped");
	f = arp(other_mac, 1, other_mac, VM, "10.0.2.2");
	CHECK(!run(&as, &f), "ARP from another MAC, consistently, is dropped");
	f = arp(vm_mac, 1, other_mac, VM, "10.0.2.2");
	CHECK(!run(&as, &f), "ARP naming another sender MAC is dropped");
	f = arp(vm_mac, 1, vm_mac, "10.0.2.2", "10.0.2.2");
	CHECK(!run(&as, &f), "gratuitous ARP claiming the gateway is dropped");
	f = arp(vm_mac, 2, vm_mac, "10.0.2.16", "10.0.2.16");
	CHECK(!run(&as, &f), "ARP reply claiming another member is dropped");
	f = arp(vm_mac, 1, vm_mac, "0.0.0.0", VM);
	CHECK(run(&as, &f), "ARP probe from 0.0.0.0 passes");
	f = arp(vm_mac, 2, vm_mac, "0.0.0.0", VM);
	CHECK(!run(&as, &f), "ARP reply from 0.0.0.0 is dropped");
	f = arp(vm_mac, 1, vm_mac, VM, "10.0.2.2");
	f.b[15] = 6;
	CHECK(!run(&as, &f), "ARP of hardware type 6 (IEEE 802) is dropped");
	f = arp(vm_mac, 1, vm_mac, VM, "10.0.2.2");
	f.len = 30;
	CHECK(!run(&as, &f), "a truncated ARP is dropped");

	f = ip4(vm_mac, VM, "10.0.2.2", 6, 40000, 80);
	CHECK(run(&as, &f), "IPv4 from the VM's address passes");
	f = ip4(vm_mac, "10.0.2.16", "10.0.2.2", 6, 40000, 80);
	CHECK(!run(&as, &f), "IPv4 from another address is dropped");
	f = ip4(other_mac, VM, "10.0.2.2", 6, 40000, 80);
	CHECK(!run(&as, &f), "IPv4 from the VM's address but another MAC is "
			     "dropped");
	f = ip4(vm_mac, "0.0.0.0", "255.255.255.255", 17, 68, 67);
	CHECK(run(&as, &f), "DHCP request from 0.0.0.0 passes");
	f = dhcp4(vm_mac, "0.0.0.0", vm_mac);
	CHECK(run(&as, &f), "DHCP request for the VM's own MAC passes");
	f = dhcp4(vm_mac, VM, vm_mac);
	CHECK(run(&as, &f), "DHCP renewal from the VM's address passes");
	f = dhcp4(vm_mac, "0.0.0.0", other_mac);
	CHECK(!run(&as, &f), "DHCP request for another MAC (pool draining) is "
			     "dropped");
	f = dhcp4(vm_mac, VM, other_mac);
	CHECK(!run(&as, &f), "... also from the VM's own address");
	f = ip4(vm_mac, "0.0.0.0", "255.255.255.255", 6, 68, 67);
	CHECK(!run(&as, &f), "TCP from 0.0.0.0 is dropped");
	f = ip4(vm_mac, "0.0.0.0", "10.0.2.2", 17, 68, 53);
	CHECK(!run(&as, &f), "other UDP from 0.0.0.0 is dropped");
	f = ip4(vm_mac, VM, "255.255.255.255", 17, 67, 68);
	CHECK(!run(&as, &f), "a DHCP server reply from the VM is dropped");
	f = ip4(vm_mac, VM, "10.0.2.3", 17, 40000, 53);
	CHECK(run(&as, &f), "UDP from the VM's address passes");
	f = ip4(vm_mac, VM, "10.0.2.2", 6, 40000, 80);
	f.len = 14 + 10;
	CHECK(!run(&as, &f), "a truncated IPv4 header is dropped");

	f = ip4(vm_mac, VM, "10.0.2.2", 6, 40000, 80);
	f.b[12] = 0x81;
	f.b[13] = 0x00;
	CHECK(!run(&as, &f), "VLAN-tagged frames are dropped");
	f = ip4(vm_mac, VM, "10.0.2.2", 6, 40000, 80);
	f.b[12] = 0x88;
	f.b[13] = 0xcc;
	CHECK(!run(&as, &f), "other EtherTypes (LLDP) are dropped");

	f = icmp6(vm_mac, LL, 128, NULL);
	CHECK(run(&as, &f), "IPv6 from the MAC's EUI-64 link-local passes");
	f = icmp6(vm_mac, "fe80::1", 128, NULL);
	CHECK(!run(&as, &f), "IPv6 from another link-local is dropped");
	f = icmp6(vm_mac, "fe80::a1b2:c3d4:e5f6:789", 128, NULL);
	CHECK(!run(&as, &f), "IPv6 from a stable-privacy link-local is dropped");
	f = icmp6(vm_mac, "::", 135, NULL);
	CHECK(run(&as, &f), "IPv6 from :: (DAD) passes");
	f = icmp6(other_mac, LL, 128, NULL);
	CHECK(!run(&as, &f), "IPv6 from the link-local but another MAC is "
			     "dropped");
	f = icmp6(vm_mac, LL, 136, LL);
	CHECK(run(&as, &f), "neighbor advertisement for the VM's own address "
			    "passes");
	f = icmp6(vm_mac, LL, 136, "fe80::5054:ff:feaa:bbcc");
	CHECK(!run(&as, &f), "neighbor advertisement for another member is "
			     "dropped");
	f = icmp6(vm_mac, LL, 134, NULL);
	CHECK(!run(&as, &f), "router advertisement is dropped");
	f = icmp6(vm_mac, LL, 137, NULL);
	CHECK(!run(&as, &f), "redirect is dropped");
}

static void test_mac_only(void)
{
	struct antispoof as;
	struct in_addr none = { 0 };
	struct frame f;

	antispoof_build(vm_mac, none, NULL, &as);
	CHECK(as.policy_accept, "no address: the policy accepts");
	f = ip4(vm_mac, "192.168.100.7", "192.168.100.8", 6, 1, 2);
	CHECK(run(&as, &f), "no address: IPv4 from any address passes");
	f = arp(vm_mac, 1, vm_mac, "192.168.100.7", "192.168.100.8");
	CHECK(run(&as, &f), "no address: ARP from the VM's MAC passes");
	f = ip4(other_mac, "192.168.100.7", "192.168.100.8", 6, 1, 2);
	CHECK(!run(&as, &f), "no address: another MAC is dropped");
	f = arp(vm_mac, 2, other_mac, "192.168.100.7", "192.168.100.8");
	CHECK(!run(&as, &f), "no address: ARP naming another MAC is dropped");
	f = arp(vm_mac, 2, other_mac, "192.168.100.7", "192.168.100.8");
	f.b[12] = 0x81;
	f.b[13] = 0x00;
	CHECK(!run(&as, &f), "no address: VLAN-tagged frames are dropped");
	f.b[12] = 0x88;
	f.b[13] = 0xa8;
	CHECK(!run(&as, &f), "no address: 802.1ad-tagged frames are dropped");
}

/* What the kernel must be able to load: nft's limits */
static void test_shape(void)
{
	struct in_addr a = { htonl(0x0a00020f) }, none = { 0 };
	struct antispoof as[3];
	struct as_v6 v6 = { 0 };
	bool ok = true;

	antispoof_build(vm_mac, a, NULL, &as[0]);
	antispoof_build(vm_mac, none, NULL, &as[1]);
	antispoof_build(vm_mac, a, &v6, &as[2]);
	for (int k = 0; k < 3; k++)
		for (int i = 0; i < as[k].n; i++) {
			const struct as_rule *r = &as[k].rules[i];

			ok &= r->n > 0 && r->n <= AS_MATCH_MAX && r->why &&
			      strlen(r->why) < 128;
			for (int j = 0; j < r->n; j++)
				ok &= r->m[j].len >= 1 && r->m[j].len <= 16 &&
				      (!r->m[j].set || r->m[j].len == 16);
			ok &= !r->m[0].set;	/* a set needs a load */
		}
	CHECK(ok && as[2].n <= AS_RULES_MAX && as[2].has_set &&
	      !as[0].has_set, "every rule has 1..%d matches of "
					     "1..16 bytes and a comment",
	      AS_MATCH_MAX);
}

#define NET6 "fd71:6278:a00:200::"
#define SLAAC "fd71:6278:a00:200:5054:ff:fe12:3456"

/* A NAT NIC with IPv6: FCFS SAVI over its /64 and link-local addresses */
static void test_v6(void)
{
	struct antispoof as;
	struct as_v6 v6;
	struct in_addr a;
	struct frame f;
	char s[INET6_ADDRSTRLEN];
	int i, passed = 0;

	inet_pton(AF_INET, VM, &a);
	inet_pton(AF_INET6, NET6, &v6.net);
	inet_pton(AF_INET6, NET6 "2", &v6.others[0]);
	inet_pton(AF_INET6, NET6 "3", &v6.others[1]);
	v6.n_others = 2;
	antispoof_build(vm_mac, a, &v6, &as);
	sets_reset(0);

	f = icmp6(vm_mac, "::", 135, SLAAC);
	CHECK(run(&as, &f) && set_n == 0, "v6: DAD from :: passes, claims "
					  "nothing");
	f = icmp6(vm_mac, SLAAC, 128, NULL);
	CHECK(run(&as, &f) && set_n == 1, "v6: SLAAC's EUI-64 address in the "
					  "/64 passes and is claimed");
	f = icmp6(vm_mac, "fd71:6278:a00:200:a1b2:c3d4:e5f6:789", 128, NULL);
	CHECK(run(&as, &f), "v6: a stable-privacy address in the /64 passes");
	f = icmp6(vm_mac, "fe80::a1b2:c3d4:e5f6:789", 128, NULL);
	CHECK(run(&as, &f), "v6: a stable-privacy link-local passes");
	f = icmp6(vm_mac, "2001:db8::15", 128, NULL);
	CHECK(!run(&as, &f), "v6: an address outside the /64 is dropped");
	f = icmp6(vm_mac, NET6 "2", 128, NULL);
	CHECK(!run(&as, &f), "v6: the gateway's address is dropped");
	f = icmp6(vm_mac, NET6 "3", 136, NET6 "3");
	CHECK(!run(&as, &f), "v6: a neighbor advertisement as the DNS "
			     "server is dropped");
	f = icmp6(vm_mac, SLAAC, 136, SLAAC);
	CHECK(run(&as, &f), "v6: a neighbor advertisement for its own "
			    "address passes");
	f = icmp6(vm_mac, SLAAC, 136, NET6 "77");
	CHECK(!run(&as, &f), "v6: a neighbor advertisement for an address it "
			     "never sent from is dropped");
	f = icmp6(other_mac, SLAAC, 128, NULL);
	CHECK(!run(&as, &f), "v6: its address from another MAC is dropped");
	f = icmp6(vm_mac, SLAAC, 134, NULL);
	CHECK(!run(&as, &f), "v6: a router advertisement is dropped");
	for (i = 0; i < 40; i++) {
		snprintf(s, sizeof(s), NET6 "f:%x", i);
		f = icmp6(vm_mac, s, 128, NULL);
		passed += run(&as, &f);
	}
	CHECK(passed == AS_SET_SIZE - 3 && set_n == AS_SET_SIZE,
	      "v6: a flood of made-up addresses stops at %d in all (%d more "
	      "passed)", AS_SET_SIZE, passed);
	f = icmp6(vm_mac, SLAAC, 128, NULL);
	CHECK(run(&as, &f), "v6: an address claimed before still passes");
}

/* A NAT network's chain on its hub's bridge: addresses bound across
 * members, first come, first served */
static void test_network(void)
{
	static const uint8_t engine[2][6] = {
		{ 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 },
		{ 0x52, 0x56, 0x00, 0x00, 0x00, 0x02 } };
	const char *b_addr = "fd71:6278:a00:200:a1b2:c3d4:e5f6:789";
	struct in6_addr net6;
	struct antispoof as;
	struct frame f;

	inet_pton(AF_INET6, NET6, &net6);
	antispoof_build_network(&net6, engine, 2, &as);
	sets_reset(64);
	CHECK(as.network && as.policy_accept && !as.has_set &&
	      as.n <= AS_RULES_MAX, "network: a chain of %d rules, policy "
				    "accept, the network's sets", as.n);
	f = icmp6(vm_mac, SLAAC, 128, NULL);
	CHECK(run(&as, &f) && sets[AS_SET_OWNER].n == 1 &&
	      sets[AS_SET_TAKEN].n == 1, "network: a member's first address "
					 "passes and is bound to its MAC");
	f = icmp6(other_mac, SLAAC, 128, NULL);
	CHECK(!run(&as, &f), "network: another member sending from it is "
			     "dropped");
	f = icmp6(other_mac, "fe80::1:2", 128, NULL);
	CHECK(run(&as, &f), "network: the other member's own link-local "
			    "passes");
	f = icmp6(other_mac, "fe80::1:2", 136, SLAAC);
	CHECK(!run(&as, &f), "network: its neighbor advertisement for the "
			     "first member's address is dropped");
	f = icmp6(vm_mac, SLAAC, 136, SLAAC);
	CHECK(run(&as, &f), "network: the owner's advertisement for it "
			    "passes");
	f = icmp6(vm_mac, SLAAC, 128, NULL);
	CHECK(run(&as, &f) && sets[AS_SET_OWNER].n == 2,
	      "network: the owner keeps sending from it (the same MAC, on "
	      "its port or a new one after it came back)");
	f = icmp6(other_mac, "::", 135, SLAAC);
	CHECK(run(&as, &f), "network: duplicate address detection from :: "
			    "passes (and learns the address is taken)");
	f = icmp6(engine[1], NET6 "2", 134, NULL);
	CHECK(run(&as, &f) && sets[AS_SET_OWNER].n == 2,
	      "network: the NAT engine's frames pass, binding nothing");
	f = icmp6(vm_mac, "2001:db8::1", 128, NULL);
	CHECK(run(&as, &f), "network: outside the /64 is the member's own "
			    "chain's to judge");
	sets_reset(3);
	f = icmp6(vm_mac, SLAAC, 128, NULL);
	run(&as, &f);
	f = icmp6(other_mac, b_addr, 128, NULL);
	run(&as, &f);
	f = icmp6(other_mac, "fe80::1:2", 128, NULL);
	CHECK(run(&as, &f) && sets[AS_SET_TAKEN].n == 3,
	      "network: three addresses fill a table of three");
	f = icmp6(other_mac, NET6 "99", 128, NULL);
	CHECK(!run(&as, &f), "network: a fourth is dropped, the table full");
	f = icmp6(vm_mac, SLAAC, 128, NULL);
	CHECK(run(&as, &f), "network: a bound address still passes when "
			    "the table is full");
}

/* A command member's NIC: its own two IPv6 addresses, nothing else */
static void test_fixed6(void)
{
	struct as_v6 v6 = { .fixed = true };
	struct antispoof as;
	struct in_addr a;
	struct frame f;

	inet_pton(AF_INET, VM, &a);
	inet_pton(AF_INET6, NET6, &v6.net);
	inet_pton(AF_INET6, SLAAC, &v6.own);
	antispoof_build(vm_mac, a, &v6, &as);
	sets_reset(0);
	f = icmp6(vm_mac, SLAAC, 128, NULL);
	CHECK(run(&as, &f) && !as.has_set,
	      "fixed: its own address passes, no set");
	f = icmp6(vm_mac, LL, 128, NULL);
	CHECK(run(&as, &f), "fixed: its link-local passes");
	f = icmp6(vm_mac, NET6 "77", 128, NULL);
	CHECK(!run(&as, &f), "fixed: another address of the /64 is dropped");
	f = icmp6(vm_mac, "fe80::bad", 128, NULL);
	CHECK(!run(&as, &f), "fixed: another link-local is dropped");
	f = icmp6(vm_mac, SLAAC, 136, SLAAC);
	CHECK(run(&as, &f), "fixed: an advertisement for its own address passes");
	f = icmp6(vm_mac, LL, 136, NET6 "77");
	CHECK(!run(&as, &f), "fixed: one for another address is dropped");
}

/* A link's TAP: no MAC of this side's own; no server from there */
static void test_link(void)
{
	static const uint8_t own[2][6] = { { 0x52, 0x55, 10, 0, 2, 2 },
					   { 0x52, 0x55, 10, 0, 2, 3 } };
	struct antispoof as;
	struct frame f;

	antispoof_build_link(true, own, 2, &as);
	CHECK(as.policy_accept, "link: the policy accepts");
	f = ip4(other_mac, "10.0.2.50", "10.0.2.2", 6, 1000, 80);
	CHECK(run(&as, &f), "link: the far side's members' frames pass");
	f = ip4(own[0], "10.0.2.2", "10.0.2.50", 6, 80, 1000);
	CHECK(!run(&as, &f), "link: this side's NAT engine's MAC is dropped");
	f = arp(own[1], 2, own[1], "10.0.2.3", "10.0.2.50");
	CHECK(!run(&as, &f), "link: ... its DNS forwarder's too");
	f = ip4(other_mac, "10.0.2.9", "255.255.255.255", 17, 67, 68);
	CHECK(!run(&as, &f), "link, serving: a DHCP server over there is "
			     "dropped");
	f = dhcp4(other_mac, "0.0.0.0", other_mac);
	CHECK(run(&as, &f), "link, serving: a DHCP client over there passes");
	f = icmp6(other_mac, "fe80::1", 134, NULL);
	CHECK(!run(&as, &f), "link, serving: router advertisements dropped");
	f = icmp6(other_mac, "fe80::1", 135, NULL);
	CHECK(run(&as, &f), "link: neighbor solicitations pass");
	antispoof_build_link(false, own, 2, &as);
	f = ip4(other_mac, "10.0.2.1", "255.255.255.255", 17, 67, 68);
	CHECK(run(&as, &f), "link, serve=off: the serving side's DHCP passes");
	f = icmp6(other_mac, "fe80::1", 134, NULL);
	CHECK(run(&as, &f), "link, serve=off: its router advertisements pass");
	f = ip4(own[0], "10.0.2.2", "10.0.2.50", 6, 80, 1000);
	CHECK(!run(&as, &f), "link, serve=off: an own MAC is still dropped");

	/* a VM on a serve=off side: its MAC alone, and no server */
	antispoof_build(vm_mac, (struct in_addr){ 0 }, NULL, &as);
	antispoof_no_servers(&as);
	f = ip4(vm_mac, "10.0.2.9", "255.255.255.255", 17, 67, 68);
	CHECK(!run(&as, &f), "MAC-only, no servers: its DHCP server dropped");
	f = icmp6(vm_mac, LL, 134, NULL);
	CHECK(!run(&as, &f), "MAC-only, no servers: its RA dropped");
	f = dhcp4(vm_mac, "0.0.0.0", vm_mac);
	CHECK(run(&as, &f), "MAC-only, no servers: its DHCP client passes");
	f = ip4(vm_mac, "10.0.2.60", "10.0.2.15", 6, 1, 2);
	CHECK(run(&as, &f), "MAC-only, no servers: any address of its own");
	f = ip4(other_mac, "10.0.2.60", "10.0.2.15", 6, 1, 2);
	CHECK(!run(&as, &f), "MAC-only, no servers: another MAC dropped");
}

static void test_ll6(void)
{
	struct in6_addr ll;
	char s[INET6_ADDRSTRLEN];

	antispoof_ll6(vm_mac, &ll);
	inet_ntop(AF_INET6, &ll, s, sizeof(s));
	CHECK(!strcmp(s, LL), "EUI-64 link-local of 52:54:00:12:34:56 is "
			      "%s (%s)", LL, s);
}

int main(void)
{
	test_known();
	test_mac_only();
	test_shape();
	test_v6();
	test_network();
	test_fixed6();
	test_link();
	test_ll6();
	UNIT_END();
}
