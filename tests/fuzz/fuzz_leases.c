// SPDX-License-Identifier: MIT
/*
 * fuzz_leases.c - what qbox reads from dnsmasq and writes for it:
 * leases_read() and leases_prune() of a lease file a taken-over dnsmasq
 * could write, with members reserved around it (network/leases.h)
 *
 * The input is the lease file. Whatever its bytes, the table must keep
 * its promises: the leases it takes in lie in the pool; members keep
 * their reservations (dnsmasq's file never moves one); every address
 * walked is in the pool, in order, at most once; a reservation made
 * after reading never takes an address dnsmasq leased to another MAC
 * that has not run out; the pruned file is lines of the input, which
 * read back without a conflict; the DHCP hosts file is one well-formed
 * "MAC,ADDRESS" line per member.
 */
#include <arpa/inet.h>
#include <errno.h>

#include "network/leases.h"
#include "tests/fuzz/fuzz.h"

#define NOW 1000000
#define MEMBERS 6

static void mac_of(unsigned int n, uint8_t mac[6])
{
	static const uint8_t base[6] = { 0x52, 0x54, 0x00, 0, 0, 0 };

	memcpy(mac, base, 6);
	mac[5] = (uint8_t)n;
}

/* pool 10.0.2.15-10.0.2.30: small, so that inputs fill it */
static struct in_addr host(unsigned int last)
{
	struct in_addr a = { htonl(0x0a000200u | last) };

	return a;
}

static void check_walk(const struct leases *l, const struct in_addr *mine)
{
	struct lease_info li;
	size_t cur = 0;
	uint32_t prev = 0;
	int members = 0;

	while (leases_next(l, NOW, &cur, &li)) {
		uint32_t a = ntohl(li.addr.s_addr);

		FUZZ_ASSERT(a >= 0x0a00020f && a <= 0x0a00021e);
		FUZZ_ASSERT(a > prev);
		prev = a;
		if (li.member && li.state == LEASE_BOUND) {
			FUZZ_ASSERT(li.addr.s_addr == mine[li.mac[5]].s_addr);
			members++;
		}
	}
	FUZZ_ASSERT(members == MEMBERS / 2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct leases *l = leases_new(host(15), host(30));
	struct in_addr mine[MEMBERS] = { { 0 } }, none = { 0 }, a;
	struct strbuf pruned = { 0 }, hosts = { 0 };
	char *text = malloc(size + 1);
	const char *p;
	uint8_t mac[6];
	unsigned int i;
	int lines = 0;

	FUZZ_ASSERT(l && text);
	memcpy(text, data, size);
	text[size] = '\0';
	/* half the members reserve before the file is read, half after */
	for (i = 0; i < MEMBERS / 2; i++) {
		mac_of(i, mac);
		FUZZ_ASSERT(leases_reserve(l, mac, "m", none, NOW, &mine[i]) ==
			    0);
	}
	FUZZ_ASSERT(leases_read(l, text) >= 0);
	for (i = MEMBERS / 2; i < MEMBERS; i++) {
		struct lease_info li;
		size_t cur = 0;
		uint32_t leased[16] = { 0 };	/* the pool's, by last octet */
		int r;

		mac_of(i, mac);
		/* what dnsmasq leased to another MAC, and runs on */
		while (leases_next(l, NOW, &cur, &li))
			if (!li.member && li.state == LEASE_BOUND &&
			    memcmp(li.mac, mac, 6))
				leased[(ntohl(li.addr.s_addr) & 0xff) - 15] = 1;
		r = leases_reserve(l, mac, "m", none, NOW, &a);
		FUZZ_ASSERT(r == 0 || r == -ENOSPC);
		if (r < 0)
			continue;
		FUZZ_ASSERT(!leased[(ntohl(a.s_addr) & 0xff) - 15]);
		leases_unreserve(l, mac, NOW);
	}
	check_walk(l, mine);
	leases_prune(l, text, NOW, &pruned);
	FUZZ_ASSERT(!pruned.oom);
	if (pruned.s) {
		/* lines of the input, each whole */
		for (p = pruned.s; *p; p = strchr(p, '\n') + 1, lines++) {
			const char *nl = strchr(p, '\n');

			FUZZ_ASSERT(nl && memmem(text, size, p, (size_t)(nl - p)));
		}
		leases_read(l, pruned.s);
		FUZZ_ASSERT(!leases_conflict(l, NOW));
	}
	FUZZ_ASSERT(leases_read(l, pruned.s ? pruned.s : "") == lines);
	leases_hostsfile(l, &hosts);
	FUZZ_ASSERT(hosts.s && hosts.len == (size_t)(MEMBERS / 2) * 28);
	for (p = hosts.s; *p; p += 28)
		FUZZ_ASSERT(p[17] == ',' && p[27] == '\n' &&
			    !memcmp(p + 18, "10.0.2.", 7));
	sb_free(&pruned);
	sb_free(&hosts);
	free(text);
	leases_free(l);
	return 0;
}
