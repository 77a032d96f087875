// SPDX-License-Identifier: MIT
/*
 * vdeloc.c - VDE locators and UDP tunnels, checked (see vdeloc.h)
 */
#include "plan/vdeloc.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/util.h"

/*
 * libvdeplug4's plugins as Debian 12 ships them: the package, and why
 * one cannot be a NIC's plug. A plug runs in qbox's relay, confined and
 * without privileges, on one side of one NIC.
 */
static const struct {
	const char *scheme;
	const char *package;
	const char *refused;	/* NULL: usable */
} schemes[] = {
	{ "vde", "libvdeplug2", NULL },
	{ "vxlan", "libvdeplug2", NULL },
	{ "vxvde", "libvdeplug2", NULL },
	{ "udp", "libvdeplug2", NULL },
	{ "ptp", "libvdeplug2", NULL },
	{ "cmd", "libvdeplug2", NULL },
	{ "seqpacket", "libvdeplug2", NULL },
	{ "multi", "libvdeplug2", NULL },
	{ "bonding", "libvdeplug2", NULL },
	{ "null", "libvdeplug2", NULL },
	{ "agno", "libvdeplug-agno", NULL },
	{ "vlan", "libvdeplug-vlan", NULL },
	{ "slirp", "libvdeplug-slirp", NULL },
	{ "vdesl", "libvdeplug-vdesl", NULL },
	{ "switch", "libvdeplug2", "makes a switch, which others would join "
				   "through qbox's confined relay: run "
				   "vde_switch and give its vde:// locator" },
	{ "hub", "libvdeplug2", "makes a hub, which others would join "
				"through qbox's confined relay: run vde_switch "
				"--hub and give its vde:// locator" },
	{ "tap", "libvdeplug2", "opens a host TAP device (bridged:TAPDEV is "
				"the mode for an administrator's TAP)" },
	{ "macvtap", "libvdeplug2", "opens a host device, which takes root" },
	{ "pcap", "libvdeplug-pcap", "captures on a host interface, which "
				     "takes root" },
};

const char *vde_scheme_package(const char *scheme)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(schemes); i++)
		if (!strcmp(schemes[i].scheme, scheme))
			return schemes[i].package;
	return NULL;
}

/* The known schemes, for messages */
static void scheme_list(char *buf, size_t size)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(schemes) && used < size; i++)
		if (!schemes[i].refused)
			used += (size_t)snprintf(buf + used, size - used, "%s%s",
						 used ? ", " : "",
						 schemes[i].scheme);
}

int vde_locator_check(const char *loc, char scheme[VDE_SCHEME_MAX + 1],
		      struct qerr *e)
{
	const char *sep = strstr(loc, "://");
	char known[256];
	size_t i, len;

	if (!*loc)
		return qerr_usage(e, "vde: needs a locator (vde:LOCATOR, e.g. "
				     "vde:vde:///run/user/1000/sw)");
	if (strlen(loc) > VDE_LOCATOR_MAX)
		return qerr_usage(e, "a locator is at most %d characters", VDE_LOCATOR_MAX);
	/* libvdeplug takes a locator without a scheme as a switch's path */
	if (!sep) {
		snprintf(scheme, VDE_SCHEME_MAX + 1, "vde");
		return 0;
	}
	len = (size_t)(sep - loc);
	for (i = 0; i < len; i++)
		if (!((loc[i] >= 'a' && loc[i] <= 'z') ||
		      (loc[i] >= '0' && loc[i] <= '9') || loc[i] == '_'))
			break;
	scheme_list(known, sizeof(known));
	if (!len || i < len || len > VDE_SCHEME_MAX)
		return qerr_usage(e, "'%.*s' is not a VDE plugin's name "
				     "(known: %s)", (int)len, loc, known);
	memcpy(scheme, loc, len);
	scheme[len] = '\0';
	for (i = 0; i < ARRAY_SIZE(schemes); i++) {
		if (strcmp(schemes[i].scheme, scheme))
			continue;
		if (schemes[i].refused)
			return qerr_usage(e, "a %s:// plug %s", scheme,
					  schemes[i].refused);
		if (!strcmp(scheme, "vxlan") && vde_vxlan_vni(loc) < 0)
			return qerr_usage(e, "vxlan://: vni= is a number from 0 "
					     "to 16777215");
		return 0;
	}
	return qerr_usage(e, "unknown VDE plugin '%s' (known: %s)", scheme,
			  known);
}

long vde_vxlan_vni(const char *loc)
{
	const char *p = loc + strlen("vxlan://");
	unsigned long vni = 1;
	char opt[32];

	if (strncmp(loc, "vxlan://", strlen("vxlan://")))
		return -1;
	/* vxlan://[GROUP][/OPTION]...: options between slashes */
	while ((p = strchr(p, '/'))) {
		size_t len = strcspn(++p, "/");

		if (len < sizeof(opt) && !strncmp(p, "vni=", 4)) {
			memcpy(opt, p + 4, len - 4);
			opt[len - 4] = '\0';
			if (parse_uint(opt, 0xffffff, &vni) < 0)
				return -1;
		}
	}
	return (long)vni;
}

/* A port, 1-65535, of field @what */
static int port_parse(const char *field, const char *what, uint16_t *out,
		      struct qerr *e)
{
	unsigned long n;

	if (parse_uint(field, 65535, &n) < 0 || !n)
		return qerr_usage(e, "%s '%s' is not a port from 1 to 65535",
				  what, field);
	*out = (uint16_t)n;
	return 0;
}

/* An address of field @what: an IP literal, IPv6 in brackets */
static int addr_parse(const char *field, const char *what, struct ipaddr *out,
		      struct qerr *e)
{
	if (!ipaddr_parse(field, out) ||
	    (out->family == AF_INET6 && field[0] != '['))
		return qerr_usage(e, "%s '%s' is not an IPv4 address or an "
				     "IPv6 one in brackets", what, field);
	return 0;
}

/* libvdeplug's udp:// locator: IPv6 without brackets (it splits at the
 * last ':' and hands the rest to getaddrinfo) */
static int udp_locator(const struct udp_tunnel *t, char *loc, size_t size,
		       struct qerr *e)
{
	char l[INET6_ADDRSTRLEN], r[INET6_ADDRSTRLEN];
	int n;

	ipaddr_str(&t->local, l);
	ipaddr_str(&t->remote, r);
	n = snprintf(loc, size, "udp://%s%s%u->%s:%u", l, *l ? ":" : "",
		     t->lport, r, t->rport);
	if (n < 0 || (size_t)n >= size)
		return qerr_usage(e, "the tunnel's locator is too long");
	return 0;
}

int udp_tunnel_parse(const char *text, struct udp_tunnel *t, char *loc,
		     size_t size, struct qerr *e)
{
	char buf[256], *f[4];
	int n;

	memset(t, 0, sizeof(*t));
	if (strlen(text) >= sizeof(buf))
		return qerr_usage(e, "'%.32s...' is too long", text);
	strcpy(buf, text);
	n = split_fields(buf, f, 4);
	if (n < 3)
		return qerr_usage(e, "use udp:[LADDR:]LPORT:RADDR:RPORT (IPv6 "
				     "addresses in brackets)");
	if (n == 4 && addr_parse(f[0], "local address", &t->local, e) < 0)
		return -EINVAL;
	if (port_parse(f[n - 3], "local port", &t->lport, e) < 0 ||
	    addr_parse(f[n - 2], "remote address", &t->remote, e) < 0 ||
	    port_parse(f[n - 1], "remote port", &t->rport, e) < 0)
		return -EINVAL;
	if (t->local.family && t->local.family != t->remote.family)
		return qerr_usage(e, "the local and remote addresses are of "
				     "different families");
	return udp_locator(t, loc, size, e);
}
