// SPDX-License-Identifier: MIT
/*
 * fuzz_netspec.c - --net values: net_spec_parse() and its MAC, subnet and
 * name parsers
 *
 * The input is one --net value (a C string, as argv gives it). What is
 * accepted must keep spec.h's promises: a named mode has a valid name,
 * bridged a valid device and no subnet, the others neither, dhcp= only on
 * internal, linger= and ip= only on named modes, domain= only on named
 * modes and nat (lower case host-name labels, parsing back to itself), a
 * subnet within the prefix bounds with its host bits zero, a unicast
 * non-zero MAC. The MAC, subnet, name
 * and device-name parsers also get the whole input on their own, with
 * round trips: a MAC accepted is exactly the text mac_format() writes back
 * (any case), a subnet written back with inet_ntop() parses to the same
 * network, a name is 1 to NET_NAME_MAX letters, digits and "_.-" (not
 * first), a device name 1 to NET_DEVICE_MAX printable characters without
 * a space, '/', ':' or ','.
 */
#include <arpa/inet.h>
#include <strings.h>

#include "plan/spec.h"
#include "tests/fuzz/fuzz.h"

static void check_subnet(struct in_addr net, unsigned int prefix)
{
	uint32_t mask = ~0U << (32 - prefix);

	FUZZ_ASSERT(prefix >= SUBNET_PREFIX_MIN &&
		    prefix <= SUBNET_PREFIX_MAX);
	FUZZ_ASSERT(!(ntohl(net.s_addr) & ~mask));
	/* the addresses qbox hands out lie inside it */
	FUZZ_ASSERT(subnet_contains(net, prefix, subnet_host(net, 100)));
}

static void check_mac(const uint8_t mac[6])
{
	FUZZ_ASSERT(!(mac[0] & 1));
	FUZZ_ASSERT(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]);
}

static void fuzz_mac(const char *s)
{
	struct qerr e = { 0 };
	uint8_t mac[6];
	char back[18];

	if (mac_parse(s, mac, &e) < 0) {
		FUZZ_ASSERT(e.usage);
		return;
	}
	check_mac(mac);
	FUZZ_ASSERT(!strcasecmp(mac_format(mac, back), s));
}

static void fuzz_cidr(const char *s)
{
	struct in_addr net, net2;
	unsigned int prefix, prefix2;
	struct qerr e = { 0 };
	char back[INET_ADDRSTRLEN + 8];

	if (cidr_parse(s, &net, &prefix, &e) < 0) {
		FUZZ_ASSERT(e.usage);
		return;
	}
	check_subnet(net, prefix);
	inet_ntop(AF_INET, &net, back, INET_ADDRSTRLEN);
	snprintf(back + strlen(back), 8, "/%u", prefix);
	FUZZ_ASSERT(cidr_parse(back, &net2, &prefix2, &e) == 0);
	FUZZ_ASSERT(net2.s_addr == net.s_addr && prefix2 == prefix);
}

static void fuzz_name(const char *s)
{
	struct qerr e = { 0 };
	size_t len = strlen(s);

	if (name_check(s, "name", &e) < 0) {
		FUZZ_ASSERT(e.usage);
		return;
	}
	FUZZ_ASSERT(len >= 1 && len <= NET_NAME_MAX);
	FUZZ_ASSERT(s[0] != '_' && s[0] != '.' && s[0] != '-');
	FUZZ_ASSERT(strspn(s, "abcdefghijklmnopqrstuvwxyz"
			      "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == len);
}

static void fuzz_device(const char *s)
{
	struct qerr e = { 0 };
	size_t i, len = strlen(s);

	if (device_name_check(s, &e) < 0) {
		FUZZ_ASSERT(e.usage);
		return;
	}
	FUZZ_ASSERT(len >= 1 && len <= NET_DEVICE_MAX);
	FUZZ_ASSERT(strcmp(s, ".") && strcmp(s, ".."));
	for (i = 0; i < len; i++)
		FUZZ_ASSERT(s[i] > ' ' && s[i] < 0x7f && !strchr("/:,", s[i]));
}

/* A domain= accepted: lower case host-name labels, a fixed point */
static void check_domain(const char *d, bool allowed)
{
	char back[NET_DOMAIN_MAX + 1];
	struct qerr e = { 0 };
	size_t i, label = 0;

	FUZZ_ASSERT(allowed);
	FUZZ_ASSERT(strlen(d) <= NET_DOMAIN_MAX);
	for (i = 0; d[i]; i++) {
		FUZZ_ASSERT((d[i] >= 'a' && d[i] <= 'z') ||
			    (d[i] >= '0' && d[i] <= '9') || d[i] == '-' ||
			    d[i] == '.');
		label = d[i] == '.' ? 0 : label + 1;
		FUZZ_ASSERT(label <= 63);
	}
	FUZZ_ASSERT(d[0] != '.' && d[0] != '-' && d[i - 1] != '.' &&
		    d[i - 1] != '-');
	FUZZ_ASSERT(domain_parse(d, back, &e) == 0 && !strcmp(back, d));
}

/* dhcp-option= accepted: where DHCP runs, each number once and none of
 * qbox's own, values dnsmasq reads as one argument: no ',', space or
 * quote, no empty item */
static void check_dhcp_opts(const struct net_spec *ns, bool named)
{
	char text[NET_DHCP_OPTS_TEXT];
	int i, k;

	FUZZ_ASSERT(ns->n_dhcp_opts >= 0 &&
		    ns->n_dhcp_opts <= NET_DHCP_OPTS_MAX);
	if (!ns->n_dhcp_opts)
		return;
	FUZZ_ASSERT(named && (ns->mode != NET_INTERNAL || ns->dhcp));
	for (i = 0; i < ns->n_dhcp_opts; i++) {
		const struct net_dhcp_opt *o = &ns->dhcp_opts[i];
		size_t len = strlen(o->value);

		FUZZ_ASSERT(o->code >= 1 && o->code <= 254);
		FUZZ_ASSERT(o->code != 1 && o->code != 3 && o->code != 6 &&
			    o->code != 15 && (o->code < 50 || o->code > 61) &&
			    o->code != 66 && o->code != 67);
		FUZZ_ASSERT(len >= 1 && len <= NET_DHCP_VALUE_MAX);
		FUZZ_ASSERT(strcspn(o->value, ", \t\"'\\") == len);
		FUZZ_ASSERT(o->value[0] != '+' && o->value[len - 1] != '+' &&
			    !strstr(o->value, "++"));
		for (k = 0; k < i; k++)
			FUZZ_ASSERT(ns->dhcp_opts[k].code != o->code);
	}
	net_dhcp_opts_format(ns, text, sizeof(text));
	FUZZ_ASSERT(text[0] >= '1' && text[0] <= '9');
}

/* vde:, udp:, and a named network's link= and serve= */
static void check_generic(const struct net_spec *ns, bool named)
{
	char scheme[VDE_SCHEME_MAX + 1];
	struct qerr e = { 0 };
	int i;

	FUZZ_ASSERT((ns->mode == NET_VDE) == (ns->locator[0] != '\0'));
	if (ns->mode == NET_VDE) {
		FUZZ_ASSERT(strlen(ns->locator) <= VDE_LOCATOR_MAX &&
			    !strchr(ns->locator, ','));
		FUZZ_ASSERT(vde_locator_check(ns->locator, scheme, &e) == 0);
		FUZZ_ASSERT(!ns->udp || !strncmp(ns->locator, "udp://", 6));
		FUZZ_ASSERT(!ns->udp || (ns->tunnel.lport && ns->tunnel.rport &&
					 ns->tunnel.remote.family));
		FUZZ_ASSERT(!ns->mtu || (ns->mtu >= NET_MTU_MIN &&
					 ns->mtu <= NET_VDE_MTU_MAX));
		FUZZ_ASSERT(!ns->has_gw || (ns->has_ip &&
			    subnet_contains(ns->subnet, ns->prefix, ns->gw)));
	}
	FUZZ_ASSERT(!ns->has_gw || ns->mode == NET_VDE);
	FUZZ_ASSERT(!ns->serve_off || named);
	FUZZ_ASSERT(ns->n_links >= 0 && ns->n_links <= NET_LINKS_MAX);
	FUZZ_ASSERT(!ns->n_links || named);
	for (i = 0; i < ns->n_links; i++)
		FUZZ_ASSERT(vde_locator_check(ns->links[i], scheme, &e) == 0);
}

static void fuzz_spec(const char *s)
{
	struct qerr e = { 0 };
	struct net_spec ns;
	bool named;

	if (net_spec_parse(s, &ns, &e) < 0) {
		FUZZ_ASSERT(e.usage && e.msg[0]);
		return;
	}
	FUZZ_ASSERT(ns.mode == NET_NONE || ns.mode == NET_NAT ||
		    ns.mode == NET_BRIDGED || ns.mode == NET_VDE ||
		    net_mode_named(ns.mode));
	named = net_mode_named(ns.mode);
	FUZZ_ASSERT(named == (ns.name[0] != '\0'));
	FUZZ_ASSERT((ns.mode == NET_BRIDGED) == (ns.device[0] != '\0'));
	FUZZ_ASSERT(ns.mode != NET_BRIDGED ||
		    (device_name_check(ns.device, &e) == 0 && !ns.has_subnet));
	FUZZ_ASSERT(!named || name_check(ns.name, "name", &e) == 0);
	FUZZ_ASSERT(!ns.dhcp || ns.mode == NET_INTERNAL);
	FUZZ_ASSERT(!ns.linger || named);
	FUZZ_ASSERT(ns.mode != NET_NONE || (!ns.has_subnet && !ns.has_mac));
	/* dhcp=on alone: a default one; a vde NIC's ip=ADDR/PREFIX is its
	   LAN's, any prefix from 8 to 30 */
	if ((ns.has_subnet && ns.mode != NET_VDE) || ns.dhcp)
		check_subnet(ns.subnet, ns.prefix);
	if (ns.has_subnet && ns.mode == NET_VDE)
		FUZZ_ASSERT(ns.has_ip && ns.prefix >= 8 && ns.prefix <= 30 &&
			    subnet_contains(ns.subnet, ns.prefix, ns.ip) &&
			    ns.ip.s_addr != ns.subnet.s_addr);
	if (ns.has_mac)
		check_mac(ns.mac);
	FUZZ_ASSERT(!ns.has_ip || named || ns.mode == NET_VDE);
	check_generic(&ns, named);
	if (ns.domain[0])
		check_domain(ns.domain, named || ns.mode == NET_NAT);
	check_dhcp_opts(&ns, named);
	/* PXE where a DHCP server runs: a NAT NIC's, a network's dnsmasq */
	FUZZ_ASSERT(!ns.tftp[0] || ns.mode == NET_NAT ||
		    (named && (ns.mode != NET_INTERNAL || ns.dhcp)));
	FUZZ_ASSERT(!ns.bootfile[0] || (ns.tftp[0] && ns.bootfile[0] != '/'));
	FUZZ_ASSERT(!ns.no_hostloop || ns.mode == NET_NAT ||
		    ns.mode == NET_NATNET);
	FUZZ_ASSERT(strcmp(net_mode_name(ns.mode), "?"));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);

	fuzz_spec(s);
	fuzz_mac(s);
	fuzz_cidr(s);
	fuzz_name(s);
	fuzz_device(s);
	free(s);
	return 0;
}
