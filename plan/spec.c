// SPDX-License-Identifier: MIT
/*
 * spec.c - parsers for --net and --fwd values
 *
 * Every message quotes the part of the value at fault, so the caller only
 * has to prefix the flag: "--fwd 99999:22: host port 99999 out of range".
 */
#include "plan/spec.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/util.h"

char *mac_format(const uint8_t mac[6], char buf[18])
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1],
		 mac[2], mac[3], mac[4], mac[5]);
	return buf;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);	/* lower case */
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int mac_parse(const char *text, uint8_t mac[6], struct qerr *e)
{
	int i, hi, lo;

	/* two hex digits per byte, nothing else: sscanf's %x would also
	 * take a sign, a space or 0x */
	if (strlen(text) != 17)
		goto malformed;
	for (i = 0; i < 6; i++) {
		hi = hex_digit(text[i * 3]);
		lo = hex_digit(text[i * 3 + 1]);
		if (hi < 0 || lo < 0 || (i < 5 && text[i * 3 + 2] != ':'))
			goto malformed;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	if (mac[0] & 1)
		return qerr_usage(e, "MAC '%s' is a multicast address "
				     "(lowest bit of the first byte set)", text);
	if (!(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]))
		return qerr_usage(e, "MAC '%s' is all zero", text);
	return 0;
malformed:
	return qerr_usage(e, "MAC '%s' is not of the form 52:54:00:12:34:56",
			  text);
}

struct in_addr subnet_host(struct in_addr net, uint32_t host_index)
{
	struct in_addr a = { htonl(ntohl(net.s_addr) + host_index) };

	return a;
}

static uint32_t prefix_mask(unsigned int prefix)
{
	return prefix ? ~0U << (32 - prefix) : 0;
}

bool subnet_contains(struct in_addr net, unsigned int prefix,
		     struct in_addr a)
{
	uint32_t m = prefix_mask(prefix);

	return (ntohl(a.s_addr) & m) == (ntohl(net.s_addr) & m);
}

int cidr_parse(const char *text, struct in_addr *net, unsigned int *prefix,
	       struct qerr *e)
{
	char addr[INET_ADDRSTRLEN];
	const char *slash = strchr(text, '/');
	unsigned long p;
	uint32_t m;

	if (!slash || (size_t)(slash - text) >= sizeof(addr))
		return qerr_usage(e, "subnet '%s' is not of the form "
				     "10.0.5.0/24", text);
	memcpy(addr, text, (size_t)(slash - text));
	addr[slash - text] = '\0';
	if (inet_pton(AF_INET, addr, net) != 1)
		return qerr_usage(e, "subnet '%s': '%s' is not an IPv4 "
				     "address", text, addr);
	if (parse_uint(slash + 1, 32, &p) < 0)
		return qerr_usage(e, "subnet '%s': prefix '%s' is not a "
				     "number from 0 to 32", text, slash + 1);
	if (p < SUBNET_PREFIX_MIN || p > SUBNET_PREFIX_MAX)
		return qerr_usage(e, "subnet '%s': prefix /%lu out of range "
				     "(/%d to /%d; the network needs room for "
				     ".2, .3, .15 and .100)", text, p,
				  SUBNET_PREFIX_MIN, SUBNET_PREFIX_MAX);
	m = prefix_mask((unsigned int)p);
	if (ntohl(net->s_addr) & ~m) {
		struct in_addr base = { htonl(ntohl(net->s_addr) & m) };
		char b[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &base, b, sizeof(b));
		return qerr_usage(e, "subnet '%s' has host bits set (did you "
				     "mean %s/%lu?)", text, b, p);
	}
	*prefix = (unsigned int)p;
	return 0;
}

static const char *const mode_names[] = {
	[NET_NONE] = "none", [NET_NAT] = "nat", [NET_NATNET] = "natnet",
	[NET_HOSTONLY] = "hostonly", [NET_INTERNAL] = "internal",
	[NET_BRIDGED] = "bridged", [NET_VDE] = "vde",
};

/* For messages that list the modes */
#define MODES_AVAILABLE "none, nat, natnet:NAME, hostonly:NAME, " \
			"internal:NAME, bridged:TAPDEV, vde:LOCATOR, " \
			"udp:[LADDR:]LPORT:RADDR:RPORT"

int cidr6_parse(const char *text, struct in6_addr *net, struct qerr *e)
{
	const char *slash = strchr(text, '/');
	char addr[INET6_ADDRSTRLEN];
	const uint8_t *a = net->s6_addr;
	size_t len = slash ? (size_t)(slash - text) : 0;
	static const uint8_t zero[8];
	int i;

	if (!slash || strcmp(slash, "/64"))
		return qerr_usage(e, "subnet6=%s is not a /64 (PREFIX/64: "
				     "SLAAC needs one)", text);
	if (len < sizeof(addr)) {
		memcpy(addr, text, len);
		addr[len] = '\0';
	}
	if (len >= sizeof(addr) || inet_pton(AF_INET6, addr, net) != 1)
		return qerr_usage(e, "subnet6=%s: '%.*s' is not an IPv6 "
				     "address", text, (int)len, text);
	for (i = 8; i < 16; i++)
		if (a[i])
			return qerr_usage(e, "subnet6=%s: the interface bits "
					     "(after /64) are set", text);
	/* ::/64 holds ::, ::1 and the IPv4-mapped and -compatible forms */
	if (a[0] == 0xff || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) ||
	    !memcmp(a, zero, 8))
		return qerr_usage(e, "subnet6=%s is not a unicast prefix "
				     "(multicast, link-local and :: are not; "
				     "a unique-local fdXX:... is the usual "
				     "choice)", text);
	return 0;
}

const char *net_mode_name(enum net_mode m)
{
	return (size_t)m < ARRAY_SIZE(mode_names) ? mode_names[m] : "?";
}

int name_check(const char *name, const char *what, struct qerr *e)
{
	size_t i, len = strlen(name);

	if (!len || len > NET_NAME_MAX)
		return qerr_usage(e, "%s '%s': must be 1 to %d characters",
				  what, name, NET_NAME_MAX);
	for (i = 0; i < len; i++) {
		char c = name[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') ||
			  (i > 0 && (c == '_' || c == '.' || c == '-'));

		if (!ok)
			return qerr_usage(e, "%s '%s': use letters, digits "
					     "and _.- (not first)", what, name);
	}
	return 0;
}

int device_name_check(const char *name, struct qerr *e)
{
	size_t i, len = strlen(name);

	if (!len || len > NET_DEVICE_MAX)
		return qerr_usage(e, "device name '%s': must be 1 to %d "
				     "characters", name, NET_DEVICE_MAX);
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return qerr_usage(e, "device name '%s' is not allowed", name);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c <= ' ' || c >= 0x7f || c == '/' || c == ':' || c == ',')
			return qerr_usage(e, "device name '%s': no spaces, "
					     "control characters, '/', ':' or "
					     "','", name);
	}
	return 0;
}

static int on_off(const char *key, const char *val, bool *out, struct qerr *e)
{
	if (!strcmp(val, "on") || !strcmp(val, "yes") || !strcmp(val, "1"))
		*out = true;
	else if (!strcmp(val, "off") || !strcmp(val, "no") || !strcmp(val, "0"))
		*out = false;
	else
		return qerr_usage(e, "%s='%s': use on or off", key, val);
	return 0;
}

/* The options each mode takes, for messages */
static const char *mode_options(enum net_mode m)
{
	switch (m) {
	case NET_NAT:
		return "subnet=, ipv6=, subnet6=, mac=, mtu=, domain=, "
		       "hostloop=, egress=, "
		       "allow=, tftp=, bootfile=, pcap=, link=, rate=, loss=, "
		       "delay= and jitter=";
	case NET_BRIDGED:
		return "mac= and link=";
	case NET_VDE:
		return "mac=, mtu=, ip=ADDR/PREFIX and gw= (a command's), "
		       "pcap=, link=, rate=, loss=, delay= and jitter=";
	case NET_NATNET:
		return "subnet=, ipv6=, subnet6=, mac=, ip=, domain=, "
		       "dhcp-option=, tftp=, bootfile=, hostloop=, egress=, "
		       "allow=, linger=, serve=, pcap=, link=, rate=, loss=, "
		       "delay= and jitter=";
	case NET_INTERNAL:
		return "subnet=, ipv6=, subnet6=, mac=, ip=, domain=, dhcp=, "
		       "dhcp-option=, tftp=, bootfile=, linger=, serve=, pcap=, "
		       "link=, rate=, loss=, delay= and jitter=";
	default:
		return "subnet=, ipv6=, subnet6=, mac=, ip=, domain=, "
		       "dhcp-option=, tftp=, bootfile=, linger=, serve=, pcap=, "
		       "link=, rate=, loss=, delay= and jitter=";
	}
}

/*
 * mtu=N of a NAT NIC: from IPv6's minimum link MTU (RFC 8200: below it the
 * kernel takes IPv6 off the link) to the largest frame a TAP and libslirp
 * take, as slirp4netns's --mtu
 */
static int mtu_parse(const char *val, unsigned int *out, struct qerr *e)
{
	unsigned long v;
	int r = parse_uint(val, 0xffffffffUL, &v);

	if (r == -EINVAL)
		return qerr_usage(e, "mtu='%s' is not a number", val);
	if (r < 0 || v < NET_MTU_MIN || v > NET_MTU_MAX)
		return qerr_usage(e, "mtu=%s out of range (%d-%d)", val,
				  NET_MTU_MIN, NET_MTU_MAX);
	*out = (unsigned int)v;
	return 0;
}

/*
 * bootfile=FILE of a NAT NIC: a file under tftp=DIR, named as a TFTP
 * client asks for it, so neither absolute nor leading out of DIR (the
 * engine's TFTP server refuses such a request anyway)
 */
static int bootfile_parse(const char *val, struct net_spec *out,
			  struct qerr *e)
{
	const char *c = val;

	if (!*val)
		return qerr_usage(e, "bootfile= needs a file name");
	if (strlen(val) > NET_BOOTFILE_MAX)
		return qerr_usage(e, "bootfile=%.32s...: longer than DHCP's "
				     "%d bytes", val, NET_BOOTFILE_MAX);
	if (val[0] == '/')
		return qerr_usage(e, "bootfile=%s: name it relative to tftp=DIR",
				  val);
	for (; c; c = strchr(c, '/'), c = c ? c + 1 : NULL)
		if (!strncmp(c, "..", 2) && (c[2] == '/' || !c[2]))
			return qerr_usage(e, "bootfile=%s: '..' leads out of "
					     "tftp=DIR", val);
	snprintf(out->bootfile, sizeof(out->bootfile), "%s", val);
	return 0;
}

int domain_parse(const char *val, char *out, struct qerr *e)
{
	size_t i, len = strlen(val), label = 0;

	if (!len || len > NET_DOMAIN_MAX)
		return qerr_usage(e, "domain=%s: must be 1 to %d characters",
				  val, NET_DOMAIN_MAX);
	for (i = 0; i <= len; i++) {
		char c = val[i];

		if (c == '.' || !c) {
			if (!label || val[i - 1] == '-')
				return qerr_usage(e, "domain=%s: an empty label, "
						     "or one ending in '-'", val);
			label = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			   (c >= '0' && c <= '9') || (c == '-' && label)) {
			label++;	/* at most NET_DOMAIN_MAX, a label's
					   own limit (63) */
		} else {
			return qerr_usage(e, "domain=%s: use letters, digits "
					     "and '-' (not first) in labels "
					     "between dots", val);
		}
		out[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	return 0;
}

/* DHCP options qbox (or dnsmasq for it) sets, or that are DHCP's own
 * machinery: not a user's to give */
static const char *dhcp_option_owner(unsigned long code)
{
	static const struct { unsigned int code; const char *what; } own[] = {
		{ 1, "the subnet mask, the network's" },
		{ 3, "the router, the network's" },
		{ 6, "the DNS server, the network's own" },
		{ 12, "the host name, the guest's" },
		{ 15, "the domain: give domain=" },
		{ 28, "the broadcast address, the network's" },
		{ 66, "the TFTP server, the network's own" },
		{ 67, "the boot file" },
		{ 82, "a relay's" },
	};
	size_t i;

	if (code >= 50 && code <= 61)
		return "DHCP's own (lease, message and server fields)";
	for (i = 0; i < ARRAY_SIZE(own); i++)
		if (own[i].code == code)
			return own[i].what;
	return NULL;
}

/*
 * dhcp-option=N:VALUE: N from 1 to 254 and not one qbox sets; VALUE the
 * characters of addresses, numbers and names ('+' between several), which
 * dnsmasq checks against the option's type when it starts
 */
static int dhcp_option_parse(const char *val, struct net_spec *out,
			     struct qerr *e)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyz"
				 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.:_/+-";
	const char *colon = strchr(val, ':'), *owner;
	struct net_dhcp_opt *o;
	unsigned long code;
	char num[8];
	size_t len;
	int i;

	if (!colon || colon == val || (size_t)(colon - val) >= sizeof(num))
		return qerr_usage(e, "dhcp-option=%s: give N:VALUE (an option "
				     "number, a colon, its value)", val);
	memcpy(num, val, (size_t)(colon - val));
	num[colon - val] = '\0';
	if (parse_uint(num, 254, &code) < 0 || code == 0)
		return qerr_usage(e, "dhcp-option=%s: the option number must "
				     "be 1 to 254", val);
	if ((owner = dhcp_option_owner(code)))
		return qerr_usage(e, "dhcp-option=%s: option %lu is %s", val,
				  code, owner);
	len = strlen(colon + 1);
	if (!len || len > NET_DHCP_VALUE_MAX ||
	    strspn(colon + 1, ok) != len || colon[1] == '+' ||
	    colon[len] == '+' || strstr(colon + 1, "++"))
		return qerr_usage(e, "dhcp-option=%s: the value must be 1 to "
				     "%d letters, digits and '.:_/-', several "
				     "joined with '+'", val, NET_DHCP_VALUE_MAX);
	for (i = 0; i < out->n_dhcp_opts; i++)
		if (out->dhcp_opts[i].code == code)
			return qerr_usage(e, "dhcp-option=%s: option %lu is "
					     "given twice", val, code);
	if (out->n_dhcp_opts >= NET_DHCP_OPTS_MAX)
		return qerr_usage(e, "dhcp-option=%s: at most %d options", val,
				  NET_DHCP_OPTS_MAX);
	o = &out->dhcp_opts[out->n_dhcp_opts++];
	o->code = (unsigned int)code;
	snprintf(o->value, sizeof(o->value), "%s", colon + 1);
	return 0;
}

void net_dhcp_opts_format(const struct net_spec *n, char *buf, size_t size)
{
	size_t at = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < n->n_dhcp_opts && at < size; i++)
		at += (size_t)snprintf(buf + at, size - at, "%s%u:%s",
				       i ? "," : "", n->dhcp_opts[i].code,
				       n->dhcp_opts[i].value);
}

void net_egress_format(const struct net_spec *n, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN];
	size_t at;
	int i;

	at = (size_t)snprintf(buf, size, "%s",
			      n->egress_deny ? "deny" : "allow");
	for (i = 0; i < n->n_allow && at < size; i++) {
		const struct egress_rule *r = &n->allow[i];
		bool v6 = r->family == AF_INET6;

		inet_ntop(v6 ? AF_INET6 : AF_INET,
			  v6 ? (const void *)&r->net6 : &r->net, a, sizeof(a));
		at += (size_t)snprintf(buf + at, size - at, ",%s%s/%u%s",
				       v6 ? "[" : "", a, r->prefix,
				       v6 ? "]" : "");
		if (n->allow[i].port && at < size)
			at += (size_t)snprintf(buf + at, size - at, ":%u",
					       n->allow[i].port);
	}
}

/* @s is digits with at most @decimals after a point; its value times
 * 10^@decimals into @out. 0 or -1. */
static int decimal_parse(const char *s, int decimals, uint64_t *out)
{
	uint64_t v = 0;
	int after = -1;

	if (!*s || *s == '.')
		return -1;
	for (; *s; s++) {
		if (*s == '.' && after < 0) {
			after = 0;
			continue;
		}
		if (*s < '0' || *s > '9' || after == decimals ||
		    v > UINT64_MAX / 100)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
		if (after >= 0)
			after++;
	}
	if (after == 0)
		return -1;
	for (after = after < 0 ? 0 : after; after < decimals; after++)
		v *= 10;
	*out = v;
	return 0;
}

/* A number with @unit's suffixes (their factors): the whole word */
static int unit_parse(const char *val, const char *const *units,
		      const uint64_t *factor, uint64_t *out)
{
	size_t len = strspn(val, "0123456789.");
	char num[32];
	uint64_t v;
	int i;

	if (!len || len >= sizeof(num))
		return -1;
	memcpy(num, val, len);
	num[len] = '\0';
	for (i = 0; units[i]; i++) {
		if (strcmp(val + len, units[i]))
			continue;
		/* thousandths, so that 1.5mbit is exact */
		if (decimal_parse(num, 3, &v) < 0 ||
		    v > UINT64_MAX / factor[i] || v * factor[i] % 1000)
			return -1;	/* a fraction of the smallest unit */
		*out = v * factor[i] / 1000;
		return 0;
	}
	return -1;
}

int net_impair_word(const char *word, struct net_impair *out,
		    struct qerr *e)
{
	static const char *const rates[] = { "bit", "kbit", "mbit", "gbit",
					     NULL };
	static const uint64_t rate_f[] = { 1, 1000, 1000000, 1000000000 };
	static const char *const times[] = { "ms", "s", NULL };
	static const uint64_t time_f[] = { 1, 1000 };
	const char *val = strchr(word, '=');
	size_t klen = val ? (size_t)(val - word) : 0;
	uint64_t v;

	if (!val)
		return 0;
	val++;
	if (klen == 4 && !strncmp(word, "rate", 4)) {
		if (unit_parse(val, rates, rate_f, &v) < 0 || v < 8000 ||
		    v > 100000000000ULL)
			return qerr_usage(e, "%s: a rate from 8kbit to 100gbit "
					     "(bit, kbit, mbit or gbit per "
					     "second: 10mbit)", word);
		out->rate_bps = v;
		return 1;
	}
	if (klen == 4 && !strncmp(word, "loss", 4)) {
		size_t n = strlen(val);
		char pct[16];

		if (n < 2 || n >= sizeof(pct) || val[n - 1] != '%')
			return qerr_usage(e, "%s: a share from 0.01%% to 100%% "
					     "(loss=1.5%%)", word);
		memcpy(pct, val, n - 1);
		pct[n - 1] = '\0';
		if (decimal_parse(pct, 2, &v) < 0 || v < 1 || v > 10000)
			return qerr_usage(e, "%s: a share from 0.01%% to 100%% "
					     "(loss=1.5%%)", word);
		out->loss_bp = (unsigned int)v;
		return 1;
	}
	if ((klen == 5 && !strncmp(word, "delay", 5)) ||
	    (klen == 6 && !strncmp(word, "jitter", 6))) {
		if (unit_parse(val, times, time_f, &v) < 0 || v < 1 ||
		    v > 60000)
			return qerr_usage(e, "%s: a time from 1ms to 60s (ms or "
					     "s: 50ms)", word);
		*(klen == 5 ? &out->delay_ms : &out->jitter_ms) =
			(unsigned int)v;
		return 1;
	}
	return 0;
}

void net_impair_format(const struct net_impair *i, char *buf, size_t size)
{
	static const char *const units[] = { "gbit", "mbit", "kbit" };
	unsigned long long r = i->rate_bps, f = 1000000000ULL;
	const char *unit = "bit";
	size_t at = 0, k;

	buf[0] = '\0';
	for (k = 0; r && k < 3; k++, f /= 1000)
		if (r % f == 0) {
			r /= f;
			unit = units[k];
			break;
		}
	if (i->rate_bps)
		at += (size_t)snprintf(buf, size, "rate=%llu%s", r, unit);
	if (i->loss_bp && at < size && i->loss_bp % 100)
		at += (size_t)snprintf(buf + at, size - at, "%sloss=%u.%02u%%",
				       at ? " " : "", i->loss_bp / 100,
				       i->loss_bp % 100);
	else if (i->loss_bp && at < size)
		at += (size_t)snprintf(buf + at, size - at, "%sloss=%u%%",
				       at ? " " : "", i->loss_bp / 100);
	if (i->delay_ms && at < size)
		at += (size_t)snprintf(buf + at, size - at, "%sdelay=%ums",
				       at ? " " : "", i->delay_ms);
	if (i->jitter_ms && at < size)
		snprintf(buf + at, size - at, "%sjitter=%ums", at ? " " : "",
			 i->jitter_ms);
}

int link_words_parse(const char *words, struct link_change *c, struct qerr *e)
{
	char buf[256], *w, *save = NULL;
	int r;

	*c = (struct link_change){ .cable = -1 };
	if (!*words || strlen(words) >= sizeof(buf))
		return qerr_usage(e, "link: give up, down, clear or KEY=VALUE "
				     "(rate=, loss=, delay=, jitter=)");
	strcpy(buf, words);
	for (w = strtok_r(buf, "+", &save); w; w = strtok_r(NULL, "+", &save)) {
		if (!strcmp(w, "up") || !strcmp(w, "down")) {
			c->cable = !strcmp(w, "up");
			continue;
		}
		if (!strcmp(w, "clear")) {
			c->clear = true;
			continue;
		}
		if ((r = net_impair_word(w, &c->set, e)) < 0)
			return r;
		if (r == 0)
			return qerr_usage(e, "link: '%s': use up, down, clear, "
					     "rate=, loss=, delay= or jitter=",
					  w);
	}
	if (c->set.jitter_ms && !c->set.delay_ms)
		return qerr_usage(e, "link: jitter= goes with delay=");
	return 0;
}

/* The ADDR[/PREFIX] of allow=@val (@addr: its copy, writable) into @r */
static int allow_net_parse(const char *val, char *addr,
			   struct egress_rule *r, struct qerr *e)
{
	bool v6 = r->family == AF_INET6;
	unsigned int bits = v6 ? 128 : 32, i;
	const uint8_t *a = v6 ? r->net6.s6_addr : (uint8_t *)&r->net.s_addr;
	char *slash = strchr(addr, '/');
	unsigned long n;

	r->prefix = bits;
	if (slash) {
		*slash++ = '\0';
		if (parse_uint(slash, bits, &n) < 0)
			return qerr_usage(e, "allow=%s: prefix '%s' is not a "
					     "number from 0 to %u", val, slash,
					  bits);
		r->prefix = (unsigned int)n;
	}
	if (inet_pton(r->family, addr, v6 ? (void *)&r->net6 : &r->net) != 1)
		return qerr_usage(e, "allow=%s: '%s' is not an %s address%s",
				  val, addr, v6 ? "IPv6" : "IPv4",
				  v6 ? "" : " (IPv6 goes in brackets: "
					    "[2001:db8::/32]:443)");
	for (i = r->prefix; i < bits; i++)
		if (a[i / 8] & (0x80 >> (i % 8)))
			return qerr_usage(e, "allow=%s: host bits are set after "
					     "/%u", val, r->prefix);
	return 0;
}

/* allow=ADDR[/PREFIX][:PORT] (IPv6: [ADDR[/PREFIX]][:PORT]) */
static int allow_parse(const char *val, struct net_spec *out, struct qerr *e)
{
	struct egress_rule r = { .family = AF_INET };
	const char *start = val, *end, *colon;
	char addr[INET6_ADDRSTRLEN + 4];
	unsigned long n;
	size_t alen;

	if (out->n_allow >= EGRESS_ALLOW_MAX)
		return qerr_usage(e, "allow=%s: at most %d allow= rules", val,
				  EGRESS_ALLOW_MAX);
	if (val[0] == '[') {
		r.family = AF_INET6;
		start = val + 1;
		if (!(end = strchr(start, ']')))
			return qerr_usage(e, "allow=%s: no ']' after the IPv6 "
					     "address", val);
		colon = end[1] == ':' ? end + 1 : NULL;
		if (end[1] && !colon)
			return qerr_usage(e, "allow=%s: ']' is followed by "
					     "':PORT' or nothing", val);
	} else {
		colon = strchr(val, ':');
		end = colon ? colon : val + strlen(val);
	}
	alen = (size_t)(end - start);
	if (alen >= sizeof(addr))
		return qerr_usage(e, "allow=%s: '%.*s' is not an address", val,
				  (int)alen, start);
	memcpy(addr, start, alen);
	addr[alen] = '\0';
	if (allow_net_parse(val, addr, &r, e) < 0)
		return -EINVAL;
	if (colon) {
		if (parse_uint(colon + 1, 65535, &n) < 0 || !n)
			return qerr_usage(e, "allow=%s: port '%s' is not a "
					     "number from 1 to 65535", val,
					  colon + 1);
		r.port = (uint16_t)n;
	}
	out->allow[out->n_allow++] = r;
	return 0;
}

/* link=LOCATOR of a named network: one more link of its segment */
static int net_link_add(const char *val, struct net_spec *out,
			struct qerr *e)
{
	char scheme[VDE_SCHEME_MAX + 1];
	int i;

	if (out->n_links == NET_LINKS_MAX)
		return qerr_usage(e, "link=%s: a network has at most %d links",
				  val, NET_LINKS_MAX);
	if (vde_locator_check(val, scheme, e) < 0) {
		qerr_prefix(e, "link=%s (up, down or a VDE locator)", val);
		return -EINVAL;
	}
	for (i = 0; i < out->n_links; i++)
		if (!strcmp(out->links[i], val))
			return qerr_usage(e, "link=%s is given twice", val);
	snprintf(out->links[out->n_links++], VDE_LOCATOR_MAX + 1, "%s", val);
	return 0;
}

/* Whether mode @m's NIC is on a LAN whose addresses are not qbox's */
static bool foreign_lan(enum net_mode m)
{
	return m == NET_BRIDGED || m == NET_VDE;
}

/* ip=ADDR/PREFIX of a vde NIC: a command's address on that LAN */
static int vde_ip_parse(const char *val, struct net_spec *out,
			struct qerr *e)
{
	const char *slash = strchr(val, '/');
	char addr[INET_ADDRSTRLEN];
	unsigned long p;
	size_t len = slash ? (size_t)(slash - val) : 0;

	if (!slash || len >= sizeof(addr) ||
	    parse_uint(slash + 1, 30, &p) < 0 || p < 8)
		return qerr_usage(e, "ip=%s: use ADDR/PREFIX, a prefix from 8 "
				     "to 30 (e.g. ip=192.168.77.5/24)", val);
	memcpy(addr, val, len);
	addr[len] = '\0';
	if (inet_pton(AF_INET, addr, &out->ip) != 1)
		return qerr_usage(e, "ip=%s: '%s' is not an IPv4 address", val,
				  addr);
	out->has_ip = out->has_subnet = true;
	out->prefix = (unsigned int)p;
	out->subnet.s_addr = htonl(ntohl(out->ip.s_addr) &
				   prefix_mask(out->prefix));
	if (out->ip.s_addr == out->subnet.s_addr ||
	    (ntohl(out->ip.s_addr) | prefix_mask(out->prefix)) == 0xffffffffu)
		return qerr_usage(e, "ip=%s is its subnet's network or "
				     "broadcast address", val);
	return 0;
}

/* One KEY=VALUE option of a --net spec; @opt is writable scratch. */
static int net_option(char *opt, struct net_spec *out, struct qerr *e)
{
	char *val = strchr(opt, '=');
	int r;

	if (!val)
		return qerr_usage(e, "option '%s' needs a value (KEY=VALUE)",
				  opt);
	*val++ = '\0';
	if (out->mode == NET_NONE)
		return qerr_usage(e, "mode 'none' takes no options, got '%s'",
				  opt);
	/* a bridged or VDE NIC's addresses are its LAN's business */
	if (!strcmp(opt, "subnet") && !foreign_lan(out->mode)) {
		out->has_subnet = true;
		return cidr_parse(val, &out->subnet, &out->prefix, e);
	}
	/* IPv6: a NAT's, or a named network's (its members all have it) */
	if (!strcmp(opt, "ipv6") && !foreign_lan(out->mode)) {
		bool on = true;

		if (on_off(opt, val, &on, e) < 0)
			return -EINVAL;
		out->no_ipv6 = !on;
		return 0;
	}
	if (!strcmp(opt, "subnet6") && !foreign_lan(out->mode)) {
		out->has_subnet6 = true;
		return cidr6_parse(val, &out->subnet6, e);
	}
	if (!strcmp(opt, "mac")) {
		out->has_mac = true;
		return mac_parse(val, out->mac, e);
	}
	if (!strcmp(opt, "mtu") && out->mode == NET_NAT)
		return mtu_parse(val, &out->mtu, e);
	/* a VDE plug carries frames of up to VDE_MAXMTU (9216) bytes */
	if (!strcmp(opt, "mtu") && out->mode == NET_VDE) {
		if (mtu_parse(val, &out->mtu, e) < 0)
			return -EINVAL;
		if (out->mtu > NET_VDE_MTU_MAX)
			return qerr_usage(e, "mtu=%s out of range for a VDE "
					     "plug (%d-%d)", val, NET_MTU_MIN,
					  NET_VDE_MTU_MAX);
		return 0;
	}
	/* PXE: libslirp's TFTP server on a NAT NIC, dnsmasq's on a network */
	if (!strcmp(opt, "tftp") &&
	    (out->mode == NET_NAT || net_mode_named(out->mode))) {
		if (!*val)
			return qerr_usage(e, "tftp= needs a directory");
		snprintf(out->tftp, sizeof(out->tftp), "%s", val);
		return 0;
	}
	if (!strcmp(opt, "bootfile") &&
	    (out->mode == NET_NAT || net_mode_named(out->mode)))
		return bootfile_parse(val, out, e);
	if (!strcmp(opt, "linger") && net_mode_named(out->mode))
		return on_off(opt, val, &out->linger, e);
	/* a capture of the NIC from its start: any mode with a link of
	   qbox's (a bridged NIC's TAP is the administrator's) */
	if (!strcmp(opt, "pcap") && out->mode != NET_BRIDGED) {
		if (!*val)
			return qerr_usage(e, "pcap= needs a file name");
		snprintf(out->pcap, sizeof(out->pcap), "%s", val);
		return 0;
	}
	/* impairment: any mode with links of qbox's */
	if (out->mode != NET_BRIDGED) {
		val[-1] = '=';
		r = net_impair_word(opt, &out->impair, e);
		val[-1] = '\0';
		if (r)
			return r < 0 ? r : 0;
	}
	/* the NIC's cable, this sandbox's own: any mode with a link; on a
	   named network a locator is a link of the network's segment */
	if (!strcmp(opt, "link")) {
		if (net_mode_named(out->mode) && strcmp(val, "up") &&
		    strcmp(val, "down"))
			return net_link_add(val, out, e);
		if (strcmp(val, "up") && strcmp(val, "down"))
			return qerr_usage(e, "link=%s: use up or down", val);
		out->link_down = !strcmp(val, "down");
		return 0;
	}
	if (!strcmp(opt, "serve") && net_mode_named(out->mode)) {
		bool on = true;

		if (on_off(opt, val, &on, e) < 0)
			return -EINVAL;
		out->serve_off = !on;
		return 0;
	}
	/* the host alias's way to the host's loopback: nat and natnet only
	   (it is all a host-only network is for) */
	if (!strcmp(opt, "hostloop") &&
	    (out->mode == NET_NAT || out->mode == NET_NATNET)) {
		bool on = true;

		if (on_off(opt, val, &on, e) < 0)
			return -EINVAL;
		out->no_hostloop = !on;
		return 0;
	}
	/* the NAT's egress policy: nat and natnet, whose NAT leads out */
	if (!strcmp(opt, "egress") &&
	    (out->mode == NET_NAT || out->mode == NET_NATNET)) {
		/* two words in one key: the policy, and the path; each may
		   be given once */
		if (!strcmp(val, "kernel") || !strcmp(val, "slirp")) {
			out->egress_path = !strcmp(val, "kernel") ?
					   EGRESS_KERNEL : EGRESS_SLIRP;
			return 0;
		}
		if (strcmp(val, "allow") && strcmp(val, "deny"))
			return qerr_usage(e, "egress=%s: use allow or deny (the "
					     "policy), kernel or slirp (the "
					     "path)", val);
		out->egress_deny = !strcmp(val, "deny");
		return 0;
	}
	if (!strcmp(opt, "allow") &&
	    (out->mode == NET_NAT || out->mode == NET_NATNET))
		return allow_parse(val, out, e);
	if (out->mode == NET_VDE && !strcmp(opt, "ip"))
		return vde_ip_parse(val, out, e);
	if (out->mode == NET_VDE && !strcmp(opt, "gw")) {
		out->has_gw = true;
		if (inet_pton(AF_INET, val, &out->gw) != 1)
			return qerr_usage(e, "gw=%s is not an IPv4 address", val);
		return 0;
	}
	if (!strcmp(opt, "ip") && net_mode_named(out->mode)) {
		out->has_ip = true;
		if (inet_pton(AF_INET, val, &out->ip) != 1)
			return qerr_usage(e, "ip=%s is not an IPv4 address",
					  val);
		return 0;
	}
	if (!strcmp(opt, "dhcp") && out->mode == NET_INTERNAL)
		return on_off(opt, val, &out->dhcp, e);
	if (!strcmp(opt, "domain") &&
	    (net_mode_named(out->mode) || out->mode == NET_NAT))
		return domain_parse(val, out->domain, e);
	if (!strcmp(opt, "dhcp-option") && net_mode_named(out->mode))
		return dhcp_option_parse(val, out, e);
	return qerr_usage(e, "unknown option '%s' (%s takes %s)", opt,
			  net_mode_name(out->mode), mode_options(out->mode));
}

/*
 * serve=off: the network's services (DHCP, DNS, NAT) are another side's,
 * over a link; what configures them is that side's to give
 */
static int serve_off_check(const struct net_spec *n, struct qerr *e)
{
	const char *theirs = n->n_dhcp_opts ? "dhcp-option=" :
			     n->tftp[0] ? "tftp=" :
			     n->domain[0] ? "domain=" :
			     n->no_hostloop ? "hostloop=" :
			     n->egress_deny || n->n_allow ||
			     n->egress_path ? "egress= and allow=" :
			     NULL;

	if (!n->serve_off)
		return 0;
	if (n->mode == NET_INTERNAL && !n->dhcp)
		return qerr_usage(e, "serve=off: an internal network without "
				     "dhcp=on serves nothing");
	if (theirs)
		return qerr_usage(e, "serve=off: %s belongs to the side that "
				     "serves the network", theirs);
	return 0;
}

/* vde:LOCATOR or udp:[LADDR:]LPORT:RADDR:RPORT (@arg after the colon) */
static int generic_parse(const char *mode, const char *arg,
			 struct net_spec *out, struct qerr *e)
{
	char scheme[VDE_SCHEME_MAX + 1];

	out->mode = NET_VDE;
	if (!strcmp(mode, "vde")) {
		if (vde_locator_check(arg ? arg : "", scheme, e) < 0)
			return -EINVAL;
		snprintf(out->locator, sizeof(out->locator), "%s", arg);
		return 0;
	}
	out->udp = true;
	return udp_tunnel_parse(arg ? arg : "", &out->tunnel, out->locator,
				sizeof(out->locator), e);
}

/* MODE, MODE:NAME or bridged:TAPDEV, the first field of a --net value */
static int net_mode_parse(char *mode, struct net_spec *out, struct qerr *e)
{
	char *colon = strchr(mode, ':');
	size_t i;

	if (colon)
		*colon++ = '\0';
	if (!strcmp(mode, "generic"))
		return qerr_usage(e, "VirtualBox's generic mode is vde:LOCATOR "
				     "(a VDE network) or udp:[LADDR:]LPORT:"
				     "RADDR:RPORT (a UDP tunnel) here");
	if (!strcmp(mode, "vde") || !strcmp(mode, "udp"))
		return generic_parse(mode, colon, out, e);
	for (i = 0; i < ARRAY_SIZE(mode_names); i++)
		if (!strcmp(mode, mode_names[i]))
			break;
	if (i == ARRAY_SIZE(mode_names))
		return qerr_usage(e, "unknown mode '%s' (available: "
				     MODES_AVAILABLE ")", mode);
	out->mode = (enum net_mode)i;
	if (out->mode == NET_BRIDGED) {
		if (!colon || !*colon)
			return qerr_usage(e, "mode 'bridged' needs a TAP device "
					     "(bridged:TAPDEV)");
		if (device_name_check(colon, e) < 0)
			return -EINVAL;
		snprintf(out->device, sizeof(out->device), "%s", colon);
		return 0;
	}
	if (!net_mode_named(out->mode)) {
		if (colon)
			return qerr_usage(e, "mode '%s' takes no network name, "
					     "got '%s'", mode, colon);
		return 0;
	}
	if (!colon || !*colon)
		return qerr_usage(e, "mode '%s' needs a network name "
				     "(%s:NAME)", mode, mode);
	if (name_check(colon, "network name", e) < 0)
		return -EINVAL;
	snprintf(out->name, sizeof(out->name), "%s", colon);
	return 0;
}

/* A --net value's longest: room for tftp=DIR of PATH_MAX and the rest */
#define NET_SPEC_MAX (PATH_MAX + 1024)

int net_spec_parse(const char *text, struct net_spec *out, struct qerr *e)
{
	char buf[NET_SPEC_MAX], *save = NULL, *tok, *mode;
	int r;

	memset(out, 0, sizeof(*out));
	if (strlen(text) >= sizeof(buf))
		return qerr_usage(e, "'%.32s...' is too long", text);
	strcpy(buf, text);
	mode = strtok_r(buf, ",", &save);
	if (!mode || text[0] == ',')
		return qerr_usage(e, "empty mode (try 'nat' or 'none')");
	if ((r = net_mode_parse(mode, out, e)) < 0)
		return r;
	while ((tok = strtok_r(NULL, ",", &save)))
		if ((r = net_option(tok, out, e)) < 0)
			return r;
	if (out->bootfile[0] && !out->tftp[0])
		return qerr_usage(e, "bootfile=%s needs tftp=DIR, the directory "
				     "it is in", out->bootfile);
	if (out->n_dhcp_opts && out->mode == NET_INTERNAL && !out->dhcp)
		return qerr_usage(e, "dhcp-option=%u:%s needs dhcp=on: without "
				     "it the network has no DHCP server",
				  out->dhcp_opts[0].code, out->dhcp_opts[0].value);
	if (out->tftp[0] && out->mode == NET_INTERNAL && !out->dhcp)
		return qerr_usage(e, "tftp=%s needs dhcp=on: without it the "
				     "network has no server", out->tftp);
	if (out->impair.jitter_ms && !out->impair.delay_ms)
		return qerr_usage(e, "jitter= goes with delay=");
	if (out->has_subnet6 && out->no_ipv6)
		return qerr_usage(e, "subnet6= goes with IPv6, and ipv6=off "
				     "turns it off");
	if (out->has_subnet6 && out->mode == NET_INTERNAL && !out->dhcp)
		return qerr_usage(e, "subnet6= needs dhcp=on: without it an "
				     "internal network has link-local IPv6 "
				     "addresses alone");
	if ((r = serve_off_check(out, e)) < 0)
		return r;
	if (out->has_gw && !out->has_ip)
		return qerr_usage(e, "gw= goes with ip=ADDR/PREFIX");
	if (out->has_gw && (!subnet_contains(out->subnet, out->prefix, out->gw) ||
			    out->gw.s_addr == out->ip.s_addr))
		return qerr_usage(e, "gw=: the gateway is another address of "
				     "ip='s subnet");
	if (out->dhcp && !out->has_subnet) {
		/* VirtualBox's internal networks have no default subnet */
		out->subnet.s_addr = htonl(0xc0a86400u);	/* 192.168.100.0 */
		out->prefix = 24;
	}
	return 0;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static int port_parse(const char *text, const char *which, uint16_t *port,
		      struct qerr *e)
{
	unsigned long v;
	int r = parse_uint(text, 0xffffffffUL, &v);

	if (r == -EINVAL)
		return qerr_usage(e, "%s port '%s' is not a number", which,
				  text);
	if (r < 0 || v < 1 || v > 65535)
		return qerr_usage(e, "%s port %s out of range (1-65535)", which,
				  text);
	*port = (uint16_t)v;
	return 0;
}

static int host_addr_parse(char *text, struct fwd_spec *out, struct qerr *e)
{
	size_t len = strlen(text);

	if (text[0] == '[') {
		if (len < 3 || text[len - 1] != ']')
			return qerr_usage(e, "host address '%s' is malformed",
					  text);
		text[len - 1] = '\0';
		if (inet_pton(AF_INET6, text + 1, &out->host6) != 1) {
			text[len - 1] = ']';
			return qerr_usage(e, "host address '%s' is not an IPv6 "
					     "address", text);
		}
		out->host_family = AF_INET6;
		return 0;
	}
	if (inet_pton(AF_INET, text, &out->host4) != 1)
		return qerr_usage(e, "host address '%s' is not an IPv4 address "
				     "(IPv6 goes in brackets: [::1])", text);
	out->host_family = AF_INET;
	return 0;
}

static int guest_addr_parse(const char *text, struct fwd_spec *out,
			    struct qerr *e)
{
	size_t len = strlen(text);

	if (text[0] == '[' ? len < 3 || text[len - 1] != ']'
			   : strchr(text, ':') != NULL)
		return qerr_usage(e, "guest address '%s' is malformed (IPv6 "
				     "goes in brackets: [fd71:6278:a00:200::15])",
				  text);
	if (!ipaddr_parse(text, &out->guest) ||
	    (text[0] == '[') != (out->guest.family == AF_INET6))
		return qerr_usage(e, "guest address '%s' is not an %s "
				     "address", text,
				  text[0] == '[' ? "IPv6" : "IPv4");
	return 0;
}

/* Defaults, a copy of @text in @buf, and the protocol prefix taken off */
static char *fwd_start(const char *text, char buf[256], struct fwd_spec *out,
		       struct qerr *e)
{
	char *s = buf;

	memset(out, 0, sizeof(*out));
	out->proto = IPPROTO_TCP;
	out->host_family = AF_INET;
	out->host4.s_addr = htonl(INADDR_LOOPBACK);
	if (strlen(text) >= 256) {
		qerr_usage(e, "'%.32s...' is too long", text);
		return NULL;
	}
	strcpy(buf, text);
	if (!strncmp(s, "tcp:", 4)) {
		s += 4;
	} else if (!strncmp(s, "udp:", 4)) {
		out->proto = IPPROTO_UDP;
		s += 4;
	}
	return s;
}

/* "A-B" into @first and @n ports; "A" is one. 1 for a range, 0 for a
 * single port, -1 when @s is neither */
static int port_range(const char *s, unsigned long *first, unsigned long *n)
{
	const char *dash = strchr(s, '-');
	char a[8];
	unsigned long last;

	*n = 1;
	if (!dash)
		return all_digits(s) && parse_uint(s, 65535, first) == 0 ? 0 : -1;
	if ((size_t)(dash - s) >= sizeof(a))
		return -1;
	memcpy(a, s, (size_t)(dash - s));
	a[dash - s] = '\0';
	if (!all_digits(a) || !all_digits(dash + 1) ||
	    parse_uint(a, 65535, first) < 0 ||
	    parse_uint(dash + 1, 65535, &last) < 0)
		return -1;
	*n = last >= *first ? last - *first + 1 : 0;
	return 1;
}

/*
 * Which of the @n fields of a forward hold its host and guest ports (-1:
 * none). @host_side: the host side alone may be meant ([HOSTADDR:]PORT),
 * or a whole spec, as `fwd --remove` takes either.
 */
static void port_fields(char *f[], int n, bool host_side, int *host,
			int *guest)
{
	unsigned long a, k;
	bool port_first = port_range(f[0], &a, &k) >= 0;

	*guest = n - 1;
	if (host_side && (n == 1 || (n == 2 && !port_first))) {
		*host = n - 1;
		*guest = -1;
		return;
	}
	*host = n == 2 ? 0 : n == 4 ? 1 : port_first ? 0 : 1;
}

int fwd_range_expand(const char *text, bool host_side,
		     char (*out)[FWD_TEXT_MAX], int max, struct qerr *e)
{
	char buf[FWD_TEXT_MAX], *f[5], *s = buf;
	unsigned long h0, hn, g0 = 0, gn = 1;
	int n, hf, gf, hr, gr = 0, i, k, len;

	if (strlen(text) >= sizeof(buf))
		return qerr_usage(e, "'%.32s...' is too long", text);
	strcpy(buf, text);
	if (!strncmp(s, "tcp:", 4) || !strncmp(s, "udp:", 4))
		s += 4;
	n = split_fields(s, f, 4);
	if (n < (host_side ? 1 : 2)) {
		snprintf(out[0], FWD_TEXT_MAX, "%s", text);
		return 1;	/* the forward's own parser says what is wrong */
	}
	port_fields(f, n, host_side, &hf, &gf);
	hr = port_range(f[hf], &h0, &hn);
	if (gf >= 0)
		gr = port_range(f[gf], &g0, &gn);
	if (hr <= 0 && gr <= 0) {
		snprintf(out[0], FWD_TEXT_MAX, "%s", text);
		return 1;
	}
	if (hr < 0 || gr < 0 || !hn || !gn)
		return qerr_usage(e, "%s: a port range is FIRST-LAST, LAST not "
				     "below FIRST", text);
	if (gf >= 0 && hn != gn)
		return qerr_usage(e, "%s: the host side has %lu ports, the "
				     "guest side %lu (a range forwards each "
				     "port to its counterpart: give as many)",
				  text, hn, gn);
	if ((long)hn > max)
		return qerr_usage(e, "%s: %lu ports, at most %d forwards", text,
				  hn, max);
	for (i = 0; i < (int)hn; i++) {
		len = snprintf(out[i], FWD_TEXT_MAX, "%.*s", (int)(s - buf),
			       text);
		for (k = 0; k < n; k++) {
			len += snprintf(out[i] + len, (size_t)(FWD_TEXT_MAX - len),
					"%s", k ? ":" : "");
			if (k == hf)
				len += snprintf(out[i] + len,
						(size_t)(FWD_TEXT_MAX - len),
						"%lu", h0 + (unsigned long)i);
			else if (k == gf)
				len += snprintf(out[i] + len,
						(size_t)(FWD_TEXT_MAX - len),
						"%lu", g0 + (unsigned long)i);
			else
				len += snprintf(out[i] + len,
						(size_t)(FWD_TEXT_MAX - len),
						"%s", f[k]);
		}
	}
	return (int)hn;
}

int fwd_host_parse(const char *text, struct fwd_spec *out, struct qerr *e)
{
	char buf[256], *f[3], *s = fwd_start(text, buf, out, e);
	int n, r;

	if (!s)
		return -EINVAL;
	n = split_fields(s, f, 2);
	if (n == 1)
		return port_parse(f[0], "host", &out->host_port, e);
	if (n == 2) {
		if ((r = host_addr_parse(f[0], out, e)) < 0)
			return r;
		return port_parse(f[1], "host", &out->host_port, e);
	}
	return qerr_usage(e, "expected [tcp:|udp:][HOSTADDR:]HOSTPORT");
}

int fwd_spec_parse(const char *text, struct fwd_spec *out, struct qerr *e)
{
	char buf[256], *f[5], *s = fwd_start(text, buf, out, e);
	int n, r;

	if (!s)
		return -EINVAL;

	n = split_fields(s, f, 4);
	if (n < 2) {
		if (n < 0 && !strchr(text, '['))
			return qerr_usage(e, "too many fields (IPv6 host "
					     "addresses go in brackets: "
					     "[::1]:8080:80)");
		return qerr_usage(e, "expected [tcp:|udp:][HOSTADDR:]HOSTPORT:"
				     "[GUESTADDR:]GUESTPORT");
	}
	switch (n) {
	case 2:		/* HOSTPORT:GUESTPORT */
		if ((r = port_parse(f[0], "host", &out->host_port, e)) < 0)
			return r;
		return port_parse(f[1], "guest", &out->guest_port, e);
	case 3:		/* HOSTADDR:HOSTPORT:GUESTPORT or HOSTPORT:GUESTADDR:.. */
		if (all_digits(f[0])) {
			if ((r = port_parse(f[0], "host", &out->host_port, e)))
				return r;
			if ((r = guest_addr_parse(f[1], out, e)) < 0)
				return r;
		} else {
			if ((r = host_addr_parse(f[0], out, e)) < 0)
				return r;
			if ((r = port_parse(f[1], "host", &out->host_port, e)))
				return r;
		}
		return port_parse(f[2], "guest", &out->guest_port, e);
	default:	/* HOSTADDR:HOSTPORT:GUESTADDR:GUESTPORT */
		if ((r = host_addr_parse(f[0], out, e)) < 0)
			return r;
		if ((r = port_parse(f[1], "host", &out->host_port, e)) < 0)
			return r;
		if ((r = guest_addr_parse(f[2], out, e)) < 0)
			return r;
		return port_parse(f[3], "guest", &out->guest_port, e);
	}
}

int tcp_target_parse(const char *host, const char *port,
		     struct sockaddr_storage *out, struct qerr *e)
{
	struct ipaddr a;
	uint16_t p;

	if (!ipaddr_parse(host, &a))
		return qerr_usage(e, "'%s' is not an IPv4 or IPv6 address "
				     "(members are named on a network, "
				     "MODE:NAME, alone)", host);
	if (port_parse(port, "destination", &p, e) < 0)
		return -EINVAL;
	ipaddr_sockaddr(&a, p, out);
	return 0;
}
