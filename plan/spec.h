/* SPDX-License-Identifier: MIT */
/*
 * spec.h - the user's words for networks and forwards, parsed
 *
 * Pure functions: text in, struct out, or a qerr naming the bad part.
 * Nothing here touches the system, so every form is unit-tested.
 */
#ifndef QBOX_SPEC_H
#define QBOX_SPEC_H

#include <netinet/in.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/err.h"
#include "common/ipaddr.h"
#include "dataplane/frame_filter.h"
#include "plan/vdeloc.h"

enum net_mode {
	NET_NONE,	/* VirtualBox "not attached" */
	NET_NAT,	/* one private NAT per NIC, libslirp uplink */
	NET_NATNET,	/* named network: one segment, NAT to the outside */
	NET_HOSTONLY,	/* named network: the host's loopback, no outside */
	NET_INTERNAL,	/* named network: members only */
	NET_BRIDGED,	/* an administrator's TAP device, handed to QEMU */
	NET_VDE,	/* generic: a VDE network (libvdeplug4), or a UDP
			   tunnel (udp:, libvdeplug4's udp plugin) */
};

#define NET_NAME_MAX 48
/* A named network's links to VDE networks (link=LOCATOR) */
#define NET_LINKS_MAX 4
/* A network interface name: IFNAMSIZ (16) less the terminating NUL */
#define NET_DEVICE_MAX 15

/* Whether @m is a named network (a hub, network/hub.c) */
static inline bool net_mode_named(enum net_mode m)
{
	return m == NET_NATNET || m == NET_HOSTONLY || m == NET_INTERNAL;
}

/* "none", "nat", "natnet", "hostonly", "internal", "bridged", "vde" */
const char *net_mode_name(enum net_mode m);

/* domain=: a DNS label's length (what qbox's own DHCP server once fitted
 * in option 15 of its largest reply); enough for a lab's or a CI job's
 * domain, and for NAME.qbox.internal */
#define NET_DOMAIN_MAX 63

/* bootfile= of a NAT NIC: DHCP's file field holds 128 bytes */
#define NET_BOOTFILE_MAX 127

/*
 * dhcp-option=N:VALUE of a named network with DHCP: at most
 * NET_DHCP_OPTS_MAX of them, each VALUE at most NET_DHCP_VALUE_MAX
 * characters, what dnsmasq's --dhcp-option takes after "N," (several
 * values of one option joined with '+': the --net value's own separator
 * is ',')
 */
#define NET_DHCP_OPTS_MAX 8
#define NET_DHCP_VALUE_MAX 127

struct net_dhcp_opt {
	unsigned int code;	/* 1-254, none of qbox's own */
	char value[NET_DHCP_VALUE_MAX + 1];
};

/*
 * A NIC's impairment (netns/impair.h): rate= (tc's tbf), loss= (nftables'
 * numgen), delay= and jitter= (netem, where the kernel has it). Zero:
 * none.
 */
struct net_impair {
	uint64_t rate_bps;	/* rate=: bits per second, 8 kbit to 100 gbit */
	unsigned int loss_bp;	/* loss=: in hundredths of a percent, 1-10000 */
	unsigned int delay_ms;	/* delay=: 1-60000 */
	unsigned int jitter_ms;	/* jitter=: 1-60000, with delay= */
};

/* Whether @i impairs anything */
static inline bool net_impair_any(const struct net_impair *i)
{
	return i->rate_bps || i->loss_bp || i->delay_ms || i->jitter_ms;
}

/*
 * One impairment word, KEY=VALUE (rate=10mbit, loss=1.5%, delay=50ms,
 * jitter=5ms), into @out. Return: 1 when @word is one of them, 0 when it
 * is no impairment's key (the caller's), -EINVAL with @e for a bad value.
 */
int net_impair_word(const char *word, struct net_impair *out,
		    struct qerr *e);

/* Its text, as the words that make it ("rate=10mbit loss=1.5%"), or "" */
void net_impair_format(const struct net_impair *i, char *buf, size_t size);

/* What `qbox link` asks: a cable, the impairment's changes, or both */
struct link_change {
	int cable;		/* 1 up, 0 down, -1 unchanged */
	bool clear;		/* clear: no impairment, before the rest */
	struct net_impair set;	/* what to set (its nonzero fields) */
};

/**
 * link_words_parse() - `qbox link`'s words, joined by '+'
 * @words:	"down", "up+rate=10mbit", "clear", "loss=1%+delay=50ms"
 * @c:		filled
 * @e:		usage error naming the word
 *
 * Return: 0 or -EINVAL
 */
int link_words_parse(const char *words, struct link_change *c, struct qerr *e);

/* How a NAT's TCP leaves: the kernel's path (egress.h) or libslirp's */
enum egress_path { EGRESS_AUTO, EGRESS_KERNEL, EGRESS_SLIRP };

struct net_spec {
	enum net_mode mode;
	char name[NET_NAME_MAX + 1];	/* named modes: the network */
	char device[NET_DEVICE_MAX + 1];	/* bridged: the TAP device */
	char locator[VDE_LOCATOR_MAX + 1];	/* vde: libvdeplug's locator
						   (udp: the one made of the
						   tunnel) */
	bool udp;		/* vde: written udp:..., @tunnel its ends */
	struct udp_tunnel tunnel;
	bool has_gw;
	struct in_addr gw;	/* vde: gw=, a command's default route */
	bool dhcp;		/* internal: dhcp=on */
	bool linger;		/* named modes: linger=on */
	bool serve_off;		/* named modes: serve=off, the network's
				   DHCP, DNS and NAT are another side's,
				   over a link */
	char links[NET_LINKS_MAX][VDE_LOCATOR_MAX + 1];	/* named modes:
						   link=LOCATOR */
	int n_links;
	bool has_subnet;
	struct in_addr subnet;	/* network address, host bits zero */
	unsigned int prefix;
	bool no_ipv6;		/* nat, natnet: ipv6=off */
	bool has_subnet6;
	struct in6_addr subnet6;	/* nat, natnet: subnet6=PREFIX/64 */
	bool has_mac;
	uint8_t mac[6];
	bool has_ip;
	struct in_addr ip;	/* named modes: ip=, the member's own address;
				   vde: ip=ADDR/PREFIX, a command's (the
				   prefix's subnet in @subnet, @prefix) */
	char domain[NET_DOMAIN_MAX + 1];	/* domain=, lower case: a
						   named network's names, a
						   NAT's DHCP domain; "":
						   the default */
	unsigned int mtu;	/* nat, vde: mtu=N; 0: the default */
	bool no_hostloop;	/* nat, natnet: hostloop=off, the host alias
				   no longer reaches the host's loopback */
	enum egress_path egress_path;	/* nat, natnet: egress=kernel or
					   egress=slirp; unset: kernel when
					   the host's kernel can */
	bool egress_deny;	/* nat, natnet: egress=deny, only allow=
				   destinations (dataplane/frame_filter.h) */
	struct egress_rule allow[EGRESS_ALLOW_MAX];	/* allow=CIDR[:PORT] */
	int n_allow;
	char pcap[PATH_MAX];	/* pcap=FILE: the NIC's frames from the
				   start (netns/capture.h); "": none */
	bool link_down;		/* link=down: the NIC starts unplugged
				   (qbox link NAME nicN up plugs it) */
	struct net_impair impair;	/* rate=, loss=, delay=, jitter= */
	char tftp[PATH_MAX];	/* nat: tftp=DIR, served read-only by
				   libslirp's TFTP server; "": none */
	char bootfile[NET_BOOTFILE_MAX + 1];	/* nat: bootfile=FILE in
						   DIR, DHCP's boot file */
	struct net_dhcp_opt dhcp_opts[NET_DHCP_OPTS_MAX];	/* named
						   networks with DHCP */
	int n_dhcp_opts;
};

/*
 * A NAT's egress policy as text: "allow" or "deny", then each allow= rule
 * as ",ADDR/PREFIX[:PORT]" ("deny,198.51.100.2/32:80"): how a network
 * tells its members (net inspect --json "egress"), and how a member's
 * own is compared with it
 */
#define NET_EGRESS_TEXT (8 + EGRESS_ALLOW_MAX * 56)
void net_egress_format(const struct net_spec *n, char *buf, size_t size);

/* mtu= of a NAT NIC */
#define NET_MTU_MIN 1280
#define NET_MTU_MAX 65520
/* ... of a vde NIC: a jumbo frame within a VDE plug's 9216 bytes */
#define NET_VDE_MTU_MAX 9000

struct fwd_spec {
	int proto;			/* IPPROTO_TCP or IPPROTO_UDP */
	int host_family;		/* AF_INET or AF_INET6 */
	struct in_addr host4;
	struct in6_addr host6;
	uint16_t host_port;
	struct ipaddr guest;		/* GUESTADDR; family 0: not given */
	uint16_t guest_port;
};

/* Subnets must leave room for .2 (gateway), .3 (DNS), .15 (lease), .100 */
#define SUBNET_PREFIX_MIN 8
#define SUBNET_PREFIX_MAX 25

/**
 * net_spec_parse() - parse a --net value: MODE[:NAME][,KEY=VALUE]...
 * @text:	"nat", "nat,subnet=10.0.5.0/24,mac=52:54:00:12:34:56", "none",
 *		"natnet:lab0,subnet=10.0.5.0/24", "internal:x,dhcp=on",
 *		"bridged:qtap0,mac=52:54:00:12:34:56"
 * @out:	parsed spec
 * @e:		error; the message names the offending part of @text
 *
 * Return: 0 or -EINVAL (usage error)
 */
int net_spec_parse(const char *text, struct net_spec *out, struct qerr *e);

/**
 * fwd_spec_parse() - parse [tcp:|udp:][HOSTADDR:]HOSTPORT:[GUESTADDR:]GUESTPORT
 * @text:	e.g. "2222:22", "udp:[::1]:5353:10.0.2.15:53"
 * @out:	parsed spec; host defaults to 127.0.0.1, guest address unset
 * @e:		error naming the bad field
 *
 * IPv6 addresses go in brackets, on either side; the guest side's family
 * is GUESTADDR's, IPv4 (the lease) when it is not given.
 * Return: 0 or -EINVAL (usage error)
 */
int fwd_spec_parse(const char *text, struct fwd_spec *out, struct qerr *e);

/**
 * fwd_range_expand() - a forward of port ranges, one forward per port
 * @text:	"8000-8010:8000-8010", "udp:0.0.0.0:5000-5001:10.0.2.15:53-54",
 *		or a forward of single ports (then @out[0] is @text)
 * @host_side:	@text is the host side alone ([tcp:|udp:][HOSTADDR:]
 *		HOSTPORT[-LAST]), as `fwd --remove` takes it
 * @out:	filled: the forwards, one port each, in the same words
 * @max:	room in @out
 * @e:		usage error naming the range: a last port below the first,
 *		host and guest ranges of different lengths, more than @max
 *
 * Return: how many forwards (1 or more), or -EINVAL
 */
#define FWD_TEXT_MAX 256
int fwd_range_expand(const char *text, bool host_side,
		     char (*out)[FWD_TEXT_MAX], int max, struct qerr *e);

/**
 * fwd_host_parse() - parse the host side of a forward, for its removal
 * @text:	[tcp:|udp:][HOSTADDR:]HOSTPORT, e.g. "2222", "udp:[::1]:53"
 * @out:	protocol and host address and port; host defaults to 127.0.0.1
 * @e:		error naming the bad field
 *
 * Return: 0 or -EINVAL (usage error)
 */
int fwd_host_parse(const char *text, struct fwd_spec *out, struct qerr *e);

/**
 * tcp_target_parse() - parse the destination of `qbox nc`, `qbox wait`
 * @host:	an IPv4 or IPv6 address, e.g. "192.168.56.101",
 *		"fd71:6278:a00:200::100" or the same in brackets (names
 *		would resolve on the host, where a network's addresses mean
 *		nothing)
 * @port:	1-65535
 * @out:	the socket address (sockaddr_in or sockaddr_in6)
 * @e:		error naming the bad argument
 *
 * Return: 0 or -EINVAL (usage error)
 */
int tcp_target_parse(const char *host, const char *port,
		     struct sockaddr_storage *out, struct qerr *e);

/* Whether @name is a valid sandbox or network name:
 * [A-Za-z0-9][A-Za-z0-9_.-]*; @what names it in the message ("--name") */
int name_check(const char *name, const char *what, struct qerr *e);

/*
 * Whether @name can be a network interface's name: 1 to NET_DEVICE_MAX
 * printable ASCII characters, none of them a space, '/', ':' or ',', and
 * not "." or ".." (the kernel's rules, and a ',' would end the --net
 * value). 0, or a usage error quoting @name.
 */
int device_name_check(const char *name, struct qerr *e);

/**
 * domain_parse() - domain=DOMAIN: a DNS domain for host names
 * @val:	the value
 * @out:	NET_DOMAIN_MAX + 1 bytes: it, in lower case
 * @e:		usage error naming it
 *
 * Labels of letters, digits and '-' (not first or last), separated by
 * single dots, at most NET_DOMAIN_MAX bytes in all, no dot at either end
 * (RFC 1123's host names). Return: 0 or -EINVAL
 */
int domain_parse(const char *val, char *out, struct qerr *e);

/**
 * net_dhcp_opts_format() - a spec's dhcp-option= values, as one string
 * @n:		the spec
 * @buf:	filled: "N:VALUE" for each, in the order given, between commas
 *		("" for none); the same options give the same string
 * @size:	at least NET_DHCP_OPTS_TEXT
 */
#define NET_DHCP_OPTS_TEXT (NET_DHCP_OPTS_MAX * (NET_DHCP_VALUE_MAX + 5))
void net_dhcp_opts_format(const struct net_spec *n, char *buf, size_t size);

/* Parse "52:54:00:12:34:56"; unicast, not all-zero. 0 or -EINVAL. */
int mac_parse(const char *text, uint8_t mac[6], struct qerr *e);

/* Parse "10.0.5.0/24" with SUBNET_PREFIX_MIN..MAX, host bits zero. */
int cidr_parse(const char *text, struct in_addr *net, unsigned int *prefix,
	       struct qerr *e);

/*
 * Parse subnet6=PREFIX/64: a /64 (what SLAAC needs), unicast (not
 * multicast, unspecified, loopback, link-local or IPv4-mapped), the
 * interface bits zero. 0 or -EINVAL naming it.
 */
int cidr6_parse(const char *text, struct in6_addr *net, struct qerr *e);

/* Format a MAC as "52:54:00:12:34:56" into @buf (18 bytes) */
char *mac_format(const uint8_t mac[6], char buf[18]);

/* The address @host_index inside @net/@prefix, e.g. (10.0.2.0, 15) */
struct in_addr subnet_host(struct in_addr net, uint32_t host_index);

/* Whether @a lies inside @net/@prefix */
bool subnet_contains(struct in_addr net, unsigned int prefix,
		     struct in_addr a);

#endif /* QBOX_SPEC_H */
