// SPDX-License-Identifier: MIT
/* test_plan.c - `qbox run` options and their resolution into a plan */
#include <arpa/inet.h>
#include <stdarg.h>

#include "runner/cli.h"
#include "common/util.h"
#include "plan/plan.h"
#include "tests/unit/unit.h"

/* Parse and plan a command line given as words; NULL-terminated */
static int plan_words(struct plan *p, struct qerr *e, ...)
{
	static char *argv[64];
	static struct run_opts o;
	va_list ap;
	int argc = 0, r;

	va_start(ap, e);
	argv[argc++] = "run";
	while ((argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	memset(e, 0, sizeof(*e));
	r = run_opts_parse(argc, argv, &o, e);
	if (r != CLI_RUN)
		return r < 0 ? r : -1000;
	return plan_build(&o, "qbox-1", p, e);
}

static int ip4_is(struct in_addr a, const char *s)
{
	struct in_addr b;

	inet_pton(AF_INET, s, &b);
	return a.s_addr == b.s_addr;
}

static int ip6_is(const struct in6_addr *a, const char *s)
{
	struct in6_addr b;

	inet_pton(AF_INET6, s, &b);
	return !memcmp(a, &b, 16);
}

#define BAD(needle, ...)                                                      \
	do {                                                                  \
		struct plan p_;                                               \
		struct qerr e_;                                               \
		int r_ = plan_words(&p_, &e_, __VA_ARGS__, NULL);             \
		CHECK(r_ == -EINVAL && e_.usage && strstr(e_.msg, needle),    \
		      "rejects %s (got: %s)", needle, e_.msg);                \
	} while (0)

/* ip=: a member's own address, one of the members' */
static void test_plan_ip(void)
{
	struct plan p;
	struct qerr e;
	static const char *const bad[][2] = {
		{ "natnet:l,ip=10.0.3.50", "ip=10.0.3.50 is outside the network's subnet" },
		{ "natnet:l,ip=10.0.2.2", "ip=10.0.2.2 is the network's own address (its gateway)" },
		{ "natnet:l,ip=10.0.2.3", "(its DNS forwarder)" },
		{ "natnet:l,ip=10.0.2.1", "(its hub (its DHCP and DNS server))" },
		{ "natnet:l,ip=10.0.2.0", "is not one of the members' addresses (10.0.2.15 to 10.0.2.254)" },
		{ "natnet:l,ip=10.0.2.255", "is not one of the members' addresses" },
		{ "natnet:l,ip=10.0.2.14", "is not one of the members' addresses" },
		{ "hostonly:h,ip=192.168.56.1", "(its host alias)" },
		{ "hostonly:h,ip=192.168.56.100", "(its hub" },
		{ "natnet:l,subnet=10.0.9.0/24,ip=10.0.2.50", "outside the network's subnet" },
	};
	size_t i;

	CHECK(plan_words(&p, &e, "--net", "natnet:l,ip=10.0.2.50", "--", "x",
			 NULL) == 0,
	      "ip=10.0.2.50 on natnet: planned (the hub says if it is free)");
	CHECK(plan_words(&p, &e, "--net", "natnet:l,subnet=10.0.9.0/24,ip=10.0.9.200",
			 "--", "x", NULL) == 0,
	      "ip= in a subnet of the network's own");
	CHECK(plan_words(&p, &e, "--net", "internal:i,ip=192.168.100.120", "--",
			 "x", NULL) == 0,
	      "ip= for a command on an internal network without DHCP");
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		memset(&e, 0, sizeof(e));
		CHECK(plan_words(&p, &e, "--net", bad[i][0], "--", "x", NULL) < 0 &&
			      e.usage && strstr(e.msg, bad[i][1]) &&
			      strstr(e.msg, bad[i][0]),
		      "--net %s: exit 2 naming it (%s)", bad[i][0], e.msg);
	}
	memset(&e, 0, sizeof(e));
	CHECK(plan_words(&p, &e, "--net", "internal:i,ip=192.168.100.120", "--",
			 "qemu-system-x86_64", NULL) < 0 && e.usage &&
		      strstr(e.msg, "ip= needs the network's DHCP"),
	      "a VM's ip= needs the network's DHCP (%s)", e.msg);
}

static void test_networks(void)
{
	struct plan p, q;
	struct qerr e;
	const struct net_layout *l;

	CHECK(plan_words(&p, &e, "--net", "natnet:lab0", "--net", "nat",
			 "--fwd", "2222:10.0.2.15:22", "--", "x", NULL) == 0 &&
		      p.nics[0].mode == NET_NATNET &&
		      ip4_is(p.nics[0].net, "10.0.2.0") &&
		      ip4_is(p.nics[0].gateway, "10.0.2.2") &&
		      ip4_is(p.nics[0].dns, "10.0.2.1") &&
		      !strcmp(p.nics[0].domain, "lab0.qbox.internal") &&
		      ip4_is(p.nics[1].net, "10.0.3.0") &&
		      ip4_is(p.nics[1].dns, "10.0.3.3") && !p.nics[1].domain[0] &&
		      p.fwds[0].nic == 0 && ip4_is(p.fwds[0].guest.v4, "10.0.2.15"),
	      "natnet NIC (DNS: the network's server, .1, and its domain), then "
	      "nat on 10.0.3.0/24 (its NAT's .3, no domain), forward to the "
	      "natnet");
	l = &p.nics[0].layout;
	CHECK(ip4_is(l->hub, "10.0.2.1") && ip4_is(l->host, "10.0.2.2") &&
		      ip4_is(l->pool_first, "10.0.2.15") &&
		      ip4_is(l->pool_last, "10.0.2.254") && l->uplink && l->dhcp,
	      "natnet layout");
	CHECK(plan_words(&p, &e, "--net", "hostonly:h", "--", "x", NULL) == 0 &&
		      ip4_is(p.nics[0].net, "192.168.56.0") &&
		      !p.nics[0].gateway.s_addr &&
		      ip4_is(p.nics[0].dns, "192.168.56.100") &&
		      !strcmp(p.nics[0].domain, "h.qbox.internal"),
	      "hostonly: no gateway; DNS: the network's server (.100)");
	CHECK(plan_words(&q, &e, "--net", "internal:i", "--", "x", NULL) == 0 &&
		      !q.nics[0].dns.s_addr && !q.nics[0].domain[0],
	      "internal without dhcp=on: no DNS, no domain");
	test_plan_ip();
	CHECK(plan_words(&q, &e, "--net", "natnet:l,domain=lab.test", "--", "x",
			 NULL) == 0 && !strcmp(q.nics[0].domain, "lab.test"),
	      "natnet with domain=: the members' domain");
	CHECK(plan_words(&q, &e, "--net", "nat,domain=lab.test", "--", "x",
			 NULL) == 0 && !strcmp(q.nics[0].domain, "lab.test") &&
		      q.nics[0].nat.domain &&
		      !strcmp(q.nics[0].nat.domain, "lab.test"),
	      "nat with domain=: the NAT's DHCP, and a command's search list");
	CHECK(plan_words(&q, &e, "--net", "nat", "--", "x", NULL) == 0 &&
		      !q.nics[0].domain[0] && !q.nics[0].nat.domain,
	      "nat without domain=: none");
	l = &p.nics[0].layout;
	CHECK(ip4_is(l->host, "192.168.56.1") && ip4_is(l->hub, "192.168.56.100") &&
		      ip4_is(l->pool_first, "192.168.56.101") && l->uplink,
	      "hostonly layout");
	CHECK(plan_words(&p, &e, "--net", "internal:i", "--", "x", NULL) == 0 &&
		      !p.nics[0].layout.uplink && !p.nics[0].layout.dhcp &&
		      !p.nics[0].layout.hub.s_addr &&
		      ip4_is(p.nics[0].layout.pool_first, "192.168.100.101"),
	      "internal layout: no uplink, no DHCP, pool for commands");
	CHECK(plan_words(&p, &e, "--net", "internal:i,dhcp=on", "--", "x",
			 NULL) == 0 && p.nics[0].layout.dhcp &&
		      ip4_is(p.nics[0].layout.hub, "192.168.100.1"),
	      "internal dhcp=on layout");
	CHECK(plan_words(&p, &e, "--net", "natnet:s,subnet=10.9.0.0/25", "--",
			 "x", NULL) == 0 &&
		      ip4_is(p.nics[0].layout.pool_last, "10.9.0.126"),
	      "natnet small subnet pool ends below broadcast");
	CHECK(plan_words(&p, &e, "--net", "natnet:a", "--net", "natnet:b",
			 "--", "qemu-system-x86_64", NULL) == 0,
	      "a VM may sit on two networks of the same subnet");
}

static void test_defaults(void)
{
	struct plan p;
	struct qerr e;

	CHECK(plan_words(&p, &e, "--", "curl", "x", NULL) == 0 &&
		      p.n_nics == 1 && p.nics[0].mode == NET_NAT && !p.vm &&
		      ip4_is(p.nics[0].net, "10.0.2.0") &&
		      p.nics[0].prefix == 24 &&
		      ip4_is(p.nics[0].gateway, "10.0.2.2") &&
		      ip4_is(p.nics[0].dns, "10.0.2.3") &&
		      ip4_is(p.nics[0].dhcp_start, "10.0.2.15") &&
		      ip4_is(p.nics[0].guest, "10.0.2.100") &&
		      p.nics[0].mtu == 65520 &&
		      !strcmp(p.name, "qbox-1") && !strcmp(p.argv[0], "curl"),
	      "default: one nat NIC, command at 10.0.2.100, MTU 65520");
	CHECK(plan_words(&p, &e, "--", "/usr/bin/qemu-system-x86_64", NULL) ==
			      0 &&
		      p.vm && ip4_is(p.nics[0].guest, "10.0.2.15") &&
		      p.nics[0].mtu == 1500,
	      "qemu-system-* is a VM with lease .15 and MTU 1500");
	CHECK(plan_words(&p, &e, "--net", "nat,mtu=1500", "--net", "nat", "--",
			 "curl", NULL) == 0 &&
		      p.nics[0].mtu == 1500 && p.nics[1].mtu == 65520,
	      "mtu= sets one NIC's MTU, the others keep the default");
	CHECK(plan_words(&p, &e, "--net", "nat,mtu=9000", "--",
			 "qemu-system-x86_64", NULL) == 0 &&
		      p.nics[0].mtu == 9000,
	      "mtu= on a VM's NIC too");
	CHECK(plan_words(&p, &e, "--vm", "--", "./myqemu", NULL) == 0 && p.vm,
	      "--vm forces VM mode");
	CHECK(plan_words(&p, &e, "--", "qemu-system-x86_64", "-device",
			 "e1000,netdev=qbox0,mac=52:54:00:0b:0b:0b", NULL) == 0 &&
		      p.nics[0].mac[3] == 0x0b && p.nics[0].mac[5] == 0x0b,
	      "a user's -device mac= is the NIC's MAC");
	CHECK(plan_words(&p, &e, "--net", "nat,mac=52:54:00:0b:0b:0b", "--",
			 "qemu-system-x86_64", "-device",
			 "e1000,netdev=qbox0,mac=52:54:00:0b:0b:0b", NULL) == 0,
	      "the same MAC on --net and the -device is fine");
	BAD("your -device for netdev=qbox0 says mac=52:54:00:0b:0b:0b",
	    "--net", "nat,mac=52:54:00:0a:0a:0a", "--", "qemu-system-x86_64",
	    "-device", "e1000,netdev=qbox0,mac=52:54:00:0b:0b:0b");
	BAD("e1000,netdev=qbox0,mac=zz", "--", "qemu-system-x86_64", "-device",
	    "e1000,netdev=qbox0,mac=zz");
	CHECK(plan_words(&p, &e, "--", "curl", "e1000,netdev=qbox0,mac=zz",
			 NULL) == 0, "a command's arguments are not QEMU's");
	CHECK(plan_words(&p, &e, "--", "qemu-system-", NULL) == 0 && !p.vm,
	      "bare qemu-system- is not a VM");
	CHECK(plan_words(&p, &e, "--net", "nat", "--net", "nat", "--net",
			 "nat,subnet=192.168.7.0/24", "--", "qemu-system-x86_64",
			 NULL) == 0 &&
		      p.n_nics == 3 && ip4_is(p.nics[1].net, "10.0.3.0") &&
		      ip4_is(p.nics[1].guest, "10.0.3.15") &&
		      ip4_is(p.nics[2].gateway, "192.168.7.2"),
	      "Nth nat NIC gets 10.0.(N+2).0/24 unless given a subnet");
	CHECK(plan_words(&p, &e, "--net", "none", "--", "x", NULL) == 0 &&
		      p.n_nics == 1 && p.nics[0].mode == NET_NONE,
	      "--net none");
}

static void test_macs(void)
{
	struct plan p, q;
	struct qerr e;
	uint8_t m[6];

	plan_words(&p, &e, "--name", "db", "--net", "nat", "--net", "nat", "--",
		   "x", NULL);
	plan_words(&q, &e, "--name", "db", "--net", "nat", "--net", "nat", "--",
		   "x", NULL);
	CHECK(!memcmp(p.nics[0].mac, q.nics[0].mac, 6) &&
		      !memcmp(p.nics[1].mac, q.nics[1].mac, 6),
	      "MACs stable per name");
	CHECK(memcmp(p.nics[0].mac, p.nics[1].mac, 6),
	      "two NICs, two MACs");
	CHECK(p.nics[0].mac[0] == 0x52 && p.nics[0].mac[1] == 0x54 &&
		      p.nics[0].mac[2] == 0x00,
	      "derived MAC has QEMU's prefix");
	plan_words(&q, &e, "--name", "web", "--", "x", NULL);
	CHECK(memcmp(p.nics[0].mac, q.nics[0].mac, 6),
	      "another name, another MAC");
	mac_derive("db", 0, m);
	CHECK(!memcmp(m, p.nics[0].mac, 6), "mac_derive matches the plan");
	CHECK(plan_words(&p, &e, "--mac", "52:54:00:aa:bb:cc", "--", "x",
			 NULL) == 0 &&
		      p.nics[0].mac[3] == 0xaa,
	      "--mac sets the first NIC");
	CHECK(plan_words(&p, &e, "--net", "nat,mac=52:54:00:00:00:01", "--",
			 "x", NULL) == 0 &&
		      p.nics[0].mac[5] == 1,
	      "mac= option");
}

static void test_bridged(void)
{
	struct plan p, q;
	struct qerr e;
	uint8_t m[6];

	CHECK(plan_words(&p, &e, "--name", "vm", "--net", "nat", "--net",
			 "bridged:qtap0", "--", "qemu-system-x86_64", NULL) == 0 &&
		      p.n_nics == 2 && p.nics[0].mode == NET_NAT &&
		      ip4_is(p.nics[0].net, "10.0.2.0") &&
		      p.nics[1].mode == NET_BRIDGED &&
		      !strcmp(p.nics[1].spec->device, "qtap0") &&
		      !strcmp(p.nics[1].text, "bridged:qtap0") &&
		      !p.nics[1].net.s_addr && !p.nics[1].gateway.s_addr &&
		      !p.nics[1].guest.s_addr,
	      "bridged NIC beside a nat NIC: no subnet of qbox's");
	mac_derive("vm/qtap0", 1, m);
	CHECK(!memcmp(p.nics[1].mac, m, 6) && p.nics[1].mac[0] == 0x52,
	      "bridged MAC derives from the name and the device");
	plan_words(&q, &e, "--name", "vm", "--net", "nat", "--net",
		   "bridged:qtap1", "--", "qemu-system-x86_64", NULL);
	CHECK(memcmp(p.nics[1].mac, q.nics[1].mac, 6),
	      "same sandbox name, another TAP: another MAC");
	plan_words(&q, &e, "--name", "vm", "--net", "nat", "--net",
		   "bridged:qtap0", "--", "qemu-system-x86_64", NULL);
	CHECK(!memcmp(p.nics[1].mac, q.nics[1].mac, 6),
	      "bridged MAC stable per name and device");
	CHECK(plan_words(&p, &e, "--net", "bridged:qtap0,mac=52:54:00:0b:0b:0b",
			 "--", "qemu-system-x86_64", NULL) == 0 &&
		      p.nics[0].mac[5] == 0x0b,
	      "bridged mac=");
	CHECK(plan_words(&p, &e, "--mac", "52:54:00:aa:bb:cc", "--net",
			 "bridged:qtap0", "--", "qemu-system-x86_64",
			 NULL) == 0 && p.nics[0].mac[3] == 0xaa,
	      "--mac sets a bridged first NIC");
	CHECK(plan_words(&p, &e, "--net", "bridged:qtap0", "--net",
			 "bridged:qtap1", "--net", "natnet:lab", "--",
			 "qemu-system-x86_64", NULL) == 0 &&
		      p.n_nics == 3,
	      "two bridged NICs and a network: no overlap");
	CHECK(plan_words(&p, &e, "--vm", "--net", "bridged:qtap0", "--",
			 "./run-qemu", NULL) == 0 && p.vm,
	      "bridged with --vm");
	CHECK(plan_words(&p, &e, "--net", "bridged:qtap0", "--net", "nat",
			 "--fwd", "2222:22", "--", "qemu-system-x86_64",
			 NULL) == 0 &&
		      p.fwds[0].nic == 1,
	      "a forward goes to the nat NIC, not the bridged one");
	BAD("--net bridged:qtap0: only a VM can use a TAP device ('curl' is "
	    "not qemu-system-*", "--net", "bridged:qtap0", "--", "curl");
	BAD("--net bridged:qtap0: device qtap0 is already used by NIC 0",
	    "--net", "bridged:qtap0", "--net", "bridged:qtap0", "--",
	    "qemu-system-x86_64");
	BAD("--fwd 2222:22: forwards need a nat NIC or a network, and this "
	    "sandbox has none (a bridged NIC needs no forwards",
	    "--net", "bridged:qtap0", "--fwd", "2222:22", "--",
	    "qemu-system-x86_64");
	BAD("guest address 192.168.1.5 is in no subnet of this sandbox's "
	    "networks (a bridged NIC", "--net", "bridged:qtap0", "--fwd",
	    "2222:192.168.1.5:22", "--", "qemu-system-x86_64");
	BAD("MAC 52:54:00:00:00:01 is already used by NIC 0", "--net",
	    "nat,mac=52:54:00:00:00:01", "--net",
	    "bridged:qtap0,mac=52:54:00:00:00:01", "--", "qemu-system-x86_64");
}

static void test_fwds(void)
{
	struct plan p;
	struct qerr e;

	CHECK(plan_words(&p, &e, "--fwd", "2222:22", "--", "qemu-system-x86_64",
			 NULL) == 0 &&
		      p.n_fwds == 1 && p.fwds[0].nic == 0 &&
		      ip4_is(p.fwds[0].guest.v4, "10.0.2.15"),
	      "fwd to the VM's lease by default");
	CHECK(plan_words(&p, &e, "--fwd", "8000:8000", "--", "busybox", NULL) ==
			      0 &&
		      ip4_is(p.fwds[0].guest.v4, "10.0.2.100"),
	      "fwd to the command's address by default");
	CHECK(plan_words(&p, &e, "--net", "nat", "--net", "nat", "--fwd",
			 "2222:10.0.3.15:22", "--", "qemu-system-x86_64",
			 NULL) == 0 &&
		      p.fwds[0].nic == 1,
	      "fwd picks the NIC whose subnet holds the guest address");
	CHECK(plan_words(&p, &e, "--fwd", "udp:53:53", "--fwd", "53:53", "--",
			 "x", NULL) == 0,
	      "same port, tcp and udp");
	CHECK(plan_words(&p, &e, "--fwd", "127.0.0.1:80:80", "--fwd",
			 "127.0.0.2:80:80", "--", "x", NULL) == 0,
	      "same port, two host addresses");
}

static void test_ipv6(void)
{
	struct plan p;
	struct qerr e;

	CHECK(plan_words(&p, &e, "--", "curl", NULL) == 0 && p.nics[0].ipv6 &&
		      p.nics[0].nat.ipv6 &&
		      ip6_is(&p.nics[0].net6, "fd71:6278:a00:200::") &&
		      ip6_is(&p.nics[0].gateway6, "fd71:6278:a00:200::2") &&
		      ip6_is(&p.nics[0].dns6, "fd71:6278:a00:200::3") &&
		      ip6_is(&p.nics[0].guest6, "fd71:6278:a00:200::100") &&
		      ip6_is(&p.nics[0].nat.host6, "fd71:6278:a00:200::2"),
	      "ipv6: on by default, the /64 from the IPv4 subnet, ::2, ::3, "
	      "a command at ::100");
	CHECK(plan_words(&p, &e, "--", "qemu-system-x86_64", NULL) == 0 &&
		      p.nics[0].ipv6 && ip6_is(&p.nics[0].guest6, "::"),
	      "ipv6: a VM's address is its own (SLAAC)");
	CHECK(plan_words(&p, &e, "--net", "nat,subnet=10.0.5.0/24", "--",
			 "x", NULL) == 0 &&
		      ip6_is(&p.nics[0].net6, "fd71:6278:a00:500::"),
	      "ipv6: subnet= moves the /64 with it");
	CHECK(plan_words(&p, &e, "--net", "nat,subnet6=2001:db8:5::/64",
			 "--", "x", NULL) == 0 &&
		      ip6_is(&p.nics[0].gateway6, "2001:db8:5::2"),
	      "ipv6: subnet6= picks the /64");
	CHECK(plan_words(&p, &e, "--net", "nat,ipv6=off", "--", "x", NULL) ==
			      0 &&
		      !p.nics[0].ipv6 && !p.nics[0].nat.ipv6,
	      "ipv6=off: none");
	CHECK(plan_words(&p, &e, "--net", "nat", "--net", "nat", "--", "x",
			 NULL) == 0 &&
		      ip6_is(&p.nics[1].net6, "fd71:6278:a00:300::"),
	      "ipv6: a second NAT NIC's /64 follows its subnet");
	BAD("IPv6 prefix 2001:db8:5::/64 is that of NIC 0", "--net",
	    "nat,subnet6=2001:db8:5::/64", "--net",
	    "nat,subnet6=2001:db8:5::/64", "--", "x");
	CHECK(plan_words(&p, &e, "--fwd", "[::1]:8080:[fd71:6278:a00:200::100]:"
			 "80", "--", "x", NULL) == 0 &&
		      p.fwds[0].nic == 0 && p.fwds[0].guest.family == AF_INET6 &&
		      ip6_is(&p.fwds[0].guest.v6, "fd71:6278:a00:200::100"),
	      "fwd to an IPv6 guest address, on the NIC whose /64 holds it");
	BAD("guest address 2001:db8::5 is in no IPv6 prefix", "--fwd",
	    "8080:[2001:db8::5]:80", "--", "x");
	BAD("guest address fd71:6278:a00:200::5 is in no IPv6 prefix",
	    "--net", "nat,ipv6=off", "--fwd", "8080:[fd71:6278:a00:200::5]:80",
	    "--", "x");
}

/* serve=off: the hub serves nothing; command members below the pool */
static void test_serve_off(void)
{
	struct net_spec spec;
	struct plan p;
	struct qerr e;
	char *argv[] = { "x", NULL };
	const struct net_layout *l = &p.nics[0].layout;

	CHECK(net_spec_parse("natnet:lab,serve=off,link=vde:///tmp/sw", &spec,
			     &e) == 0 && (plan_hub(&spec, argv, &p), 1) &&
		      l->serve_off && !l->uplink && !l->dhcp &&
		      !l->hub.s_addr && !p.nics[0].nat.on &&
		      ip4_is(l->gateway, "10.0.2.2") && ip4_is(l->dns, "10.0.2.1") &&
		      ip4_is(l->pool_first, "10.0.2.4") &&
		      ip4_is(l->pool_last, "10.0.2.14") &&
		      IN6_IS_ADDR_UNSPECIFIED(&l->hub6) && l->ipv6,
	      "natnet,serve=off: no NAT, DHCP or hub address; the serving "
	      "side's gateway and DNS (.1); commands from .4 to .14");
	CHECK(net_spec_parse("hostonly:h,serve=off", &spec, &e) == 0 &&
		      (plan_hub(&spec, argv, &p), 1) &&
		      ip4_is(l->pool_first, "192.168.56.2") &&
		      ip4_is(l->pool_last, "192.168.56.99") &&
		      ip4_is(l->dns, "192.168.56.100") && !l->hub.s_addr,
	      "hostonly,serve=off: commands from .2 to .99 (the host alias .1 "
	      "and the serving hub .100 are not theirs)");
	CHECK(net_spec_parse("internal:i,dhcp=on,serve=off", &spec, &e) == 0 &&
		      (plan_hub(&spec, argv, &p), 1) &&
		      ip4_is(l->pool_first, "192.168.100.2") &&
		      ip4_is(l->pool_last, "192.168.100.100") && !l->dhcp,
	      "internal,dhcp=on,serve=off: commands from .2 to .100");
	CHECK(net_spec_parse("natnet:lab", &spec, &e) == 0 &&
		      (plan_hub(&spec, argv, &p), 1) && !l->serve_off &&
		      l->uplink && ip4_is(l->pool_first, "10.0.2.15"),
	      "natnet: serve=on by default");
	memset(&e, 0, sizeof(e));
	CHECK(plan_words(&p, &e, "--net", "natnet:lab0,link=vde:///tmp/sw",
			 "--", "x", NULL) < 0 && e.usage &&
		      strstr(e.msg, "--net natnet:lab0,link=vde:///tmp/sw: "
				    "link=LOCATOR is the network's"),
	      "run: link= refused, the network's (%s)", e.msg);
	memset(&e, 0, sizeof(e));
	CHECK(plan_words(&p, &e, "--net", "natnet:lab0,serve=off", "--", "x",
			 NULL) < 0 && e.usage &&
		      strstr(e.msg, "serve=off is the network's"),
	      "run: serve=off refused, the network's (%s)", e.msg);
}

/* A NAT network's IPv6, for its hub and its members */
static void test_ipv6_named(void)
{
	struct net_spec spec;
	struct plan p;
	struct qerr e;
	char *argv[] = { "x", NULL };
	const struct net_layout *l = &p.nics[0].layout;

	CHECK(net_spec_parse("natnet:lab,subnet=10.9.0.0/24", &spec, &e) == 0,
	      "natnet spec");
	plan_hub(&spec, argv, &p);
	CHECK(l->ipv6 && ip6_is(&l->net6, "fd71:6278:a09::") &&
		      ip6_is(&l->gateway6, "fd71:6278:a09::2") &&
		      ip6_is(&l->dns6, "fd71:6278:a09::3") &&
		      ip6_is(&l->hub6, "fd71:6278:a09::1") &&
		      p.nics[0].nat.ipv6 &&
		      ip6_is(&p.nics[0].nat.host6, "fd71:6278:a09::2"),
	      "natnet: IPv6 as a NAT's, the hub at ::1");
	CHECK(net_spec_parse("natnet:lab,ipv6=off", &spec, &e) == 0 &&
		      (plan_hub(&spec, argv, &p), 1) && !l->ipv6 &&
		      !p.nics[0].nat.ipv6,
	      "natnet,ipv6=off: none");
	CHECK(net_spec_parse("natnet:lab,subnet6=2001:db8:7::/64", &spec,
			     &e) == 0 &&
		      (plan_hub(&spec, argv, &p), 1) &&
		      ip6_is(&l->hub6, "2001:db8:7::1"),
	      "natnet,subnet6=: the network's /64");
	CHECK(net_spec_parse("hostonly:h", &spec, &e) == 0 &&
		      (plan_hub(&spec, argv, &p), 1) && l->ipv6 &&
		      ip6_is(&l->net6, "fd71:6278:c0a8:3800::") &&
		      ip6_is(&l->host6, "fd71:6278:c0a8:3800::1") &&
		      ip6_is(&l->hub6, "fd71:6278:c0a8:3800::64") &&
		      ip6_is(&l->gateway6, "::") && ip6_is(&l->dns6, "::") &&
		      ip6_is(&p.nics[0].nat.host6, "fd71:6278:c0a8:3800::1") &&
		      ip6_is(&p.nics[0].nat.dns6, "fd71:6278:c0a8:3800::3"),
	      "hostonly: the host alias ::1, the hub ::100 (0x64), no "
	      "gateway; the engine's DNS address a place holder");
	CHECK(net_spec_parse("internal:i,dhcp=on", &spec, &e) == 0 &&
		      (plan_hub(&spec, argv, &p), 1) && l->ipv6 &&
		      ip6_is(&l->hub6, "fd71:6278:c0a8:6400::1") &&
		      ip6_is(&l->gateway6, "::"),
	      "internal,dhcp=on: a /64, the hub at ::1");
	CHECK(net_spec_parse("internal:i", &spec, &e) == 0 &&
		      (plan_hub(&spec, argv, &p), 1) && !l->ipv6,
	      "internal without DHCP: link-local only");
	CHECK(net_spec_parse("natnet:lab,subnet=10.9.0.0/16", &spec, &e) == 0 &&
		      (plan_hub(&spec, argv, &p), 1) &&
		      ip6_is(&l->net6, "fd71:6278:a09::") &&
		      ip6_is(&l->hub6, "fd71:6278:a09::1"),
	      "natnet on a /16: host numbers mirrored");
	CHECK(plan_words(&p, &e, "--net", "natnet:lab,mac=52:54:00:12:34:56",
			 "--", "x", NULL) == 0 && p.nics[0].ipv6 &&
		      ip6_is(&p.nics[0].guest6,
			     "fd71:6278:a00:200:5054:ff:fe12:3456") &&
		      ip6_is(&p.nics[0].gateway6, "fd71:6278:a00:200::2"),
	      "natnet: a command's address is its MAC's EUI-64 in the /64");
	CHECK(plan_words(&p, &e, "--net", "natnet:lab", "--",
			 "qemu-system-x86_64", NULL) == 0 &&
		      p.nics[0].ipv6 && ip6_is(&p.nics[0].guest6, "::"),
	      "natnet: a VM's address is its own (SLAAC)");
	CHECK(plan_words(&p, &e, "--net", "nat", "--net", "natnet:lab", "--",
			 "qemu-system-x86_64", NULL) == 0,
	      "a VM may have a NAT and a NAT network on the same prefix "
	      "(as on the same IPv4 subnet)");
	BAD("IPv6 prefix fd71:6278:a00:200::/64 is that of NIC 0", "--net",
	    "nat,subnet=10.0.3.0/24,subnet6=fd71:6278:a00:200::/64", "--net",
	    "natnet:lab", "--", "x");
}

static void test_bad(void)
{
	struct plan p;
	struct qerr e;

	BAD("missing '--' before the command 'true'", "true");
	BAD("missing '--' and a command", "--net", "nat");
	BAD("missing command after '--'", "--");
	BAD("missing command after '--'", "--", "");
	BAD("unknown option '--bogus'", "--bogus", "--", "x");
	BAD("unknown option '-x'", "-x", "--", "x");
	BAD("--net needs a value", "--net");
	BAD("bogus", "--net", "bogus:x", "--", "x");
	BAD("--fwd 99999:22", "--fwd", "99999:22", "--", "x");
	BAD("--mac 01:02:03:04:05:06", "--mac", "01:02:03:04:05:06", "--",
	    "x");
	BAD("--name 'a/b'", "--name", "a/b", "--", "x");
	BAD("--name '.hidden'", "--name", ".hidden", "--", "x");
	BAD("--name ''", "--name", "", "--", "x");
	BAD("cannot be combined", "--net", "none", "--net", "nat", "--", "x");
	BAD("--fwd 1:2: forwards need a nat NIC", "--net", "none", "--fwd", "1:2", "--",
	    "x");
	BAD("--fwd 1:10.9.9.9:2: guest address 10.9.9.9 is in no subnet",
	    "--fwd", "1:10.9.9.9:2", "--", "x");
	BAD("already forwarded by --fwd 2222:22", "--fwd", "2222:22", "--fwd",
	    "tcp:127.0.0.1:2222:23", "--", "x");
	BAD("overlaps", "--net", "nat", "--net", "nat,subnet=10.0.0.0/16",
	    "--", "x");
	BAD("already used by NIC 0", "--net", "nat,mac=52:54:00:00:00:01",
	    "--net", "nat,mac=52:54:00:00:00:01", "--", "x");
	BAD("the first --net already sets", "--mac", "52:54:00:00:00:01",
	    "--net", "nat,mac=52:54:00:00:00:02", "--", "x");
	BAD("there is no NIC", "--mac", "52:54:00:00:00:01", "--net", "none",
	    "--", "x");
	BAD("--fwd 2222:22: a forward to a natnet network names the guest's "
	    "address, e.g. 2222:10.0.2.15:22", "--net", "natnet:lab0",
	    "--fwd", "2222:22", "--", "x");
	BAD("--fwd 1:192.168.100.5:2: internal network 'x' cannot be reached",
	    "--net", "internal:x", "--fwd", "1:192.168.100.5:2", "--", "x");
	BAD("--net natnet:b: subnet overlaps that of NIC 0", "--net",
	    "natnet:a", "--net", "natnet:b", "--", "x");
	BAD("at most 8 NICs", "--net", "nat", "--net", "nat", "--net", "nat",
	    "--net", "nat", "--net", "nat", "--net", "nat", "--net", "nat",
	    "--net", "nat", "--net", "nat", "--", "x");
	CHECK(plan_words(&p, &e, "--help", NULL) == -1000, "--help");
}

static void test_policy(void)
{
	struct plan p;
	struct qerr e;

	CHECK(plan_words(&p, &e, "--", "/usr/bin/qemu-system-x86_64", NULL) ==
			      0 &&
		      !strcmp(p.policy, "qemu") && !p.policy_log,
	      "qemu-system-* gets the policy 'qemu'");
	CHECK(plan_words(&p, &e, "--", "qemu-system-aarch64", NULL) == 0 &&
		      !strcmp(p.policy, "qemu"),
	      "any qemu-system-* by basename gets 'qemu'");
	CHECK(plan_words(&p, &e, "--", "curl", NULL) == 0 &&
		      !strcmp(p.policy, "default"),
	      "any other command gets 'default'");
	CHECK(plan_words(&p, &e, "--vm", "--", "./run-qemu.sh", NULL) == 0 &&
		      p.vm && !strcmp(p.policy, "default"),
	      "--vm does not choose the policy (a wrapper needs more)");
	CHECK(plan_words(&p, &e, "--policy", "./my.policy", "--policy-log",
			 "--", "qemu-system-x86_64", NULL) == 0 &&
		      !strcmp(p.policy, "./my.policy") && p.policy_log,
	      "--policy and --policy-log");
	CHECK(plan_words(&p, &e, "--policy", "qemu", "--", "sh", NULL) == 0 &&
		      !strcmp(p.policy, "qemu"),
	      "--policy NAME overrides the choice");
	BAD("--policy needs a FILE or a NAME", "--policy", "", "--", "x");
	BAD("--policy needs a value", "--policy");
}

/* --bind, --ro-bind, --tmpfs, --chdir, --fs: the payload's view */
static void test_view(void)
{
	struct plan p;
	struct qerr e;

	CHECK(plan_words(&p, &e, "--bind", "/a", "--ro-bind", "b:c:/d",
			 "--tmpfs", "/t", "--bind", "/s:/in/x", "--chdir",
			 "/w", "--", "x", NULL) == 0 && p.n_fs == 4 &&
		      p.fs[0].kind == FS_BIND && p.fs[0].src_len == 2 &&
		      !p.fs[0].dst && p.fs[1].kind == FS_RO_BIND &&
		      p.fs[1].src_len == 3 && !strcmp(p.fs[1].dst, "/d") &&
		      p.fs[2].kind == FS_TMPFS && !p.fs[2].dst &&
		      p.fs[3].src_len == 2 && !strcmp(p.fs[3].dst, "/in/x") &&
		      !strcmp(p.chdir, "/w") && !p.fs_host,
	      "--bind SRC, --ro-bind SRC:DST (the last ':/' splits), --tmpfs, "
	      "--chdir");
	CHECK(plan_words(&p, &e, "--fs", "host", "--", "x", NULL) == 0 &&
		      p.fs_host, "--fs host");
	CHECK(plan_words(&p, &e, "--fs", "view", "--", "x", NULL) == 0 &&
		      !p.fs_host, "--fs view, the default");
	BAD("--tmpfs rel: not an absolute path", "--tmpfs", "rel", "--", "x");
	BAD("--bind needs a path", "--bind", "", "--", "x");
	BAD("--ro-bind needs a path", "--ro-bind", ":/x", "--", "x");
	BAD("the view's root is qbox's", "--bind", "/x:/", "--", "x");
	BAD("the view's root is qbox's", "--ro-bind", "/", "--", "x");
	BAD("--fs other: 'view'", "--fs", "other", "--", "x");
	BAD("--fs host shows the payload the whole host", "--fs", "host",
	    "--tmpfs", "/t", "--", "x");
	BAD("--chdir needs a directory", "--chdir", "", "--", "x");
}

/* The NAT engine's MACs a hub refuses to members and pins to its port */
static void test_engine_macs(void)
{
	static const uint8_t gw[6] = { 0x52, 0x55, 10, 9, 0, 2 },
			     dns[6] = { 0x52, 0x55, 10, 9, 0, 3 },
			     own[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 },
			     group[6] = { 0x01, 0x00, 0x5e, 0, 0, 1 },
			     bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
			     zero[6] = { 0 };
	static const uint8_t gw6[6] = { 0x52, 0x56, 0, 0, 0, 2 },
			     dns6[6] = { 0x52, 0x56, 0, 0, 0, 3 };
	uint8_t mac[NAT_ENGINE_MACS][6];
	struct net_spec spec;
	struct plan p;
	struct qerr e;
	char *argv[] = { "x", NULL };

	CHECK(net_spec_parse("natnet:lab,subnet=10.9.0.0/24", &spec, &e) == 0,
	      "natnet spec");
	plan_hub(&spec, argv, &p);
	CHECK(nat_engine_macs(&p.nics[0].nat, mac) == 4 &&
		      !memcmp(mac[0], gw, 6) && !memcmp(mac[1], dns, 6) &&
		      !memcmp(mac[2], gw6, 6) && !memcmp(mac[3], dns6, 6),
	      "natnet: the gateway's and the DNS forwarder's, 52:55 and the "
	      "address, and for IPv6 52:56 and its last 4 bytes");
	CHECK(net_spec_parse("natnet:lab,ipv6=off", &spec, &e) == 0 &&
		      (plan_hub(&spec, argv, &p), 1) &&
		      nat_engine_macs(&p.nics[0].nat, mac) == 2,
	      "natnet,ipv6=off: IPv4's two");
	CHECK(net_spec_parse("hostonly:h", &spec, &e) == 0, "hostonly spec");
	plan_hub(&spec, argv, &p);
	CHECK(nat_engine_macs(&p.nics[0].nat, mac) == 5 &&
		      mac[0][0] == 0x52 && mac[0][1] == 0x55 &&
		      mac[0][2] == 192 && mac[0][3] == 168 && mac[0][4] == 56 &&
		      mac[0][5] == 1 &&
		      !memcmp(mac[2], (uint8_t[]){ 0x52, 0x56, 0, 0, 0, 1 }, 6) &&
		      !memcmp(mac[4], gw6, 6),
	      "hostonly: the engine speaks from the host alias, .1 and ::1, "
	      "and advertises from fe80::2");
	CHECK(net_spec_parse("internal:i,dhcp=on", &spec, &e) == 0,
	      "internal spec");
	plan_hub(&spec, argv, &p);
	CHECK(nat_engine_macs(&p.nics[0].nat, mac) == 0,
	      "internal: no engine, no MACs");
	CHECK(hub_bridge_mac(&p.nics[0].layout, mac[0]) &&
		      !memcmp(mac[0], (uint8_t[]){ 0x52, 0x55, 192, 168, 100, 1 },
			      6),
	      "internal,dhcp=on: the hub's bridge, 52:55 and its address");
	CHECK(net_spec_parse("internal:i", &spec, &e) == 0 &&
		      (plan_hub(&spec, argv, &p), 1) &&
		      !hub_bridge_mac(&p.nics[0].layout, mac[0]),
	      "internal without DHCP: no address, the kernel's MAC");
	CHECK(net_spec_parse("natnet:lab,subnet=10.9.0.0/24", &spec, &e) == 0 &&
		      (plan_hub(&spec, argv, &p), 1) &&
		      hub_bridge_mac(&p.nics[0].layout, mac[0]) &&
		      !memcmp(mac[0], (uint8_t[]){ 0x52, 0x55, 10, 9, 0, 1 }, 6) &&
		      memcmp(mac[0], gw, 6) && memcmp(mac[0], dns, 6),
	      "natnet: the hub's bridge, 52:55 and .1, none of the engine's");
	CHECK(mac_unclaimable(group) && mac_unclaimable(bcast) &&
		      mac_unclaimable(zero) && !mac_unclaimable(own) &&
		      !mac_unclaimable(gw),
	      "group, broadcast and zero are unclaimable; a unicast MAC is not");
}

/* Which NAT NICs' TCP takes the kernel's path (dataplane/egress.h) */
static void test_egress_path(void)
{
	struct plan p;
	struct qerr e;

	CHECK(plan_words(&p, &e, "--net", "nat", "--", "true", NULL) == 0 &&
		      nat_egress_kernel(&p.nics[0].nat),
	      "nat: the kernel's path by default");
	CHECK(plan_words(&p, &e, "--net", "nat,egress=slirp", "--", "true",
			 NULL) == 0 && !nat_egress_kernel(&p.nics[0].nat),
	      "egress=slirp: libslirp's");
	CHECK(plan_words(&p, &e, "--net", "nat,pcap=x.pcap", "--", "true",
			 NULL) == 0 && !nat_egress_kernel(&p.nics[0].nat),
	      "a command's NIC captured from the start: libslirp's, so the "
	      "capture holds its TCP");
	CHECK(plan_words(&p, &e, "--net", "nat,pcap=x.pcap,egress=kernel",
			 "--", "true", NULL) == 0 &&
		      nat_egress_kernel(&p.nics[0].nat),
	      "... unless egress=kernel says otherwise");
	CHECK(plan_words(&p, &e, "--net", "nat,pcap=x.pcap", "--",
			 "qemu-system-x86_64", NULL) == 0 &&
		      nat_egress_kernel(&p.nics[0].nat),
	      "a VM's NIC captured from the start: the kernel's (its frames "
	      "cross its TAP either way)");
	CHECK(plan_words(&p, &e, "--net", "hostonly:h", "--", "true", NULL) ==
		      0 && !nat_egress_kernel(&p.nics[0].nat),
	      "host-only: no path out");
}

int main(void)
{
	test_defaults();
	test_egress_path();
	test_view();
	test_networks();
	test_policy();
	test_macs();
	test_engine_macs();
	test_fwds();
	test_ipv6();
	test_ipv6_named();
	test_serve_off();
	test_bridged();
	test_bad();
	UNIT_END();
}
