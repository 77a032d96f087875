// SPDX-License-Identifier: MIT
/* frame_filter.c - frames kept from libslirp (frame_filter.h) */
#include "dataplane/frame_filter.h"

#include <string.h>

#define ETH_HLEN 14
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_ARP 0x0806

bool frame_to_host_only(const uint8_t *f, size_t len, struct in_addr host)
{
	uint16_t type;
	uint32_t dst;

	if (len < ETH_HLEN)
		return false;
	type = (uint16_t)(f[12] << 8 | f[13]);
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
	if (len < ETH_HLEN + 20 || (f[12] << 8 | f[13]) != ETHERTYPE_IPV4 ||
	    (f[ETH_HLEN] >> 4) != 4)
		return false;
	/* More Fragments (0x2000) or an offset (0x1fff); not Don't Fragment */
	return ((f[ETH_HLEN + 6] << 8 | f[ETH_HLEN + 7]) & 0x3fff) != 0;
}
