// SPDX-License-Identifier: MIT
/* frame_filter.c - frames kept from libslirp (frame_filter.h) */
#include "dataplane/frame_filter.h"

#include <arpa/inet.h>
#include <string.h>

#include "common/bytes.h"

#define ETH_HLEN 14
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_ARP 0x0806
#define PROTO_TCP 6
#define PROTO_UDP 17
#define LINK_LOCAL 0xa9fe0000u	/* 169.254.0.0/16 */

static bool rule_matches(const struct egress_rule *r, uint32_t dst,
			 int port)
{
	uint32_t mask = r->prefix ? ~0u << (32 - r->prefix) : 0;

	if ((dst & mask) != ntohl(r->net.s_addr))
		return false;
	return !r->port || r->port == port;
}

/* The TCP or UDP destination port of IPv4 packet @ip (@len bytes), or -1 */
static int dst_port(const uint8_t *ip, size_t len)
{
	size_t ihl = (size_t)(ip[0] & 0x0f) * 4;

	if ((ip[9] != PROTO_TCP && ip[9] != PROTO_UDP) || ihl < 20 ||
	    len < ihl + 4)
		return -1;
	return be16_get(ip + ihl + 2);
}

bool frame_egress_ok(const uint8_t *f, size_t len,
		     const struct egress_policy *p)
{
	const uint8_t *ip = f + ETH_HLEN;
	uint32_t dst;
	int i, port;

	if (len < ETH_HLEN || be16_get(f + 12) != ETHERTYPE_IPV4)
		return true;
	if (len < ETH_HLEN + 20 || (ip[0] >> 4) != 4)
		return false;
	dst = be32_get(ip + 16);
	port = dst_port(ip, len - ETH_HLEN);
	/* the NAT's own services */
	if ((ip[9] == PROTO_UDP && port == 67) ||
	    dst == ntohl(p->dns.s_addr) ||
	    (dst == ntohl(p->gateway.s_addr) && ip[9] == PROTO_UDP &&
	     port == 69))
		return true;
	for (i = 0; i < p->n; i++)
		if (rule_matches(&p->allow[i], dst, port))
			return true;
	if ((dst & 0xffff0000u) == LINK_LOCAL)
		return false;
	return !p->deny;
}

bool frame_to_host_only(const uint8_t *f, size_t len, struct in_addr host)
{
	uint16_t type;
	uint32_t dst;

	if (len < ETH_HLEN)
		return false;
	type = be16_get(f + 12);
	if (type == ETHERTYPE_ARP)
		return true;
	/* IPv6, VLAN tags and anything else have no business here */
	if (type != ETHERTYPE_IPV4 || len < ETH_HLEN + 20 ||
	    (f[ETH_HLEN] >> 4) != 4)
		return false;
	memcpy(&dst, f + ETH_HLEN + 16, 4);
	return dst == host.s_addr;
}

/* The Internet checksum of @len bytes at @p */
static uint16_t inet_csum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += be16_get(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

size_t frame_egress_refusal(const uint8_t *f, size_t len,
			    struct in_addr gateway, uint8_t *out, size_t cap)
{
	const uint8_t *ip = f + ETH_HLEN;
	size_t ihl, quote, n;
	uint8_t *o = out + ETH_HLEN, *icmp;

	if (len < ETH_HLEN + 20 || be16_get(f + 12) != ETHERTYPE_IPV4 ||
	    (ip[0] >> 4) != 4 || frame_ipv4_fragment(f, len) ||
	    (f[6] & 1) || be32_get(ip + 12) == 0)
		return 0;
	ihl = (size_t)(ip[0] & 0x0f) * 4;
	if (ihl < 20 || len < ETH_HLEN + ihl + 8)
		return 0;
	if (ip[9] != PROTO_TCP && ip[9] != PROTO_UDP &&
	    !(ip[9] == 1 && ip[ihl] == 8))	/* an echo request */
		return 0;
	quote = ihl + 8;
	n = ETH_HLEN + 20 + 8 + quote;
	if (cap < n)
		return 0;
	memcpy(out, f + 6, 6);		/* to the sender */
	memcpy(out + 6, f, 6);		/* from the MAC it sent to */
	be16_put(out + 12, ETHERTYPE_IPV4);
	memset(o, 0, 20 + 8);
	o[0] = 0x45;
	be16_put(o + 2, (uint16_t)(20 + 8 + quote));
	o[8] = 64;
	o[9] = 1;
	memcpy(o + 12, &gateway.s_addr, 4);
	memcpy(o + 16, ip + 12, 4);
	be16_put(o + 10, inet_csum(o, 20));
	icmp = o + 20;
	icmp[0] = 3;
	icmp[1] = 13;
	memcpy(icmp + 8, ip, quote);
	be16_put(icmp + 2, inet_csum(icmp, 8 + quote));
	return n;
}

bool frame_ipv4_fragment(const uint8_t *f, size_t len)
{
	if (len < ETH_HLEN + 20 || be16_get(f + 12) != ETHERTYPE_IPV4 ||
	    (f[ETH_HLEN] >> 4) != 4)
		return false;
	/* More Fragments (0x2000) or an offset (0x1fff); not Don't Fragment */
	return (be16_get(f + ETH_HLEN + 6) & 0x3fff) != 0;
}
