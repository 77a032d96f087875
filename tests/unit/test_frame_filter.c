// SPDX-License-Identifier: MIT
/* test_frame_filter.c - what a host-only network lets through to its NAT */
#include <arpa/inet.h>

#include "../../netns/frame_filter.h"
#include "unit.h"

/* An Ethernet frame of @type; for IPv4, a header to @dst */
static size_t frame(uint8_t *f, uint16_t type, const char *dst, int version)
{
	struct in_addr a;

	memset(f, 0, 64);
	f[12] = (uint8_t)(type >> 8);
	f[13] = (uint8_t)type;
	f[14] = (uint8_t)(version << 4 | 5);
	if (dst) {
		inet_pton(AF_INET, dst, &a);
		memcpy(f + 14 + 16, &a, 4);
	}
	return 64;
}

int main(void)
{
	struct in_addr host;
	uint8_t f[64];

	inet_pton(AF_INET, "192.168.56.1", &host);
	CHECK(frame_to_host_only(f, frame(f, 0x0806, NULL, 0), host),
	      "ARP passes");
	CHECK(frame_to_host_only(f, frame(f, 0x0800, "192.168.56.1", 4), host),
	      "IPv4 to the host alias passes");
	CHECK(!frame_to_host_only(f, frame(f, 0x0800, "198.51.100.2", 4), host),
	      "IPv4 to the outside is dropped");
	CHECK(!frame_to_host_only(f, frame(f, 0x0800, "192.168.56.3", 4), host),
	      "IPv4 to another address of the subnet is dropped");
	CHECK(!frame_to_host_only(f, frame(f, 0x0800, "255.255.255.255", 4),
				  host), "IPv4 broadcast is dropped");
	CHECK(!frame_to_host_only(f, frame(f, 0x86dd, NULL, 6), host),
	      "IPv6 is dropped");
	CHECK(!frame_to_host_only(f, frame(f, 0x8100, NULL, 0), host),
	      "VLAN-tagged frames are dropped");
	CHECK(!frame_to_host_only(f, frame(f, 0x0800, "192.168.56.1", 6), host),
	      "IPv4 ethertype with a non-4 version is dropped");
	frame(f, 0x0800, "192.168.56.1", 4);
	CHECK(!frame_to_host_only(f, 33, host), "a truncated IPv4 header is "
						"dropped");
	CHECK(!frame_to_host_only(f, 10, host), "a runt frame is dropped");
	UNIT_END();
}
