/* SPDX-License-Identifier: MIT */
/*
 * frame_filter.h - which guest frames may reach libslirp
 *
 * A host-only network has an uplink only so that its members reach the
 * host's loopback services through the host alias (192.168.56.1). libslirp
 * would happily NAT anything else to the outside world, so every frame is
 * checked before slirp_input(): ARP, and IPv4 addressed to the host alias,
 * pass; everything else is dropped.
 *
 * Every uplink also drops IPv4 fragments: Debian 12's libslirp (4.7.0-1)
 * dies on a single one (see frame_ipv4_fragment()). Pure, so unit-tested.
 */
#ifndef QBOX_FRAME_FILTER_H
#define QBOX_FRAME_FILTER_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A NAT's egress policy (--net nat,egress=deny,allow=CIDR[:PORT]): which
 * IPv4 and IPv6 destinations a guest's frames may reach through libslirp.
 * The NAT's own services always may: DHCP (UDP to port 67) and DHCPv6
 * (to port 547), its DNS forwarder, its TFTP server (UDP port 69 at the
 * gateway), and IPv6's neighbor discovery and everything else addressed
 * to link-local or multicast addresses (which go no further than
 * libslirp). Then an allow= rule passes; then a cloud's metadata service
 * is refused (the link-local range 169.254.0.0/16, and fd00:ec2::254,
 * EC2's over IPv6), and the rest passes unless egress=deny. What is
 * neither IPv4 nor IPv6 (ARP) passes: libslirp answers it itself.
 */
#define EGRESS_ALLOW_MAX 16

struct egress_rule {
	int family;		/* AF_INET (0 too) or AF_INET6 */
	struct in_addr net;	/* host bits zero */
	struct in6_addr net6;	/* ditto */
	unsigned int prefix;	/* 0-32, or 0-128 */
	uint16_t port;		/* TCP or UDP destination port; 0: any
				   protocol, any port */
};

struct egress_policy {
	bool deny;			/* egress=deny: the allowed alone */
	struct in_addr gateway;		/* the NAT's: its TFTP server */
	struct in_addr dns;		/* the NAT's DNS forwarder */
	struct in6_addr gateway6, dns6;	/* the same over IPv6 */
	int n;
	struct egress_rule allow[EGRESS_ALLOW_MAX];
};

/* Whether IPv4 packet @ip (@len bytes, from its header) may leave by
 * policy @p: the kernel egress path's SYNs (egress.h) */
bool packet4_egress_ok(const uint8_t *ip, size_t len,
		       const struct egress_policy *p);

/* Whether Ethernet frame @f (@len bytes) may leave by policy @p */
bool frame_egress_ok(const uint8_t *f, size_t len,
		     const struct egress_policy *p);

/**
 * frame_egress_refusal() - the answer to a frame the policy refused
 * @f:		the refused Ethernet frame (IPv4 or IPv6: TCP, UDP or an
 *		echo request)
 * @len:	its length
 * @p:		the policy: its gateway (or gateway6) is the error's source
 * @out:	filled: an ICMP "destination unreachable, communication
 *		administratively prohibited" (type 3, code 13; ICMPv6 type
 *		1, code 1) from the gateway to the frame's sender, quoting
 *		its IP header and 8 bytes, as a router's firewall answers
 *		(RFC 1812 5.2.7.1, RFC 4443 3.1)
 * @cap:	@out's size, FRAME_REFUSAL_MAX will do
 *
 * So a guest's connect() fails at once (EHOSTUNREACH) instead of after
 * its SYN retries: a CI job learns of a refused destination in
 * milliseconds. No answer to an ICMP error, a fragment, or a sender
 * that is not a unicast host.
 * Return: the answer's length, or 0 for none
 */
#define FRAME_REFUSAL_MAX 256
size_t frame_egress_refusal(const uint8_t *f, size_t len,
			    const struct egress_policy *p, uint8_t *out,
			    size_t cap);

/*
 * Whether Ethernet frame @f (@len bytes) may go to the host alias: ARP,
 * IPv4 to @host; with @host6 (a network with IPv6), IPv6 to @host6 and
 * the neighbor discovery that finds it and the /64 (router and neighbor
 * solicitations and advertisements, to whatever address). Nothing else.
 */
bool frame_to_host_only(const uint8_t *f, size_t len, struct in_addr host,
			const struct in6_addr *host6);

/**
 * frame_ipv4_fragment() - whether a frame is a piece of an IPv4 datagram
 * @f:		Ethernet frame
 * @len:	its length
 *
 * A piece is what libslirp hands to its reassembly (ip_reass): an IPv4
 * header with More Fragments set or a fragment offset. The uplink drops
 * them: in the libslirp binary Debian 12 ships, ip_reass reads the queue's
 * head before inserting the new piece (a strict-aliasing reordering by the
 * compiler that built it), so a first piece without More Fragments (the
 * last piece arriving first, or a lone forged one) is taken for a whole
 * datagram made of the queue's own header, and libslirp writes through a
 * wild pointer: one 66-byte frame from a guest killed the supervisor
 * (found by tests/fuzz/fuzz_frames.c). A guest's TCP never fragments (its
 * MSS fits the NIC's MTU); UDP and ICMP datagrams larger than the MTU
 * (1500 for a VM, 65520 for a command payload) are lost instead.
 * Return: true for an IPv4 fragment
 */
bool frame_ipv4_fragment(const uint8_t *f, size_t len);

#endif /* QBOX_FRAME_FILTER_H */
