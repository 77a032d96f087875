// SPDX-License-Identifier: MIT
/* test_egress.c - the kernel egress path's pure parts: a queued SYN's key,
 * where it connects, what a failure tells the guest, the policy on it */
#include <arpa/inet.h>

#include "common/bytes.h"
#include "dataplane/egress.h"
#include "tests/unit/unit.h"

/* An IPv4 TCP packet from @src:@sport to @dst:@dport with @flags; its
 * length (IP header of @ihl words, a 20-byte TCP header) */
static size_t tcp4(uint8_t *p, const char *src, uint16_t sport,
		   const char *dst, uint16_t dport, uint8_t flags,
		   unsigned int ihl)
{
	memset(p, 0, 80);
	p[0] = (uint8_t)(0x40 | ihl);
	p[9] = IPPROTO_TCP;
	inet_pton(AF_INET, src, p + 12);
	inet_pton(AF_INET, dst, p + 16);
	be16_put(p + ihl * 4, sport);
	be16_put(p + ihl * 4 + 2, dport);
	p[ihl * 4 + 13] = flags;
	return ihl * 4 + 20;
}

static struct in_addr ip(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return a;
}

static void test_parse(void)
{
	uint8_t p[80];
	struct egress_key k;
	size_t n = tcp4(p, "10.0.2.15", 40000, "198.51.100.2", 80, 0x02, 5);

	CHECK(egress_syn_parse(p, n, &k) == 0 &&
		      k.src.s_addr == ip("10.0.2.15").s_addr &&
		      k.dst.s_addr == ip("198.51.100.2").s_addr &&
		      k.sport == 40000 && k.dport == 80,
	      "a SYN's key: its addresses and ports");
	n = tcp4(p, "10.0.2.15", 1, "198.51.100.2", 2, 0x02, 6);
	CHECK(egress_syn_parse(p, n, &k) == 0 && k.sport == 1 && k.dport == 2,
	      "a SYN with IP options: the TCP header after them");
	n = tcp4(p, "10.0.2.15", 1, "198.51.100.2", 2, 0x12, 5);
	CHECK(egress_syn_parse(p, n, &k) < 0, "a SYN-ACK is not held");
	n = tcp4(p, "10.0.2.15", 1, "198.51.100.2", 2, 0x10, 5);
	CHECK(egress_syn_parse(p, n, &k) < 0, "an ACK is not held");
	n = tcp4(p, "10.0.2.15", 1, "198.51.100.2", 2, 0x06, 5);
	CHECK(egress_syn_parse(p, n, &k) < 0, "SYN with RST is not held");
	n = tcp4(p, "10.0.2.15", 1, "198.51.100.2", 2, 0x02, 5);
	CHECK(egress_syn_parse(p, 33, &k) < 0 && egress_syn_parse(p, 19, &k) < 0,
	      "a packet cut short is refused");
	p[9] = IPPROTO_UDP;
	CHECK(egress_syn_parse(p, n, &k) < 0, "UDP is not TCP");
	p[9] = IPPROTO_TCP;
	be16_put(p + 6, 0x2000);
	CHECK(egress_syn_parse(p, n, &k) < 0, "a fragment is refused");
	be16_put(p + 6, 0x4000);
	CHECK(egress_syn_parse(p, n, &k) == 0, "Don't Fragment is whole");
	p[0] = 0x65;
	CHECK(egress_syn_parse(p, n, &k) < 0, "not IPv4");
	p[0] = 0x44;
	CHECK(egress_syn_parse(p, n, &k) < 0, "an IP header under 20 bytes");
}

static struct egress_map map(void)
{
	struct egress_map m = { .n = 2 };

	m.nic[0].net = ip("10.0.2.0");
	m.nic[0].prefix = 24;
	m.nic[0].alias = ip("10.0.2.2");
	m.nic[0].policy.gateway = ip("10.0.2.2");
	m.nic[0].policy.dns = ip("10.0.2.3");
	m.nic[1].net = ip("10.0.3.0");
	m.nic[1].prefix = 24;	/* hostloop=off: no alias */
	m.nic[1].policy.deny = true;
	m.nic[1].policy.n = 1;
	m.nic[1].policy.allow[0] = (struct egress_rule){
		.family = AF_INET, .net = ip("198.51.100.0"), .prefix = 24,
		.port = 443 };
	return m;
}

static void test_target(void)
{
	struct egress_map m = map();
	struct egress_key k = { ip("10.0.2.15"), ip("10.0.2.2"), 1, 8080 };
	struct sockaddr_in to = egress_target(&m, &k);

	CHECK(to.sin_addr.s_addr == htonl(INADDR_LOOPBACK) &&
		      ntohs(to.sin_port) == 8080,
	      "the host alias goes to the host's 127.0.0.1, same port");
	k.dst = ip("198.51.100.2");
	to = egress_target(&m, &k);
	CHECK(to.sin_addr.s_addr == k.dst.s_addr, "the outside goes as it is");
	k.src = ip("10.0.3.15");
	k.dst = ip("10.0.3.2");
	to = egress_target(&m, &k);
	CHECK(to.sin_addr.s_addr == k.dst.s_addr,
	      "hostloop=off: the NIC's alias is not the host's loopback");
	k.src = ip("10.0.3.15");
	k.dst = ip("10.0.2.2");
	to = egress_target(&m, &k);
	CHECK(to.sin_addr.s_addr == k.dst.s_addr,
	      "another NIC's alias is not this NIC's");
}

static void test_policy(void)
{
	struct egress_map m = map();
	uint8_t p[80];
	struct egress_key k;
	size_t n;

	n = tcp4(p, "10.0.2.15", 1, "198.51.100.2", 80, 0x02, 5);
	egress_syn_parse(p, n, &k);
	CHECK(egress_allowed(&m, &k, p, n), "open policy: the outside");
	n = tcp4(p, "10.0.2.15", 1, "169.254.169.254", 80, 0x02, 5);
	egress_syn_parse(p, n, &k);
	CHECK(!egress_allowed(&m, &k, p, n),
	      "open policy: the metadata address is refused");
	n = tcp4(p, "10.0.3.15", 1, "198.51.100.2", 80, 0x02, 5);
	egress_syn_parse(p, n, &k);
	CHECK(!egress_allowed(&m, &k, p, n),
	      "egress=deny: a port allow= does not name is refused");
	n = tcp4(p, "10.0.3.15", 1, "198.51.100.2", 443, 0x02, 5);
	egress_syn_parse(p, n, &k);
	CHECK(egress_allowed(&m, &k, p, n),
	      "egress=deny: allow=198.51.100.0/24:443 passes");
	n = tcp4(p, "10.0.9.15", 1, "198.51.100.2", 443, 0x02, 5);
	egress_syn_parse(p, n, &k);
	CHECK(!egress_allowed(&m, &k, p, n),
	      "a source on no NIC of the path is refused");
	{
		const char *nowhere[] = { "127.0.0.1", "127.77.0.1",
					  "0.0.0.0", "0.1.2.3", "224.0.0.1",
					  "255.255.255.255", "240.0.0.1" };
		size_t i;
		bool any = false;

		for (i = 0; i < sizeof(nowhere) / sizeof(nowhere[0]); i++) {
			n = tcp4(p, "10.0.2.15", 1, nowhere[i], 80, 0x02, 5);
			egress_syn_parse(p, n, &k);
			any |= egress_allowed(&m, &k, p, n);
		}
		CHECK(!any, "0/8, 127/8 and 224/3 are refused: the host's "
			    "own loopback only through the alias");
	}
}

static void test_marks(void)
{
	CHECK(egress_fail_mark(ECONNREFUSED) == EGRESS_MARK_RST,
	      "refused: a RST");
	CHECK(egress_fail_mark(ENETUNREACH) == EGRESS_MARK_NET &&
		      egress_fail_mark(EACCES) == EGRESS_MARK_NET,
	      "no route, or the host's firewall: ICMP net unreachable");
	CHECK(egress_fail_mark(EHOSTUNREACH) == EGRESS_MARK_HOST,
	      "host unreachable: ICMP host unreachable");
	CHECK(egress_fail_mark(ETIMEDOUT) == EGRESS_MARK_DROP,
	      "a timeout: nothing, the guest's own retries time out");
	CHECK(EGRESS_MARK_LISTEN(0) != EGRESS_MARK_LISTEN(1) &&
		      EGRESS_MARK_LISTEN(EGRESS_WORKERS_MAX - 1) >
			      EGRESS_MARK_PROHIBITED,
	      "each worker's listener has a mark of its own, apart from "
	      "the refusals'");
}

static void test_hash(void)
{
	struct egress_key a = { ip("10.0.2.15"), ip("198.51.100.2"), 1, 80 };
	struct egress_key b = a;
	int i, seen[16] = { 0 }, used = 0;

	CHECK(egress_key_eq(&a, &b) &&
		      egress_hash(&a, 4096) == egress_hash(&b, 4096),
	      "equal keys, equal buckets");
	b.sport = 2;
	CHECK(!egress_key_eq(&a, &b), "another port, another key");
	for (i = 0; i < 256; i++) {
		b.sport = (uint16_t)(40000 + i);
		seen[egress_hash(&b, 16)] = 1;
	}
	for (i = 0; i < 16; i++)
		used += seen[i];
	CHECK(used == 16, "a guest's ports spread over the buckets (%d of 16)",
	      used);
}

int main(void)
{
	test_parse();
	test_target();
	test_policy();
	test_marks();
	test_hash();
	UNIT_END();
}
