// SPDX-License-Identifier: MIT
/*
 * test_dhcp.c - the hub's DHCP server core with crafted packets: the
 * exchanges of RFC 2131, address stability, pool limits, and requests a
 * hostile guest could send (including a random-mutation loop under
 * ASan/UBSan, with buffers sized exactly so any over-read is caught).
 */
#include <arpa/inet.h>
#include <stdlib.h>

#include "common/bytes.h"
#include "network/dhcp.h"
#include "tests/helpers/helpers.h"
#include "tests/unit/unit.h"

enum { DISCOVER = 1, OFFER, REQUEST, DECLINE, ACK, NAK, RELEASE, INFORM };

/* ---- requests ---------------------------------------------------------- */

struct pkt {
	uint8_t b[1024];
	size_t len;
};

static uint32_t ip(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		abort();
	return ntohl(a.s_addr);
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

static void pkt_opt(struct pkt *p, uint8_t code, const void *v, uint8_t len)
{
	p->b[p->len++] = code;
	p->b[p->len++] = len;
	memcpy(p->b + p->len, v, len);
	p->len += len;
}

static void pkt_opt32(struct pkt *p, uint8_t code, uint32_t v)
{
	uint8_t b[4];

	be32_put(b, v);
	pkt_opt(p, code, b, 4);
}

/* A request of @type from @mac, without END: add options, then pkt_end */
static void pkt_start(struct pkt *p, uint8_t type, const uint8_t mac[6],
		      uint32_t ciaddr)
{
	memset(p, 0, sizeof(*p));
	p->len = dhcp_request(p->b, type, 0x12345678u ^ mac[5], mac);
	be32_put(p->b + 12, ciaddr);
}

static void pkt_end(struct pkt *p)
{
	p->b[p->len++] = 255;
}

/* dhcp_handle() on an exact-size heap copy, so ASan sees any over-read */
static int handle(struct dhcp_server *srv, int64_t now, const uint8_t *b,
		  size_t len, struct dhcp_reply *r)
{
	uint8_t *copy = malloc(len ? len : 1);
	int ret;

	memcpy(copy, b, len);
	ret = dhcp_handle(srv, now, copy, len, r);
	free(copy);
	return ret;
}

static int send_pkt(struct dhcp_server *srv, int64_t now, struct pkt *p,
		    struct dhcp_reply *r)
{
	return handle(srv, now, p->b, p->len, r);
}

/* ---- replies ----------------------------------------------------------- */

/* Option @code of a reply, walked with the reply's own bounds; NULL if none */
static const uint8_t *ropt(const struct dhcp_reply *r, uint8_t code,
			   size_t *len)
{
	return dhcp_opt(r->buf, r->len, code, len);
}

static int rtype(const struct dhcp_reply *r)
{
	size_t n;
	const uint8_t *v = ropt(r, 53, &n);

	return v && n == 1 ? v[0] : -1;
}

static uint32_t ropt32(const struct dhcp_reply *r, uint8_t code)
{
	size_t n;
	const uint8_t *v = ropt(r, code, &n);

	return v && n == 4 ? be32_get(v) : 0;
}

static uint32_t yiaddr(const struct dhcp_reply *r)
{
	return be32_get(r->buf + 16);
}

static uint32_t dest(const struct dhcp_reply *r)
{
	return ntohl(r->dest.sin_addr.s_addr);
}

/* Position of option @code in the reply, for ordering checks */
static long ropt_pos(const struct dhcp_reply *r, uint8_t code)
{
	size_t n;
	const uint8_t *v = ropt(r, code, &n);

	return v ? v - r->buf : -1;
}

/* ---- exchanges --------------------------------------------------------- */

/* DISCOVER; the offered address, or 0 when none came */
static uint32_t discover(struct dhcp_server *srv, int64_t now,
			 const uint8_t mac[6], uint32_t want)
{
	struct pkt p;
	struct dhcp_reply r;

	pkt_start(&p, DISCOVER, mac, 0);
	if (want)
		pkt_opt32(&p, 50, want);
	pkt_end(&p);
	if (send_pkt(srv, now, &p, &r) != 1 || rtype(&r) != OFFER)
		return 0;
	return yiaddr(&r);
}

/* REQUEST; @sid 0 leaves option 54 out, @want 0 leaves option 50 out.
 * Returns the reply type (ACK/NAK), 0 for no reply */
static int request(struct dhcp_server *srv, int64_t now, const uint8_t mac[6],
		   uint32_t sid, uint32_t want, uint32_t ciaddr,
		   struct dhcp_reply *r)
{
	struct pkt p;

	pkt_start(&p, REQUEST, mac, ciaddr);
	if (sid)
		pkt_opt32(&p, 54, sid);
	if (want)
		pkt_opt32(&p, 50, want);
	pkt_end(&p);
	return send_pkt(srv, now, &p, r) == 1 ? rtype(r) : 0;
}

/* DISCOVER + REQUEST; the acknowledged address or 0 */
static uint32_t dora(struct dhcp_server *srv, int64_t now, const uint8_t mac[6])
{
	struct dhcp_reply r;
	uint32_t a = discover(srv, now, mac, 0);

	if (!a || request(srv, now, mac, ip("10.0.2.2"), a, 0, &r) != ACK ||
	    yiaddr(&r) != a)
		return 0;
	return a;
}

static void simple(struct dhcp_server *srv, uint8_t type, const uint8_t mac[6],
		   uint32_t ciaddr, uint32_t opt50)
{
	struct pkt p;
	struct dhcp_reply r;

	pkt_start(&p, type, mac, ciaddr);
	if (opt50)
		pkt_opt32(&p, 50, opt50);
	pkt_opt32(&p, 54, ip("10.0.2.2"));
	pkt_end(&p);
	send_pkt(srv, 0, &p, &r);
}

/* ---- configurations ---------------------------------------------------- */

static struct dhcp_config cfg_of(const char *first, const char *last)
{
	struct dhcp_config c = {
		.prefix = 24,
		.n_dns = 1,
		.domain = "lab.test",
		.mtu = 1500,
	};

	c.net.s_addr = htonl(ip("10.0.2.0"));
	c.server.s_addr = htonl(ip("10.0.2.2"));
	c.router.s_addr = htonl(ip("10.0.2.2"));
	c.dns[0].s_addr = htonl(ip("10.0.2.3"));
	c.pool_first.s_addr = htonl(ip(first));
	c.pool_last.s_addr = htonl(ip(last));
	return c;
}

static struct dhcp_server *mk(const char *first, const char *last)
{
	struct dhcp_config c = cfg_of(first, last);
	struct qerr e = { 0 };
	struct dhcp_server *srv = dhcp_new(&c, &e);

	if (!srv) {
		printf("dhcp_new: %s\n", e.msg);
		abort();
	}
	return srv;
}

static int cfg_bad(struct dhcp_config c, const char *needle)
{
	struct qerr e = { 0 };
	struct dhcp_server *srv = dhcp_new(&c, &e);

	if (srv) {
		dhcp_free(srv);
		return 0;
	}
	return e.usage && strstr(e.msg, needle) != NULL;
}

/* ---- the tests --------------------------------------------------------- */

static void test_config(void)
{
	struct dhcp_config c = cfg_of("10.0.2.15", "10.0.2.254");
	struct dhcp_server *srv;
	struct in_addr f, l;
	struct qerr e = { 0 };

	c.pool_last.s_addr = htonl(ip("10.0.3.4"));
	CHECK(cfg_bad(c, "pool 10.0.2.15-10.0.3.4 is not a range"),
	      "config: pool outside the subnet");
	c = cfg_of("10.0.2.15", "10.0.2.255");
	CHECK(cfg_bad(c, "not a range"), "config: pool reaching the broadcast");
	c = cfg_of("10.0.2.20", "10.0.2.15");
	CHECK(cfg_bad(c, "not a range"), "config: pool backwards");
	c = cfg_of("10.0.2.2", "10.0.2.254");
	CHECK(cfg_bad(c, "server address 10.0.2.2 lies in the pool"),
	      "config: server inside the pool");
	c = cfg_of("10.0.2.15", "10.0.2.254");
	c.router.s_addr = htonl(ip("10.0.2.20"));
	CHECK(cfg_bad(c, "router 10.0.2.20 lies in the pool"),
	      "config: router inside the pool");
	c = cfg_of("10.0.2.15", "10.0.2.254");
	c.dns[0].s_addr = htonl(ip("10.0.2.99"));
	CHECK(cfg_bad(c, "DNS server 10.0.2.99 lies in the pool"),
	      "config: DNS inside the pool");
	c = cfg_of("10.0.2.15", "10.0.2.254");
	c.router.s_addr = htonl(ip("10.0.9.1"));
	CHECK(cfg_bad(c, "router 10.0.9.1 is not a host address"),
	      "config: router off the subnet");
	c = cfg_of("10.0.2.15", "10.0.2.254");
	c.prefix = 31;
	CHECK(cfg_bad(c, "/31"), "config: prefix 31");
	c = cfg_of("10.0.2.15", "10.0.2.254");
	c.net.s_addr = htonl(ip("10.0.2.1"));
	CHECK(cfg_bad(c, "host bits"), "config: subnet with host bits");
	c = cfg_of("10.0.2.15", "10.0.2.254");
	c.domain = "lab test";
	CHECK(cfg_bad(c, "domain 'lab test'"), "config: bad domain");
	c = cfg_of("10.0.2.15", "10.0.2.254");
	c.lease_time = 10;
	CHECK(cfg_bad(c, "lease time 10 s"), "config: lease too short");
	c = cfg_of("10.0.2.15", "10.0.2.254");
	c.n_dns = 4;
	CHECK(cfg_bad(c, "4 DNS servers"), "config: too many DNS servers");

	/* a /16 is served from a table of DHCP_POOL_MAX slots */
	c = cfg_of("10.0.2.15", "10.0.2.254");
	c.prefix = 16;
	c.net.s_addr = htonl(ip("10.0.0.0"));
	c.pool_first.s_addr = htonl(ip("10.0.2.15"));
	c.pool_last.s_addr = htonl(ip("10.0.255.254"));
	srv = dhcp_new(&c, &e);
	CHECK(srv != NULL, "config: a /16 pool is accepted");
	if (srv) {
		dhcp_pool(srv, &f, &l);
		CHECK(ntohl(f.s_addr) == ip("10.0.2.15") &&
			      ntohl(l.s_addr) == ip("10.0.2.15") + DHCP_POOL_MAX - 1,
		      "config: a /16 pool is cut to %d addresses", DHCP_POOL_MAX);
		dhcp_free(srv);
	}
}

static void test_dora(void)
{
	struct dhcp_server *srv = mk("10.0.2.15", "10.0.2.254");
	uint8_t mac[6];
	struct pkt p;
	struct dhcp_reply r;
	struct dhcp_lease_info li;
	size_t n;
	const uint8_t *v;
	uint32_t a;
	static const uint8_t prl[] = { 6, 3, 6, 1, 15, 42 };

	mac_of(1, mac);
	pkt_start(&p, DISCOVER, mac, 0);
	pkt_opt(&p, 12, "my host\x01", 8);
	pkt_opt(&p, 55, prl, sizeof(prl));
	p.b[10] = 0x80;		/* broadcast flag */
	pkt_end(&p);
	CHECK(send_pkt(srv, 100, &p, &r) == 1 && rtype(&r) == OFFER,
	      "DISCOVER gets an OFFER");
	a = yiaddr(&r);
	CHECK(a >= ip("10.0.2.15") && a <= ip("10.0.2.254"),
	      "offer lies in the pool");
	CHECK(r.buf[0] == 2 && r.buf[1] == 1 && r.buf[2] == 6 &&
		      !memcmp(r.buf + 4, p.b + 4, 4) && r.buf[10] == 0x80 &&
		      !memcmp(r.buf + 28, mac, 6) && be32_get(r.buf + 12) == 0,
	      "offer: BOOTREPLY, xid, flags and chaddr echoed, ciaddr 0");
	CHECK(r.len >= 300 && r.len <= 548, "offer: 300 <= %zu <= 548 bytes",
	      r.len);
	CHECK(dest(&r) == 0xffffffffu && ntohs(r.dest.sin_port) == 68 &&
		      r.dest.sin_family == AF_INET,
	      "offer goes to 255.255.255.255:68");
	CHECK(ropt32(&r, 54) == ip("10.0.2.2") && ropt32(&r, 51) == 3600 &&
		      ropt32(&r, 58) == 1800 && ropt32(&r, 59) == 3150,
	      "offer: server id, lease 3600 s, T1 1800 s, T2 3150 s");
	CHECK(ropt32(&r, 1) == 0xffffff00u && ropt32(&r, 3) == ip("10.0.2.2") &&
		      ropt32(&r, 6) == ip("10.0.2.3"),
	      "offer: mask, router, DNS");
	v = ropt(&r, 15, &n);
	CHECK(v && n == 8 && !memcmp(v, "lab.test", 8), "offer: domain");
	v = ropt(&r, 26, &n);
	CHECK(v && n == 2 && be16_get(v) == 1500, "offer: MTU 1500");
	CHECK(ropt_pos(&r, 6) < ropt_pos(&r, 3) &&
		      ropt_pos(&r, 3) < ropt_pos(&r, 1) &&
		      ropt_pos(&r, 1) < ropt_pos(&r, 15) &&
		      ropt_pos(&r, 15) < ropt_pos(&r, 26) &&
		      ropt_pos(&r, 53) < ropt_pos(&r, 54),
	      "offer: options in the order requested, then the rest");
	CHECK(dhcp_lease_find(srv, mac, 100, &li) &&
		      li.state == DHCP_LEASE_OFFERED &&
		      ntohl(li.addr.s_addr) == a && li.expires == 130 &&
		      !strcmp(li.hostname, "my_host_"),
	      "offered lease held 30 s, hostname sanitized ('%s')",
	      li.hostname);

	CHECK(request(srv, 101, mac, ip("10.0.2.2"), a, 0, &r) == ACK &&
		      yiaddr(&r) == a && dest(&r) == 0xffffffffu &&
		      ropt32(&r, 51) == 3600,
	      "REQUEST (selecting) gets an ACK for the offered address");
	CHECK(dhcp_lease_find(srv, mac, 101, &li) &&
		      li.state == DHCP_LEASE_BOUND && li.expires == 101 + 3600,
	      "lease is bound for 3600 s");
	CHECK(!strcmp(dhcp_lease_state_name(li.state), "bound"),
	      "state name 'bound'");
	CHECK(discover(srv, 200, mac, 0) == a, "re-DISCOVER: same address");
	CHECK(dhcp_lease_find(srv, mac, 200, &li) &&
		      li.state == DHCP_LEASE_BOUND && li.expires == 101 + 3600,
	      "re-DISCOVER keeps the binding");

	/* renewing: unicast with ciaddr, the lease extended */
	CHECK(request(srv, 2000, mac, 0, 0, a, &r) == ACK && yiaddr(&r) == a &&
		      be32_get(r.buf + 12) == a && dest(&r) == a,
	      "RENEWING: ACK unicast to ciaddr");
	CHECK(dhcp_lease_find(srv, mac, 2000, &li) && li.expires == 2000 + 3600,
	      "renewal extends the lease");
	CHECK(request(srv, 2001, mac, 0, a, a, &r) == ACK,
	      "RENEWING with option 50 = ciaddr is tolerated");
	CHECK(request(srv, 2002, mac, 0, a + 1, a, &r) == 0,
	      "REQUEST with option 50 != ciaddr is ignored");
	CHECK(request(srv, 2003, mac, 0, 0, ip("10.0.7.7"), &r) == NAK &&
		      dest(&r) == 0xffffffffu,
	      "RENEWING an address off the subnet: NAK, broadcast");
	CHECK(dhcp_stats(srv)->offers == 2 && dhcp_stats(srv)->acks == 3 &&
		      dhcp_stats(srv)->naks == 1,
	      "counters: 2 offers, 3 acks, 1 nak");
	dhcp_free(srv);
}

static void test_stable(void)
{
	struct dhcp_server *a = mk("10.0.2.15", "10.0.2.254");
	struct dhcp_server *b = mk("10.0.2.15", "10.0.2.254");
	uint8_t mac[6];
	uint32_t addr[200];
	int same = 0, spread = 0;

	for (unsigned int i = 0; i < 200; i++) {
		mac_of(i * 7919, mac);
		addr[i] = dora(a, 10, mac);
	}
	for (unsigned int i = 0; i < 200; i++) {
		mac_of(i * 7919, mac);
		same += dora(b, 10, mac) == addr[i] && addr[i];
		spread += addr[i] != ip("10.0.2.15") + i;
	}
	CHECK(same == 200, "a fresh server gives the same 200 MACs the same "
			   "addresses (%d/200)", same);
	CHECK(spread > 100, "addresses follow the MAC's hash, not the order of "
			    "arrival (%d/200 differ from sequential)", spread);
	same = 0;
	for (unsigned int i = 0; i < 200; i++) {
		mac_of(i * 7919, mac);
		same += discover(a, 20, mac, 0) == addr[i];
	}
	CHECK(same == 200, "re-DISCOVER of 200 MACs: same addresses");
	dhcp_free(a);
	dhcp_free(b);
}

static int cmp_u32(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	return a < b ? -1 : a > b;
}

/* @n MACs on the pool .2-.254 all get distinct addresses in it */
static void test_many(unsigned int n)
{
	struct dhcp_config c = cfg_of("10.0.2.2", "10.0.2.254");
	struct dhcp_server *srv;
	struct qerr e = { 0 };
	uint32_t addr[253];
	uint8_t mac[6];
	unsigned int ok = 0, distinct = 1, listed = 0;
	struct dhcp_lease_info li;
	size_t cur = 0;

	c.server.s_addr = c.router.s_addr = c.dns[0].s_addr =
		htonl(ip("10.0.2.1"));
	srv = dhcp_new(&c, &e);
	if (!srv)
		abort();
	for (unsigned int i = 0; i < n; i++) {
		struct pkt p;
		struct dhcp_reply r;

		mac_of(0x10000 + i, mac);
		addr[i] = discover(srv, 5, mac, 0);
		pkt_start(&p, REQUEST, mac, 0);
		pkt_opt32(&p, 54, ip("10.0.2.1"));
		pkt_opt32(&p, 50, addr[i]);
		pkt_end(&p);
		ok += addr[i] >= ip("10.0.2.2") && addr[i] <= ip("10.0.2.254") &&
		      send_pkt(srv, 5, &p, &r) == 1 && rtype(&r) == ACK &&
		      yiaddr(&r) == addr[i];
	}
	qsort(addr, n, sizeof(addr[0]), cmp_u32);
	for (unsigned int i = 1; i < n; i++)
		distinct += addr[i] != addr[i - 1];
	while (dhcp_lease_next(srv, 6, &cur, &li))
		listed += li.state == DHCP_LEASE_BOUND;
	CHECK(ok == n && distinct == n && listed == n,
	      "%u MACs: %u leases in the pool, %u distinct, %u listed", n, ok,
	      distinct, listed);
	if (n == 253) {
		mac_of(0x20000, mac);
		CHECK(discover(srv, 6, mac, 0) == 0 &&
			      dhcp_stats(srv)->exhausted == 1,
		      "254th MAC: no offer, counted as exhausted");
	}
	dhcp_free(srv);
}

static void test_requested(void)
{
	struct dhcp_server *srv = mk("10.0.2.15", "10.0.2.254");
	uint8_t m1[6], m2[6];
	struct dhcp_reply r;
	uint32_t a;

	mac_of(1, m1);
	mac_of(2, m2);
	CHECK(discover(srv, 0, m1, ip("10.0.2.77")) == ip("10.0.2.77"),
	      "requested free address is offered");
	CHECK(request(srv, 0, m1, ip("10.0.2.2"), ip("10.0.2.77"), 0, &r) == ACK,
	      "and acknowledged");
	a = discover(srv, 0, m2, ip("10.0.2.77"));
	CHECK(a && a != ip("10.0.2.77"),
	      "requested address held by another MAC: another one offered");
	CHECK(discover(srv, 0, m2, ip("10.0.3.5")) == a,
	      "requested address off the pool: the MAC's own offer again");
	CHECK(request(srv, 0, m2, ip("10.0.2.2"), ip("10.0.2.77"), 0, &r) == NAK,
	      "SELECTING another MAC's address: NAK");
	CHECK(request(srv, 0, m2, ip("10.0.2.2"), a + 1 == ip("10.0.2.77") ?
			      a + 2 : a + 1, 0, &r) == NAK,
	      "SELECTING an address other than the one offered: NAK");
	dhcp_free(srv);
}

static void test_other_server(void)
{
	struct dhcp_server *srv = mk("10.0.2.15", "10.0.2.15");
	uint8_t m1[6], m2[6];
	struct dhcp_reply r;
	uint64_t ign;

	mac_of(1, m1);
	mac_of(2, m2);
	CHECK(discover(srv, 0, m1, 0) == ip("10.0.2.15"), "one-address pool: offer");
	CHECK(discover(srv, 0, m2, 0) == 0, "one-address pool: second MAC waits");
	ign = dhcp_stats(srv)->ignored;
	CHECK(request(srv, 0, m1, ip("10.0.2.9"), ip("10.0.2.15"), 0, &r) == 0 &&
		      dhcp_stats(srv)->ignored == ign + 1,
	      "REQUEST naming another server is ignored");
	CHECK(discover(srv, 0, m2, 0) == ip("10.0.2.15"),
	      "and the offer it turned down is free again");
	dhcp_free(srv);
}

static void test_init_reboot(void)
{
	struct dhcp_server *srv = mk("10.0.2.15", "10.0.2.254");
	uint8_t m1[6], m2[6];
	struct dhcp_reply r;
	uint32_t a, b;

	mac_of(1, m1);
	mac_of(2, m2);
	a = dora(srv, 0, m1);
	b = dora(srv, 0, m2);
	CHECK(request(srv, 1, m1, 0, ip("10.0.9.20"), 0, &r) == NAK &&
		      dest(&r) == 0xffffffffu && yiaddr(&r) == 0 &&
		      ropt32(&r, 54) == ip("10.0.2.2") && !ropt32(&r, 51),
	      "INIT-REBOOT for an address off the subnet: NAK, broadcast, "
	      "no lease");
	CHECK(request(srv, 1, m1, 0, b, 0, &r) == NAK,
	      "INIT-REBOOT for another MAC's address: NAK");
	CHECK(request(srv, 1, m1, 0, ip("10.0.2.3"), 0, &r) == NAK,
	      "INIT-REBOOT for an address outside the pool: NAK");
	CHECK(request(srv, 1, m1, 0, a, 0, &r) == ACK && yiaddr(&r) == a,
	      "INIT-REBOOT for its own address: ACK");
	dhcp_free(srv);

	/* a restarted server has no record: a free address is granted */
	srv = mk("10.0.2.15", "10.0.2.254");
	CHECK(request(srv, 1, m1, 0, a, 0, &r) == ACK && yiaddr(&r) == a,
	      "after a restart, INIT-REBOOT gets its old address back");
	CHECK(request(srv, 1, m2, 0, 0, b, &r) == ACK && yiaddr(&r) == b,
	      "after a restart, RENEWING keeps its address");
	CHECK(request(srv, 2, m2, 0, a, 0, &r) == NAK,
	      "a MAC holding a lease cannot take a second address");
	CHECK(discover(srv, 3, m1, 0) == a && discover(srv, 3, m2, 0) == b,
	      "and the table knows both again");
	dhcp_free(srv);
}

static void test_release_decline(void)
{
	struct dhcp_server *srv = mk("10.0.2.15", "10.0.2.16");
	uint8_t m1[6], m2[6], m3[6];
	uint32_t a1, a2;
	struct dhcp_lease_info li;
	size_t cur = 0;

	mac_of(1, m1);
	mac_of(2, m2);
	mac_of(3, m3);
	a1 = dora(srv, 0, m1);
	a2 = dora(srv, 0, m2);
	CHECK(a1 && a2 && a1 != a2 && discover(srv, 0, m3, 0) == 0,
	      "two-address pool: full after two leases");
	simple(srv, RELEASE, m2, a1, 0);
	CHECK(dhcp_stats(srv)->releases == 0,
	      "RELEASE of another MAC's address is ignored");
	simple(srv, RELEASE, m1, a1, 0);
	CHECK(dhcp_stats(srv)->releases == 1 &&
		      dhcp_lease_find(srv, m1, 0, &li) &&
		      li.state == DHCP_LEASE_RELEASED,
	      "RELEASE: lease shown as released");
	CHECK(dora(srv, 1, m3) == a1, "RELEASE frees the address for another MAC");
	CHECK(!dhcp_lease_find(srv, m1, 1, &li), "and the old owner has none");
	dhcp_free(srv);

	/* a released or expired address stays its MAC's while others are free */
	srv = mk("10.0.2.15", "10.0.2.16");
	a1 = dora(srv, 0, m1);
	simple(srv, RELEASE, m1, a1, 0);
	CHECK(dora(srv, 1, m2) == (a1 == ip("10.0.2.15") ? ip("10.0.2.16") :
							   ip("10.0.2.15")),
	      "a new MAC gets the free address, not the released one");
	CHECK(dora(srv, 2, m1) == a1, "the releasing MAC comes back to its own");
	dhcp_free(srv);

	srv = mk("10.0.2.15", "10.0.2.16");
	a1 = dora(srv, 0, m1);
	CHECK(dhcp_lease_find(srv, m1, 3600, &li) &&
		      li.state == DHCP_LEASE_EXPIRED,
	      "lease shown as expired after 3600 s");
	a2 = dora(srv, 4000, m2);
	CHECK(a2 && a2 != a1, "an expired lease is kept while others are free");
	CHECK(discover(srv, 4000, m3, 0) == a1,
	      "and reclaimed once the pool is otherwise full");
	CHECK(discover(srv, 4000, m1, 0) == 0,
	      "its old MAC then finds the pool full");
	dhcp_free(srv);

	srv = mk("10.0.2.15", "10.0.2.15");
	a1 = dora(srv, 0, m1);
	simple(srv, DECLINE, m2, 0, a1);
	CHECK(dhcp_stats(srv)->declines == 0,
	      "DECLINE of another MAC's address is ignored");
	simple(srv, DECLINE, m1, 0, a1);
	CHECK(dhcp_stats(srv)->declines == 1 && dhcp_lease_next(srv, 0, &cur, &li) &&
		      li.state == DHCP_LEASE_DECLINED && li.addr.s_addr == htonl(a1),
	      "DECLINE: address listed as declined");
	CHECK(discover(srv, 599, m1, 0) == 0 && discover(srv, 599, m2, 0) == 0,
	      "a declined address is quarantined");
	CHECK(discover(srv, 600, m2, 0) == a1,
	      "and handed out again after %d s", DHCP_DECLINE_HOLD);
	dhcp_free(srv);
}

static void test_holds(void)
{
	struct dhcp_server *srv = mk("10.0.2.15", "10.0.2.15");
	uint8_t m1[6], m2[6];

	mac_of(1, m1);
	mac_of(2, m2);
	CHECK(discover(srv, 0, m1, 0) && discover(srv, 29, m2, 0) == 0,
	      "an offer holds its address for %d s", DHCP_OFFER_HOLD);
	CHECK(discover(srv, 30, m2, 0) == ip("10.0.2.15"),
	      "a lapsed offer frees its address");
	CHECK(dora(srv, 31, m2) && !dora(srv, 3630, m1) && dora(srv, 3631, m1),
	      "a lease holds its address until it expires");
	dhcp_free(srv);
}

static void test_inform_relay(void)
{
	struct dhcp_server *srv = mk("10.0.2.15", "10.0.2.254");
	uint8_t mac[6];
	struct pkt p;
	struct dhcp_reply r;

	mac_of(1, mac);
	pkt_start(&p, INFORM, mac, ip("10.0.2.9"));
	pkt_end(&p);
	CHECK(send_pkt(srv, 0, &p, &r) == 1 && rtype(&r) == ACK &&
		      yiaddr(&r) == 0 && be32_get(r.buf + 12) == ip("10.0.2.9") &&
		      dest(&r) == ip("10.0.2.9") && !ropt32(&r, 51) &&
		      ropt32(&r, 6) == ip("10.0.2.3"),
	      "INFORM: ACK to ciaddr, no address, no lease, DNS");
	CHECK(!dhcp_lease_find(srv, mac, 0, &(struct dhcp_lease_info){ 0 }),
	      "INFORM leaves no lease");
	pkt_start(&p, DISCOVER, mac, 0);
	be32_put(p.b + 24, ip("10.9.9.9"));	/* giaddr: through a relay */
	pkt_end(&p);
	CHECK(send_pkt(srv, 0, &p, &r) == 0, "relayed DISCOVER ignored");
	pkt_start(&p, OFFER, mac, 0);
	pkt_end(&p);
	CHECK(send_pkt(srv, 0, &p, &r) == 0, "an OFFER sent to the server is "
					     "ignored");
	dhcp_free(srv);
}

/* Each malformed request is rejected and changes nothing */
static void test_malformed(void)
{
	struct dhcp_server *srv = mk("10.0.2.15", "10.0.2.254");
	uint8_t mac[6];
	struct pkt p, good;
	struct dhcp_reply r;
	uint8_t *huge;
	size_t cur = 0;
	struct dhcp_lease_info li;

	mac_of(1, mac);
	pkt_start(&good, DISCOVER, mac, 0);
	pkt_end(&good);
#define BAD(what, ...)                                                        \
	do {                                                                  \
		p = good;                                                     \
		__VA_ARGS__;                                                  \
		CHECK(send_pkt(srv, 0, &p, &r) == -EBADMSG, "malformed: %s",  \
		      what);                                                  \
	} while (0)
	BAD("empty", p.len = 0);
	BAD("truncated header (100 bytes)", p.len = 100);
	BAD("no cookie (239 bytes)", p.len = 239);
	BAD("cookie only, no options", p.len = 240);
	BAD("bad cookie", p.b[236] = 0x64);
	BAD("BOOTREPLY", p.b[0] = 2);
	BAD("htype 6", p.b[1] = 6);
	BAD("hlen 16", p.b[2] = 16);
	BAD("broadcast chaddr", memset(p.b + 28, 0xff, 6));
	BAD("multicast chaddr", p.b[28] = 0x01);
	BAD("zero chaddr", memset(p.b + 28, 0, 6));
	BAD("no END", p.len--);
	BAD("option length past the end", p.b[p.len - 1] = 12; p.b[p.len++] = 200;
	    p.b[p.len++] = 'x');
	BAD("option code with no length", p.b[p.len - 1] = 12);
	BAD("type of length 2", p.b[241] = 2);
	BAD("type 0", p.b[242] = 0);
	BAD("type repeated", p.len--; pkt_opt(&p, 53, "\x01", 1); pkt_end(&p));
	BAD("server id of 3 bytes", p.len--; pkt_opt(&p, 54, "\x0a\0\x02", 3);
	    pkt_end(&p));
	BAD("requested address of 5 bytes",
	    p.len--; pkt_opt(&p, 50, "\x0a\0\x02\x05\x00", 5); pkt_end(&p));
	BAD("no message type", p.b[240] = 12; p.b[241] = 1; p.b[242] = 'h');
	BAD("options all padding", memset(p.b + 240, 0, 4); p.len = 244);
#undef BAD
	/* a long datagram of padding without END: walked to its end only */
	huge = calloc(1, 65535);
	memcpy(huge, good.b, 240);
	CHECK(handle(srv, 0, huge, 65535, &r) == -EBADMSG,
	      "malformed: 64 KiB of padding without END");
	memcpy(huge, good.b, good.len);
	CHECK(handle(srv, 0, huge, 65535, &r) == 1 && rtype(&r) == OFFER,
	      "a 64 KiB datagram with a valid request in front is served");
	free(huge);
	p = good;
	p.len--;
	pkt_opt(&p, 99, "unknown", 7);
	pkt_opt(&p, 61, "\x01\x52\x54\x00\x00\x00\x01", 7);
	pkt_opt(&p, 99, "again", 5);
	pkt_end(&p);
	CHECK(send_pkt(srv, 0, &p, &r) == 1 && rtype(&r) == OFFER,
	      "unknown and repeated unused options are skipped");
	CHECK(dhcp_stats(srv)->malformed == 22, "malformed counter: %llu",
	      (unsigned long long)dhcp_stats(srv)->malformed);
	CHECK(dhcp_lease_next(srv, 0, &cur, &li) && !memcmp(li.mac, mac, 6) &&
		      !dhcp_lease_next(srv, 0, &cur, &li),
	      "malformed requests left no lease behind");
	dhcp_free(srv);
}

/* xorshift: a fixed seed, so a failure reproduces */
static uint32_t rnd_state = 2463534242u;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

/* Valid requests of every type, mutated: replies stay well-formed, the
 * table consistent, and (with ASan/UBSan) nothing is read out of bounds */
static void test_mutations(void)
{
	struct dhcp_server *srv = mk("10.0.2.15", "10.0.2.30");
	struct pkt seeds[5], p;
	struct dhcp_reply r;
	uint8_t mac[6];
	static const uint8_t prl[] = { 1, 3, 6, 12, 15, 26, 28, 42 };
	unsigned int iters = 50000, bad_reply = 0, replies = 0;
	struct dhcp_lease_info li, lj;
	size_t ci = 0, cj;
	int dup = 0, outside = 0;

	for (int t = 0; t < 5; t++) {
		static const uint8_t types[] = { DISCOVER, REQUEST, RELEASE,
						 DECLINE, INFORM };

		mac_of((unsigned int)t, mac);
		pkt_start(&seeds[t], types[t], mac,
			  types[t] == RELEASE || types[t] == INFORM ?
				  ip("10.0.2.20") : 0);
		pkt_opt32(&seeds[t], 50, ip("10.0.2.20"));
		pkt_opt32(&seeds[t], 54, ip("10.0.2.2"));
		pkt_opt(&seeds[t], 12, "guest-1", 7);
		pkt_opt(&seeds[t], 55, prl, sizeof(prl));
		pkt_opt(&seeds[t], 57, "\x05\xdc", 2);
		pkt_end(&seeds[t]);
	}
	for (unsigned int it = 0; it < iters; it++) {
		unsigned int flips = 1 + rnd() % 8;
		int ret;

		p = seeds[rnd() % 5];
		for (unsigned int k = 0; k < flips; k++) {
			size_t at = rnd() % p.len;

			switch (rnd() % 4) {
			case 0:		/* any byte, anywhere */
				p.b[at] = (uint8_t)rnd();
				break;
			case 1:		/* the options, where lengths live */
				if (p.len > 240)
					at = 240 + rnd() % (p.len - 240);
				p.b[at] = (uint8_t)rnd();
				break;
			case 2:		/* cut short */
				p.len = at;
				break;
			default:	/* grow by random bytes */
				while (p.len < sizeof(p.b) && rnd() % 4)
					p.b[p.len++] = (uint8_t)rnd();
			}
			if (p.len == 0)
				break;
		}
		p.b[28 + 5] = (uint8_t)(rnd() % 24); /* a few MACs compete */
		ret = send_pkt(srv, it / 16, &p, &r);
		if (ret == 1) {
			replies++;
			bad_reply += r.len < 300 || r.len > DHCP_REPLY_MAX ||
				     ntohs(r.dest.sin_port) != 68 ||
				     (rtype(&r) != OFFER && rtype(&r) != ACK &&
				      rtype(&r) != NAK);
		} else if (ret != 0 && ret != -EBADMSG) {
			bad_reply++;
		}
	}
	/* no MAC holds two slots, every listed address is in the pool */
	while (dhcp_lease_next(srv, iters / 16, &ci, &li)) {
		outside += ntohl(li.addr.s_addr) < ip("10.0.2.15") ||
			   ntohl(li.addr.s_addr) > ip("10.0.2.30");
		cj = ci;
		while (dhcp_lease_next(srv, iters / 16, &cj, &lj))
			dup += li.state != DHCP_LEASE_DECLINED &&
			       !memcmp(li.mac, lj.mac, 6);
	}
	CHECK(bad_reply == 0 && replies > 0,
	      "%u mutated requests: %u replies, all well-formed", iters,
	      replies);
	CHECK(dup == 0 && outside == 0,
	      "after mutations: one slot per MAC, all in the pool");
	CHECK(dhcp_stats(srv)->received == iters &&
		      dhcp_stats(srv)->malformed > iters / 4,
	      "mutations: %llu of %u rejected as malformed",
	      (unsigned long long)dhcp_stats(srv)->malformed, iters);
	dhcp_free(srv);
}

/* Any address: dhcp_reserve()'s @want left 0 */
static const struct in_addr any;

/* ip=: the address a member asks for */
static void test_reserve_wanted(void)
{
	struct dhcp_server *srv = mk("10.0.2.15", "10.0.2.20");
	struct in_addr a, want = { htonl(ip("10.0.2.18")) };
	struct in_addr outside = { htonl(ip("10.0.2.14")) };
	struct dhcp_lease_info li;
	uint8_t m1[6], m2[6], m3[6];

	mac_of(1, m1);
	mac_of(2, m2);
	mac_of(3, m3);
	CHECK(dhcp_reserve(srv, m1, "fixed", want, 0, &a) == 0 &&
		      a.s_addr == want.s_addr,
	      "a wanted address is given");
	CHECK(dhcp_reserve(srv, m2, "other", want, 0, &a) == -EADDRINUSE,
	      "a wanted address another member holds: EADDRINUSE");
	CHECK(dhcp_reserve(srv, m2, "other", outside, 0, &a) == -EDOM,
	      "a wanted address outside the pool: EDOM");
	CHECK(dhcp_reserve(srv, m1, "fixed", want, 1, &a) == 0 &&
		      a.s_addr == want.s_addr,
	      "the same MAC asking again: the same address");
	dhcp_unreserve(srv, m1, 10);
	CHECK(dhcp_reserve(srv, m2, "other", want, 20, &a) == 0 &&
		      a.s_addr == want.s_addr &&
		      !dhcp_lease_find(srv, m1, 20, &li),
	      "released, it goes to the next that wants it (the old claim "
	      "is gone)");
	CHECK(dora(srv, 30, m3) != ntohl(want.s_addr),
	      "a DHCP client is not offered it");
	CHECK(dhcp_reserve(srv, m3, NULL, any, 40, &a) == 0 &&
		      a.s_addr != want.s_addr,
	      "nor another member without ip=");
	dhcp_free(srv);
}

/* Command members: addresses reserved by qbox, seen by DHCP clients */
/* A VM's reservation: its own DHCP gets exactly that address, for good */
static void test_reserve_vm(void)
{
	struct dhcp_server *srv = mk("10.0.2.15", "10.0.2.16");
	struct dhcp_lease_info li;
	struct dhcp_reply r;
	uint8_t m1[6], m2[6];
	struct in_addr a;
	uint32_t mine, other;

	mac_of(1, m1);
	mac_of(2, m2);
	CHECK(dhcp_reserve(srv, m1, "vm", any, 0, &a) == 0, "reserve for a VM");
	mine = ntohl(a.s_addr);
	other = mine == ip("10.0.2.15") ? ip("10.0.2.16") : ip("10.0.2.15");
	CHECK(dora(srv, 0, m1) == mine, "the VM's DHCP gets its reserved "
					"address");
	CHECK(request(srv, 0, m1, ip("10.0.2.2"), other, 0, &r) == NAK &&
		      request(srv, 0, m1, 0, other, 0, &r) == NAK,
	      "the VM asking for another address is refused");
	simple(srv, RELEASE, m1, mine, 0);
	simple(srv, DECLINE, m1, 0, mine);
	CHECK(dhcp_stats(srv)->releases == 0 && dhcp_stats(srv)->declines == 0,
	      "RELEASE and DECLINE of a reserved address are ignored");
	CHECK(dhcp_lease_find(srv, m1, 10 * 3600, &li) &&
		      li.state == DHCP_LEASE_BOUND && li.addr.s_addr == a.s_addr,
	      "a renewed reservation still holds ten lease times later");
	CHECK(dora(srv, 10 * 3600, m2) == other &&
		      discover(srv, 10 * 3600, m2, mine) == other,
	      "another MAC never gets it");
	dhcp_unreserve(srv, m1, 20 * 3600);
	simple(srv, RELEASE, m2, other, 0);
	CHECK(dhcp_lease_find(srv, m1, 20 * 3600, &li) &&
		      li.state == DHCP_LEASE_RELEASED,
	      "unreserved: an ordinary released lease again");
	dhcp_free(srv);
}

static void test_reserve(void)
{
	struct dhcp_server *srv = mk("10.0.2.15", "10.0.2.17");
	struct dhcp_lease_info li;
	struct in_addr a, b, c;
	uint8_t m1[6], m2[6], m3[6], m4[6];

	mac_of(1, m1);
	mac_of(2, m2);
	mac_of(3, m3);
	mac_of(4, m4);
	CHECK(dhcp_reserve(srv, m1, "cmd-a", any, 100, &a) == 0 &&
		      ntohl(a.s_addr) >= ip("10.0.2.15") &&
		      ntohl(a.s_addr) <= ip("10.0.2.17"),
	      "reserve: an address from the pool");
	CHECK(dhcp_reserve(srv, m1, "cmd-a", any, 101, &b) == 0 &&
		      a.s_addr == b.s_addr, "reserve: the same MAC, the same "
					     "address");
	CHECK(dhcp_lease_find(srv, m1, 1000000, &li) &&
		      li.state == DHCP_LEASE_BOUND && !strcmp(li.hostname, "cmd-a"),
	      "reserve: bound, does not expire, named");
	CHECK(dhcp_reserve(srv, m2, NULL, any, 100, &b) == 0 && b.s_addr != a.s_addr,
	      "reserve: another MAC, another address");
	CHECK(discover(srv, 100, m3, ntohl(a.s_addr)) != ntohl(a.s_addr) &&
		      discover(srv, 100, m3, ntohl(b.s_addr)) != ntohl(b.s_addr),
	      "a DHCP client is not offered a reserved address, even asking");
	CHECK(dhcp_reserve(srv, m4, NULL, any, 100, &c) == -ENOSPC,
	      "reserve: pool full (the offer holds the last address)");
	dhcp_unreserve(srv, m1, 200);
	CHECK(dhcp_lease_find(srv, m1, 200, &li) &&
		      li.state == DHCP_LEASE_RELEASED,
	      "unreserve: released, the MAC's claim kept");
	CHECK(dhcp_reserve(srv, m1, NULL, any, 300, &c) == 0 && c.s_addr == a.s_addr,
	      "reserve again: the MAC's old address");
	dhcp_free(srv);
	test_reserve_vm();
	test_reserve_wanted();
}

int main(void)
{
	test_config();
	test_dora();
	test_stable();
	test_many(200);
	test_many(253);
	test_requested();
	test_other_server();
	test_init_reboot();
	test_release_decline();
	test_holds();
	test_inform_relay();
	test_malformed();
	test_mutations();
	test_reserve();
	UNIT_END();
}
