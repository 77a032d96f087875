// SPDX-License-Identifier: MIT
/*
 * test_leases.c - a named network's address table (network/leases.c):
 * reservations, their stability, ip=, a full pool, and dnsmasq's lease
 * file as a guest that took dnsmasq over could write it.
 */
#include <arpa/inet.h>
#include <stdlib.h>

#include "common/json.h"
#include "network/leases.h"
#include "tests/unit/unit.h"

static struct in_addr ip(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		abort();
	return a;
}

static const char *str(struct in_addr a)
{
	static char buf[4][INET_ADDRSTRLEN];
	static int k;

	k = (k + 1) % 4;
	return inet_ntop(AF_INET, &a, buf[k], sizeof(buf[k]));
}

static void mac_of(unsigned int n, uint8_t mac[6])
{
	mac[0] = 0x52;
	mac[1] = 0x54;
	mac[2] = 0x00;
	mac[3] = (uint8_t)(n >> 16);
	mac[4] = (uint8_t)(n >> 8);
	mac[5] = (uint8_t)n;
}

static struct leases *pool(const char *first, const char *last)
{
	struct leases *l = leases_new(ip(first), ip(last));

	if (!l)
		abort();
	return l;
}

/* The state net inspect shows for @addr, or NULL when it shows nothing */
static const char *state_of(const struct leases *l, const char *addr,
			    int64_t now, struct lease_info *out)
{
	size_t cur = 0;

	while (leases_next(l, now, &cur, out))
		if (out->addr.s_addr == ip(addr).s_addr)
			return lease_state_name(out->state);
	return NULL;
}

static void test_reserve(void)
{
	struct leases *l = pool("10.0.2.15", "10.0.2.254");
	struct in_addr any = { 0 }, a, b, c;
	struct lease_info li;
	uint8_t m1[6], m2[6];
	const char *st;
	int r;

	mac_of(1, m1);
	mac_of(2, m2);
	r = leases_reserve(l, m1, "vm1", any, 100, &a);
	CHECK(r == 0 && ntohl(a.s_addr) >= ntohl(ip("10.0.2.15").s_addr) &&
		      ntohl(a.s_addr) <= ntohl(ip("10.0.2.254").s_addr),
	      "reserve: an address of the pool (%s)", str(a));
	CHECK(leases_reserve(l, m1, "vm1", any, 101, &b) == 0 &&
		      a.s_addr == b.s_addr,
	      "reserve: the same MAC, the same address");
	CHECK(leases_reserve(l, m2, NULL, any, 100, &b) == 0 &&
		      b.s_addr != a.s_addr,
	      "reserve: another MAC, another address");
	st = state_of(l, str(a), 100, &li);
	CHECK(st && !strcmp(st, "bound") && li.member &&
		      !strcmp(li.name, "vm1") && li.mac[5] == 1,
	      "a reservation shows as bound, a member's, named");
	leases_unreserve(l, m1, 200);
	st = state_of(l, str(a), 200, &li);
	CHECK(st && !strcmp(st, "released") && li.member,
	      "unreserve: released, the MAC's claim kept");
	CHECK(leases_reserve(l, m1, NULL, any, 300, &c) == 0 &&
		      c.s_addr == a.s_addr,
	      "reserve again: the MAC's old address");
	leases_free(l);

	/* a new table (a new hub) puts the same MAC at the same address */
	l = pool("10.0.2.15", "10.0.2.254");
	CHECK(leases_reserve(l, m1, NULL, any, 0, &c) == 0 &&
		      c.s_addr == a.s_addr,
	      "a new table: the same MAC, the same address (its hash)");
	leases_free(l);
}

static void test_want(void)
{
	struct leases *l = pool("10.0.2.15", "10.0.2.254");
	struct in_addr want = ip("10.0.2.50"), any = { 0 }, a;
	uint8_t m1[6], m2[6];
	int r;

	mac_of(1, m1);
	mac_of(2, m2);
	CHECK(leases_reserve(l, m1, "fixed", want, 0, &a) == 0 &&
		      a.s_addr == want.s_addr, "ip=: the address asked for");
	CHECK(leases_reserve(l, m2, NULL, want, 0, &a) == -EADDRINUSE,
	      "ip=: another member's address is taken");
	CHECK(leases_reserve(l, m2, NULL, ip("10.0.2.10"), 0, &a) == -EDOM &&
		      leases_reserve(l, m2, NULL, ip("10.0.3.50"), 0, &a) ==
			      -EDOM,
	      "ip=: outside the pool");
	leases_unreserve(l, m1, 10);
	CHECK(leases_reserve(l, m2, NULL, want, 20, &a) == 0 &&
		      a.s_addr == want.s_addr,
	      "ip=: a departed member's address is taken from its claim");
	r = leases_reserve(l, m1, NULL, any, 30, &a);
	CHECK(r == 0 && a.s_addr != want.s_addr,
	      "... and that member, back, gets another one (%s)", str(a));
	leases_free(l);
}

static void test_full(void)
{
	struct leases *l = pool("192.168.9.2", "192.168.9.5");
	struct in_addr any = { 0 }, a[4], x;
	uint8_t m[6];
	int i, ok = 0;

	for (i = 0; i < 4; i++) {
		mac_of((unsigned int)i + 10, m);
		ok += leases_reserve(l, m, NULL, any, 0, &a[i]) == 0;
	}
	CHECK(ok == 4 && a[0].s_addr != a[1].s_addr &&
		      a[1].s_addr != a[2].s_addr && a[2].s_addr != a[3].s_addr &&
		      a[0].s_addr != a[3].s_addr,
	      "4 members fill a pool of 4");
	mac_of(99, m);
	CHECK(leases_reserve(l, m, NULL, any, 0, &x) == -ENOSPC,
	      "a 5th: no address");
	/* two leave: the one that left first is taken over first */
	mac_of(12, m);
	leases_unreserve(l, m, 50);
	mac_of(11, m);
	leases_unreserve(l, m, 60);
	mac_of(99, m);
	CHECK(leases_reserve(l, m, NULL, any, 70, &x) == 0 &&
		      x.s_addr == a[2].s_addr,
	      "a full pool: the claim released longest ago goes first");
	leases_free(l);

	/* cut to LEASES_POOL_MAX */
	l = pool("10.1.0.1", "10.1.255.254");
	leases_pool(l, &a[0], &a[1]);
	CHECK(ntohl(a[1].s_addr) - ntohl(a[0].s_addr) + 1 == LEASES_POOL_MAX,
	      "a /16's pool is cut to %d addresses (%s-%s)", LEASES_POOL_MAX,
	      str(a[0]), str(a[1]));
	leases_free(l);
}

static void test_file(void)
{
	struct leases *l = pool("10.0.2.15", "10.0.2.254");
	struct in_addr any = { 0 }, a;
	struct lease_info li;
	struct strbuf out = { 0 };
	uint8_t m1[6], m2[6];
	const char *st;
	const char *file =
		"2000 52:54:00:00:00:63 10.0.2.99 guest 01:52:54:00:00:00:63\n"
		"1000 02:51:00:00:00:01 10.0.2.98 * *\n"
		"0 02:51:00:00:00:02 10.0.2.97 * *\n"
		"duid 00:01:00:01:2c:2b:4e:ad:52:54:00:12:34:56\n"
		"2000 52:54:00:00:00:64 10.0.9.1 * *\n";

	mac_of(1, m1);
	mac_of(2, m2);
	CHECK(leases_read(l, file) == 3,
	      "lease file: 3 leases in the pool taken in");
	st = state_of(l, "10.0.2.99", 1500, &li);
	CHECK(st && !strcmp(st, "bound") && !li.member && li.expires == 2000 &&
		      li.mac[5] == 0x63,
	      "a lease of dnsmasq's that runs: bound, no member's");
	st = state_of(l, "10.0.2.98", 1500, &li);
	CHECK(st && !strcmp(st, "expired"), "one that ran out: expired");
	st = state_of(l, "10.0.2.97", 1500, &li);
	CHECK(st && !strcmp(st, "bound"), "expiry 0: never runs out");
	CHECK(leases_reserve(l, m1, NULL, ip("10.0.2.99"), 1500, &a) ==
		      -EADDRINUSE,
	      "ip=: an address dnsmasq leased to a client is taken");
	CHECK(leases_reserve(l, m1, NULL, ip("10.0.2.98"), 1500, &a) == 0,
	      "ip=: one whose lease ran out is free");
	leases_unreserve(l, m1, 1500);
	/* a client with a lease, reserved as a member: its own address */
	mac_of(0x63, m2);
	CHECK(leases_reserve(l, m2, NULL, any, 1500, &a) == 0 &&
		      a.s_addr == ip("10.0.2.99").s_addr,
	      "a MAC with a lease of dnsmasq's is reserved its address");
	CHECK(!leases_conflict(l, 1500), "its own lease is no conflict");
	leases_hostsfile(l, &out);
	CHECK(out.s && strstr(out.s, "52:54:00:00:00:63,10.0.2.99\n") &&
		      strstr(out.s, "52:54:00:00:00:01,10.0.2.98\n") == NULL,
	      "hostsfile: reservations only");
	sb_free(&out);
	leases_free(l);
}

/* A departed member's lease still in dnsmasq's file: pruned for the next */
static void test_conflict(void)
{
	struct leases *l = pool("10.0.2.15", "10.0.2.254");
	struct in_addr want = ip("10.0.2.50"), a;
	struct strbuf out = { 0 };
	uint8_t m1[6], m2[6];
	const char *file = "5000 52:54:00:00:00:01 10.0.2.50 vm1 *\n"
			   "5000 52:54:00:00:00:07 10.0.2.70 * *\n";

	mac_of(1, m1);
	mac_of(2, m2);
	leases_reserve(l, m1, "vm1", want, 100, &a);
	leases_read(l, file);
	CHECK(!leases_conflict(l, 100), "a member's own lease: no conflict");
	leases_unreserve(l, m1, 200);
	CHECK(leases_reserve(l, m2, "vm2", want, 300, &a) == 0 &&
		      a.s_addr == want.s_addr,
	      "ip= of a departed member's address, its lease still running");
	CHECK(leases_conflict(l, 300),
	      "... a conflict: dnsmasq would not hand it over");
	leases_prune(l, file, 300, &out);
	CHECK(out.s && !strcmp(out.s, "5000 52:54:00:00:00:07 10.0.2.70 * *\n"),
	      "prune: the other lease stays, the stale one goes");
	CHECK(!leases_conflict(l, 6000), "a stale lease that ran out: none");
	leases_read(l, out.s);
	CHECK(!leases_conflict(l, 300), "after the prune: none");
	sb_free(&out);
	leases_free(l);
}

/* Lines a taken-over dnsmasq might write: none is taken in */
static void test_bad_lines(void)
{
	static const char *const bad[] = {
		"",
		"\n\n\n",
		"2000 52:54:00:00:00:01 10.0.2.50",	/* no space after */
		"2000  52:54:00:00:00:01 10.0.2.50 * *",
		"-5 52:54:00:00:00:01 10.0.2.50 * *",
		"99999999999999999999 52:54:00:00:00:01 10.0.2.50 * *",
		"2000 52:54:00:00:00 10.0.2.50 * *",
		"2000 52:54:00:00:00:0g 10.0.2.50 * *",
		"2000 52-54-00-00-00-01 10.0.2.50 * *",
		"2000 52:54:00:00:00:01: 10.0.2.50 * *",
		"2000 52:54:00:00:00:01 10.0.2.500 * *",
		"2000 52:54:00:00:00:01 10.0.2 * *",
		"2000 52:54:00:00:00:01 ::1 * *",
		"2000 52:54:00:00:00:01 10.0.2.50.1 * *",
		"2000 52:54:00:00:00:01 10.0.2.14 * *",	/* below the pool */
		"2000 52:54:00:00:00:01 10.0.2.255 * *",
		"duid 00:01:00:01",
		"2000\t52:54:00:00:00:01\t10.0.2.50\t*\t*",
		"2000 52:54:00:00:00:01 10.0.2.50\0 * *",
	};
	struct leases *l = pool("10.0.2.15", "10.0.2.254");
	char *longline;
	size_t i;
	int n = 0;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		n += leases_read(l, bad[i]);
	CHECK(n == 0, "%zu malformed lines: none taken in", i);
	longline = malloc(LEASES_LINE_MAX + 64);
	snprintf(longline, LEASES_LINE_MAX + 64,
		 "2000 52:54:00:00:00:01 10.0.2.50 * %0*d\n", LEASES_LINE_MAX, 0);
	CHECK(leases_read(l, longline) == 0, "a line of %d bytes is not taken in",
	      LEASES_LINE_MAX + 30);
	free(longline);
	CHECK(leases_read(l, "2000 52:54:00:00:00:01 10.0.2.50 * *\n"
			     "junk\n"
			     "2000 52:54:00:00:00:02 10.0.2.51 * *") == 2,
	      "good lines around a bad one, the last without a newline");
	leases_free(l);
}

int main(void)
{
	test_reserve();
	test_want();
	test_full();
	test_file();
	test_conflict();
	test_bad_lines();
	UNIT_END();
}
