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
 * IPv4 destinations a guest's frames may reach through libslirp. The
 * NAT's own services always may: DHCP (UDP to port 67), its DNS forwarder,
 * its TFTP server (UDP port 69 at the gateway). Then an allow= rule
 * passes; then the link-local range 169.254.0.0/16 (a cloud's metadata
 * service) is refused, and the rest passes unless egress=deny. What is
 * not IPv4 (ARP) passes: libslirp answers it itself.
 */
#define EGRESS_ALLOW_MAX 16

struct egress_rule {
	struct in_addr net;	/* host bits zero */
	unsigned int prefix;	/* 0-32 */
	uint16_t port;		/* TCP or UDP destination port; 0: any
				   protocol, any port */
};

struct egress_policy {
	bool deny;			/* egress=deny: the allowed alone */
	struct in_addr gateway;		/* the NAT's: its TFTP server */
	struct in_addr dns;		/* the NAT's DNS forwarder */
	int n;
	struct egress_rule allow[EGRESS_ALLOW_MAX];
};

/* Whether Ethernet frame @f (@len bytes) may leave by policy @p */
bool frame_egress_ok(const uint8_t *f, size_t len,
		     const struct egress_policy *p);

/**
 * frame_egress_refusal() - the answer to a frame the policy refused
 * @f:		the refused Ethernet frame (IPv4, TCP, UDP or an ICMP echo
 *		request)
 * @len:	its length
 * @gateway:	the NAT's gateway, the ICMP error's source
 * @out:	filled: an ICMP "destination unreachable, communication
 *		administratively prohibited" (type 3, code 13) from the
 *		gateway to the frame's sender, quoting its IP header and 8
 *		bytes, as a router's firewall answers (RFC 1812 5.2.7.1)
 * @cap:	@out's size, FRAME_REFUSAL_MAX will do
 *
 * So a guest's connect() fails at once (EHOSTUNREACH) instead of after
 * its SYN retries: a CI job learns of a refused destination in
 * milliseconds. No answer to an ICMP error, a fragment, or a sender
 * that is not a unicast host.
 * Return: the answer's length, or 0 for none
 */
#define FRAME_REFUSAL_MAX 128
size_t frame_egress_refusal(const uint8_t *f, size_t len,
			    struct in_addr gateway, uint8_t *out, size_t cap);

/* Whether Ethernet frame @f (@len bytes) may go to the host alias @host */
bool frame_to_host_only(const uint8_t *f, size_t len, struct in_addr host);

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
