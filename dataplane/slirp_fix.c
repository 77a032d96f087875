// SPDX-License-Identifier: MIT
/* slirp_fix.c - libslirp's frames to the guest, corrected (slirp_fix.h) */
#include "dataplane/slirp_fix.h"

#include <stdbool.h>
#include <string.h>

#include "common/bytes.h"

#define ETH_HLEN 14
#define IP6_HLEN 40
#define ETHERTYPE_IPV6 0x86dd
#define PROTO_UDP 17
#define PROTO_ICMPV6 58
#define ND_ROUTER_ADVERT 134
#define RA_OTHER_CONFIG 0x40
#define DHCP6_REPLY 7
#define DHCP6_SERVERID 2
#define DUID_LL 3
#define HW_ETHERNET 1

/* Whether DHCPv6 options @o (@len bytes) hold option @code */
static bool has_option(const uint8_t *o, size_t len, uint16_t code)
{
	size_t at = 0;

	while (at + 4 <= len) {
		if (be16_get(o + at) == code)
			return true;
		at += 4 + (size_t)be16_get(o + at + 2);
	}
	return false;
}

/* A Reply with its Server Identifier added, into @out */
static size_t fix_reply(const uint8_t *f, size_t len, uint8_t *out,
			size_t cap)
{
	const uint8_t *udp = f + ETH_HLEN + IP6_HLEN;
	size_t ulen = len - ETH_HLEN - IP6_HLEN, n = len + SLIRP_FIX_GROWTH;
	uint8_t *o, *ou;

	/* libslirp sends from 547 byte-swapped (8962): either is its own */
	if (ulen < 8 + 4 || (be16_get(udp) != 547 && be16_get(udp) != 8962) ||
	    be16_get(udp + 2) != 546 || be16_get(udp + 4) != ulen ||
	    udp[8] != DHCP6_REPLY || cap < n)
		return 0;
	if (has_option(udp + 12, ulen - 12, DHCP6_SERVERID))
		n = len;
	memcpy(out, f, len);
	if (n > len) {
		o = out + len;
		be16_put(o, DHCP6_SERVERID);
		be16_put(o + 2, 10);
		be16_put(o + 4, DUID_LL);
		be16_put(o + 6, HW_ETHERNET);
		memcpy(o + 8, f + 6, 6);	/* the MAC it comes from */
		ulen += SLIRP_FIX_GROWTH;
	}
	if (n == len && be16_get(udp) == 547)
		return 0;	/* nothing to correct */
	ou = out + ETH_HLEN + IP6_HLEN;
	be16_put(out + ETH_HLEN + 4, (uint16_t)ulen);
	be16_put(ou, 547);
	be16_put(ou + 4, (uint16_t)ulen);
	be16_put(ou + 6, 0);
	be16_put(ou + 6, csum_fold(csum_add(csum_pseudo6(out + ETH_HLEN,
							 (uint32_t)ulen,
							 PROTO_UDP),
					    ou, ulen)) ?: 0xffff);
	return n;
}

/* A router advertisement with its O flag set (and, @not_router, a router
 * lifetime of 0), into @out */
static size_t fix_ra(const uint8_t *f, size_t len, bool not_router,
		     uint8_t *out, size_t cap)
{
	const uint8_t *icmp = f + ETH_HLEN + IP6_HLEN;
	size_t ilen = len - ETH_HLEN - IP6_HLEN;
	uint8_t *oi;

	if (ilen < 16 || icmp[0] != ND_ROUTER_ADVERT || cap < len ||
	    ((icmp[5] & RA_OTHER_CONFIG) &&
	     (!not_router || !be16_get(icmp + 6))))
		return 0;
	memcpy(out, f, len);
	oi = out + ETH_HLEN + IP6_HLEN;
	oi[5] |= RA_OTHER_CONFIG;
	if (not_router)
		be16_put(oi + 6, 0);
	be16_put(oi + 2, 0);
	be16_put(oi + 2, csum_fold(csum_add(csum_pseudo6(out + ETH_HLEN,
							 (uint32_t)ilen,
							 PROTO_ICMPV6),
					    oi, ilen)));
	return len;
}

size_t slirp_fix(const uint8_t *f, size_t len, bool not_router, uint8_t *out,
		 size_t cap)
{
	const uint8_t *ip;

	if (len < ETH_HLEN + IP6_HLEN || be16_get(f + 12) != ETHERTYPE_IPV6)
		return 0;
	ip = f + ETH_HLEN;
	/* libslirp writes no extension headers: the payload follows */
	if ((ip[0] >> 4) != 6 || be16_get(ip + 4) != len - ETH_HLEN - IP6_HLEN)
		return 0;
	if (ip[6] == PROTO_UDP)
		return fix_reply(f, len, out, cap);
	if (ip[6] == PROTO_ICMPV6)
		return fix_ra(f, len, not_router, out, cap);
	return 0;
}
