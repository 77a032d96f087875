// SPDX-License-Identifier: MIT
/*
 * fuzz_egress.c - what an egress worker reads from the sandbox's queue:
 * egress_syn_parse(), then egress_allowed() and egress_target() on what
 * it accepted (dataplane/egress.h)
 *
 * The input's first byte picks the NIC's policy (open or egress=deny with
 * one allow=, hostloop on or off); the rest is the IP packet as the queue
 * copies it (a guest controls every byte of it). Whatever the bytes: the
 * parser reads only within them (ASan), accepts only a whole IPv4 TCP SYN
 * (version 4, a header of 20 to 60 bytes, TCP, no fragment, SYN alone)
 * whose key is the packet's own addresses and ports; the target's port
 * is the SYN's, its address the SYN's or, for the NIC's host alias with
 * hostloop on alone, 127.0.0.1; the metadata range is never allowed
 * unless an allow= names it, and 0/8, 127/8 and 224/3 never.
 */
#include <arpa/inet.h>

#include "common/bytes.h"
#include "dataplane/egress.h"
#include "tests/fuzz/fuzz.h"

#define NET 0x0a000200u		/* 10.0.2.0/24 */
#define ALIAS 0x0a000202u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct egress_map m = { .n = 1 };
	struct egress_nic_map *n = &m.nic[0];
	struct egress_key k;
	struct sockaddr_in to;
	const uint8_t *p;
	size_t len, ihl;
	uint8_t conf;
	bool ok;

	if (size < 1)
		return 0;
	conf = data[0];
	p = data + 1;
	len = size - 1;
	n->net.s_addr = htonl(NET);
	n->prefix = 24;
	n->alias.s_addr = conf & 1 ? 0 : htonl(ALIAS);
	n->policy.gateway.s_addr = htonl(ALIAS);
	n->policy.dns.s_addr = htonl(NET + 3);
	n->policy.deny = conf & 2;
	if (conf & 4) {
		n->policy.n = 1;
		n->policy.allow[0] = (struct egress_rule){
			.family = AF_INET, .net = { htonl(0xa9fe0000u) },
			.prefix = 16, .port = conf & 8 ? 80 : 0 };
	}
	if (egress_syn_parse(p, len, &k) < 0)
		return 0;
	ihl = (size_t)(p[0] & 0x0f) * 4;
	FUZZ_ASSERT(p[0] >> 4 == 4 && ihl >= 20 && len >= ihl + 14 &&
		    p[9] == IPPROTO_TCP && !(be16_get(p + 6) & 0x3fff));
	FUZZ_ASSERT((p[ihl + 13] & 0x17) == 0x02);
	FUZZ_ASSERT(!memcmp(&k.src, p + 12, 4) && !memcmp(&k.dst, p + 16, 4) &&
		    k.sport == be16_get(p + ihl) &&
		    k.dport == be16_get(p + ihl + 2));
	to = egress_target(&m, &k);
	FUZZ_ASSERT(ntohs(to.sin_port) == k.dport);
	if ((ntohl(k.src.s_addr) & 0xffffff00u) == NET && !(conf & 1) &&
	    ntohl(k.dst.s_addr) == ALIAS)
		FUZZ_ASSERT(to.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
	else
		FUZZ_ASSERT(to.sin_addr.s_addr == k.dst.s_addr);
	ok = egress_allowed(&m, &k, p, len);
	if ((ntohl(k.src.s_addr) & 0xffffff00u) != NET)
		FUZZ_ASSERT(!ok);	/* no NIC of the path sent it */
	if ((ntohl(k.dst.s_addr) & 0xffff0000u) == 0xa9fe0000u && !(conf & 4))
		FUZZ_ASSERT(!ok);	/* the metadata range */
	if (ntohl(k.dst.s_addr) >> 24 == 127 || ntohl(k.dst.s_addr) >> 24 == 0 ||
	    ntohl(k.dst.s_addr) >> 29 == 7)
		FUZZ_ASSERT(!ok);	/* no host out there */
	return 0;
}
