// SPDX-License-Identifier: MIT
/*
 * fuzz_dhcp.c - the hub's DHCP server core (network/dhcp.c): a conversation
 * of requests a guest controls
 *
 * Theory of operation: one input is a whole conversation with a fresh
 * server. Its first byte picks the pool's size (1 to 8 addresses, so
 * exhaustion and take-overs come quickly) and whether a command payload
 * holds a reserved address; then come records of [seconds to wait]
 * [length, 2 bytes] [datagram], each handed to dhcp_handle() at the time
 * reached, as dhcp_serve() would. Waits of 0 to 255 seconds, or of a whole
 * lease (a wait byte of 255), let offers lapse and leases expire.
 *
 * After every datagram the server must keep dhcp.h's promises: a reply is
 * a BOOTREPLY of 240 to DHCP_REPLY_MAX bytes with the request's xid and
 * hardware address, for port 68, offering or acknowledging only pool
 * addresses; a request it cannot parse is counted as malformed; and the
 * lease table holds pool addresses only, each once, each MAC (but a
 * declined address's) at most once, with host names of harmless
 * characters. A reserved address (dhcp_reserve(), for a command payload or
 * a VM whose anti-spoofing rules need it early) stays bound to its MAC
 * whatever anyone sends, and is offered or acknowledged to no one else.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>

#include "common/bytes.h"
#include "network/dhcp.h"
#include "tests/fuzz/fuzz.h"

#define NET 0x0a000200u		/* 10.0.2.0/24 */
#define POOL_FIRST (NET + 15)

static bool in_pool(uint32_t a, uint32_t last)
{
	return a >= POOL_FIRST && a <= last;
}

static void check_reply(const uint8_t *req, size_t len,
			const struct dhcp_reply *r, uint32_t last)
{
	uint32_t yiaddr;

	FUZZ_ASSERT(r->len >= 240 && r->len <= DHCP_REPLY_MAX);
	FUZZ_ASSERT(r->buf[0] == 2 && be32_get(r->buf + 236) == 0x63825363u);
	FUZZ_ASSERT(r->dest.sin_family == AF_INET &&
		    r->dest.sin_port == htons(68));
	/* the request parsed, so it held a BOOTP header */
	FUZZ_ASSERT(len >= 240);
	FUZZ_ASSERT(!memcmp(r->buf + 4, req + 4, 4));		/* xid */
	FUZZ_ASSERT(!memcmp(r->buf + 28, req + 28, 6));		/* chaddr */
	yiaddr = be32_get(r->buf + 16);
	FUZZ_ASSERT(!yiaddr || in_pool(yiaddr, last));
}

/* The reserved address is its MAC's, bound, and nobody else's */
static void check_reserved(const struct dhcp_server *srv, int64_t now,
			   const uint8_t mac[6], struct in_addr held, int r,
			   const struct dhcp_reply *reply)
{
	struct dhcp_lease_info l;
	uint32_t yiaddr;

	FUZZ_ASSERT(dhcp_lease_find(srv, mac, now, &l));
	FUZZ_ASSERT(l.addr.s_addr == held.s_addr &&
		    l.state == DHCP_LEASE_BOUND);
	if (r != 1)
		return;
	yiaddr = be32_get(reply->buf + 16);
	if (!memcmp(reply->buf + 28, mac, 6))
		FUZZ_ASSERT(!yiaddr || yiaddr == ntohl(held.s_addr));
	else
		FUZZ_ASSERT(yiaddr != ntohl(held.s_addr));
}

static void check_table(const struct dhcp_server *srv, int64_t now,
			uint32_t last)
{
	struct dhcp_lease_info l[8], one;
	size_t cursor = 0, n = 0, i, j;

	while (dhcp_lease_next(srv, now, &cursor, &one)) {
		const char *h = one.hostname;

		/* at most one lease per pool address (8 at most) */
		FUZZ_ASSERT(n < 8);
		l[n] = one;
		FUZZ_ASSERT(in_pool(ntohl(l[n].addr.s_addr), last));
		FUZZ_ASSERT(strlen(h) < DHCP_HOSTNAME_MAX);
		FUZZ_ASSERT(strspn(h, "abcdefghijklmnopqrstuvwxyz"
				      "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				      "0123456789-._") == strlen(h));
		FUZZ_ASSERT(strcmp(dhcp_lease_state_name(l[n].state), "?"));
		n++;
	}
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++) {
			FUZZ_ASSERT(l[i].addr.s_addr != l[j].addr.s_addr);
			FUZZ_ASSERT(l[i].state == DHCP_LEASE_DECLINED ||
				    l[j].state == DHCP_LEASE_DECLINED ||
				    memcmp(l[i].mac, l[j].mac, 6));
		}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dhcp_config cfg = {
		.net = { htonl(NET) },
		.prefix = 24,
		.server = { htonl(NET + 2) },
		.router = { htonl(NET + 2) },
		.dns = { { htonl(NET + 3) } },
		.n_dns = 1,
		.domain = "fuzz.internal",
	};
	static const uint8_t reserved_mac[6] = { 0x52, 0x54, 0, 0, 0, 0x64 };
	struct dhcp_server *srv;
	struct dhcp_reply *reply;
	struct qerr e = { 0 };
	struct in_addr first, last, held;
	int64_t now = 1000;
	uint64_t malformed = 0;
	size_t pos = 1;
	uint8_t conf;

	if (!size)
		return 0;
	conf = data[0];
	cfg.pool_first.s_addr = htonl(POOL_FIRST);
	cfg.pool_last.s_addr = htonl(POOL_FIRST + (conf & 7));
	cfg.mtu = conf & 8 ? 1500 : 0;
	srv = dhcp_new(&cfg, &e);
	FUZZ_ASSERT(srv);
	dhcp_pool(srv, &first, &last);
	FUZZ_ASSERT(ntohl(first.s_addr) == POOL_FIRST &&
		    ntohl(last.s_addr) == POOL_FIRST + (conf & 7));
	if (conf & 16) {
		FUZZ_ASSERT(dhcp_reserve(srv, reserved_mac, "cmd",
					 (struct in_addr){ 0 }, now,
					 &held) == 0);
		FUZZ_ASSERT(in_pool(ntohl(held.s_addr), ntohl(last.s_addr)));
	}
	reply = malloc(sizeof(*reply));
	FUZZ_ASSERT(reply);
	while (pos + 3 <= size) {
		uint8_t wait = data[pos];
		size_t len = be16_get(data + pos + 1);
		uint8_t *req;
		int r;

		pos += 3;
		if (len > size - pos)
			len = size - pos;
		now += wait == 255 ? DHCP_LEASE_DEFAULT : wait;
		/* a copy of exactly @len bytes: any over-read is ASan's */
		req = malloc(len ? len : 1);
		FUZZ_ASSERT(req);
		memcpy(req, data + pos, len);
		pos += len;
		r = dhcp_handle(srv, now, req, len, reply);
		FUZZ_ASSERT(r == 0 || r == 1 || r == -EBADMSG);
		if (r == -EBADMSG)
			malformed++;
		FUZZ_ASSERT(dhcp_stats(srv)->malformed == malformed);
		if (r == 1)
			check_reply(req, len, reply, ntohl(last.s_addr));
		if (conf & 16)
			check_reserved(srv, now, reserved_mac, held, r, reply);
		free(req);
		check_table(srv, now, ntohl(last.s_addr));
	}
	if (conf & 16)
		dhcp_unreserve(srv, reserved_mac, now);
	check_table(srv, now, ntohl(last.s_addr));
	free(reply);
	dhcp_free(srv);
	return 0;
}
