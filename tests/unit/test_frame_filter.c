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
	test_fragments();
	UNIT_END();
}
