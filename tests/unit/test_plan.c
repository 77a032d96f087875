// SPDX-License-Identifier: MIT
/* test_plan.c - `qbox run` options and their resolution into a plan */
#include <arpa/inet.h>
#include <stdarg.h>

#include "../../runner/cli.h"
#include "../../runner/plan.h"
#include "unit.h"

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

#define BAD(needle, ...)                                                      \
	do {                                                                  \
		struct plan p_;                                               \
		struct qerr e_;                                               \
		int r_ = plan_words(&p_, &e_, __VA_ARGS__, NULL);             \
		CHECK(r_ == -EINVAL && e_.usage && strstr(e_.msg, needle),    \
		      "rejects %s (got: %s)", needle, e_.msg);                \
	} while (0)

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
	CHECK(plan_words(&p, &e, "--vm", "--", "./myqemu", NULL) == 0 && p.vm,
	      "--vm forces VM mode");
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

static void test_fwds(void)
{
	struct plan p;
	struct qerr e;

	CHECK(plan_words(&p, &e, "--fwd", "2222:22", "--", "qemu-system-x86_64",
			 NULL) == 0 &&
		      p.n_fwds == 1 && p.fwds[0].nic == 0 &&
		      ip4_is(p.fwds[0].guest, "10.0.2.15"),
	      "fwd to the VM's lease by default");
	CHECK(plan_words(&p, &e, "--fwd", "8000:8000", "--", "busybox", NULL) ==
			      0 &&
		      ip4_is(p.fwds[0].guest, "10.0.2.100"),
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
	BAD("--fwd 1:10.9.9.9:2: guest address 10.9.9.9 is in no NAT subnet",
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
	BAD("at most 8 NICs", "--net", "nat", "--net", "nat", "--net", "nat",
	    "--net", "nat", "--net", "nat", "--net", "nat", "--net", "nat",
	    "--net", "nat", "--net", "nat", "--", "x");
	CHECK(plan_words(&p, &e, "--help", NULL) == -1000, "--help");
}

int main(void)
{
	test_defaults();
	test_macs();
	test_fwds();
	test_bad();
	UNIT_END();
}
