/* SPDX-License-Identifier: MIT */
/*
 * antispoof.h - what a VM may send: the rules, as data
 *
 * Every frame a VM sends enters the sandbox through its TAP (qvmN). An
 * nftables chain on that TAP's ingress hook (netns/antispoof_nft.c) lets
 * through only frames with the VM's own MAC and, once its address is
 * known, only its own IPv4 and IPv6 source addresses. This file builds the
 * chain's rules as plain data, so the list can be unit-tested; each rule
 * is a few byte comparisons at fixed offsets into a header (what nftables'
 * payload and cmp expressions do) and a verdict.
 */
#ifndef QBOX_ANTISPOOF_H
#define QBOX_ANTISPOOF_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

/* Where a match reads its bytes */
enum as_base {
	AS_LINK,	/* the Ethernet header */
	AS_NETWORK,	/* after it: ARP, IPv4 or IPv6 */
	AS_TRANSPORT,	/* after IPv4's header or IPv6's (extension headers
			   skipped); never in a fragment but the first */
	AS_L4PROTO,	/* the transport protocol's number (1 byte) */
};

/* The sets of IPv6 addresses a match may look in, or a claim fill */
enum as_set {
	AS_SET_NONE,
	AS_SET_CHAIN,	/* the chain's own: its VM's addresses */
	AS_SET_OWNER,	/* a network's (its hub's bridge): address . the
			   member MAC that claimed it */
	AS_SET_TAKEN,	/* a network's: the addresses some member holds */
};

/* One comparison: @len bytes at @offset of @base equal (or not) @data,
 * or (@set) found (or not) in a set: the 16 bytes, and for AS_SET_OWNER
 * the frame's Ethernet source after them */
struct as_match {
	uint8_t base;		/* enum as_base */
	uint8_t offset;
	uint8_t len;		/* 1..16; 16 with @set */
	bool neq;		/* holds when the bytes differ (are not in
				   the set) */
	uint8_t set;		/* enum as_set: looked up there */
	uint8_t data[16];
};

/* What a rule claims: the frame's IPv6 source; a claim gives no
 * verdict (the next rule follows) */
enum as_claim {
	AS_CLAIM_NONE,
	AS_CLAIM_CHAIN,		/* into the chain's set */
	AS_CLAIM_NETWORK,	/* with its MAC into AS_SET_OWNER, and
				   into AS_SET_TAKEN */
};

#define AS_MATCH_MAX 6
#define AS_RULES_MAX 20

/*
 * Every match holding decides the frame's fate; a missing byte (a frame
 * too short, no transport header) makes the match fail. A rule that
 * @claims puts the IPv6 source address into a set (or refreshes it
 * there), as enum as_claim says, and gives no verdict: the next rule
 * follows. A set already full takes no more (nftables' dynset on a
 * full set): the claim then changes nothing.
 */
struct as_rule {
	struct as_match m[AS_MATCH_MAX];
	int n;
	bool accept;		/* else drop */
	uint8_t claims;		/* enum as_claim */
	const char *why;	/* shown as the rule's comment (nft list) */
};

/* The set of a VM's IPv6 addresses: how many, and for how long unused */
#define AS_SET_SIZE 16
#define AS_SET_TIMEOUT_MS (10 * 60 * 1000)
/* A network's sets: every member's, twice over (a member's own chain
 * bounds it to AS_SET_SIZE at a time; an entry here may outlive its
 * entry there by a moment) */
#define AS_NETWORK_SET_SIZE (2 * AS_SET_SIZE * 1024)

/* A chain: its rules in order, the verdict when none decides, and
 * whether it has a set of the VM's IPv6 addresses (or, a network's
 * chain, the network's two) */
struct antispoof {
	struct as_rule rules[AS_RULES_MAX];
	int n;
	bool policy_accept;
	bool has_set;
	bool network;
};

/*
 * What a VM may send from over IPv6 beyond its EUI-64 link-local address:
 * any address of its /64 and any link-local one (SLAAC's EUI-64,
 * stable-privacy and temporary addresses alike), AS_SET_SIZE at a time,
 * first come first served (RFC 6620's FCFS SAVI: the chain's set binds
 * them to this port), but none of @others (the NAT's own: its gateway
 * and DNS, and on a network its hub's).
 */
struct as_v6 {
	struct in6_addr net;		/* the /64 */
	struct in6_addr others[4];
	int n_others;
	/* a command's NIC: its one address in the /64, set by qbox; then
	   that and the EUI-64 link-local alone, no set (its kernel sends
	   from no other, and IPV6_FREEBIND must not claim one) */
	bool fixed;
	struct in6_addr own;
};

/**
 * antispoof_build() - the rules for a VM NIC
 * @mac:	the NIC's MAC
 * @addr:	its IPv4 address (the DHCP lease qbox fixed for it), or
 *		INADDR_ANY when unknown (a network without DHCP)
 * @as:		filled
 *
 * With an address: only frames from @mac, and of those only ARP
 * announcing @mac at @addr (or a probe from 0.0.0.0), IPv4 from @addr
 * (or a DHCP client's request from 0.0.0.0), IPv6 from @mac's EUI-64
 * link-local address or from :: (duplicate address detection); DHCP
 * server replies, IPv6 router advertisements and redirects, and neighbor
 * advertisements for any other address are dropped; anything else too.
 * Without one: frames from another MAC, ARP giving another sender MAC,
 * and VLAN-tagged frames (which could carry ARP past that check) are
 * dropped; the rest passes. With @v6 (a NIC with a /64, and an
 * address): IPv6 as struct as_v6 says, instead of the EUI-64 alone (a
 * command's: and its own address).
 */
void antispoof_build(const uint8_t mac[6], struct in_addr addr,
		     const struct as_v6 *v6, struct antispoof *as);

struct net_layout;

/*
 * What a member of named network @l may send from over IPv6, into @v6:
 * where the network has a /64, any address of it, first come, first
 * served, but none of the network's own (its gateway, host alias, DNS
 * and hub, those it has). false: no /64 (link-local alone).
 */
bool antispoof_net6(const struct net_layout *l, struct as_v6 *v6);

/**
 * antispoof_build_network() - a NAT network's rules on its hub's bridge
 * @net6:	the network's /64
 * @engine:	the NAT engine's MACs (its frames are its own business)
 * @n_engine:	how many
 * @as:		filled
 *
 * Each member's own chain binds its IPv6 addresses to its port (FCFS
 * SAVI); this chain, which sees every member's frames, binds them across
 * members: the first member to send from an address of the /64 or a
 * link-local one owns it (by its MAC, unique on the network) for as
 * long as it keeps using it; another member's frames from it, and its
 * neighbor advertisements for an address it does not own, are dropped.
 */
void antispoof_build_network(const struct in6_addr *net6,
			     const uint8_t (*engine)[6], int n_engine,
			     struct antispoof *as);

/*
 * Append to @as (a chain whose policy accepts: a MAC-only VM's on a
 * network whose DHCP is qbox's, served from elsewhere; a link's) drops
 * of what only the network's own servers send: DHCP and DHCPv6 server
 * replies and router advertisements
 */
void antispoof_no_servers(struct antispoof *as);

/**
 * antispoof_build_link() - a network's rules on a link's TAP (its ingress)
 * @serving:	this side serves the network (serve=on): DHCP, DHCPv6 and
 *		router advertisements are its own, none come over a link
 * @own:	MACs only this side sends from (its NAT engine's, its
 *		hub's), which no frame from a link may carry
 * @n_own:	how many
 * @as:		filled: those dropped, the rest accepted (the other side's
 *		members are held by their own side's chains)
 */
void antispoof_build_link(bool serving, const uint8_t (*own)[6], int n_own,
			  struct antispoof *as);

/* @mac's modified EUI-64 link-local address, fe80::/64 (RFC 4291) */
void antispoof_ll6(const uint8_t mac[6], struct in6_addr *out);

#endif /* QBOX_ANTISPOOF_H */
