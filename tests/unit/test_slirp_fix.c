// SPDX-License-Identifier: MIT
/* test_slirp_fix.c - libslirp's DHCPv6 replies and router advertisements,
 * corrected for real clients, every other frame left alone */
#include <arpa/inet.h>
#include <stdbool.h>

#include "common/bytes.h"
#include "dataplane/slirp_fix.h"
#include "tests/unit/unit.h"

static const uint8_t gw_mac[6] = { 0x52, 0x56, 0, 0, 0, 2 };

/* Ethernet + IPv6 from the gateway to fe80::15, next header @nh, with an
 * upper-layer packet of @plen bytes (zeroed) */
static size_t ip6(uint8_t *f, uint8_t nh, size_t plen)
{
	memset(f, 0, 14 + 40 + plen);
	memcpy(f, "\x52\x54\x00\x12\x34\x56", 6);
	memcpy(f + 6, gw_mac, 6);
	be16_put(f + 12, 0x86dd);
	f[14] = 0x60;
	be16_put(f + 14 + 4, (uint16_t)plen);
	f[14 + 6] = nh;
	f[14 + 7] = 255;
	inet_pton(AF_INET6, "fd71:6278:a00:200::2", f + 14 + 8);
	inet_pton(AF_INET6, "fe80::15", f + 14 + 24);
	return 14 + 40 + plen;
}

/* libslirp's Reply: from port 8962, a client ID option, no server ID */
static size_t reply(uint8_t *f, uint16_t sport, bool with_id)
{
	size_t plen = 8 + 4 + 8 + (with_id ? 14 : 0), n = ip6(f, 17, plen);
	uint8_t *u = f + 54, *o = u + 12;

	be16_put(u, sport);
	be16_put(u + 2, 546);
	be16_put(u + 4, (uint16_t)plen);
	u[8] = 7;			/* Reply */
	u[9] = 0xfa;			/* transaction id */
	be16_put(o, 1);			/* client ID, 4 bytes */
	be16_put(o + 2, 4);
	if (with_id) {
		be16_put(o + 8, 2);
		be16_put(o + 10, 10);
	}
	return n;
}

/* Whether the upper-layer checksum of IPv6 frame @f holds */
static bool sum_ok(const uint8_t *f, size_t len)
{
	uint32_t plen = (uint32_t)(len - 54);

	return csum_fold(csum_add(csum_pseudo6(f + 14, plen, f[14 + 6]),
				  f + 54, plen)) == 0;
}

static void test_reply(void)
{
	uint8_t f[128], out[128];
	size_t n = reply(f, 8962, false), m;
	const uint8_t *u = out + 54;

	m = slirp_fix(f, n, 0, out, sizeof(out));
	CHECK(m == n + SLIRP_FIX_GROWTH, "reply: grows by a server ID (%zu)", m);
	CHECK(be16_get(u) == 547 && be16_get(u + 2) == 546,
	      "reply: from port 547, libslirp's byte-swapped 8962 corrected");
	CHECK(be16_get(out + 14 + 4) == m - 54 && be16_get(u + 4) == m - 54,
	      "reply: IPv6 and UDP lengths follow");
	CHECK(be16_get(u + 20) == 2 && be16_get(u + 22) == 10 &&
		      be16_get(u + 24) == 3 && be16_get(u + 26) == 1 &&
		      !memcmp(u + 28, gw_mac, 6),
	      "reply: the server ID is a DUID-LL of the sender's MAC");
	CHECK(!memcmp(out, f, 14) && !memcmp(u + 8, f + 54 + 8, 12),
	      "reply: its Ethernet header, message and options kept");
	CHECK(sum_ok(out, m), "reply: the UDP checksum holds");
	n = reply(f, 547, true);
	CHECK(slirp_fix(f, n, 0, out, sizeof(out)) == 0,
	      "reply: one with a server ID from 547 is left alone");
	n = reply(f, 8962, true);
	m = slirp_fix(f, n, 0, out, sizeof(out));
	CHECK(m == n && be16_get(out + 54) == 547 && sum_ok(out, m),
	      "reply: one with a server ID gets its port alone corrected");
	n = reply(f, 8962, false);
	f[54 + 8] = 2;		/* an Advertise, not a Reply */
	CHECK(slirp_fix(f, n, 0, out, sizeof(out)) == 0,
	      "reply: other DHCPv6 messages are left alone");
	n = reply(f, 8962, false);
	CHECK(slirp_fix(f, n, 0, out, n + SLIRP_FIX_GROWTH - 1) == 0,
	      "reply: nothing when it does not fit");
	CHECK(slirp_fix(f, n - 1, 0, out, sizeof(out)) == 0,
	      "reply: nothing when the lengths disagree");
	n = reply(f, 8962, false);
	be16_put(f + 54 + 2, 547);
	CHECK(slirp_fix(f, n, 0, out, sizeof(out)) == 0,
	      "reply: UDP to another port is left alone");
}

/* libslirp's Reply as it is: a client ID, then the DNS servers (23) */
static size_t reply_dns(uint8_t *f)
{
	size_t plen = 8 + 4 + 8 + 20, n = ip6(f, 17, plen);
	uint8_t *u = f + 54, *o = u + 12;

	be16_put(u, 8962);
	be16_put(u + 2, 546);
	be16_put(u + 4, (uint16_t)plen);
	u[8] = 7;
	be16_put(o, 1);
	be16_put(o + 2, 4);
	be16_put(o + 8, 23);
	be16_put(o + 10, 16);
	inet_pton(AF_INET6, "fd71:6278:a00:200::3", o + 12);
	return n;
}

static void test_no_dns(void)
{
	uint8_t f[160], out[160];
	size_t n = reply_dns(f), m;
	const uint8_t *u = out + 54;

	m = slirp_fix(f, n, 0, out, sizeof(out));
	CHECK(m == n + SLIRP_FIX_GROWTH && be16_get(u + 20) == 23,
	      "no-dns: without the flag the DNS servers stay");
	m = slirp_fix(f, n, SLIRP_FIX_NO_DNS6, out, sizeof(out));
	CHECK(m == n - 20 + SLIRP_FIX_GROWTH && sum_ok(out, m) &&
		      be16_get(u + 4) == m - 54 && be16_get(out + 14 + 4) == m - 54,
	      "no-dns: the DNS servers go, the server ID comes, lengths and "
	      "checksum follow (%zu)", m);
	CHECK(be16_get(u + 12) == 1 && be16_get(u + 20) == 2 &&
		      be16_get(u) == 547,
	      "no-dns: the client ID, then the server ID, from 547");
	memcpy(f, out, m);
	CHECK(slirp_fix(f, m, SLIRP_FIX_NO_DNS6, out, sizeof(out)) == 0,
	      "no-dns: a reply already so is left alone");
}

static void test_resolv(void)
{
	CHECK(!resolv_has_ipv6("nameserver 10.255.255.53\n") &&
		      !resolv_has_ipv6("") &&
		      !resolv_has_ipv6("# nameserver ::1\nsearch x\n") &&
		      !resolv_has_ipv6("nameserver\nnameserver zz::1\n"),
	      "resolv: IPv4 servers, none, a comment, garbage: no IPv6");
	CHECK(resolv_has_ipv6("nameserver 10.0.0.1\nnameserver 2001:db8::53\n") &&
		      resolv_has_ipv6("  nameserver\tfe80::1%eth0\n") &&
		      resolv_has_ipv6("nameserver ::1"),
	      "resolv: an IPv6 server, a scoped one, one without a newline");
}

static void test_ra(void)
{
	uint8_t f[128], out[128];
	size_t n = ip6(f, 58, 16), m;

	f[54] = 134;		/* router advertisement */
	f[54 + 4] = 64;		/* hop limit */
	m = slirp_fix(f, n, 0, out, sizeof(out));
	CHECK(m == n && (out[54 + 5] & 0x40) && sum_ok(out, m),
	      "ra: the O flag set, the checksum holds");
	memcpy(f, out, n);
	CHECK(slirp_fix(f, n, 0, out, sizeof(out)) == 0,
	      "ra: one with the O flag is left alone");
	be16_put(f + 54 + 6, 1800);	/* router lifetime */
	be16_put(f + 54 + 2, 0);
	be16_put(f + 54 + 2, csum_fold(csum_add(csum_pseudo6(f + 14, 16, 58),
						f + 54, 16)));
	m = slirp_fix(f, n, SLIRP_FIX_NOT_ROUTER, out, sizeof(out));
	CHECK(m == n && be16_get(out + 54 + 6) == 0 &&
		      (out[54 + 5] & 0x40) && sum_ok(out, m),
	      "ra: a host-only network's, router lifetime 0, the checksum "
	      "holds");
	CHECK(slirp_fix(out, n, SLIRP_FIX_NOT_ROUTER, f, sizeof(f)) == 0,
	      "ra: a host-only network's already so is left alone");
	f[54] = 136;
	CHECK(slirp_fix(f, n, 0, out, sizeof(out)) == 0,
	      "ra: other ICMPv6 is left alone");
	n = ip6(f, 6, 20);
	CHECK(slirp_fix(f, n, 0, out, sizeof(out)) == 0, "TCP is left alone");
	be16_put(f + 12, 0x0800);
	CHECK(slirp_fix(f, n, 0, out, sizeof(out)) == 0, "IPv4 is left alone");
	CHECK(slirp_fix(f, 20, 0, out, sizeof(out)) == 0, "a runt is left alone");
}

int main(void)
{
	test_reply();
	test_no_dns();
	test_resolv();
	test_ra();
	UNIT_END();
}
