// SPDX-License-Identifier: MIT
/* frame_filter.c - frames kept from libslirp (frame_filter.h) */
#include "dataplane/frame_filter.h"

#include <string.h>

#include "common/bytes.h"

#define ETH_HLEN 14
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_ARP 0x0806

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

bool frame_ipv4_fragment(const uint8_t *f, size_t len)
{
	if (len < ETH_HLEN + 20 || be16_get(f + 12) != ETHERTYPE_IPV4 ||
	    (f[ETH_HLEN] >> 4) != 4)
		return false;
	/* More Fragments (0x2000) or an offset (0x1fff); not Don't Fragment */
	return (be16_get(f + ETH_HLEN + 6) & 0x3fff) != 0;
}
