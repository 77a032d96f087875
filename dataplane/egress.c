// SPDX-License-Identifier: MIT
/*
 * egress.c - the kernel egress path's pure parts: a queued SYN's key,
 * where to connect for it, and what a failed connect tells the guest
 * (egress.h)
 */
#include "dataplane/egress.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "common/bytes.h"

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_ACK 0x10

int egress_syn_parse(const uint8_t *pkt, size_t len, struct egress_key *k)
{
	size_t ihl;
	const uint8_t *tcp;

	if (len < 20 || pkt[0] >> 4 != 4)
		return -EINVAL;
	ihl = (size_t)(pkt[0] & 0x0f) * 4;
	if (ihl < 20 || len < ihl + 14 || pkt[9] != IPPROTO_TCP)
		return -EINVAL;
	/* a fragment's offset or more-fragments flag: not a whole SYN */
	if (be16_get(pkt + 6) & 0x3fff)
		return -EINVAL;
	tcp = pkt + ihl;
	if ((tcp[13] & (TCP_FIN | TCP_SYN | TCP_RST | TCP_ACK)) != TCP_SYN)
		return -EINVAL;
	memcpy(&k->src, pkt + 12, 4);
	memcpy(&k->dst, pkt + 16, 4);
	k->sport = be16_get(tcp);
	k->dport = be16_get(tcp + 2);
	return 0;
}

/* The NIC whose subnet holds @src, or NULL */
static const struct egress_nic_map *nic_of(const struct egress_map *m,
					   struct in_addr src)
{
	int i;

	for (i = 0; i < m->n; i++) {
		const struct egress_nic_map *n = &m->nic[i];
		uint32_t mask = n->prefix ? ~0U << (32 - n->prefix) : 0;

		if (((ntohl(src.s_addr) ^ ntohl(n->net.s_addr)) & mask) == 0)
			return n;
	}
	return NULL;
}

/*
 * Whether @a is no host out there: "this host" (0/8), loopback (127/8),
 * multicast and the reserved range (224/3). A guest never routes to them
 * out of its NIC, but one that sends such a SYN anyway would otherwise be
 * connected to the host's own loopback by the worker, past hostloop=off
 * and the alias's one way there.
 */
static bool not_out_there(struct in_addr a)
{
	uint32_t h = ntohl(a.s_addr);

	return h >> 24 == 0 || h >> 24 == 127 || h >> 29 == 7;
}

bool egress_allowed(const struct egress_map *m, const struct egress_key *k,
		    const uint8_t *pkt, size_t len)
{
	const struct egress_nic_map *n = nic_of(m, k->src);

	return n && !not_out_there(k->dst) &&
	       packet4_egress_ok(pkt, len, &n->policy);
}

struct sockaddr_in egress_target(const struct egress_map *m,
				 const struct egress_key *k)
{
	struct sockaddr_in to = { .sin_family = AF_INET,
				  .sin_port = htons(k->dport),
				  .sin_addr = k->dst };
	const struct egress_nic_map *n = nic_of(m, k->src);

	if (n && n->alias.s_addr && n->alias.s_addr == k->dst.s_addr)
		to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return to;
}

uint32_t egress_fail_mark(int err)
{
	switch (err) {
	case ECONNREFUSED:
		return EGRESS_MARK_RST;
	case EHOSTUNREACH:
		return EGRESS_MARK_HOST;
	case ETIMEDOUT:
		return EGRESS_MARK_DROP;
	default:
		return EGRESS_MARK_NET;
	}
}

/* murmur3's finalizer: every input bit reaches the low bits */
static uint32_t mix(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

uint32_t egress_hash(const struct egress_key *k, uint32_t n)
{
	uint32_t h = mix(k->src.s_addr);

	h = mix(h ^ k->dst.s_addr);
	h = mix(h ^ ((uint32_t)k->sport << 16 | k->dport));
	return h & (n - 1);
}

bool egress_key_eq(const struct egress_key *a, const struct egress_key *b)
{
	return a->src.s_addr == b->src.s_addr &&
	       a->dst.s_addr == b->dst.s_addr && a->sport == b->sport &&
	       a->dport == b->dport;
}
