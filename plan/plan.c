// SPDX-License-Identifier: MIT
/*
 * plan.c - from parsed options to a complete sandbox plan
 *
 * NAT NICs follow VirtualBox: the Nth NAT NIC of a VM gets 10.0.(N+2).0/24
 * unless it names its own subnet, with the gateway (and host loopback alias)
 * at .2, DNS at .3 and the VM's DHCP lease at .15. A command payload has no
 * DHCP client, so qbox configures .100 for it.
 *
 * A bridged NIC has no subnet of qbox's: the administrator's LAN decides
 * its addresses, and it reaches the LAN through a TAP device, which only
 * QEMU can use. Its MAC goes out on that LAN, where other users' VMs may
 * run in sandboxes of the same name: the device's name is mixed into the
 * derived MAC, so two users of one host (each on a TAP of their own) do
 * not get the same MAC from the same sandbox name.
 */
#include "plan/plan.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/bytes.h"
#include "common/util.h"
#include "plan/qemu_argv.h"

void mac_derive(const char *name, int index, uint8_t mac[6])
{
	uint32_t h = 2166136261u;	/* FNV-1a */
	const char *s;

	for (s = name; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	h = (h ^ 0xff) * 16777619u;	/* separator: "a"+1 != "a1"+... */
	h = (h ^ (uint8_t)index) * 16777619u;
	mac[0] = 0x52;
	mac[1] = 0x54;
	mac[2] = 0x00;
	mac[3] = (uint8_t)(h >> 16);
	mac[4] = (uint8_t)(h >> 8);
	mac[5] = (uint8_t)h;
}

bool argv_is_qemu(const char *argv0)
{
	const char *base = strrchr(argv0, '/');

	base = base ? base + 1 : argv0;
	return !strncmp(base, "qemu-system-", 12) && base[12];
}

/* IPv4 address @a's host number in /@prefix as an address of /64 @net6;
 * none (zero) stays none */
static struct in6_addr mirror6(const struct in6_addr *net6, struct in_addr a,
			       unsigned int prefix)
{
	struct in6_addr none = { 0 };

	if (!a.s_addr)
		return none;
	return subnet6_host(net6, ntohl(a.s_addr) & ~(~0u << (32 - prefix)));
}

/*
 * A named network's IPv6 (natnet and hostonly, internal with dhcp=on;
 * not with ipv6=off): its /64 (subnet6=, else as a NAT NIC's, from the
 * IPv4 subnet), and every address of the layout mirrored into it, so that
 * natnet's gateway is ::2, DNS ::3 and hub ::1, hostonly's host alias ::1
 * and hub ::64 (.100: the number, in hexadecimal), an internal network's
 * hub ::1.
 */
static void net_layout6(const struct net_spec *s, struct in_addr net,
			unsigned int prefix, struct net_layout *l)
{
	if (s->no_ipv6 || (s->mode == NET_INTERNAL && !l->dhcp))
		return;
	l->ipv6 = true;
	if (s->has_subnet6)
		l->net6 = s->subnet6;
	else
		nat_prefix6(net, &l->net6);
	l->gateway6 = mirror6(&l->net6, l->gateway, prefix);
	l->host6 = mirror6(&l->net6, l->host, prefix);
	l->dns6 = mirror6(&l->net6, l->dns, prefix);
	l->hub6 = mirror6(&l->net6, l->hub, prefix);
}

/*
 * serve=off: the same addresses, served by the other side of a link: no
 * NAT engine, DHCP or address of the hub's own here (its gateway, DNS
 * and hub are the serving side's). A command member here is numbered
 * below the serving side's pool, where that side neither leases nor
 * numbers its own members.
 */
static void layout_serve_off(struct in_addr net, struct net_layout *l)
{
	uint32_t base = ntohl(net.s_addr), end = ntohl(l->pool_first.s_addr);
	uint32_t x, run = 0, best = 0, best_first = 0;

	/* the longest run of numbers below the pool that are none of the
	   network's own (natnet: .4-.14; hostonly: .2-.99) */
	for (x = base + 1; x < end; x++) {
		bool own = x == ntohl(l->gateway.s_addr) ||
			   x == ntohl(l->host.s_addr) ||
			   x == ntohl(l->dns.s_addr) || x == ntohl(l->hub.s_addr);

		run = own ? 0 : run + 1;
		if (run > best) {
			best = run;
			best_first = x - run + 1;
		}
	}
	l->serve_off = true;
	l->uplink = l->dhcp = false;
	/* the members' DNS server is the serving side's, at its hub */
	if (l->hub.s_addr)
		l->dns = l->hub;
	l->hub.s_addr = 0;
	memset(&l->hub6, 0, sizeof(l->hub6));
	l->pool_first.s_addr = htonl(best_first);
	l->pool_last.s_addr = htonl(best_first + best - 1);
}

void net_layout(const struct net_spec *s, struct in_addr *net,
		unsigned int *prefix, struct net_layout *l)
{
	uint32_t size, pool = 101;

	memset(l, 0, sizeof(*l));
	if (s->has_subnet) {
		*net = s->subnet;
		*prefix = s->prefix;
	} else {
		net->s_addr = htonl(s->mode == NET_NATNET ? 0x0a000200u :
				    s->mode == NET_HOSTONLY ? 0xc0a83800u :
							      0xc0a86400u);
		*prefix = 24;
	}
	size = 1u << (32 - *prefix);
	switch (s->mode) {
	case NET_NATNET:
		l->gateway = l->host = subnet_host(*net, HOST_GATEWAY);
		l->dns = subnet_host(*net, HOST_DNS);
		l->hub = subnet_host(*net, 1);
		pool = HOST_DHCP_FIRST;
		l->uplink = l->dhcp = true;
		break;
	case NET_HOSTONLY:
		l->host = subnet_host(*net, 1);
		l->hub = subnet_host(*net, 100);
		l->uplink = l->dhcp = true;
		break;
	default:
		/* without DHCP, the pool still numbers command payloads */
		if ((l->dhcp = s->dhcp))
			l->hub = subnet_host(*net, 1);
	}
	/* small subnets (down to SUBNET_PREFIX_MAX) start their pool lower */
	if (pool >= size - 2)
		pool = size / 2;
	l->pool_first = subnet_host(*net, pool);
	l->pool_last = subnet_host(*net, size - 2);
	net_layout6(s, *net, *prefix, l);
	if (s->serve_off)
		layout_serve_off(*net, l);
}

/*
 * Tests only: QBOX_TEST_EGRESS=slirp makes libslirp's path the default,
 * so that the tests of NAT (tests/integration/nat_slirp.sh and the like)
 * run once on each path. Unset, it costs a getenv().
 */
static bool test_slirp_default(void)
{
	const char *v = getenv("QBOX_TEST_EGRESS");

	return v && !strcmp(v, "slirp");
}

bool nat_egress_kernel(const struct nat_plan *np)
{
	if (np->path == EGRESS_AUTO && test_slirp_default())
		return false;
	return np->on && !np->host_only && np->path != EGRESS_SLIRP;
}

/* egress= and allow= of @s, for its NAT's engine */
static void plan_egress(const struct net_spec *s, struct egress_policy *eg)
{
	eg->deny = s->egress_deny;
	eg->n = s->n_allow;
	memcpy(eg->allow, s->allow, sizeof(eg->allow));
}

struct in6_addr subnet6_host(const struct in6_addr *net6, uint32_t iid)
{
	struct in6_addr a = *net6;

	memset(a.s6_addr + 8, 0, 8);
	be32_put(a.s6_addr + 12, iid);
	return a;
}

void nat_prefix6(struct in_addr net, struct in6_addr *out)
{
	memset(out, 0, sizeof(*out));
	be32_put(out->s6_addr, NAT6_PREFIX_HI);
	memcpy(out->s6_addr + 4, &net.s_addr, 4);
}

struct in6_addr subnet6_eui64(const struct in6_addr *net6,
			      const uint8_t mac[6])
{
	struct in6_addr a = *net6;
	uint8_t *id = a.s6_addr + 8;

	id[0] = mac[0] ^ 0x02;	/* the universal/local bit, inverted */
	id[1] = mac[1];
	id[2] = mac[2];
	id[3] = 0xff;
	id[4] = 0xfe;
	id[5] = mac[3];
	id[6] = mac[4];
	id[7] = mac[5];
	return a;
}

bool subnet6_contains(const struct in6_addr *net6, const struct in6_addr *a)
{
	return !memcmp(net6->s6_addr, a->s6_addr, 8);
}

/* A NAT NIC's IPv6: its /64 (subnet6=, else the default), ::2, ::3 */
static void plan_nat6(const struct plan *p, struct nic_plan *n,
		      const struct net_spec *s)
{
	if (s && s->no_ipv6)
		return;
	n->ipv6 = true;
	if (s && s->has_subnet6)
		n->net6 = s->subnet6;
	else
		nat_prefix6(n->net, &n->net6);
	n->gateway6 = subnet6_host(&n->net6, HOST6_GATEWAY);
	n->dns6 = subnet6_host(&n->net6, HOST6_DNS);
	if (!p->vm)
		n->guest6 = subnet6_host(&n->net6, HOST6_COMMAND);
	n->nat.ipv6 = true;
	n->nat.prefix6 = n->net6;
	n->nat.host6 = n->gateway6;
	n->nat.dns6 = n->dns6;
}

/* A NAT NIC: its addresses, as QEMU's and VirtualBox's, and libslirp's */
static void plan_nat(const struct plan *p, struct nic_plan *n,
		     const struct net_spec *s)
{
	n->gateway = subnet_host(n->net, HOST_GATEWAY);
	n->dns = subnet_host(n->net, HOST_DNS);
	n->dhcp_start = subnet_host(n->net, HOST_DHCP_FIRST);
	n->guest = subnet_host(n->net, p->vm ? HOST_DHCP_FIRST : HOST_COMMAND);
	n->mtu = s && s->mtu ? s->mtu : p->vm ? NAT_MTU_VM : NAT_MTU_COMMAND;
	n->nat = (struct nat_plan){ .on = true, .host = n->gateway,
				    .dns = n->dns, .dhcp_start = n->dhcp_start,
				    .dhcp = true };
	if (s && s->tftp[0])
		n->nat.tftp = s->tftp;
	n->nat.no_hostloop = s && s->no_hostloop;
	if (s) {
		plan_egress(s, &n->nat.egress);
		n->nat.path = s->egress_path;
		/* a command's own connections on the kernel's path never
		   cross its NIC: one captured from the start (pcap=) keeps
		   them on libslirp's, unless egress=kernel says otherwise */
		if (s->pcap[0] && !p->vm && n->nat.path == EGRESS_AUTO)
			n->nat.path = EGRESS_SLIRP;
	}
	if (s && s->bootfile[0])
		n->nat.bootfile = s->bootfile;
	/* domain=: DHCP's domain and search list, and a command's */
	if (s && s->domain[0]) {
		n->nat.domain = s->domain;
		snprintf(n->domain, sizeof(n->domain), "%s", s->domain);
	}
	plan_nat6(p, n, s);
}

/*
 * A NIC on a named network with IPv6 (or the network's own, in its hub):
 * the network's /64, gateway and DNS; for the hub's NAT engine, if it has
 * one, its own addresses as on a NAT NIC
 */
static void plan_named6(struct nic_plan *n)
{
	const struct net_layout *l = &n->layout;

	if (!l->ipv6)
		return;
	n->ipv6 = true;
	n->net6 = l->net6;
	n->gateway6 = l->gateway6;
	n->dns6 = l->dns6;
	if (!n->nat.on)
		return;
	/* the engine's own, as for IPv4: a host-only network's DNS address
	   is a place holder libslirp wants, answering nothing */
	n->nat.ipv6 = true;
	n->nat.prefix6 = l->net6;
	n->nat.host6 = l->host6;
	n->nat.dns6 = l->dns6;
	if (IN6_IS_ADDR_UNSPECIFIED(&n->nat.dns6))
		n->nat.dns6 = subnet6_host(&l->net6, HOST6_DNS);
}

void plan_hub(const struct net_spec *spec, char **argv, struct plan *p)
{
	struct nic_plan *n = &p->nics[0];
	const struct net_layout *l = &n->layout;

	/* no payload runs: the policy only fills the filter set */
	*p = (struct plan){ .hub = true, .n_nics = 1, .argv = argv,
			    .policy = "default", .ready_fd = -1 };
	snprintf(p->name, sizeof(p->name), HUB_FILE_PREFIX "%s", spec->name);
	n->mode = spec->mode;
	n->spec = spec;
	net_layout(spec, &n->net, &n->prefix, &n->layout);
	n->gateway = l->gateway;
	n->dns = l->dns;
	if (l->hub.s_addr)
		names_net_domain(spec, n->domain);
	/* the network's NAT: DHCP is the hub's own */
	n->nat = (struct nat_plan){
		.on = l->uplink, .host = l->host,
		.dns = l->dns.s_addr ? l->dns : subnet_host(n->net, HOST_DNS),
		.dhcp_start = l->pool_first,
		.host_only = spec->mode == NET_HOSTONLY,
		.no_hostloop = spec->no_hostloop };
	plan_egress(spec, &n->nat.egress);
	n->nat.path = spec->egress_path;
	plan_named6(n);
}

int nat_engine_macs(const struct nat_plan *np,
		    uint8_t mac[NAT_ENGINE_MACS][6])
{
	static const uint8_t router_ll[4] = { 0, 0, 0, 2 };	/* fe80::2 */
	const uint8_t *addr[NAT_ENGINE_MACS] = {
		(const uint8_t *)&np->host.s_addr,
		(const uint8_t *)&np->dns.s_addr, np->host6.s6_addr + 12,
		np->dns6.s6_addr + 12, router_ll };
	int i, n = !np->ipv6 ? 2 :
		   memcmp(addr[2], router_ll, 4) ? 5 : 4;

	if (!np->on)
		return 0;
	for (i = 0; i < n; i++) {
		mac[i][0] = 0x52;
		mac[i][1] = i < 2 ? 0x55 : 0x56;
		memcpy(&mac[i][2], addr[i], 4);
	}
	return n;
}

int net_tftp_resolve(struct net_spec *s, struct qerr *e)
{
	char dir[PATH_MAX], file[PATH_MAX + NET_BOOTFILE_MAX + 2];
	struct stat st;

	if (!s->tftp[0])
		return 0;
	if (!realpath(s->tftp, dir) || stat(dir, &st) < 0)
		return qerr_usage(e, "tftp=%s: %s", s->tftp, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return qerr_usage(e, "tftp=%s: not a directory", s->tftp);
	snprintf(s->tftp, sizeof(s->tftp), "%s", dir);
	if (!s->bootfile[0])
		return 0;
	snprintf(file, sizeof(file), "%s/%s", dir, s->bootfile);
	if (stat(file, &st) < 0)
		return qerr_usage(e, "bootfile=%s: %s: %s", s->bootfile, file,
				  strerror(errno));
	if (!S_ISREG(st.st_mode))
		return qerr_usage(e, "bootfile=%s: %s is not a file",
				  s->bootfile, file);
	return 0;
}

bool hub_bridge_mac(const struct net_layout *l, uint8_t mac[6])
{
	if (!l->hub.s_addr)
		return false;
	mac[0] = 0x52;
	mac[1] = 0x55;
	memcpy(&mac[2], &l->hub.s_addr, 4);
	return true;
}

bool mac_unclaimable(const uint8_t mac[6])
{
	static const uint8_t zero[6];

	return (mac[0] & 1) || !memcmp(mac, zero, 6);
}

/* The derived MAC of NIC @i: see the top of the file for bridged NICs */
static void nic_mac_derive(const struct plan *p, int i, const char *device,
			   uint8_t mac[6])
{
	char key[SANDBOX_NAME_MAX + NET_DEVICE_MAX + 8];

	if (!device) {
		mac_derive(p->name, i, mac);
		return;
	}
	/* '/' is in no sandbox name: no other sandbox hashes the same key */
	snprintf(key, sizeof(key), "%s/%s", p->name, device);
	mac_derive(key, i, mac);
}

/* What a bridged NIC needs: a VM, and a TAP device no other NIC uses */
static int plan_bridged(const struct run_opts *o, const struct plan *p,
			int i, struct qerr *e)
{
	int j;

	if (!p->vm)
		return qerr_usage(e, "--net %s: only a VM can use a TAP device "
				     "('%s' is not qemu-system-*; --vm says a "
				     "payload takes QEMU's arguments); a "
				     "command has no way onto the bridge",
				  o->net_text[i], p->argv[0]);
	for (j = 0; j < i; j++)
		if (o->nets[j].mode == NET_BRIDGED &&
		    !strcmp(o->nets[j].device, o->nets[i].device))
			return qerr_usage(e, "--net %s: device %s is already "
					     "used by NIC %d", o->net_text[i],
					  o->nets[i].device, j);
	return 0;
}

const char *default_policy(const char *argv0)
{
	return argv_is_qemu(argv0) ? "qemu" : "default";
}

/*
 * A user's own -device for NIC @i that sets mac= decides the NIC's MAC:
 * it is the one the guest sends from, so the one the hub and the
 * anti-spoofing rules must know. A different mac= on the --net is refused.
 */
static int plan_user_mac(const struct run_opts *o, struct plan *p, int i,
			 struct qerr *e)
{
	struct nic_plan *n = &p->nics[i];
	bool given = (o->n_nets && o->nets[i].has_mac) ||
		     (i == 0 && o->mac_text);
	char id[16], a[18], b[18];
	uint8_t mac[6];
	int r;

	snprintf(id, sizeof(id), QEMU_NETDEV_ID, i);
	if ((r = qemu_argv_user_mac(o->argv, id, mac, e)) <= 0)
		return r;
	if (given && memcmp(mac, n->mac, 6))
		return qerr_usage(e, "--net %s: mac=%s, but your -device for "
				     "netdev=%s says mac=%s", n->text,
				  mac_format(n->mac, a), id,
				  mac_format(mac, b));
	memcpy(n->mac, mac, 6);
	return 0;
}

/* NIC @i's subnet, addresses, spec and MTU, by its mode */
/*
 * ip=ADDR of a member of named network @n: one of the addresses members
 * get (the lease range), which excludes the network's own (its address
 * and broadcast, the gateway and host alias, DNS, the hub); a VM's only
 * where the network serves DHCP (without it the guest picks its own).
 * Whether another member holds it, only the hub knows.
 */
static int plan_ip(const struct plan *p, const struct nic_plan *n,
		   struct qerr *e)
{
	const struct net_layout *l = &n->layout;
	const struct net_spec *s = n->spec;
	char a[INET_ADDRSTRLEN], first[INET_ADDRSTRLEN], last[INET_ADDRSTRLEN];
	uint32_t ip = ntohl(s->ip.s_addr);
	const char *own = NULL;

	inet_ntop(AF_INET, &s->ip, a, sizeof(a));
	inet_ntop(AF_INET, &l->pool_first, first, sizeof(first));
	inet_ntop(AF_INET, &l->pool_last, last, sizeof(last));
	if (!subnet_contains(n->net, n->prefix, s->ip))
		return qerr_usage(e, "--net %s: ip=%s is outside the network's "
				     "subnet", n->text, a);
	if (s->ip.s_addr == l->gateway.s_addr && l->gateway.s_addr)
		own = "gateway";
	else if (s->ip.s_addr == l->host.s_addr && l->host.s_addr)
		own = "host alias";
	else if (s->ip.s_addr == l->dns.s_addr && l->dns.s_addr)
		own = "DNS forwarder";
	else if (s->ip.s_addr == l->hub.s_addr && l->hub.s_addr)
		own = "hub (its DHCP and DNS server)";
	if (own)
		return qerr_usage(e, "--net %s: ip=%s is the network's own "
				     "address (its %s)", n->text, a, own);
	if (ip < ntohl(l->pool_first.s_addr) || ip > ntohl(l->pool_last.s_addr))
		return qerr_usage(e, "--net %s: ip=%s is not one of the "
				     "members' addresses (%s to %s)", n->text,
				  a, first, last);
	if (p->vm && !l->dhcp)
		return qerr_usage(e, "--net %s: ip= needs the network's DHCP "
				     "(dhcp=on): without it a VM's guest picks "
				     "its own address", n->text);
	return 0;
}

/*
 * A vde NIC: its LAN is somebody else's. A command has the address and
 * route ip= and gw= give it (or none: link-local IPv6 alone); a VM's
 * guest takes what that LAN's DHCP or its own configuration says.
 */
static int plan_vde(const struct plan *p, struct nic_plan *n,
		    const struct net_spec *s, struct qerr *e)
{
	n->spec = s;
	n->mtu = s->mtu;	/* 0: Ethernet's 1500 */
	if (!s->has_ip)
		return 0;
	if (p->vm)
		return qerr_usage(e, "--net %s: ip= is a command's address: a "
				     "VM's guest sets its own on a VDE network",
				  n->text);
	n->net = s->subnet;
	n->prefix = s->prefix;
	n->guest = s->ip;
	if (s->has_gw)
		n->gateway = s->gw;
	return 0;
}

static int plan_nic_net(const struct run_opts *o, struct plan *p, int i,
			struct qerr *e)
{
	const struct net_spec *s = o->n_nets ? &o->nets[i] : NULL;
	struct nic_plan *n = &p->nics[i];
	int r;

	if (n->mode == NET_BRIDGED) {
		if ((r = plan_bridged(o, p, i, e)) < 0)
			return r;
		n->spec = s;
	} else if (n->mode == NET_VDE) {
		return plan_vde(p, n, s, e);
	} else if (s && net_mode_named(s->mode)) {
		if (s->n_links || s->serve_off)
			return qerr_usage(e, "--net %s: %s is the network's: "
					     "give it to qbox net create (and "
					     "links to qbox net link)", n->text,
					  s->n_links ? "link=LOCATOR" :
						       "serve=off");
		n->spec = s;
		net_layout(s, &n->net, &n->prefix, &n->layout);
		n->gateway = n->layout.gateway;
		n->dns = n->layout.dns;
		/* the network's own DNS server knows its members' names
		   (network/dnsmasq.c) and forwards the rest where there is
		   a way out */
		if (n->layout.hub.s_addr) {
			n->dns = n->layout.hub;
			names_net_domain(s, n->domain);
		}
		if (s->has_ip && (r = plan_ip(p, n, e)) < 0)
			return r;
		plan_named6(n);
	} else if (s && s->has_subnet) {
		n->net = s->subnet;
		n->prefix = s->prefix;
	} else {
		n->net.s_addr = htonl(0x0a000000u | (2u + (uint32_t)i) << 8);
		n->prefix = 24;
	}
	if (n->mode == NET_NAT)
		plan_nat(p, n, s);
	return 0;
}

/* NIC @i's MAC: mac=, --mac for the first, else derived */
static int plan_nic_mac(const struct run_opts *o, struct plan *p, int i,
			struct qerr *e)
{
	const struct net_spec *s = o->n_nets ? &o->nets[i] : NULL;
	struct nic_plan *n = &p->nics[i];

	if (s && s->has_mac)
		memcpy(n->mac, s->mac, 6);
	else if (i == 0 && o->mac_text)
		memcpy(n->mac, o->mac, 6);
	else
		nic_mac_derive(p, i, n->mode == NET_BRIDGED ? s->device : NULL,
			       n->mac);
	return p->vm ? plan_user_mac(o, p, i, e) : 0;
}

/* Whether NIC @n has a subnet of qbox's: not on a bridged or VDE LAN
 * (but a command's ip= there) */
static bool has_subnet(const struct nic_plan *n)
{
	return n->mode != NET_BRIDGED && (n->mode != NET_VDE || n->prefix);
}

/* NIC @i against the ones before it: subnets, MACs */
static int plan_nic_clashes(const struct run_opts *o, const struct plan *p,
			    int i, struct qerr *e)
{
	const struct nic_plan *n = &p->nics[i];
	int j;

	for (j = 0; j < i; j++) {
		const struct nic_plan *m = &p->nics[j];
		unsigned int pre = m->prefix < n->prefix ? m->prefix :
							   n->prefix;
		bool subnets = has_subnet(m) && has_subnet(n);
		char b[18], b6[INET6_ADDRSTRLEN];

		/* NAT NICs get distinct subnets, and so must a command's
		   (its routes); a VM's are its business */
		if (subnets && (!p->vm || (m->mode == NET_NAT &&
					   n->mode == NET_NAT)) &&
		    subnet_contains(m->net, pre, n->net))
			return qerr_usage(e, "--net %s: subnet overlaps that of "
					     "NIC %d (--net %s)",
					  o->n_nets ? o->net_text[i] : "nat",
					  j, o->net_text[j]);
		if (subnets && (!p->vm || (m->mode == NET_NAT &&
					   n->mode == NET_NAT)) &&
		    m->ipv6 && n->ipv6 && subnet6_contains(&m->net6, &n->net6))
			return qerr_usage(e, "--net %s: IPv6 prefix %s/64 is "
					     "that of NIC %d (--net %s): give "
					     "one of them another subnet6=",
					  o->net_text[i],
					  inet_ntop(AF_INET6, &n->net6, b6,
						    sizeof(b6)),
					  j, o->net_text[j]);
		if (!memcmp(m->mac, n->mac, 6))
			return qerr_usage(e, "--net %s: MAC %s is already used "
					     "by NIC %d", o->net_text[i],
					  mac_format(n->mac, b), j);
	}
	return 0;
}

static int plan_nics(const struct run_opts *o, struct plan *p, struct qerr *e)
{
	int i, r;

	/* --net nat is the default */
	p->n_nics = o->n_nets ? o->n_nets : 1;
	for (i = 0; i < p->n_nics; i++) {
		struct nic_plan *n = &p->nics[i];

		n->mode = o->n_nets ? o->nets[i].mode : NET_NAT;
		n->text = o->n_nets ? o->net_text[i] : "nat";
		if (n->mode == NET_NONE) {
			if (p->n_nics > 1)
				return qerr_usage(e, "--net none cannot be "
						     "combined with other --net "
						     "flags");
			continue;
		}
		n->link_down = o->n_nets && o->nets[i].link_down;
		if (o->n_nets)
			n->impair = o->nets[i].impair;
		n->pcap = o->n_nets && o->nets[i].pcap[0] ? o->nets[i].pcap :
							      NULL;
		if ((r = plan_nic_net(o, p, i, e)) < 0 ||
		    (r = plan_nic_mac(o, p, i, e)) < 0 ||
		    (r = plan_nic_clashes(o, p, i, e)) < 0)
			return r;
		/* a command on a network: its MAC makes its IPv6 address,
		   unique as the MAC is (the hub refuses a MAC in use) and
		   its own again when it comes back (the hub's bindings) */
		if (n->ipv6 && n->mode != NET_NAT && !p->vm)
			n->guest6 = subnet6_eui64(&n->net6, n->mac);
	}
	if (o->mac_text && p->nics[0].mode == NET_NONE)
		return qerr_usage(e, "--mac %s: there is no NIC (--net none)",
				  o->mac_text);
	if (o->mac_text && o->n_nets && o->nets[0].has_mac)
		return qerr_usage(e, "--mac %s: the first --net already sets "
				     "mac=", o->mac_text);
	return 0;
}

const char *fs_flag(enum fs_kind kind)
{
	return kind == FS_BIND ? "--bind" : kind == FS_RO_BIND ? "--ro-bind" :
							     "--tmpfs";
}

bool fwd_same_host_side(const struct fwd_spec *a, const struct fwd_spec *b)
{
	if (a->proto != b->proto || a->host_port != b->host_port ||
	    a->host_family != b->host_family)
		return false;
	if (a->host_family == AF_INET)
		return a->host4.s_addr == b->host4.s_addr;
	return !memcmp(&a->host6, &b->host6, sizeof(a->host6));
}

/* Why a forward cannot go to a bridged or VDE NIC, for messages ("" when
 * there is none of them) */
static const char *foreign_no_fwd(const struct plan *p)
{
	int j;

	for (j = 0; j < p->n_nics; j++)
		if (p->nics[j].mode == NET_BRIDGED)
			return " (a bridged NIC needs no forwards: its LAN "
			       "reaches the VM directly)";
		else if (p->nics[j].mode == NET_VDE)
			return " (a VDE NIC needs no forwards: its network "
			       "reaches the VM directly)";
	return "";
}

/* Whether NIC @n's subnet (or IPv6 prefix) holds @a */
static bool nic_holds(const struct nic_plan *n, const struct ipaddr *a)
{
	if (n->mode == NET_NONE || n->mode == NET_BRIDGED ||
	    n->mode == NET_VDE)
		return false;
	if (a->family == AF_INET6)
		return n->ipv6 && subnet6_contains(&n->net6, &a->v6);
	return subnet_contains(n->net, n->prefix, a->v4);
}

int fwd_resolve(const struct plan *p, const struct fwd_spec *spec,
		struct fwd_plan *f, struct qerr *e)
{
	char b[INET6_ADDRSTRLEN];
	bool given = spec->guest.family != 0;
	int j, named = -1;

	f->spec = *spec;
	f->nic = -1;
	for (j = 0; j < p->n_nics && f->nic < 0; j++) {
		const struct nic_plan *n = &p->nics[j];

		if (net_mode_named(n->mode) && named < 0)
			named = j;
		if (given ? nic_holds(n, &spec->guest) : n->mode == NET_NAT)
			f->nic = j;
	}
	if (f->nic < 0 && !given && named >= 0)
		return qerr_usage(e, "a forward to a %s network names the "
				     "guest's address, e.g. 2222:%s:22",
				  net_mode_name(p->nics[named].mode),
				  inet_ntop(AF_INET, &p->nics[named].layout
							      .pool_first,
					    b, sizeof(b)));
	if (f->nic < 0 && !given)
		return qerr_usage(e, "forwards need a nat NIC or a network, "
				     "and this sandbox has none%s",
				  foreign_no_fwd(p));
	if (f->nic < 0)
		return qerr_usage(e, "guest address %s is in no %s of this "
				     "sandbox's networks%s",
				  ipaddr_str(&spec->guest, b),
				  spec->guest.family == AF_INET6 ?
				  "IPv6 prefix (ipv6=on NAT NICs have one)" :
				  "subnet", foreign_no_fwd(p));
	if (p->nics[f->nic].mode == NET_INTERNAL)
		return qerr_usage(e, "internal network '%s' cannot be reached "
				     "from the host, not even by forwards",
				  p->nics[f->nic].spec->name);
	f->guest = given ? spec->guest : ipaddr4(p->nics[f->nic].guest);
	return 0;
}

static int plan_fwds(const struct run_opts *o, struct plan *p, struct qerr *e)
{
	int i, j, r;

	p->n_fwds = o->n_fwds;
	for (i = 0; i < o->n_fwds; i++) {
		struct fwd_plan *f = &p->fwds[i];

		f->text = o->fwd_text[i];
		if ((r = fwd_resolve(p, &o->fwds[i], f, e)) < 0) {
			qerr_prefix(e, "--fwd %s", f->text);
			return r;
		}
		for (j = 0; j < i; j++)
			if (fwd_same_host_side(&p->fwds[j].spec, &f->spec))
				return qerr_usage(e, "--fwd %s: that host port "
						     "is already forwarded by "
						     "--fwd %s", f->text,
						  p->fwds[j].text);
	}
	return 0;
}

bool plan_links_down(const struct plan *p)
{
	int i;

	for (i = 0; i < p->n_nics; i++)
		if (p->nics[i].link_down)
			return true;
	return false;
}

int plan_build(const struct run_opts *o, const char *default_name,
	       struct plan *p, struct qerr *e)
{
	const char *name = o->name ? o->name : default_name;
	int r;

	memset(p, 0, sizeof(*p));
	if ((r = name_check(name, "--name", e)) < 0)
		return r;
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->argv = o->argv;
	p->ready_fd = o->ready_fd;
	p->vm = o->force_vm || argv_is_qemu(o->argv[0]);
	p->policy = o->policy ? o->policy : default_policy(o->argv[0]);
	p->policy_log = o->policy_log;
	p->fs = o->fs;
	p->n_fs = o->n_fs;
	p->chdir = o->chdir;
	p->fs_host = o->fs_host;
	if (o->fs_host && (o->n_fs || o->chdir))
		return qerr_usage(e, "--fs host shows the payload the whole "
				     "host: --bind, --ro-bind, --tmpfs and "
				     "--chdir shape a view, which it has not");
	if ((r = plan_nics(o, p, e)) < 0)
		return r;
	p->vm_hold = p->vm && plan_links_down(p) && !qemu_argv_holds(p->argv);
	return plan_fwds(o, p, e);
}
