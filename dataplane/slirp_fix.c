// SPDX-License-Identifier: MIT
/* slirp_fix.c - libslirp's frames to the guest, corrected (slirp_fix.h) */
#include "dataplane/slirp_fix.h"

#include <stdbool.h>
#include <arpa/inet.h>
#include <stdio.h>
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
#define DHCP6_DNS_SERVERS 23
#define DUID_LL 3
#define HW_ETHERNET 1

/*
 * A Reply's options from @o (@len bytes) into @to: the DNS servers (23)
 * left out with @no_dns, a Server Identifier added when there is none.
 * Return: the options' new length; *@changed whether they differ
 */
static size_t reply_options(const uint8_t *o, size_t len, bool no_dns,
			    const uint8_t mac[6], uint8_t *to, bool *changed)
{
	size_t at = 0, n = 0, olen;
	bool has_id = false;

	*changed = false;
	while (at + 4 <= len) {
		olen = 4 + (size_t)be16_get(o + at + 2);
		if (at + olen > len)
			break;		/* libslirp's own: never, but bounded */
		if (be16_get(o + at) == DHCP6_SERVERID)
			has_id = true;
		if (no_dns && be16_get(o + at) == DHCP6_DNS_SERVERS) {
			*changed = true;
		} else {
			memmove(to + n, o + at, olen);
			n += olen;
		}
		at += olen;
	}
	if (!has_id) {
		be16_put(to + n, DHCP6_SERVERID);
		be16_put(to + n + 2, 10);
		be16_put(to + n + 4, DUID_LL);
		be16_put(to + n + 6, HW_ETHERNET);
		memcpy(to + n + 8, mac, 6);	/* the MAC it comes from */
		n += SLIRP_FIX_GROWTH;
		*changed = true;
	}
	return n;
}

/* A Reply with its Server Identifier added (and, @no_dns, its DNS
 * servers left out), from port 547, into @out */
static size_t fix_reply(const uint8_t *f, size_t len, bool no_dns,
			uint8_t *out, size_t cap)
{
	const uint8_t *udp = f + ETH_HLEN + IP6_HLEN;
	size_t ulen = len - ETH_HLEN - IP6_HLEN, hdr = ETH_HLEN + IP6_HLEN + 12;
	uint8_t *ou = out + ETH_HLEN + IP6_HLEN;
	bool changed;

	/* libslirp sends from 547 byte-swapped (8962): either is its own */
	if (ulen < 8 + 4 || (be16_get(udp) != 547 && be16_get(udp) != 8962) ||
	    be16_get(udp + 2) != 546 || be16_get(udp + 4) != ulen ||
	    udp[8] != DHCP6_REPLY || cap < len + SLIRP_FIX_GROWTH)
		return 0;
	memcpy(out, f, hdr);
	ulen = 12 + reply_options(udp + 12, ulen - 12, no_dns, f + 6,
				  out + hdr, &changed);
	if (!changed && be16_get(udp) == 547)
		return 0;	/* nothing to correct */
	be16_put(out + ETH_HLEN + 4, (uint16_t)ulen);
	be16_put(ou, 547);
	be16_put(ou + 4, (uint16_t)ulen);
	be16_put(ou + 6, 0);
	be16_put(ou + 6, csum_fold(csum_add(csum_pseudo6(out + ETH_HLEN,
							 (uint32_t)ulen,
							 PROTO_UDP),
					    ou, ulen)) ?: 0xffff);
	return ETH_HLEN + IP6_HLEN + ulen;
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

size_t slirp_fix(const uint8_t *f, size_t len, unsigned int flags,
		 uint8_t *out, size_t cap)
{
	const uint8_t *ip;

	if (len < ETH_HLEN + IP6_HLEN || be16_get(f + 12) != ETHERTYPE_IPV6)
		return 0;
	ip = f + ETH_HLEN;
	/* libslirp writes no extension headers: the payload follows */
	if ((ip[0] >> 4) != 6 || be16_get(ip + 4) != len - ETH_HLEN - IP6_HLEN)
		return 0;
	if (ip[6] == PROTO_UDP)
		return fix_reply(f, len, flags & SLIRP_FIX_NO_DNS6, out, cap);
	if (ip[6] == PROTO_ICMPV6)
		return fix_ra(f, len, flags & SLIRP_FIX_NOT_ROUTER, out, cap);
	return 0;
}

bool resolv_has_ipv6(const char *text)
{
	char addr[64];
	struct in6_addr a;
	const char *line;

	for (line = text; line && *line; line = strchr(line, '\n'),
	     line = line ? line + 1 : NULL) {
		if (sscanf(line, " nameserver %63[^% \t\n]", addr) == 1 &&
		    inet_pton(AF_INET6, addr, &a) == 1)
			return true;
	}
	return false;
}
