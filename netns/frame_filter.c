// SPDX-License-Identifier: MIT
/* frame_filter.c - the host-only network's frame check (frame_filter.h) */
#include "frame_filter.h"

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
