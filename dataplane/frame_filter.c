// SPDX-License-Identifier: MIT
/* frame_filter.c - frames kept from libslirp (frame_filter.h) */
#include "dataplane/frame_filter.h"

#include <arpa/inet.h>
#include <string.h>

#include "common/bytes.h"

#define ETH_HLEN 14
#define IP6_HLEN 40
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_ARP 0x0806
#define ETHERTYPE_IPV6 0x86dd
#define PROTO_ICMP 1
#define PROTO_TCP 6
#define PROTO_UDP 17
#define PROTO_ICMPV6 58
#define ND_ROUTER_SOLICIT 133
#define ND_NEIGHBOR_SOLICIT 135
#define ND_NEIGHBOR_ADVERT 136
#define LINK_LOCAL 0xa9fe0000u	/* 169.254.0.0/16 */

/* EC2's metadata service over IPv6 */
static const uint8_t metadata6[16] = { 0xfd, 0x00, 0x0e, 0xc2, [15] = 0x54,
				       [14] = 0x02 };

/* Whether the first @prefix bits of @a and @b agree */
static bool prefix_eq(const uint8_t *a, const uint8_t *b, unsigned int prefix)
{
	unsigned int whole = prefix / 8, rest = prefix % 8;

	if (memcmp(a, b, whole))
		return false;
	return !rest || !((a[whole] ^ b[whole]) & (0xff00 >> rest));
}

static bool rule_matches(const struct egress_rule *r, int family,
			 const uint8_t *dst, int port)
{
	if ((r->family == AF_INET6) != (family == AF_INET6))
		return false;
	if (!prefix_eq(dst, family == AF_INET6 ? r->net6.s6_addr :
			(const uint8_t *)&r->net.s_addr, r->prefix))
		return false;
	return !r->port || r->port == port;
}

/* The TCP or UDP destination port of a transport header of @proto at @l4
 * (@len bytes from it), or -1 */
static int l4_port(int proto, const uint8_t *l4, size_t len)
{
	if ((proto != PROTO_TCP && proto != PROTO_UDP) || len < 4)
		return -1;
	return be16_get(l4 + 2);
}

/*
 * The transport protocol of IPv6 packet @ip (@len bytes) past its
 * extension headers, and where its header starts (*@off); -1 for a
 * packet cut short, or a fragment but the first
 */
static int ipv6_l4(const uint8_t *ip, size_t len, size_t *off)
{
	int nh = ip[6], i;
	size_t at = IP6_HLEN;

	/* hop-by-hop, routing, fragment, destination options: at most 8 */
	for (i = 0; i < 8 && (nh == 0 || nh == 43 || nh == 44 || nh == 60);
	     i++) {
		if (len < at + 8)
			return -1;
		if (nh == 44 && (be16_get(ip + at + 2) & 0xfff8))
			return -1;	/* a later fragment: no ports */
		nh = ip[at];
		at += nh == 44 ? 8 : ((size_t)ip[at + 1] + 1) * 8;
	}
	*off = at;
	return at <= len ? nh : -1;
}

bool packet4_egress_ok(const uint8_t *ip, size_t len,
		       const struct egress_policy *p)
{
	size_t ihl = (size_t)(ip[0] & 0x0f) * 4;
	uint32_t dst;
	int i, port;

	if (len < 20 || (ip[0] >> 4) != 4)
		return false;
	dst = be32_get(ip + 16);
	port = ihl >= 20 && len > ihl ? l4_port(ip[9], ip + ihl, len - ihl)
				       : -1;
	/* the NAT's own services */
	if ((ip[9] == PROTO_UDP && port == 67) ||
	    dst == ntohl(p->dns.s_addr) ||
	    (dst == ntohl(p->gateway.s_addr) && ip[9] == PROTO_UDP &&
	     port == 69))
		return true;
	for (i = 0; i < p->n; i++)
		if (rule_matches(&p->allow[i], AF_INET, ip + 16, port))
			return true;
	if ((dst & 0xffff0000u) == LINK_LOCAL)
		return false;
	return !p->deny;
}

static bool ipv6_ok(const uint8_t *ip, size_t len,
		    const struct egress_policy *p)
{
	const uint8_t *dst = ip + 24;
	size_t off = 0;
	int nh, i, port;

	if (len < IP6_HLEN || (ip[0] >> 4) != 6)
		return false;
	/* link-local and multicast stay on the link: libslirp's own
	   (neighbor and router discovery, DHCPv6's servers) */
	if (dst[0] == 0xff || (dst[0] == 0xfe && (dst[1] & 0xc0) == 0x80))
		return true;
	nh = ipv6_l4(ip, len, &off);
	port = nh < 0 ? -1 : l4_port(nh, ip + off, len - off);
	if (!memcmp(dst, &p->dns6, 16) ||
	    (!memcmp(dst, &p->gateway6, 16) && nh == PROTO_UDP &&
	     (port == 69 || port == 547)))
		return true;
	for (i = 0; i < p->n; i++)
		if (rule_matches(&p->allow[i], AF_INET6, dst, port))
			return true;
	if (!memcmp(dst, metadata6, 16))
		return false;
	return !p->deny;
}

bool frame_egress_ok(const uint8_t *f, size_t len,
		     const struct egress_policy *p)
{
	uint16_t type;

	if (len < ETH_HLEN)
		return true;
	type = be16_get(f + 12);
	if (type == ETHERTYPE_IPV4)
		return packet4_egress_ok(f + ETH_HLEN, len - ETH_HLEN, p);
	if (type == ETHERTYPE_IPV6)
		return ipv6_ok(f + ETH_HLEN, len - ETH_HLEN, p);
	return true;
}

/* IPv6 packet @ip (@len bytes) to @host6, or neighbor discovery */
static bool ipv6_to_host_only(const uint8_t *ip, size_t len,
			      const struct in6_addr *host6)
{
	uint8_t type;

	if (len < 40 || (ip[0] >> 4) != 6)
		return false;
	if (!memcmp(ip + 24, host6, 16))
		return true;
	/* neighbor discovery has no extension headers (RFC 4861) */
	if (ip[6] != PROTO_ICMPV6 || len < 41)
		return false;
	type = ip[40];
	return type == ND_ROUTER_SOLICIT || type == ND_NEIGHBOR_SOLICIT ||
	       type == ND_NEIGHBOR_ADVERT;
}

bool frame_to_host_only(const uint8_t *f, size_t len, struct in_addr host,
			const struct in6_addr *host6)
{
	uint16_t type;
	uint32_t dst;

	if (len < ETH_HLEN)
		return false;
	type = be16_get(f + 12);
	if (type == ETHERTYPE_ARP)
		return true;
	if (type == ETHERTYPE_IPV6 && host6)
		return ipv6_to_host_only(f + ETH_HLEN, len - ETH_HLEN, host6);
	/* VLAN tags and anything else have no business here */
	if (type != ETHERTYPE_IPV4 || len < ETH_HLEN + 20 ||
	    (f[ETH_HLEN] >> 4) != 4)
		return false;
	memcpy(&dst, f + ETH_HLEN + 16, 4);
	return dst == host.s_addr;
}

/* The Ethernet header of an answer to @f: back to its sender */
static void answer_eth(const uint8_t *f, uint8_t *out, uint16_t type)
{
	memcpy(out, f + 6, 6);		/* to the sender */
	memcpy(out + 6, f, 6);		/* from the MAC it sent to */
	be16_put(out + 12, type);
}

static size_t refusal4(const uint8_t *f, size_t len, struct in_addr gateway,
		       uint8_t *out, size_t cap)
{
	const uint8_t *ip = f + ETH_HLEN;
	size_t ihl, quote, n;
	uint8_t *o = out + ETH_HLEN, *icmp;

	if (len < ETH_HLEN + 20 || (ip[0] >> 4) != 4 ||
	    frame_ipv4_fragment(f, len) || be32_get(ip + 12) == 0)
		return 0;
	ihl = (size_t)(ip[0] & 0x0f) * 4;
	if (ihl < 20 || len < ETH_HLEN + ihl + 8)
		return 0;
	if (ip[9] != PROTO_TCP && ip[9] != PROTO_UDP &&
	    !(ip[9] == PROTO_ICMP && ip[ihl] == 8))	/* an echo request */
		return 0;
	quote = ihl + 8;
	n = ETH_HLEN + 20 + 8 + quote;
	if (cap < n)
		return 0;
	answer_eth(f, out, ETHERTYPE_IPV4);
	memset(o, 0, 20 + 8);
	o[0] = 0x45;
	be16_put(o + 2, (uint16_t)(20 + 8 + quote));
	o[8] = 64;
	o[9] = PROTO_ICMP;
	memcpy(o + 12, &gateway.s_addr, 4);
	memcpy(o + 16, ip + 12, 4);
	be16_put(o + 10, csum_fold(csum_add(0, o, 20)));
	icmp = o + 20;
	icmp[0] = 3;
	icmp[1] = 13;
	memcpy(icmp + 8, ip, quote);
	be16_put(icmp + 2, csum_fold(csum_add(0, icmp, 8 + quote)));
	return n;
}

static size_t refusal6(const uint8_t *f, size_t len,
		       const struct in6_addr *gateway, uint8_t *out,
		       size_t cap)
{
	static const uint8_t any[16];
	const uint8_t *ip = f + ETH_HLEN;
	size_t off = 0, quote, n, plen;
	uint8_t *o = out + ETH_HLEN, *icmp;
	int nh;

	if (len < ETH_HLEN + IP6_HLEN || (ip[0] >> 4) != 6 ||
	    !memcmp(ip + 8, any, 16) || ip[8] == 0xff ||
	    !memcmp(gateway, any, 16))	/* IPv6 off: nobody to answer */
		return 0;
	nh = ipv6_l4(ip, len - ETH_HLEN, &off);
	if (nh < 0 || len < ETH_HLEN + off + 8)
		return 0;
	if (nh != PROTO_TCP && nh != PROTO_UDP &&
	    !(nh == PROTO_ICMPV6 && ip[off] == 128))	/* an echo request */
		return 0;
	quote = off + 8;
	plen = 8 + quote;
	n = ETH_HLEN + IP6_HLEN + plen;
	if (cap < n)
		return 0;
	answer_eth(f, out, ETHERTYPE_IPV6);
	memset(o, 0, IP6_HLEN + 8);
	o[0] = 0x60;
	be16_put(o + 4, (uint16_t)plen);
	o[6] = PROTO_ICMPV6;
	o[7] = 64;
	memcpy(o + 8, gateway, 16);
	memcpy(o + 24, ip + 8, 16);
	icmp = o + IP6_HLEN;
	icmp[0] = 1;	/* destination unreachable */
	icmp[1] = 1;	/* communication administratively prohibited */
	memcpy(icmp + 8, ip, quote);
	be16_put(icmp + 2, csum_fold(csum_add(csum_pseudo6(o, (uint32_t)plen,
							    PROTO_ICMPV6),
					      icmp, plen)));
	return n;
}

size_t frame_egress_refusal(const uint8_t *f, size_t len,
			    const struct egress_policy *p, uint8_t *out,
			    size_t cap)
{
	if (len < ETH_HLEN || (f[6] & 1))	/* no unicast sender */
		return 0;
	if (be16_get(f + 12) == ETHERTYPE_IPV4)
		return refusal4(f, len, p->gateway, out, cap);
	if (be16_get(f + 12) == ETHERTYPE_IPV6)
		return refusal6(f, len, &p->gateway6, out, cap);
	return 0;
}

bool frame_ipv4_fragment(const uint8_t *f, size_t len)
{
	if (len < ETH_HLEN + 20 || be16_get(f + 12) != ETHERTYPE_IPV4 ||
	    (f[ETH_HLEN] >> 4) != 4)
		return false;
	/* More Fragments (0x2000) or an offset (0x1fff); not Don't Fragment */
	return (be16_get(f + ETH_HLEN + 6) & 0x3fff) != 0;
}
