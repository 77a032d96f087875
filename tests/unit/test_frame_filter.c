// SPDX-License-Identifier: MIT
/* test_frame_filter.c - what a host-only network lets through to its NAT,
 * and the IPv4 fragments no uplink passes to libslirp */
#include <arpa/inet.h>

#include "common/bytes.h"
#include "dataplane/frame_filter.h"
#include "tests/unit/unit.h"

/* An Ethernet frame of @type; for IPv4, a header to @dst */
static size_t frame(uint8_t *f, uint16_t type, const char *dst, int version)
{
	struct in_addr a;

	memset(f, 0, 64);
	be16_put(f + 12, type);
	f[14] = (uint8_t)(version << 4 | 5);
	if (dst) {
		inet_pton(AF_INET, dst, &a);
		memcpy(f + 14 + 16, &a, 4);
	}
	return 64;
}

/* An IPv4 frame whose flags and fragment offset field is @frag */
static size_t ipv4_frag(uint8_t *f, uint16_t frag)
{
	size_t n = frame(f, 0x0800, "10.0.2.2", 4);

	be16_put(f + 14 + 6, frag);
	return n;
}

static void test_fragments(void)
{
	uint8_t f[64];

	CHECK(!frame_ipv4_fragment(f, ipv4_frag(f, 0)) &&
		      !frame_ipv4_fragment(f, ipv4_frag(f, 0x4000)),
	      "fragments: a whole datagram, Don't Fragment or not, passes");
	CHECK(frame_ipv4_fragment(f, ipv4_frag(f, 0x2000)),
	      "fragments: the first piece (More Fragments) is dropped");
	CHECK(frame_ipv4_fragment(f, ipv4_frag(f, 0x2010)),
	      "fragments: a middle piece is dropped");
	/* the frame tests/fuzz/fuzz_frames.c found: a last piece alone */
	CHECK(frame_ipv4_fragment(f, ipv4_frag(f, 0x0013)) &&
		      frame_ipv4_fragment(f, ipv4_frag(f, 0x4001)),
	      "fragments: a last piece (an offset, no More Fragments) is "
	      "dropped");
	ipv4_frag(f, 0x2000);
	CHECK(!frame_ipv4_fragment(f, 33),
	      "fragments: a truncated header is libslirp's to drop");
	frame(f, 0x86dd, NULL, 6);
	f[14 + 6] = 0x20;
	CHECK(!frame_ipv4_fragment(f, 64), "fragments: IPv6 is not looked at");
	frame(f, 0x0800, "10.0.2.2", 6);
	f[14 + 6] = 0x20;
	CHECK(!frame_ipv4_fragment(f, 64),
	      "fragments: a header that is not version 4 is not one");
}

/* An IPv4 frame of @proto (6, 17, 1) to @dst, destination port @port */
static size_t l4(uint8_t *f, uint8_t proto, const char *dst, uint16_t port)
{
	size_t n = frame(f, 0x0800, dst, 4);

	f[14 + 9] = proto;
	be16_put(f + 14 + 20 + 2, port);
	return n;
}

static void rule(struct egress_policy *p, const char *net, unsigned int prefix,
		 uint16_t port)
{
	struct egress_rule *r = &p->allow[p->n++];

	inet_pton(AF_INET, net, &r->net);
	r->prefix = prefix;
	r->port = port;
}

static void test_egress(void)
{
	struct egress_policy open = { 0 }, deny = { .deny = true };
	uint8_t f[64];

	inet_pton(AF_INET, "10.0.2.2", &open.gateway);
	inet_pton(AF_INET, "10.0.2.3", &open.dns);
	deny.gateway = open.gateway;
	deny.dns = open.dns;
	CHECK(frame_egress_ok(f, l4(f, 6, "198.51.100.2", 80), &open) &&
		      frame_egress_ok(f, l4(f, 6, "10.0.2.2", 8080), &open),
	      "egress: everything passes by default");
	CHECK(!frame_egress_ok(f, l4(f, 6, "169.254.169.254", 80), &open) &&
		      !frame_egress_ok(f, l4(f, 17, "169.254.0.1", 53), &open) &&
		      !frame_egress_ok(f, l4(f, 1, "169.254.255.255", 0), &open),
	      "egress: the link-local metadata range is refused by default");
	CHECK(frame_egress_ok(f, l4(f, 6, "169.253.255.255", 80), &open) &&
		      frame_egress_ok(f, l4(f, 6, "169.255.0.0", 80), &open),
	      "egress: ... and only it");
	rule(&open, "169.254.169.254", 32, 80);
	CHECK(frame_egress_ok(f, l4(f, 6, "169.254.169.254", 80), &open) &&
		      !frame_egress_ok(f, l4(f, 6, "169.254.169.254", 81), &open),
	      "egress: allow=169.254.169.254:80 lets that one port through");
	CHECK(!frame_egress_ok(f, l4(f, 6, "198.51.100.2", 80), &deny) &&
		      !frame_egress_ok(f, l4(f, 6, "10.0.2.2", 8080), &deny) &&
		      !frame_egress_ok(f, l4(f, 1, "198.51.100.2", 0), &deny),
	      "egress=deny: the outside and the host alias are refused");
	CHECK(frame_egress_ok(f, l4(f, 17, "255.255.255.255", 67), &deny) &&
		      frame_egress_ok(f, l4(f, 17, "10.0.2.3", 53), &deny) &&
		      frame_egress_ok(f, l4(f, 6, "10.0.2.3", 53), &deny) &&
		      frame_egress_ok(f, l4(f, 17, "10.0.2.2", 69), &deny) &&
		      frame_egress_ok(f, frame(f, 0x0806, NULL, 0), &deny),
	      "egress=deny: DHCP, DNS, TFTP and ARP, the NAT's own, pass");
	CHECK(!frame_egress_ok(f, l4(f, 6, "10.0.2.2", 69), &deny),
	      "egress=deny: TFTP is UDP");
	rule(&deny, "198.51.100.2", 32, 80);
	rule(&deny, "10.8.0.0", 16, 0);
	CHECK(frame_egress_ok(f, l4(f, 6, "198.51.100.2", 80), &deny) &&
		      frame_egress_ok(f, l4(f, 17, "198.51.100.2", 80), &deny) &&
		      !frame_egress_ok(f, l4(f, 6, "198.51.100.2", 443), &deny) &&
		      !frame_egress_ok(f, l4(f, 1, "198.51.100.2", 80), &deny) &&
		      !frame_egress_ok(f, l4(f, 6, "198.51.100.3", 80), &deny),
	      "egress=deny, allow=ADDR:PORT: that port of that address only, "
	      "TCP or UDP");
	CHECK(frame_egress_ok(f, l4(f, 6, "10.8.255.1", 1), &deny) &&
		      frame_egress_ok(f, l4(f, 1, "10.8.0.9", 0), &deny) &&
		      !frame_egress_ok(f, l4(f, 6, "10.9.0.1", 1), &deny),
	      "egress=deny, allow=CIDR: any protocol and port inside it");
	rule(&deny, "0.0.0.0", 0, 443);
	CHECK(frame_egress_ok(f, l4(f, 6, "203.0.113.9", 443), &deny) &&
		      !frame_egress_ok(f, l4(f, 6, "203.0.113.9", 80), &deny),
	      "egress=deny, allow=0.0.0.0/0:443: port 443 anywhere");
	l4(f, 6, "198.51.100.2", 80);
	f[14] = 0x4f;	/* a 60-byte header the frame's 64 bytes cannot hold */
	CHECK(!frame_egress_ok(f, 64, &deny),
	      "egress: a port beyond the frame matches no port rule");
	CHECK(!frame_egress_ok(f, 20, &open) && !frame_egress_ok(f, 33, &open),
	      "egress: a truncated IPv4 header is dropped");
}

/* The Internet checksum over @len bytes: 0 when they hold a right one */
static uint16_t sum_of(const uint8_t *p, size_t len)
{
	return csum_fold(csum_add(0, p, len));
}

/* An IPv6 frame of @nh from @src to @dst, destination port @port (or,
 * for ICMPv6, type @port) */
static size_t l4_6(uint8_t *f, uint8_t nh, const char *src, const char *dst,
		   uint16_t port)
{
	memset(f, 0, 96);
	memcpy(f, "\x52\x55\x0a\x00\x02\x02", 6);
	memcpy(f + 6, "\x52\x54\x00\x01\x02\x03", 6);
	be16_put(f + 12, 0x86dd);
	f[14] = 0x60;
	be16_put(f + 14 + 4, 96 - 54);
	f[14 + 6] = nh;
	f[14 + 7] = 64;
	inet_pton(AF_INET6, src, f + 14 + 8);
	inet_pton(AF_INET6, dst, f + 14 + 24);
	if (nh == 58)
		f[54] = (uint8_t)port;
	else
		be16_put(f + 54 + 2, port);
	return 96;
}

static void rule6(struct egress_policy *p, const char *net,
		  unsigned int prefix, uint16_t port)
{
	struct egress_rule *r = &p->allow[p->n++];

	r->family = AF_INET6;
	inet_pton(AF_INET6, net, &r->net6);
	r->prefix = prefix;
	r->port = port;
}

#define G6 "fd71:6278:a00:200::"

static void test_egress6(void)
{
	struct egress_policy open = { 0 }, deny = { .deny = true };
	uint8_t f[96];
	const char *me = "fd71:6278:a00:200:5054:ff:fe01:203";

	inet_pton(AF_INET6, G6 "2", &open.gateway6);
	inet_pton(AF_INET6, G6 "3", &open.dns6);
	deny.gateway6 = open.gateway6;
	deny.dns6 = open.dns6;
	CHECK(frame_egress_ok(f, l4_6(f, 6, me, "2001:db8::2", 80), &open) &&
		      frame_egress_ok(f, l4_6(f, 6, me, G6 "2", 8080), &open),
	      "egress6: everything passes by default");
	CHECK(!frame_egress_ok(f, l4_6(f, 6, me, "fd00:ec2::254", 80), &open),
	      "egress6: EC2's IPv6 metadata address is refused by default");
	CHECK(!frame_egress_ok(f, l4_6(f, 6, me, "2001:db8::2", 80), &deny) &&
		      !frame_egress_ok(f, l4_6(f, 6, me, G6 "2", 80), &deny) &&
		      !frame_egress_ok(f, l4_6(f, 58, me, "2001:db8::2", 128),
				       &deny),
	      "egress6=deny: the outside and the host alias are refused");
	CHECK(frame_egress_ok(f, l4_6(f, 58, me, "ff02::2", 133), &deny) &&
		      frame_egress_ok(f, l4_6(f, 58, me, "fe80::2", 135),
				      &deny) &&
		      frame_egress_ok(f, l4_6(f, 17, "fe80::1", "ff02::1:2", 547),
				      &deny) &&
		      frame_egress_ok(f, l4_6(f, 17, me, G6 "3", 53), &deny),
	      "egress6=deny: router and neighbor discovery, DHCPv6 and DNS, "
	      "the NAT's own, pass");
	rule6(&deny, "2001:db8::", 32, 443);
	CHECK(frame_egress_ok(f, l4_6(f, 6, me, "2001:db8:1::9", 443), &deny) &&
		      !frame_egress_ok(f, l4_6(f, 6, me, "2001:db8::9", 80),
				       &deny) &&
		      !frame_egress_ok(f, l4_6(f, 6, me, "2001:db9::9", 443),
				       &deny),
	      "egress6=deny, allow=[2001:db8::/32]:443: that port in it only");
	rule(&deny, "0.0.0.0", 0, 0);
	CHECK(!frame_egress_ok(f, l4_6(f, 6, me, "2001:db9::9", 80), &deny),
	      "egress6: an IPv4 rule allows no IPv6");
	l4_6(f, 6, me, "2001:db8::9", 443);
	f[14 + 6] = 0;		/* a hop-by-hop header first */
	f[54] = 6;
	f[55] = 0;
	be16_put(f + 62 + 2, 443);
	CHECK(frame_egress_ok(f, 96, &deny),
	      "egress6: the port is read past extension headers");
	CHECK(!frame_egress_ok(f, 40, &open) &&
		      !frame_egress_ok(f, l4_6(f, 6, me, "2001:db8::2", 80) - 60,
				       &open),
	      "egress6: a truncated IPv6 header is dropped");
}

static void test_refusal6(void)
{
	struct egress_policy pol = { 0 };
	uint8_t f[96], r[FRAME_REFUSAL_MAX];
	const char *me = "fd71:6278:a00:200:5054:ff:fe01:203";
	size_t n;

	inet_pton(AF_INET6, G6 "2", &pol.gateway6);
	l4_6(f, 6, me, "2001:db8::2", 80);
	n = frame_egress_refusal(f, 96, &pol, r, sizeof(r));
	CHECK(n == 14 + 40 + 8 + 48, "refusal6: ICMPv6 quoting header and 8 "
				     "bytes (%zu)", n);
	CHECK(!memcmp(r, f + 6, 6) && !memcmp(r + 6, f, 6) &&
		      be16_get(r + 12) == 0x86dd && r[14 + 6] == 58 &&
		      !memcmp(r + 14 + 8, &pol.gateway6, 16) &&
		      !memcmp(r + 14 + 24, f + 14 + 8, 16) &&
		      be16_get(r + 14 + 4) == 56,
	      "refusal6: from the gateway to the sender");
	/* the checksum over the pseudo-header and the message: 0 */
	CHECK(r[54] == 1 && r[55] == 1 &&
		      csum_fold(csum_add(csum_pseudo6(r + 14, 56, 58), r + 54,
					 56)) == 0 &&
		      !memcmp(r + 54 + 8, f + 14, 48),
	      "refusal6: type 1 code 1 (administratively prohibited), the "
	      "original quoted, checksummed");
	l4_6(f, 58, me, "2001:db8::2", 128);
	CHECK(frame_egress_refusal(f, 96, &pol, r, sizeof(r)) == n,
	      "refusal6: an echo request is answered too");
	l4_6(f, 58, me, "2001:db8::2", 1);
	CHECK(frame_egress_refusal(f, 96, &pol, r, sizeof(r)) == 0,
	      "refusal6: never an ICMPv6 error for an ICMPv6 error");
	l4_6(f, 6, "::", "2001:db8::2", 80);
	CHECK(frame_egress_refusal(f, 96, &pol, r, sizeof(r)) == 0,
	      "refusal6: none to ::");
	memset(&pol.gateway6, 0, 16);
	l4_6(f, 6, me, "2001:db8::2", 80);
	CHECK(frame_egress_refusal(f, 96, &pol, r, sizeof(r)) == 0,
	      "refusal6: none with IPv6 off");
}

static void test_refusal(void)
{
	static const uint8_t guest[6] = { 0x52, 0x54, 0, 1, 2, 3 },
			     gw[6] = { 0x52, 0x55, 10, 0, 2, 2 };
	struct egress_policy pol = { 0 };
	struct in_addr gateway;
	uint8_t f[64], r[FRAME_REFUSAL_MAX];
	size_t n;

	inet_pton(AF_INET, "10.0.2.2", &gateway);
	pol.gateway = gateway;
	l4(f, 6, "198.51.100.2", 80);
	memcpy(f, gw, 6);
	memcpy(f + 6, guest, 6);
	memcpy(f + 14 + 12, "\x0a\x00\x02\x0f", 4);	/* from 10.0.2.15 */
	n = frame_egress_refusal(f, 64, &pol, r, sizeof(r));
	CHECK(n == 14 + 20 + 8 + 28, "refusal: ICMP quoting header and 8 "
				     "bytes (%zu)", n);
	CHECK(!memcmp(r, guest, 6) && !memcmp(r + 6, gw, 6) &&
		      be16_get(r + 12) == 0x0800,
	      "refusal: to the sender's MAC, from the gateway's");
	CHECK(r[14] == 0x45 && r[14 + 9] == 1 &&
		      !memcmp(r + 14 + 12, &gateway, 4) &&
		      !memcmp(r + 14 + 16, "\x0a\x00\x02\x0f", 4) &&
		      be16_get(r + 14 + 2) == 56 && sum_of(r + 14, 20) == 0,
	      "refusal: IPv4 from the gateway to the sender, checksummed");
	CHECK(r[34] == 3 && r[35] == 13 && sum_of(r + 34, 36) == 0 &&
		      !memcmp(r + 34 + 8, f + 14, 28),
	      "refusal: type 3 code 13 (administratively prohibited), the "
	      "original quoted, checksummed");
	f[14 + 9] = 1;
	f[14 + 20] = 8;
	CHECK(frame_egress_refusal(f, 64, &pol, r, sizeof(r)) == n,
	      "refusal: a ping is answered too");
	f[14 + 20] = 3;
	CHECK(frame_egress_refusal(f, 64, &pol, r, sizeof(r)) == 0,
	      "refusal: never an ICMP error for an ICMP error");
	f[14 + 9] = 6;
	f[6] = 0x53;
	CHECK(frame_egress_refusal(f, 64, &pol, r, sizeof(r)) == 0,
	      "refusal: none to a group MAC");
	f[6] = 0x52;
	be16_put(f + 14 + 6, 0x2000);
	CHECK(frame_egress_refusal(f, 64, &pol, r, sizeof(r)) == 0,
	      "refusal: none for a fragment");
	be16_put(f + 14 + 6, 0);
	CHECK(frame_egress_refusal(f, 64, &pol, r, 60) == 0 &&
		      frame_egress_refusal(f, 40, &pol, r, sizeof(r)) == 0,
	      "refusal: none when it does not fit, or the frame is short");
}

/* A host-only network with IPv6: the host alias's address, and the
 * neighbor discovery that finds it, alone */
static void test_host_only6(void)
{
	struct in_addr host;
	struct in6_addr host6;
	uint8_t f[96];
	const char *m = "fd71:6278:c0a8:3800:5054:ff:fe01:203";

	inet_pton(AF_INET, "192.168.56.1", &host);
	inet_pton(AF_INET6, "fd71:6278:c0a8:3800::1", &host6);
	CHECK(frame_to_host_only(f, l4_6(f, 6, m, "fd71:6278:c0a8:3800::1",
					 80), host, &host6),
	      "host-only6: TCP to the host alias's IPv6 address passes");
	CHECK(!frame_to_host_only(f, l4_6(f, 6, m, "2001:db8::2", 80), host,
				  &host6),
	      "host-only6: the outside is dropped");
	CHECK(!frame_to_host_only(f, l4_6(f, 17, m, "fd71:6278:c0a8:3800::3",
					  53), host, &host6),
	      "host-only6: the engine's DNS address is dropped");
	CHECK(!frame_to_host_only(f, l4_6(f, 17, "fe80::1", "ff02::1:2", 547),
				  host, &host6),
	      "host-only6: DHCPv6 is dropped");
	CHECK(frame_to_host_only(f, l4_6(f, 58, "::", "ff02::2", 133), host,
				 &host6) &&
		      frame_to_host_only(f, l4_6(f, 58, m, "ff02::1:ff00:1", 135),
					 host, &host6) &&
		      frame_to_host_only(f, l4_6(f, 58, m, "fe80::2", 136), host,
					 &host6),
	      "host-only6: router and neighbor solicitations and "
	      "advertisements pass");
	CHECK(!frame_to_host_only(f, l4_6(f, 58, m, "2001:db8::2", 128), host,
				  &host6),
	      "host-only6: a ping to the outside is dropped");
	CHECK(!frame_to_host_only(f, 40, host, &host6) &&
		      !frame_to_host_only(f, 54, host, &host6),
	      "host-only6: a truncated frame is dropped");
}

int main(void)
{
	struct in_addr host;
	uint8_t f[64];

	inet_pton(AF_INET, "192.168.56.1", &host);
	CHECK(frame_to_host_only(f, frame(f, 0x0806, NULL, 0), host, NULL),
	      "ARP passes");
	CHECK(frame_to_host_only(f, frame(f, 0x0800, "192.168.56.1", 4), host, NULL),
	      "IPv4 to the host alias passes");
	CHECK(!frame_to_host_only(f, frame(f, 0x0800, "198.51.100.2", 4), host, NULL),
	      "IPv4 to the outside is dropped");
	CHECK(!frame_to_host_only(f, frame(f, 0x0800, "192.168.56.3", 4), host, NULL),
	      "IPv4 to another address of the subnet is dropped");
	CHECK(!frame_to_host_only(f, frame(f, 0x0800, "255.255.255.255", 4),
				  host, NULL), "IPv4 broadcast is dropped");
	CHECK(!frame_to_host_only(f, frame(f, 0x86dd, NULL, 6), host, NULL),
	      "IPv6 is dropped on a network without it");
	CHECK(!frame_to_host_only(f, frame(f, 0x8100, NULL, 0), host, NULL),
	      "VLAN-tagged frames are dropped");
	CHECK(!frame_to_host_only(f, frame(f, 0x0800, "192.168.56.1", 6), host, NULL),
	      "IPv4 ethertype with a non-4 version is dropped");
	frame(f, 0x0800, "192.168.56.1", 4);
	CHECK(!frame_to_host_only(f, 33, host, NULL), "a truncated IPv4 header is "
						"dropped");
	CHECK(!frame_to_host_only(f, 10, host, NULL), "a runt frame is dropped");
	test_host_only6();
	test_fragments();
	test_egress();
	test_refusal();
	test_egress6();
	test_refusal6();
	UNIT_END();
}
