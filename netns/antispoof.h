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

/* One comparison: @len bytes at @offset of @base equal (or not) @data,
 * or (@in_set) found (or not) in the chain's set */
struct as_match {
	uint8_t base;		/* enum as_base */
	uint8_t offset;
	uint8_t len;		/* 1..16; 16 with @in_set */
	bool neq;		/* holds when the bytes differ (are not in
				   the set) */
	bool in_set;		/* looked up in the chain's set */
	uint8_t data[16];
};

#define AS_MATCH_MAX 6
#define AS_RULES_MAX 20

/*
 * Every match holding decides the frame's fate; a missing byte (a frame
 * too short, no transport header) makes the match fail. A rule that
 * @claims puts the IPv6 source address into the chain's set (or
 * refreshes it there) and gives no verdict: the next rule follows. A set
 * already holding AS_SET_SIZE addresses takes no more (nftables' dynset
 * on a full set), and a claim then changes nothing.
 */
struct as_rule {
	struct as_match m[AS_MATCH_MAX];
	int n;
	bool accept;		/* else drop */
	bool claims;		/* no verdict: the source into the set */
	const char *why;	/* shown as the rule's comment (nft list) */
};

/* The set of a VM's IPv6 addresses: how many, and for how long unused */
#define AS_SET_SIZE 16
#define AS_SET_TIMEOUT_MS (10 * 60 * 1000)

/* A chain: its rules in order, the verdict when none decides, and
 * whether it has a set of the VM's IPv6 addresses */
struct antispoof {
	struct as_rule rules[AS_RULES_MAX];
	int n;
	bool policy_accept;
	bool has_set;
};

/*
 * What a VM may send from over IPv6 beyond its EUI-64 link-local address:
 * any address of its /64 and any link-local one (SLAAC's EUI-64,
 * stable-privacy and temporary addresses alike), AS_SET_SIZE at a time,
 * first come first served (RFC 6620's FCFS SAVI: the chain's set binds
 * them to this port), but none of @others (the NAT's own: its gateway
 * and DNS).
 */
struct as_v6 {
	struct in6_addr net;		/* the /64 */
	struct in6_addr others[2];
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
 * dropped; the rest passes. With @v6 (a NAT NIC with IPv6, and an
 * address): IPv6 as struct as_v6 says, instead of the EUI-64 alone.
 */
void antispoof_build(const uint8_t mac[6], struct in_addr addr,
		     const struct as_v6 *v6, struct antispoof *as);

/* @mac's modified EUI-64 link-local address, fe80::/64 (RFC 4291) */
void antispoof_ll6(const uint8_t mac[6], struct in6_addr *out);

#endif /* QBOX_ANTISPOOF_H */
