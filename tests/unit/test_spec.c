// SPDX-License-Identifier: MIT
/* test_spec.c - --net and --fwd parsers, good and bad forms */
#include <arpa/inet.h>

#include "plan/spec.h"
#include "tests/unit/unit.h"

static int fwd_ok(const char *text, struct fwd_spec *f)
{
	struct qerr e = { 0 };

	return fwd_spec_parse(text, f, &e) == 0;
}

/* A bad spec must fail as a usage error whose message contains @needle */
static int fwd_bad(const char *text, const char *needle)
{
	struct qerr e = { 0 };
	struct fwd_spec f;

	return fwd_spec_parse(text, &f, &e) == -EINVAL && e.usage &&
	       strstr(e.msg, needle) != NULL;
}

static int net_bad(const char *text, const char *needle)
{
	struct qerr e = { 0 };
	struct net_spec n;

	return net_spec_parse(text, &n, &e) == -EINVAL && e.usage &&
	       strstr(e.msg, needle) != NULL;
}

static int ip4_is(struct in_addr a, const char *s)
{
	struct in_addr b;

	inet_pton(AF_INET, s, &b);
	return a.s_addr == b.s_addr;
}

static void test_fwd(void)
{
	struct fwd_spec f;
	struct in6_addr lo6 = IN6ADDR_LOOPBACK_INIT;

	CHECK(fwd_ok("2222:22", &f) && f.proto == IPPROTO_TCP &&
		      f.host_port == 2222 && f.guest_port == 22 &&
		      f.host_family == AF_INET && ip4_is(f.host4, "127.0.0.1") &&
		      !f.guest.family,
	      "fwd HOSTPORT:GUESTPORT defaults to tcp on 127.0.0.1");
	CHECK(fwd_ok("udp:5353:53", &f) && f.proto == IPPROTO_UDP &&
		      f.host_port == 5353 && f.guest_port == 53,
	      "fwd udp: prefix");
	CHECK(fwd_ok("tcp:0.0.0.0:8080:80", &f) && ip4_is(f.host4, "0.0.0.0") &&
		      f.host_port == 8080 && f.guest_port == 80,
	      "fwd HOSTADDR:HOSTPORT:GUESTPORT");
	CHECK(fwd_ok("8080:10.0.2.16:80", &f) && f.guest.family == AF_INET &&
		      ip4_is(f.guest.v4, "10.0.2.16") && f.host_port == 8080,
	      "fwd HOSTPORT:GUESTADDR:GUESTPORT");
	CHECK(fwd_ok("127.0.0.2:1:10.0.3.15:65535", &f) &&
		      ip4_is(f.host4, "127.0.0.2") && f.host_port == 1 &&
		      ip4_is(f.guest.v4, "10.0.3.15") && f.guest_port == 65535,
	      "fwd four fields, ports at both ends of the range");
	CHECK(fwd_ok("[::1]:8080:80", &f) && f.host_family == AF_INET6 &&
		      !memcmp(&f.host6, &lo6, sizeof(lo6)) && f.host_port == 8080,
	      "fwd IPv6 host in brackets");
	CHECK(fwd_ok("udp:[::]:53:10.0.2.15:53", &f) && f.proto == IPPROTO_UDP &&
		      f.host_family == AF_INET6 && f.guest.family == AF_INET,
	      "fwd IPv6 wildcard, udp, guest address");

	CHECK(fwd_bad("99999:22", "99999"), "fwd host port 99999 named");
	CHECK(fwd_bad("2222:70000", "70000"), "fwd guest port 70000 named");
	CHECK(fwd_bad("0:22", "host port 0 out of range"), "fwd port 0");
	CHECK(fwd_bad("65536:22", "65536"), "fwd port 65536");
	CHECK(fwd_bad("99999999999999999999:22", "out of range"),
	      "fwd port overflowing unsigned long");
	CHECK(fwd_bad("abc:22", "not a number"), "fwd non-numeric port");
	CHECK(fwd_bad("-1:22", "not a number"), "fwd negative port");
	CHECK(fwd_bad("22", "expected"), "fwd single field");
	CHECK(fwd_bad("", "expected"), "fwd empty");
	CHECK(fwd_bad("1:2:3:4:5", "too many"), "fwd five fields");
	CHECK(fwd_bad("::1:8080:80", "brackets"), "fwd bare IPv6 host");
	CHECK(fwd_bad("[::1:8080:80", "expected"), "fwd unbalanced bracket");
	CHECK(fwd_bad("[nope]:8080:80", "not an IPv6"), "fwd bad IPv6");
	CHECK(fwd_bad("[]:8080:80", "malformed"), "fwd empty brackets");
	CHECK(fwd_bad("1.2.3:80:22", "1.2.3"), "fwd short IPv4 host named");
	CHECK(fwd_bad("256.0.0.1:80:22", "256.0.0.1"), "fwd IPv4 octet > 255");
	CHECK(fwd_bad("80:10.0.2:22", "10.0.2"), "fwd bad guest address named");
	CHECK(fwd_ok("80:[fd71:6278:a00:200::15]:22", &f) &&
		      f.guest.family == AF_INET6 && f.guest_port == 22 &&
		      f.guest.v6.s6_addr[15] == 0x15,
	      "fwd IPv6 guest address in brackets");
	CHECK(fwd_ok("[::1]:8080:[fd71:6278:a00:200::15]:80", &f) &&
		      f.host_family == AF_INET6 && f.guest.family == AF_INET6,
	      "fwd IPv6 on both sides");
	CHECK(fwd_bad("80:[10.0.2.15]:22", "not an IPv6"),
	      "fwd IPv4 in brackets refused");
	CHECK(fwd_bad("80:[nope]:22", "'[nope]' is not an IPv6"),
	      "fwd bad IPv6 guest named");
	CHECK(fwd_bad("80:[]:22", "malformed"), "fwd empty guest brackets");
	CHECK(fwd_bad("sctp:80:22", "sctp"), "fwd unknown protocol");
	CHECK(fwd_bad("tcp:", "expected"), "fwd protocol only");
}

static void test_fwd_host(void)
{
	struct fwd_spec f;
	struct qerr e = { 0 };

	CHECK(fwd_host_parse("2222", &f, &e) == 0 && f.host_port == 2222 &&
		      f.proto == IPPROTO_TCP && ip4_is(f.host4, "127.0.0.1"),
	      "host side: port only");
	CHECK(fwd_host_parse("udp:[::1]:53", &f, &e) == 0 &&
		      f.proto == IPPROTO_UDP && f.host_family == AF_INET6 &&
		      f.host_port == 53,
	      "host side: udp, IPv6");
	CHECK(fwd_host_parse("0.0.0.0:80", &f, &e) == 0 &&
		      ip4_is(f.host4, "0.0.0.0"),
	      "host side: IPv4 address");
	CHECK(fwd_host_parse("70000", &f, &e) < 0 && strstr(e.msg, "70000"),
	      "host side: port out of range named");
	CHECK(fwd_host_parse("1:2:3", &f, &e) < 0 && e.usage,
	      "host side: too many fields");
	CHECK(fwd_host_parse("x.y:80", &f, &e) < 0 && strstr(e.msg, "x.y"),
	      "host side: bad address named");
}

static void test_net(void)
{
	char too_long[NET_BOOTFILE_MAX + 32];
	struct net_spec n;
	struct qerr e = { 0 };

	CHECK(net_spec_parse("nat", &n, &e) == 0 && n.mode == NET_NAT &&
		      !n.has_subnet && !n.has_mac,
	      "net nat");
	CHECK(net_spec_parse("none", &n, &e) == 0 && n.mode == NET_NONE,
	      "net none");
	CHECK(net_spec_parse("nat,subnet=10.0.5.0/24,mac=52:54:00:12:34:56", &n,
			     &e) == 0 &&
		      n.has_subnet && ip4_is(n.subnet, "10.0.5.0") &&
		      n.prefix == 24 && n.has_mac && n.mac[5] == 0x56,
	      "net nat with subnet and mac");
	CHECK(net_spec_parse("nat,subnet=172.16.0.0/16", &n, &e) == 0 &&
		      n.prefix == 16,
	      "net nat /16");
	CHECK(net_bad("bogus:x", "bogus"), "net unknown mode named");
	CHECK(net_bad("bogus", "unknown mode 'bogus'"), "net unknown mode");
	CHECK(net_bad("generic", "generic mode is vde:LOCATOR"),
	      "generic: the message says what it is here");
	CHECK(net_spec_parse("natnet:lab0", &n, &e) == 0 &&
		      n.mode == NET_NATNET && !strcmp(n.name, "lab0") &&
		      !n.has_subnet && !n.linger,
	      "net natnet:lab0");
	CHECK(net_spec_parse("hostonly:ho-1,subnet=192.168.57.0/24,linger=on",
			     &n, &e) == 0 && n.mode == NET_HOSTONLY &&
		      n.has_subnet && ip4_is(n.subnet, "192.168.57.0") &&
		      n.linger,
	      "net hostonly with subnet and linger");
	CHECK(net_spec_parse("internal:x,dhcp=on", &n, &e) == 0 &&
		      n.mode == NET_INTERNAL && n.dhcp &&
		      ip4_is(n.subnet, "192.168.100.0") && n.prefix == 24,
	      "net internal dhcp=on takes 192.168.100.0/24");
	CHECK(net_spec_parse("internal:x", &n, &e) == 0 && !n.dhcp,
	      "net internal without dhcp");
	CHECK(net_bad("natnet", "needs a network name (natnet:NAME)"),
	      "net natnet without a name");
	CHECK(net_bad("natnet:", "needs a network name"), "net natnet: empty");
	CHECK(net_bad("natnet:a/b", "network name 'a/b'"),
	      "net natnet bad name");
	CHECK(net_bad("nat:x", "takes no network name"), "net nat with a name");
	CHECK(net_bad("none:x", "takes no network name"), "net none with a name");
	CHECK(net_bad("hostonly:x,dhcp=on", "unknown option 'dhcp' (hostonly "
					     "takes subnet=, ipv6=, subnet6=, "
					     "mac=, ip=, domain=, "
					     "dhcp-option=, tftp=, bootfile=, "
					     "linger=, serve=, pcap=, link=, rate=, loss=, delay= and jitter=)"),
	      "net dhcp= only for internal");
	CHECK(net_bad("internal:x,dhcp=maybe", "dhcp='maybe': use on or off"),
	      "net dhcp bad value");
	CHECK(net_spec_parse("nat,mtu=1500", &n, &e) == 0 && n.mtu == 1500 &&
		      net_spec_parse("nat,mtu=1280,mac=52:54:00:12:34:56", &n,
				     &e) == 0 && n.mtu == 1280 &&
		      net_spec_parse("nat,mtu=65520", &n, &e) == 0 &&
		      n.mtu == 65520 && net_spec_parse("nat", &n, &e) == 0 &&
		      n.mtu == 0,
	      "nat mtu= from 1280 to 65520; none: 0 (the default)");
	CHECK(net_bad("nat,mtu=1279", "mtu=1279 out of range (1280-65520)") &&
		      net_bad("nat,mtu=65521", "mtu=65521 out of range") &&
		      net_bad("nat,mtu=0", "mtu=0 out of range") &&
		      net_bad("nat,mtu=99999999999999999999", "out of range") &&
		      net_bad("nat,mtu=-1", "mtu='-1' is not a number") &&
		      net_bad("nat,mtu=1500x", "mtu='1500x' is not a number") &&
		      net_bad("nat,mtu=", "mtu='' is not a number"),
	      "nat mtu= bad values named");
	CHECK(net_spec_parse("nat,tftp=/srv/tftp,bootfile=pxelinux.0", &n,
			     &e) == 0 && !strcmp(n.tftp, "/srv/tftp") &&
		      !strcmp(n.bootfile, "pxelinux.0") &&
		      net_spec_parse("nat,tftp=boot,bootfile=efi/x64/boot.efi",
				     &n, &e) == 0 &&
		      !strcmp(n.bootfile, "efi/x64/boot.efi") &&
		      net_spec_parse("nat,tftp=d", &n, &e) == 0 && !n.bootfile[0] &&
		      net_spec_parse("nat,bootfile=a..b,tftp=d", &n, &e) == 0 &&
		      net_spec_parse("nat", &n, &e) == 0 && !n.tftp[0],
	      "nat tftp=DIR and bootfile=FILE, in either order; none: empty");
	/* one byte over DHCP's file field */
	snprintf(too_long, sizeof(too_long), "nat,tftp=d,bootfile=%0*d",
		 NET_BOOTFILE_MAX + 1, 0);
	CHECK(net_bad("nat,bootfile=pxe.0", "bootfile=pxe.0 needs tftp=DIR") &&
		      net_bad("nat,tftp=d,bootfile=/abs", "bootfile=/abs: name it relative") &&
		      net_bad("nat,tftp=d,bootfile=../x", "'..' leads out") &&
		      net_bad("nat,tftp=d,bootfile=a/../../x", "'..' leads out") &&
		      net_bad("nat,tftp=d,bootfile=a/..", "'..' leads out") &&
		      net_bad("nat,tftp=d,bootfile=", "bootfile= needs a file name") &&
		      net_bad("nat,tftp=", "tftp= needs a directory") &&
		      net_bad(too_long, "longer than DHCP's 127 bytes"),
	      "nat bootfile= and tftp= bad values named");
	CHECK(net_spec_parse("natnet:x,tftp=d,bootfile=b.ipxe", &n, &e) == 0 &&
		      !strcmp(n.tftp, "d") && !strcmp(n.bootfile, "b.ipxe") &&
		      net_spec_parse("hostonly:h,tftp=d", &n, &e) == 0 &&
		      net_spec_parse("internal:i,dhcp=on,tftp=d", &n, &e) == 0,
	      "tftp= and bootfile= on networks with DHCP (dnsmasq's TFTP)");
	CHECK(net_spec_parse("nat,hostloop=off", &n, &e) == 0 && n.no_hostloop &&
		      net_spec_parse("natnet:x,hostloop=off", &n, &e) == 0 &&
		      n.no_hostloop &&
		      net_spec_parse("nat,hostloop=on", &n, &e) == 0 &&
		      !n.no_hostloop && net_spec_parse("nat", &n, &e) == 0 &&
		      !n.no_hostloop,
	      "hostloop=off on nat and natnet; on by default");
	CHECK(net_bad("hostonly:h,hostloop=off", "unknown option 'hostloop'") &&
		      net_bad("internal:i,hostloop=off", "unknown option 'hostloop'") &&
		      net_bad("nat,hostloop=maybe", "hostloop='maybe': use on or off"),
	      "hostloop= refused where there is no host loopback to keep out");
	{
		char t[NET_EGRESS_TEXT];

		CHECK(net_spec_parse("nat,egress=deny,allow=198.51.100.2:80,"
				     "allow=10.8.0.0/16,allow=0.0.0.0/0:443",
				     &n, &e) == 0 && n.egress_deny &&
			      n.n_allow == 3 && n.allow[0].prefix == 32 &&
			      n.allow[0].port == 80 &&
			      n.allow[1].prefix == 16 && !n.allow[1].port &&
			      n.allow[2].prefix == 0 && n.allow[2].port == 443,
		      "egress=deny with allow=ADDR:PORT, CIDR and 0/0:PORT");
		net_egress_format(&n, t, sizeof(t));
		CHECK(!strcmp(t, "deny,198.51.100.2/32:80,10.8.0.0/16,"
				 "0.0.0.0/0:443"),
		      "egress as text: %s", t);
		CHECK(net_spec_parse("natnet:x,allow=169.254.169.254", &n, &e) ==
			      0 && !n.egress_deny && n.n_allow == 1,
		      "allow= on natnet, egress open by default");
		net_egress_format(&n, t, sizeof(t));
		CHECK(!strcmp(t, "allow,169.254.169.254/32"),
		      "egress as text, open: %s", t);
	}
	{
		char t[NET_EGRESS_TEXT];

		CHECK(net_spec_parse("nat,egress=deny,allow=[2001:db8::/32]:443,"
				     "allow=[2001:db8:1::5]", &n, &e) == 0 &&
			      n.n_allow == 2 &&
			      n.allow[0].family == AF_INET6 &&
			      n.allow[0].prefix == 32 &&
			      n.allow[0].port == 443 &&
			      n.allow[1].prefix == 128 && !n.allow[1].port,
		      "allow=[IPv6/PREFIX]:PORT and allow=[IPv6]");
		net_egress_format(&n, t, sizeof(t));
		CHECK(!strcmp(t, "deny,[2001:db8::/32]:443,"
				 "[2001:db8:1::5/128]"), "egress6 as text: %s", t);
	}
	CHECK(net_bad("nat,allow=[2001:db8::1/32]", "host bits are set after "
						   "/32") &&
		      net_bad("nat,allow=[2001:db8::/129]", "from 0 to 128") &&
		      net_bad("nat,allow=[2001:db8::", "no ']'") &&
		      net_bad("nat,allow=[2001:db8::]80", "followed by ':PORT'") &&
		      net_bad("nat,allow=[10.0.0.1]", "not an IPv6 address") &&
		      net_bad("nat,allow=2001:db8::1", "IPv6 goes in brackets"),
	      "allow= bad IPv6 values named");
	CHECK(net_spec_parse("nat", &n, &e) == 0 &&
		      n.egress_path == EGRESS_AUTO &&
		      net_spec_parse("nat,egress=slirp", &n, &e) == 0 &&
		      n.egress_path == EGRESS_SLIRP && !n.egress_deny &&
		      net_spec_parse("natnet:x,egress=kernel", &n, &e) == 0 &&
		      n.egress_path == EGRESS_KERNEL &&
		      net_spec_parse("nat,egress=deny,egress=slirp,"
				     "allow=198.51.100.2", &n, &e) == 0 &&
		      n.egress_deny && n.egress_path == EGRESS_SLIRP,
	      "egress=kernel|slirp: the path, beside the policy");
	CHECK(net_bad("nat,egress=fast", "egress=fast: use allow or deny (the "
					 "policy), kernel or slirp (the path)") &&
		      net_bad("hostonly:h,egress=slirp", "unknown option 'egress'") &&
		      net_bad("internal:i,egress=kernel", "unknown option 'egress'") &&
		      net_bad("natnet:x,serve=off,egress=slirp",
			      "serve=off: egress= and allow= belong"),
	      "egress= paths refused where there is no NAT of this side's");
	CHECK(net_spec_parse("nat", &n, &e) == 0 && !n.no_ipv6 &&
		      net_spec_parse("nat,ipv6=off", &n, &e) == 0 &&
		      n.no_ipv6 &&
		      net_spec_parse("nat,subnet6=fd00:1:2:3::/64", &n, &e) ==
			      0 && n.has_subnet6 && n.subnet6.s6_addr[7] == 3 &&
		      net_spec_parse("natnet:lab,ipv6=off", &n, &e) == 0 &&
		      n.no_ipv6 &&
		      net_spec_parse("natnet:lab,subnet6=fd00:1:2:4::/64", &n,
				     &e) == 0 && n.subnet6.s6_addr[7] == 4,
	      "ipv6=off and subnet6= on nat and natnet; IPv6 on by default");
	CHECK(net_bad("nat,subnet6=fd00::/48", "not a /64") &&
		      net_bad("nat,subnet6=fd00::", "not a /64") &&
		      net_bad("nat,subnet6=fd00::1/64", "interface bits") &&
		      net_bad("nat,subnet6=ff02::/64", "not a unicast") &&
		      net_bad("nat,subnet6=fe80::/64", "not a unicast") &&
		      net_bad("nat,subnet6=::/64", "not a unicast") &&
		      net_bad("nat,subnet6=zz::/64", "'zz::' is not an IPv6") &&
		      net_bad("nat,ipv6=maybe", "ipv6='maybe': use on or off") &&
		      net_bad("nat,ipv6=off,subnet6=fd00::/64",
			      "ipv6=off turns it off") &&
		      net_bad("bridged:tap0,subnet6=fd00::/64", "unknown option") &&
		      net_bad("internal:i,subnet6=fd00::/64", "needs dhcp=on") &&
		      net_bad("natnet:x,ipv6=no6", "use on or off") &&
		      net_bad("bridged:tap0,ipv6=off", "unknown option"),
	      "ipv6= and subnet6= bad values named");
	CHECK(net_bad("nat,egress=maybe", "egress=maybe: use allow or deny") &&
		      net_bad("nat,allow=10.0.0.1/8", "host bits are set after /8") &&
		      net_bad("nat,allow=10.0.0.0/33", "prefix '33' is not a number") &&
		      net_bad("nat,allow=10.0.0.0/", "prefix '' is not a number") &&
		      net_bad("nat,allow=example.com:80", "'example.com' is not an IPv4") &&
		      net_bad("nat,allow=10.0.0.1:0", "port '0' is not a number") &&
		      net_bad("nat,allow=10.0.0.1:99999", "port '99999' is not") &&
		      net_bad("nat,allow=", "'' is not an IPv4 address") &&
		      net_bad("hostonly:h,egress=deny", "unknown option 'egress'") &&
		      net_bad("internal:i,allow=10.0.0.1", "unknown option 'allow'") &&
		      net_bad("nat,allow=1.1.1.1,allow=1.1.1.2,allow=1.1.1.3,"
			      "allow=1.1.1.4,allow=1.1.1.5,allow=1.1.1.6,"
			      "allow=1.1.1.7,allow=1.1.1.8,allow=1.1.1.9,"
			      "allow=1.1.1.10,allow=1.1.1.11,allow=1.1.1.12,"
			      "allow=1.1.1.13,allow=1.1.1.14,allow=1.1.1.15,"
			      "allow=1.1.1.16,allow=1.1.1.17", "at most 16 allow="),
	      "egress= and allow= bad values named");
	CHECK(net_spec_parse("nat,link=down", &n, &e) == 0 && n.link_down &&
		      net_spec_parse("internal:i,link=down", &n, &e) == 0 &&
		      n.link_down &&
		      net_spec_parse("bridged:t0,link=down", &n, &e) == 0 &&
		      n.link_down &&
		      net_spec_parse("natnet:x,link=up", &n, &e) == 0 &&
		      !n.link_down && net_spec_parse("nat", &n, &e) == 0 &&
		      !n.link_down,
	      "link=down on every mode with a link; up by default");
	CHECK(net_bad("nat,link=off", "link=off: use up or down") &&
		      net_bad("none,link=down", "takes no options") &&
		      net_bad("nat,link=", "link=: use up or down"),
	      "link= bad values named");
	CHECK(net_bad("internal:i,tftp=d", "tftp=d needs dhcp=on") &&
		      net_bad("natnet:x,bootfile=x", "bootfile=x needs tftp=DIR") &&
		      net_bad("natnet:x,tftp=d,bootfile=../x", "'..' leads out") &&
		      net_bad("bridged:t0,tftp=d", "unknown option 'tftp'") &&
		      net_bad("none,tftp=d", "takes no options"),
	      "tftp= and bootfile= refused where there is no DHCP, or bad");
	CHECK(net_bad("natnet:x,mtu=1500", "unknown option 'mtu'") &&
		      net_bad("bridged:t0,mtu=1500", "unknown option 'mtu'"),
	      "mtu= is nat's alone");
	CHECK(net_bad("nat,linger=on", "unknown option 'linger'"),
	      "net linger not for nat");
	CHECK(net_spec_parse("natnet:lab0,ip=10.0.2.50", &n, &e) == 0 &&
		      n.has_ip && ip4_is(n.ip, "10.0.2.50") &&
		      net_spec_parse("internal:i,dhcp=on,ip=192.168.100.120",
				     &n, &e) == 0 &&
		      ip4_is(n.ip, "192.168.100.120"),
	      "ip= on named networks");
	CHECK(net_spec_parse("natnet:lab0", &n, &e) == 0 && !n.has_ip,
	      "no ip=, no address");
	CHECK(net_bad("natnet:x,ip=10.0.2", "ip=10.0.2 is not an IPv4 address") &&
		      net_bad("natnet:x,ip=", "ip= is not an IPv4 address") &&
		      net_bad("natnet:x,ip=10.0.2.300", "ip=10.0.2.300 is not") &&
		      net_bad("hostonly:x,ip=fe80::1", "ip=fe80::1 is not"),
	      "ip= that is no IPv4 address: named");
	CHECK(net_spec_parse("natnet:l,domain=Lab.Example-1.test", &n, &e) == 0 &&
		      !strcmp(n.domain, "lab.example-1.test") &&
		      net_spec_parse("nat,domain=x", &n, &e) == 0 &&
		      !strcmp(n.domain, "x"),
	      "domain=, in lower case, on named networks and nat");
	CHECK(net_bad("natnet:l,domain=", "domain=: must be 1 to 63") &&
		      net_bad("natnet:l,domain=a..b", "domain=a..b: an empty label") &&
		      net_bad("natnet:l,domain=.a", "an empty label") &&
		      net_bad("natnet:l,domain=a.", "an empty label") &&
		      net_bad("natnet:l,domain=a-.b", "ending in '-'") &&
		      net_bad("natnet:l,domain=-a.b", "use letters, digits") &&
		      net_bad("natnet:l,domain=a_b", "use letters, digits") &&
		      net_bad("natnet:l,domain=a b", "use letters, digits") &&
		      net_bad("bridged:t0,domain=a", "unknown option 'domain'"),
	      "domain= that is no host domain: named");
	{
		char text[NET_DHCP_OPTS_TEXT];

		CHECK(net_spec_parse("natnet:l,dhcp-option=26:1400,"
				     "dhcp-option=42:10.0.2.2+10.0.2.3", &n,
				     &e) == 0 &&
			      n.n_dhcp_opts == 2 && n.dhcp_opts[0].code == 26 &&
			      !strcmp(n.dhcp_opts[0].value, "1400") &&
			      !strcmp(n.dhcp_opts[1].value, "10.0.2.2+10.0.2.3") &&
			      (net_dhcp_opts_format(&n, text, sizeof(text)), 1) &&
			      !strcmp(text, "26:1400,42:10.0.2.2+10.0.2.3"),
		      "dhcp-option=N:VALUE, repeatable, '+' between values");
		CHECK(net_spec_parse("internal:i,dhcp=on,dhcp-option=252:"
				     "http://10.0.0.1/wpad.dat", &n, &e) == 0 &&
			      net_spec_parse("hostonly:h,dhcp-option=119:lab.test",
					     &n, &e) == 0 &&
			      (net_dhcp_opts_format(&n, text, sizeof(text)), 1) &&
			      !strcmp(text, "119:lab.test"),
		      "dhcp-option= on internal with dhcp=on, and hostonly");
	}
	CHECK(net_bad("internal:i,dhcp-option=26:1400",
		      "dhcp-option=26:1400 needs dhcp=on") &&
		      net_bad("nat,dhcp-option=26:1400", "unknown option 'dhcp-option'") &&
		      net_bad("natnet:l,dhcp-option=26", "give N:VALUE") &&
		      net_bad("natnet:l,dhcp-option=:1", "give N:VALUE") &&
		      net_bad("natnet:l,dhcp-option=0:1", "must be 1 to 254") &&
		      net_bad("natnet:l,dhcp-option=255:1", "must be 1 to 254") &&
		      net_bad("natnet:l,dhcp-option=x:1", "must be 1 to 254") &&
		      net_bad("natnet:l,dhcp-option=123456789:1", "give N:VALUE") &&
		      net_bad("natnet:l,dhcp-option=3:10.0.2.9", "option 3 is the router") &&
		      net_bad("natnet:l,dhcp-option=6:1.1.1.1", "option 6 is the DNS server") &&
		      net_bad("natnet:l,dhcp-option=15:x", "give domain=") &&
		      net_bad("natnet:l,dhcp-option=51:60", "DHCP's own") &&
		      net_bad("natnet:l,dhcp-option=67:x", "the boot file") &&
		      net_bad("natnet:l,dhcp-option=26:", "the value must be") &&
		      net_bad("natnet:l,dhcp-option=26:a b", "the value must be") &&
		      net_bad("natnet:l,dhcp-option=26:\"x\"", "the value must be") &&
		      net_bad("natnet:l,dhcp-option=42:+1.2.3.4", "the value must be") &&
		      net_bad("natnet:l,dhcp-option=42:1.2.3.4+", "the value must be") &&
		      net_bad("natnet:l,dhcp-option=42:1.2.3.4++5.6.7.8", "the value must be") &&
		      net_bad("natnet:l,dhcp-option=26:1400,dhcp-option=26:1300",
			      "option 26 is given twice") &&
		      net_bad("natnet:l,dhcp-option=200:1,dhcp-option=201:1,"
			      "dhcp-option=202:1,dhcp-option=203:1,dhcp-option=204:1,"
			      "dhcp-option=205:1,dhcp-option=206:1,dhcp-option=207:1,"
			      "dhcp-option=208:1", "at most 8 options"),
	      "dhcp-option= refused: where there is no DHCP, bad numbers, "
	      "qbox's own options, bad values, twice, more than 8");
	{
		char v[NET_DHCP_VALUE_MAX + 40];

		snprintf(v, sizeof(v), "natnet:l,dhcp-option=26:%0*d",
			 NET_DHCP_VALUE_MAX + 1, 0);
		CHECK(net_bad(v, "the value must be 1 to 127"),
		      "dhcp-option= with a value of %d characters",
		      NET_DHCP_VALUE_MAX + 1);
	}
	{
		char text[400], label[70];

		memset(label, 'a', 64);
		label[64] = '\0';
		snprintf(text, sizeof(text), "natnet:l,domain=%s", label);
		CHECK(net_bad(text, "must be 1 to 63"),
		      "domain= of 64 characters (DHCP's option 15 in qbox's "
		      "server: 63)");
		snprintf(text, sizeof(text), "natnet:l,domain=%.31s.%.31s", label,
			 label);
		CHECK(net_spec_parse(text, &n, &e) == 0 && strlen(n.domain) == 63,
		      "domain= of 63 characters");
	}
	CHECK(net_bad("nat,ip=10.0.2.15", "unknown option 'ip' (nat takes") &&
		      net_bad("bridged:t0,ip=10.0.2.15", "unknown option 'ip'"),
	      "ip= belongs to named networks alone");
	CHECK(net_bad("natnet:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		      "must be 1 to 48 characters"), "net name too long");
	CHECK(net_bad("", "empty"), "net empty");
	CHECK(net_bad(",subnet=1", "empty"), "net options without mode");
	CHECK(net_bad("nat,subnet=10.0.5.1/24", "did you mean 10.0.5.0/24"),
	      "net subnet host bits suggested");
	CHECK(net_bad("nat,subnet=10.0.5.0/26", "/26 out of range"),
	      "net subnet too small");
	CHECK(net_bad("nat,subnet=10.0.5.0/7", "/7 out of range"),
	      "net subnet too large");
	CHECK(net_bad("nat,subnet=10.0.5.0", "10.0.5.0"), "net subnet no prefix");
	CHECK(net_bad("nat,subnet=10.0.5.0/x", "prefix 'x'"),
	      "net subnet bad prefix");
	CHECK(net_bad("nat,subnet=10.0.500.0/24", "10.0.500.0"),
	      "net subnet bad address");
	CHECK(net_bad("nat,mac=52:54:00:12:34", "52:54:00:12:34"),
	      "net short mac");
	CHECK(net_bad("nat,mac=53:54:00:12:34:56", "multicast"),
	      "net multicast mac");
	CHECK(net_bad("nat,mac=00:00:00:00:00:00", "all zero"), "net zero mac");
	CHECK(net_bad("nat,mac=52-54-00-12-34-56", "52-54-00-12-34-56"),
	      "net mac with dashes");
	CHECK(net_bad("nat,mac=52:54:00:12:34:567", "52:54:00:12:34:567"),
	      "net mac too long");
	/* found by tests/fuzz/fuzz_netspec.c: sscanf's %2x took a sign or
	 * a space for a hex digit */
	CHECK(net_bad("nat,mac=52:54:00:+2:34:56", "52:54:00:+2:34:56") &&
		      net_bad("nat,mac=52:54:00:-1:34:56", "not of the form") &&
		      net_bad("nat,mac=52:54:00: 2:34:56", "not of the form") &&
		      net_bad("nat,mac=52:54:0x:12:34:56", "not of the form"),
	      "net mac with a sign, a space or 0x in a byte");
	CHECK(net_spec_parse("nat,mac=AA:bb:Cc:0D:e0:F1", &n, &e) == 0 &&
		      n.mac[0] == 0xaa && n.mac[1] == 0xbb && n.mac[2] == 0xcc &&
		      n.mac[3] == 0x0d && n.mac[4] == 0xe0 && n.mac[5] == 0xf1,
	      "net mac in either case");
	CHECK(net_bad("nat,speed=10", "unknown option 'speed'"),
	      "net unknown option");
	CHECK(net_bad("nat,subnet", "needs a value"), "net option without value");
	CHECK(net_bad("none,mac=52:54:00:12:34:56", "takes no options"),
	      "net none with options");
}

static void test_bridged(void)
{
	struct net_spec n;
	struct qerr e = { 0 };

	CHECK(net_spec_parse("bridged:qtap0", &n, &e) == 0 &&
		      n.mode == NET_BRIDGED && !strcmp(n.device, "qtap0") &&
		      !n.name[0] && !n.has_mac && !n.has_subnet,
	      "bridged:qtap0");
	CHECK(!strcmp(net_mode_name(NET_BRIDGED), "bridged") &&
		      !net_mode_named(NET_BRIDGED),
	      "bridged is a mode of its own, not a named network");
	CHECK(net_spec_parse("bridged:qtap0,mac=52:54:00:12:34:56", &n, &e) ==
			      0 && n.has_mac && n.mac[5] == 0x56,
	      "bridged with mac=");
	CHECK(net_spec_parse("bridged:abcdefghijklmno", &n, &e) == 0 &&
		      !strcmp(n.device, "abcdefghijklmno"),
	      "bridged: 15 characters, the kernel's longest name");
	CHECK(net_spec_parse("bridged:tap-0.v_1@x", &n, &e) == 0 &&
		      !strcmp(n.device, "tap-0.v_1@x"),
	      "bridged: punctuation the kernel allows");
	CHECK(net_bad("bridged", "needs a TAP device (bridged:TAPDEV)"),
	      "bridged without a device");
	CHECK(net_bad("bridged:", "needs a TAP device"), "bridged: empty");
	CHECK(net_bad("bridged:abcdefghijklmnop",
		      "device name 'abcdefghijklmnop': must be 1 to 15"),
	      "bridged: 16 characters is too long");
	CHECK(net_bad("bridged:a/b", "device name 'a/b'"), "bridged: '/'");
	CHECK(net_bad("bridged:a:b", "device name 'a:b'"), "bridged: ':'");
	CHECK(net_bad("bridged:a b", "device name 'a b'"), "bridged: space");
	CHECK(net_bad("bridged:a\tb", "control characters"),
	      "bridged: control character");
	CHECK(net_bad("bridged:t\xc3\xa4p", "device name"),
	      "bridged: not ASCII");
	CHECK(net_bad("bridged:.", "device name '.' is not allowed"),
	      "bridged: '.'");
	CHECK(net_bad("bridged:..", "device name '..' is not allowed"),
	      "bridged: '..'");
	CHECK(net_bad("bridged:qtap0,subnet=10.0.5.0/24",
		      "unknown option 'subnet' (bridged takes mac= and link=)"),
	      "bridged: no subnet=");
	CHECK(net_bad("bridged:qtap0,linger=on", "unknown option 'linger'"),
	      "bridged: no linger=");
	CHECK(net_bad("bridged:qtap0,dhcp=on", "unknown option 'dhcp'"),
	      "bridged: no dhcp=");
	CHECK(net_bad("bridged:qtap0,mac=53:54:00:12:34:56", "multicast"),
	      "bridged: multicast mac=");
	CHECK(net_bad("bridged:qtap0,mac", "needs a value"),
	      "bridged: mac without value");
	CHECK(net_bad("bogus", "bridged:TAPDEV"),
	      "unknown mode: the list names bridged:TAPDEV");
	CHECK(device_name_check("qtap0", &e) == 0 &&
		      device_name_check("", &e) == -EINVAL && e.usage,
	      "device_name_check");
}

/* The generic mode: vde:LOCATOR and udp:[LADDR:]LPORT:RADDR:RPORT */
static void test_vde(void)
{
	char lo[INET6_ADDRSTRLEN], re[INET6_ADDRSTRLEN];
	struct net_spec n;
	struct qerr e = { 0 };

	CHECK(net_spec_parse("vde:vde:///run/user/1000/sw", &n, &e) == 0 &&
		      n.mode == NET_VDE && !n.udp &&
		      !strcmp(n.locator, "vde:///run/user/1000/sw") &&
		      !net_mode_named(NET_VDE) &&
		      !strcmp(net_mode_name(NET_VDE), "vde"),
	      "vde: a switch's locator, kept as written");
	CHECK(net_spec_parse("vde:/tmp/sw[3],mac=52:54:00:00:00:07", &n, &e) ==
			      0 && !strcmp(n.locator, "/tmp/sw[3]") &&
		      n.has_mac && n.mac[5] == 7,
	      "vde: a bare path and a port, then options");
	CHECK(net_spec_parse("vde:vxlan://239.1.2.3/vni=7/port=4790", &n, &e) ==
			      0 && !strcmp(n.locator,
					   "vxlan://239.1.2.3/vni=7/port=4790"),
	      "vde: vxlan with its own options ('/', not ',')");
	CHECK(net_spec_parse("vde:agno://{vde:///tmp/sw}", &n, &e) == 0,
	      "vde: a nested locator (agno encrypts)");
	CHECK(net_spec_parse("vde:cmd://ssh h vde_plug", &n, &e) == 0,
	      "vde: cmd:// with spaces");
	CHECK(net_spec_parse("vde:/tmp/sw,ip=192.168.77.5/24,gw=192.168.77.1",
			     &n, &e) == 0 && n.has_ip && n.prefix == 24 &&
		      ip4_is(n.ip, "192.168.77.5") &&
		      ip4_is(n.subnet, "192.168.77.0") && n.has_gw &&
		      ip4_is(n.gw, "192.168.77.1"),
	      "vde: a command's ip= and gw=");
	CHECK(net_spec_parse("vde:/tmp/sw,link=down,loss=1%,pcap=f", &n, &e) ==
			      0 && n.link_down && n.impair.loss_bp == 100 &&
		      !strcmp(n.pcap, "f"),
	      "vde: link=, impairment and pcap= as any link of qbox's");
	CHECK(net_bad("vde", "needs a locator"), "vde: no locator");
	CHECK(net_bad("vde:", "needs a locator"), "vde: an empty locator");
	CHECK(net_bad("vde:Foo://x", "'Foo' is not a VDE plugin's name"),
	      "vde: a scheme in capitals");
	CHECK(net_bad("vde:://x", "is not a VDE plugin's name"),
	      "vde: an empty scheme");
	CHECK(net_bad("vde:nosuch://x", "unknown VDE plugin 'nosuch' (known: "
					"vde, vxlan"),
	      "vde: an unknown plugin, the known ones listed");
	CHECK(net_bad("vde:switch:///tmp/s", "makes a switch"),
	      "vde: switch:// refused");
	CHECK(net_bad("vde:hub:///tmp/s", "makes a hub"), "vde: hub:// refused");
	CHECK(net_bad("vde:tap://tap0", "bridged:TAPDEV"),
	      "vde: tap:// refused, bridged named");
	CHECK(net_bad("vde:pcap://eth0", "takes root"), "vde: pcap:// refused");
	CHECK(net_bad("vde:/tmp/sw,subnet=10.0.0.0/24", "unknown option "
		      "'subnet' (vde takes mac=, mtu=, ip=ADDR/PREFIX"),
	      "vde: no subnet= (its LAN's business)");
	CHECK(net_spec_parse("vde:/tmp/sw,mtu=1450", &n, &e) == 0 &&
		      n.mtu == 1450 &&
		      net_spec_parse("vde:/tmp/sw,mtu=9000", &n, &e) == 0 &&
		      net_bad("vde:/tmp/sw,mtu=9001", "out of range for a VDE "
						      "plug (1280-9000)") &&
		      net_bad("vde:/tmp/sw,mtu=1279", "out of range"),
	      "vde: mtu= (a VXLAN underlay takes 50 bytes)");
	CHECK(net_bad("vde:/tmp/sw,ipv6=off", "unknown option 'ipv6'") &&
		      net_bad("vde:/tmp/sw,linger=on", "unknown option") &&
		      net_bad("vde:/tmp/sw,dhcp=on", "unknown option"),
	      "vde: no NAT or network options");
	CHECK(net_bad("vde:/tmp/sw,ip=10.0.0.1", "use ADDR/PREFIX") &&
		      net_bad("vde:/tmp/sw,ip=10.0.0.1/31", "use ADDR/PREFIX") &&
		      net_bad("vde:/tmp/sw,ip=10.0.0.1/7", "use ADDR/PREFIX") &&
		      net_bad("vde:/tmp/sw,ip=x/24", "'x' is not an IPv4") &&
		      net_bad("vde:/tmp/sw,ip=10.0.0.0/24", "network or "
							    "broadcast") &&
		      net_bad("vde:/tmp/sw,ip=10.0.0.255/24", "network or "
							      "broadcast"),
	      "vde: bad ip=");
	CHECK(net_bad("vde:/tmp/sw,gw=10.0.0.1", "gw= goes with ip=") &&
		      net_bad("vde:/tmp/sw,ip=10.0.0.5/24,gw=10.0.1.1",
			      "another address of ip='s subnet") &&
		      net_bad("vde:/tmp/sw,ip=10.0.0.5/24,gw=10.0.0.5",
			      "another address") &&
		      net_bad("vde:/tmp/sw,ip=10.0.0.5/24,gw=x",
			      "gw=x is not an IPv4"),
	      "vde: bad gw=");

	CHECK(net_spec_parse("udp:5000:127.0.0.1:5001", &n, &e) == 0 &&
		      n.mode == NET_VDE && n.udp && n.tunnel.lport == 5000 &&
		      !n.tunnel.local.family && n.tunnel.rport == 5001 &&
		      !strcmp(ipaddr_str(&n.tunnel.remote, re), "127.0.0.1") &&
		      !strcmp(n.locator, "udp://5000->127.0.0.1:5001"),
	      "udp: LPORT:RADDR:RPORT, libvdeplug's locator made of it");
	CHECK(net_spec_parse("udp:10.1.0.1:5000:10.1.0.2:5001,ip=10.9.0.1/24",
			     &n, &e) == 0 &&
		      !strcmp(ipaddr_str(&n.tunnel.local, lo), "10.1.0.1") &&
		      !strcmp(n.locator, "udp://10.1.0.1:5000->10.1.0.2:5001") &&
		      n.has_ip,
	      "udp: with LADDR, then options");
	CHECK(net_spec_parse("udp:[::1]:5000:[fd00::7]:5001", &n, &e) == 0 &&
		      n.tunnel.remote.family == AF_INET6 &&
		      !strcmp(n.locator, "udp://::1:5000->fd00::7:5001"),
	      "udp: IPv6 in brackets, without them in the locator");
	CHECK(net_bad("udp", "use udp:[LADDR:]LPORT:RADDR:RPORT") &&
		      net_bad("udp:5000", "use udp:") &&
		      net_bad("udp:5000:127.0.0.1", "use udp:") &&
		      net_bad("udp:1:2:3:4:5", "use udp:") &&
		      net_bad("udp:[::1:5000:[::2]:1", "use udp:"),
	      "udp: too few fields, too many, a bracket open");
	CHECK(net_bad("udp:0:127.0.0.1:1", "local port '0'") &&
		      net_bad("udp:65536:127.0.0.1:1", "local port '65536'") &&
		      net_bad("udp:1:127.0.0.1:x", "remote port 'x'") &&
		      net_bad("udp:1:127.0.0.1:", "remote port ''"),
	      "udp: bad ports");
	CHECK(net_bad("udp:1:example.org:2", "remote address 'example.org'") &&
		      net_bad("udp:1:::1:2", "use udp:") &&
		      net_bad("udp:x:1:127.0.0.1:2", "local address 'x'") &&
		      net_bad("udp:[::1]:1:127.0.0.1:2", "different families"),
	      "udp: bad addresses (literals only, IPv6 in brackets)");
	CHECK(vde_vxlan_vni("vxlan://239.1.2.3/vni=42/port=4790") == 42 &&
		      vde_vxlan_vni("vxlan://239.1.2.3/port=4790/vni=7") == 7 &&
		      vde_vxlan_vni("vxlan://239.1.2.3") == 1 &&
		      vde_vxlan_vni("vxlan://") == 1 &&
		      vde_vxlan_vni("vxlan://g/vni=16777215") == 16777215 &&
		      vde_vxlan_vni("vxlan://g/vni=0") == 0 &&
		      vde_vxlan_vni("vxvde://g/vni=3") == -1 &&
		      vde_vxlan_vni("vxlan://g/vni=16777216") == -1 &&
		      vde_vxlan_vni("vxlan://g/vni=x") == -1 &&
		      vde_vxlan_vni("vxlan://g/vni=") == -1,
	      "vde_vxlan_vni: the /vni= option, 1 by default, 24 bits");
	CHECK(net_bad("vde:vxlan://239.1.2.3/vni=99999999", "vni= is a number "
		      "from 0 to 16777215"),
	      "vde: a vxlan:// VNI out of range");
	CHECK(net_spec_parse("natnet:l,link=vde:///tmp/a,link=cmd://ssh h "
			     "vde_plug,serve=off", &n, &e) == 0 &&
		      n.n_links == 2 && !strcmp(n.links[0], "vde:///tmp/a") &&
		      !strcmp(n.links[1], "cmd://ssh h vde_plug") &&
		      n.serve_off && !n.link_down,
	      "natnet: link=LOCATOR twice, serve=off");
	CHECK(net_spec_parse("natnet:l,link=down", &n, &e) == 0 &&
		      n.link_down && !n.n_links,
	      "natnet: link=down is still the cable");
	CHECK(net_bad("natnet:l,link=foo://x", "link=foo://x (up, down or a "
						"VDE locator): unknown VDE "
						"plugin 'foo'") &&
		      net_bad("natnet:l,link=/a,link=/a", "link=/a is given "
							   "twice") &&
		      net_bad("natnet:l,link=/a,link=/b,link=/c,link=/d,"
			      "link=/e", "at most 4 links") &&
		      net_bad("nat,link=/tmp/sw", "link=/tmp/sw: use up or "
						  "down") &&
		      net_bad("natnet:l,serve=maybe", "serve=") &&
		      net_bad("nat,serve=off", "unknown option 'serve'") &&
		      net_bad("internal:i,serve=off", "serves nothing") &&
		      net_bad("natnet:l,serve=off,tftp=/x", "tftp= belongs "
							    "to the side") &&
		      net_bad("natnet:l,serve=off,egress=deny", "egress= and "
								"allow="),
	      "links and serve=: bad forms");
	CHECK(vde_scheme_package("agno") &&
		      !strcmp(vde_scheme_package("agno"), "libvdeplug-agno") &&
		      !strcmp(vde_scheme_package("vxlan"), "libvdeplug2") &&
		      !vde_scheme_package("nosuch"),
	      "vde_scheme_package names Debian's packages");
}

static void test_subnet(void)
{
	struct in_addr net, a;

	inet_pton(AF_INET, "10.0.2.0", &net);
	CHECK(ip4_is(subnet_host(net, 15), "10.0.2.15"), "subnet_host .15");
	inet_pton(AF_INET, "10.0.2.200", &a);
	CHECK(subnet_contains(net, 24, a), "subnet contains");
	inet_pton(AF_INET, "10.0.3.1", &a);
	CHECK(!subnet_contains(net, 24, a), "subnet does not contain");
}

/* qbox nc HOST PORT: refused with a usage error naming @needle */
static bool target_bad(const char *host, const char *port, const char *needle)
{
	struct sockaddr_storage ss;
	struct qerr e = { 0 };

	return tcp_target_parse(host, port, &ss, &e) == -EINVAL && e.usage &&
	       strstr(e.msg, needle);
}

static void test_tcp_target(void)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	struct qerr e = { 0 };

	CHECK(tcp_target_parse("192.168.56.101", "22", &ss, &e) == 0 &&
		      sin->sin_family == AF_INET && ntohs(sin->sin_port) == 22 &&
		      ip4_is(sin->sin_addr, "192.168.56.101"),
	      "nc target 192.168.56.101 22");
	CHECK(tcp_target_parse("10.0.2.15", "65535", &ss, &e) == 0 &&
		      ntohs(sin->sin_port) == 65535, "nc target port 65535");
	CHECK(target_bad("vm1.lab", "22", "'vm1.lab' is not an IPv4 or IPv6"),
	      "nc target: a name is refused");
	CHECK(tcp_target_parse("fd71:6278:a00:200::100", "22", &ss, &e) == 0 &&
		      sin6->sin6_family == AF_INET6 &&
		      ntohs(sin6->sin6_port) == 22 &&
		      sin6->sin6_addr.s6_addr[14] == 1,
	      "nc target: an IPv6 address");
	CHECK(tcp_target_parse("[::1]", "80", &ss, &e) == 0 &&
		      ss.ss_family == AF_INET6,
	      "nc target: an IPv6 address in brackets");
	CHECK(target_bad("[::1", "22", "'[::1' is not"),
	      "nc target: an unclosed bracket");
	CHECK(target_bad("10.0.2.256", "22", "10.0.2.256"),
	      "nc target: octet out of range");
	CHECK(target_bad("", "22", "'' is not"), "nc target: empty host");
	CHECK(target_bad("10.0.2.15", "0", "destination port 0 out of range"),
	      "nc target: port 0");
	CHECK(target_bad("10.0.2.15", "65536", "out of range"),
	      "nc target: port 65536");
	CHECK(target_bad("10.0.2.15", "ssh", "destination port 'ssh' is not a "
					    "number"),
	      "nc target: a service name");
	CHECK(target_bad("10.0.2.15", "-1", "is not a number"),
	      "nc target: negative port");
	CHECK(target_bad("10.0.2.15", "", "is not a number"),
	      "nc target: empty port");
	CHECK(target_bad("10.0.2.15", "22 ", "is not a number"),
	      "nc target: trailing space");
}

/* expand TEXT: its forwards joined by spaces, or the error's message */
static const char *expand(const char *text, bool host_side, int max)
{
	static char t[8][FWD_TEXT_MAX], all[1024];
	struct qerr e = { 0 };
	size_t at = 0;
	int n, i;

	n = fwd_range_expand(text, host_side, t, max, &e);
	if (n < 0)
		return e.usage ? e.msg : "(not a usage error)";
	all[0] = '\0';
	for (i = 0; i < n; i++)
		at += (size_t)snprintf(all + at, sizeof(all) - at, "%s%s",
				       i ? " " : "", t[i]);
	return all;
}

static void test_fwd_ranges(void)
{
	CHECK(!strcmp(expand("8000-8002:9000-9002", false, 8),
		      "8000:9000 8001:9001 8002:9002"),
	      "range: one forward per port, each to its counterpart");
	CHECK(!strcmp(expand("udp:0.0.0.0:5000-5001:10.0.2.15:53-54", false, 8),
		      "udp:0.0.0.0:5000:10.0.2.15:53 udp:0.0.0.0:5001:10.0.2.15:54"),
	      "range: protocol and both addresses kept");
	CHECK(!strcmp(expand("[::1]:80-81:8080-8081", false, 8),
		      "[::1]:80:8080 [::1]:81:8081"),
	      "range: an IPv6 host address kept");
	CHECK(!strcmp(expand("7000-7001:10.0.2.16:80-81", false, 8),
		      "7000:10.0.2.16:80 7001:10.0.2.16:81"),
	      "range: HOSTPORTS:GUESTADDR:GUESTPORTS");
	CHECK(!strcmp(expand("2222:22", false, 8), "2222:22") &&
		      !strcmp(expand("tcp:127.0.0.1:2222:22", false, 8),
			      "tcp:127.0.0.1:2222:22"),
	      "range: a single-port forward is itself");
	CHECK(!strcmp(expand("80-80:90-90", false, 8), "80:90"),
	      "range: of one port");
	CHECK(!strcmp(expand("8000-8002", true, 8), "8000 8001 8002") &&
		      !strcmp(expand("udp:[::1]:53-54", true, 8),
			      "udp:[::1]:53 udp:[::1]:54") &&
		      !strcmp(expand("8000-8001:9000-9001", true, 8),
			      "8000:9000 8001:9001"),
	      "range: --remove takes a host side's or a whole spec's range");
	CHECK(strstr(expand("8010-8000:8010-8000", false, 8),
		     "LAST not below FIRST") &&
		      strstr(expand("8000-8001:9000-9002", false, 8),
			     "the host side has 2 ports, the guest side 3") &&
		      strstr(expand("8000-8001:80", false, 8),
			     "the host side has 2 ports, the guest side 1") &&
		      strstr(expand("80:8000-8001", false, 8),
			     "the host side has 1 ports, the guest side 2") &&
		      strstr(expand("8000-8009:9000-9009", false, 8),
			     "10 ports, at most 8 forwards") &&
		      strstr(expand("80-x:90-91", false, 8),
			     "LAST not below FIRST"),
	      "range: bad ranges named");
	CHECK(!strcmp(expand("8000-:9000-", false, 8), "8000-:9000-"),
	      "range: no range at all left to the forward's parser");
	CHECK(!strcmp(expand("0-1:0-1", false, 8), "0:0 1:1"),
	      "range: port 0 left to the forward's parser (%s)",
	      expand("0-1:0-1", false, 8));
}

static void test_impair(void)
{
	struct net_impair im = { 0 };
	struct link_change c;
	struct net_spec n;
	struct qerr e = { 0 };
	char t[96];

	CHECK(net_impair_word("rate=10mbit", &im, &e) == 1 &&
		      im.rate_bps == 10000000 &&
		      net_impair_word("rate=1.5gbit", &im, &e) == 1 &&
		      im.rate_bps == 1500000000 &&
		      net_impair_word("rate=64kbit", &im, &e) == 1 &&
		      im.rate_bps == 64000 &&
		      net_impair_word("rate=8000bit", &im, &e) == 1 &&
		      im.rate_bps == 8000,
	      "impair: rate= in bit, kbit, mbit, gbit, with decimals");
	CHECK(net_impair_word("loss=1.5%", &im, &e) == 1 && im.loss_bp == 150 &&
		      net_impair_word("loss=100%", &im, &e) == 1 &&
		      im.loss_bp == 10000 &&
		      net_impair_word("loss=0.01%", &im, &e) == 1 &&
		      im.loss_bp == 1,
	      "impair: loss= in hundredths of a percent");
	CHECK(net_impair_word("delay=50ms", &im, &e) == 1 && im.delay_ms == 50 &&
		      net_impair_word("jitter=2s", &im, &e) == 1 &&
		      im.jitter_ms == 2000,
	      "impair: delay= and jitter= in ms or s");
	CHECK(net_impair_word("subnet=10.0.0.0/8", &im, &e) == 0 &&
		      net_impair_word("down", &im, &e) == 0,
	      "impair: other words are the caller's");
	CHECK(net_impair_word("rate=7999bit", &im, &e) < 0 &&
		      strstr(e.msg, "rate=7999bit: a rate from 8kbit") &&
		      net_impair_word("rate=101gbit", &im, &e) < 0 &&
		      net_impair_word("rate=10", &im, &e) < 0 &&
		      net_impair_word("rate=10mbps", &im, &e) < 0 &&
		      net_impair_word("rate=.5mbit", &im, &e) < 0 &&
		      net_impair_word("rate=1.mbit", &im, &e) < 0 &&
		      net_impair_word("rate=1.2345mbit", &im, &e) < 0 &&
		      net_impair_word("rate=", &im, &e) < 0,
	      "impair: bad rates named");
	CHECK(net_impair_word("loss=0%", &im, &e) < 0 &&
		      strstr(e.msg, "loss=0%: a share from 0.01% to 100%") &&
		      net_impair_word("loss=100.01%", &im, &e) < 0 &&
		      net_impair_word("loss=1.234%", &im, &e) < 0 &&
		      net_impair_word("loss=5", &im, &e) < 0 &&
		      net_impair_word("loss=%", &im, &e) < 0 &&
		      net_impair_word("delay=0ms", &im, &e) < 0 &&
		      net_impair_word("delay=61s", &im, &e) < 0 &&
		      net_impair_word("delay=1.5ms", &im, &e) < 0 &&
		      net_impair_word("jitter=5", &im, &e) < 0,
	      "impair: bad losses and times named");
	im = (struct net_impair){ .rate_bps = 10000000, .loss_bp = 150,
				  .delay_ms = 50, .jitter_ms = 5 };
	net_impair_format(&im, t, sizeof(t));
	CHECK(!strcmp(t, "rate=10mbit loss=1.50% delay=50ms jitter=5ms"),
	      "impair: as words (%s)", t);
	im = (struct net_impair){ .rate_bps = 1500000000, .loss_bp = 2000 };
	net_impair_format(&im, t, sizeof(t));
	CHECK(!strcmp(t, "rate=1500mbit loss=20%"), "impair: as words (%s)", t);
	im = (struct net_impair){ .rate_bps = 8001 };
	net_impair_format(&im, t, sizeof(t));
	CHECK(!strcmp(t, "rate=8001bit"), "impair: as words (%s)", t);
	im = (struct net_impair){ 0 };
	net_impair_format(&im, t, sizeof(t));
	CHECK(!t[0] && !net_impair_any(&im), "impair: none is no words");

	CHECK(link_words_parse("down", &c, &e) == 0 && c.cable == 0 &&
		      !c.clear && !net_impair_any(&c.set) &&
		      link_words_parse("up+rate=1mbit+loss=5%", &c, &e) == 0 &&
		      c.cable == 1 && c.set.rate_bps == 1000000 &&
		      c.set.loss_bp == 500 &&
		      link_words_parse("clear", &c, &e) == 0 && c.clear &&
		      c.cable == -1 &&
		      link_words_parse("delay=5ms+jitter=1ms", &c, &e) == 0,
	      "link words: cable, impairment, clear");
	CHECK(link_words_parse("sideways", &c, &e) < 0 &&
		      strstr(e.msg, "'sideways': use up, down, clear") &&
		      link_words_parse("jitter=1ms", &c, &e) < 0 &&
		      strstr(e.msg, "jitter= goes with delay=") &&
		      link_words_parse("", &c, &e) < 0 &&
		      link_words_parse("loss=1", &c, &e) < 0,
	      "link words: bad ones named");
	CHECK(net_spec_parse("nat,rate=10mbit,loss=1%", &n, &e) == 0 &&
		      n.impair.rate_bps == 10000000 && n.impair.loss_bp == 100 &&
		      net_spec_parse("internal:i,delay=5ms,jitter=1ms", &n, &e) ==
			      0 && n.impair.jitter_ms == 1,
	      "impair on --net");
	CHECK(net_bad("nat,jitter=1ms", "jitter= goes with delay=") &&
		      net_bad("bridged:t0,rate=1mbit", "unknown option 'rate'") &&
		      net_bad("nat,rate=fast", "rate=fast: a rate") &&
		      net_bad("none,loss=1%", "takes no options"),
	      "impair on --net: bad values named");
}

int main(void)
{
	test_fwd();
	test_impair();
	test_fwd_ranges();
	test_tcp_target();
	test_fwd_host();
	test_net();
	test_bridged();
	test_vde();
	test_subnet();
	UNIT_END();
}
