/* SPDX-License-Identifier: MIT */
/*
 * plan.h - what one sandbox will look like, decided before anything exists
 *
 * The command line is parsed into run_opts (cli.c), then resolved here into
 * a plan: every NIC's addresses and MAC, every forward's target. All checks
 * that a user can fail happen while building the plan, so a bad invocation
 * exits 2 before a single namespace, socket or file is created.
 */
#ifndef QBOX_PLAN_H
#define QBOX_PLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "plan/names.h"
#include "plan/spec.h"

#define MAX_NICS 8
#define MAX_FWDS 64
#define MAX_FS_OPTS 64
#define SANDBOX_NAME_MAX NET_NAME_MAX
/* A hub's name, and its files' in the runtime directory: "net@NAME".
 * Not valid in a name, so hubs' and sandboxes' files never clash. */
#define HUB_FILE_PREFIX "net@"

/* Host indexes inside a NAT subnet, as in QEMU/VirtualBox user networking */
#define HOST_GATEWAY 2		/* gateway and alias of the host's loopback */
#define HOST_DNS 3		/* DNS forwarder */
#define HOST_DHCP_FIRST 15	/* first DHCP lease: the VM's address */
#define HOST_COMMAND 100	/* static address of a non-VM payload */
#define HOST_SANDBOX 1		/* a VM sandbox's own address: forwards
				   dial the guest from it (libslirp leaves
				   .1 unused) */

/*
 * IPv6 on a NAT NIC: a unique-local /64 (RFC 4193's fd00::/8) made of
 * fd71:6278 ("qbx") and the NIC's IPv4 subnet's 32 bits, so that NICs
 * with distinct subnets get distinct prefixes: 10.0.2.0/24 gives
 * fd71:6278:a00:200::/64. Every sandbox's NAT is private, as its
 * 10.0.2.0/24 is: nothing outside sees the prefix (libslirp speaks for
 * the guest with the host's own sockets), so one fixed choice serves
 * all, as QEMU's fec0::/64 does. Interface identifiers mirror the IPv4
 * host numbers: the gateway ::2, DNS ::3, a command ::100, the sandbox's
 * own address ::1; a VM picks its own by SLAAC.
 */
#define NAT6_PREFIX_HI 0xfd716278u
#define HOST6_GATEWAY 0x2
#define HOST6_DNS 0x3
#define HOST6_COMMAND 0x100
#define HOST6_SANDBOX 0x1

/*
 * MTU of a NAT NIC's sandbox links and of its libslirp. A command payload
 * talks over the bridge itself, so it gets libslirp's largest (as
 * slirp4netns --mtu=65520): a bulk transfer then costs libslirp one frame,
 * one TAP read and one checksum pass per 64 KiB instead of per 1.5 KiB. A
 * VM's guest keeps Ethernet's 1500, which DHCP has no say in, and libslirp
 * must not send it frames larger than that.
 */
#define NAT_MTU_COMMAND 65520
#define NAT_MTU_VM 1500

/* What the payload's view gets beyond the system (netns/view.h) */
enum fs_kind {
	FS_BIND,	/* --bind SRC[:DST] */
	FS_RO_BIND,	/* --ro-bind SRC[:DST] */
	FS_TMPFS,	/* --tmpfs DST */
};

struct fs_opt {
	enum fs_kind kind;
	const char *arg;	/* as the user wrote it */
	size_t src_len;		/* SRC is arg's first src_len bytes */
	const char *dst;	/* within arg: DST, or NULL when it is SRC */
};

/* The flag of @kind, for messages: "--bind" */
const char *fs_flag(enum fs_kind kind);

struct run_opts {
	const char *name;		/* NULL: a unique default */
	const char *net_text[MAX_NICS];
	struct net_spec nets[MAX_NICS];
	int n_nets;
	const char *fwd_text[MAX_FWDS];
	struct fwd_spec fwds[MAX_FWDS];
	int n_fwds;
	const char *mac_text;		/* --mac: MAC of the first NIC */
	uint8_t mac[6];
	bool force_vm;			/* --vm */
	int ready_fd;			/* --ready-fd, -1 when absent */
	const char *policy;		/* --policy, NULL when absent */
	bool policy_log;		/* --policy-log */
	struct fs_opt fs[MAX_FS_OPTS];	/* --bind, --ro-bind, --tmpfs */
	int n_fs;
	const char *chdir;		/* --chdir, NULL when absent */
	bool fs_host;			/* --fs host */
	char **argv;			/* payload command, NULL-terminated */
	int argc;
};

/*
 * Where things sit in a named network's subnet (network/hub.c). A zero
 * address means "none": hostonly and internal networks have no gateway.
 */
struct net_layout {
	struct in_addr gateway;		/* default route of the members */
	struct in_addr host;		/* alias of the host's loopback */
	struct in_addr dns;
	struct in_addr hub;		/* the hub's own address on the segment */
	struct in_addr pool_first, pool_last;	/* DHCP leases */
	bool uplink;			/* libslirp runs for this network */
	bool dhcp;
	bool serve_off;			/* serve=off: the services are another
					   side's, over a link; the pool
					   numbers command members below the
					   serving side's */
	/* IPv6 (natnet and hostonly, internal with dhcp=on; not with
	   ipv6=off): its /64, and the addresses above mirrored into it
	   (natnet's gateway and host alias ::2, DNS ::3, hub ::1) */
	bool ipv6;
	struct in6_addr net6, gateway6, host6, dns6, hub6;
};

/*
 * What the NAT engine (libslirp) does for a NIC, if anything: a `nat` NIC
 * and a natnet or hostonly network's segment in its hub have one.
 */
struct nat_plan {
	bool on;
	struct in_addr host;		/* libslirp's address: the gateway and
					   the host's loopback alias */
	struct in_addr dns;		/* its DNS forwarder */
	struct in_addr dhcp_start;	/* its first lease */
	bool dhcp;			/* libslirp serves DHCP (a hub's
					   network has dnsmasq's) */
	bool host_only;			/* frames to the host alias only */
	const char *tftp;		/* its TFTP server's directory, absolute
					   (runner: tftp_resolve()); NULL: none */
	const char *bootfile;		/* DHCP's boot file, in it; NULL: none */
	const char *domain;		/* DHCP's domain (and search list);
					   NULL: none */
	bool no_hostloop;		/* hostloop=off: the host alias does not
					   lead to the host's loopback */
	bool ipv6;			/* IPv6 on: its prefix, router
					   advertisements, DHCPv6, DNS */
	struct in6_addr prefix6;	/* the /64 */
	struct in6_addr host6, dns6;	/* as host and dns */
	struct egress_policy egress;	/* egress=, allow= (its gateway and
					   dns are the engine's to fill) */
	enum egress_path path;		/* egress=kernel, egress=slirp */
};

/*
 * Whether @np's TCP leaves through the kernel (dataplane/egress.h) when
 * the kernel can: a NAT that leads out (not host-only), unless
 * egress=slirp
 */
bool nat_egress_kernel(const struct nat_plan *np);

struct nic_plan {
	enum net_mode mode;
	struct in_addr net;
	unsigned int prefix;
	struct in_addr gateway, dns, dhcp_start;
	struct in_addr guest;	/* the VM's lease, or the command's address;
				   named networks: set when the hub answers */
	bool ipv6;		/* NAT with IPv6 (nat.ipv6 too) */
	struct in6_addr net6;	/* its /64 */
	struct in6_addr gateway6, dns6;
	struct in6_addr guest6;	/* a command's address (on a NAT NIC ::100,
				   on a network its MAC's EUI-64 in the
				   /64); a VM's is its own choice (SLAAC):
				   zero */
	uint8_t mac[6];
	const char *text;		/* the --net value, for messages */
	const struct net_spec *spec;	/* named networks, bridged: as the
					   user wrote */
	struct net_layout layout;	/* named networks */
	unsigned int mtu;		/* NAT: NAT_MTU_COMMAND or NAT_MTU_VM; 0: 1500 */
	struct nat_plan nat;
	bool link_down;			/* link=down: starts unplugged */
	const char *pcap;		/* pcap=FILE, or NULL */
	struct net_impair impair;	/* rate=, loss=, delay=, jitter= */
	char domain[NAMES_DOMAIN_MAX];	/* a named network's with names
					   (plan/names.h), its DNS server
					   the hub's address; a NAT's
					   domain=; "": none */
};

/* @net6/64's address with interface identifier @iid (HOST6_*) */
struct in6_addr subnet6_host(const struct in6_addr *net6, uint32_t iid);

/* The default /64 of a NAT NIC on IPv4 subnet @net (NAT6_PREFIX_HI) */
void nat_prefix6(struct in_addr net, struct in6_addr *out);

/* @mac's modified EUI-64 interface identifier in /64 @net6 (RFC 4291) */
struct in6_addr subnet6_eui64(const struct in6_addr *net6,
			      const uint8_t mac[6]);

/* Whether @a lies in /64 @net6 */
bool subnet6_contains(const struct in6_addr *net6, const struct in6_addr *a);

/**
 * net_layout() - the addresses of a named network
 * @s:		parsed --net value of a named mode (subnet may be unset)
 * @net:	filled: the subnet (the mode's default when @s has none)
 * @prefix:	filled: its prefix length
 * @l:		filled: the layout
 *
 * natnet: 10.0.2.0/24, gateway, host alias .2, DNS .3, hub .1, leases from
 * .15; hostonly: 192.168.56.0/24, host alias .1, hub .100 (VirtualBox's
 * DHCP server), leases from .101; internal: no addresses unless dhcp=on
 * (192.168.100.0/24, hub .1, leases from .101).
 */
void net_layout(const struct net_spec *s, struct in_addr *net,
		unsigned int *prefix, struct net_layout *l);

/* The most MACs the NAT engine has: two for IPv4, three for IPv6 */
#define NAT_ENGINE_MACS 5

/**
 * nat_engine_macs() - the MACs the NAT engine speaks from on its segment
 * @np:		the NIC's NAT plan
 * @mac:	filled: the gateway's MAC, then the DNS forwarder's; with
 *		IPv6, the same two again for IPv6, and its router's (fe80::2)
 *		where that is not the gateway's
 *
 * libslirp sends every IPv4 frame from 52:55 followed by its own address
 * (if_encap) and answers ARP for its DNS address with 52:55 followed by
 * that one (arp_input); IPv6 frames and neighbor advertisements come from
 * 52:56 followed by the last 4 bytes of the IPv6 source (in6_compute_
 * ethaddr: ::2 and its router advertisements' fe80::2 alike, ::3):
 * predictable, so a hub refuses them to a member and pins them to its
 * uplink port. Return: how many (2, 4 or 5 with IPv6, 0 without NAT)
 */
int nat_engine_macs(const struct nat_plan *np,
		    uint8_t mac[NAT_ENGINE_MACS][6]);

/**
 * net_tftp_resolve() - tftp=DIR made absolute, and checked with its
 * bootfile=FILE
 * @s:		a NIC's spec: @s->tftp is rewritten in place
 * @e:		usage error naming tftp= or bootfile= and why
 *
 * The server runs in another working directory (the NAT engine's, a
 * network's dnsmasq), and a typo must be an error naming the option, not
 * a guest that never boots. Return: 0 (also without tftp=) or -errno
 */
int net_tftp_resolve(struct net_spec *s, struct qerr *e);

/**
 * hub_bridge_mac() - the MAC of a named network's bridge, in its hub
 * @l:		the network's layout
 * @mac:	filled: 52:55 and the hub's address, as libslirp's are made
 *
 * Set, not the kernel's choice: a bridge whose MAC nobody set takes its
 * lowest port's, and so changes as members join and leave; every member's
 * ARP entry for the hub's address (its DNS and DHCP server, where
 * forwards and `qbox exec NETWORK` start from) would then name a MAC that
 * is no longer there until it is looked up again, and a frame to it would
 * be flooded to the NAT engine, which resets the connection.
 * Return: false when the hub has no address (internal without DHCP)
 */
bool hub_bridge_mac(const struct net_layout *l, uint8_t mac[6]);

/* A MAC no member may claim as its own: multicast (broadcast too) or zero */
bool mac_unclaimable(const uint8_t mac[6]);

struct fwd_plan {
	const char *text;	/* as the user wrote it, for messages */
	struct fwd_spec spec;
	int nic;		/* index into plan.nics */
	struct ipaddr guest;	/* what the forward dials */
};

struct plan {
	char name[SANDBOX_NAME_MAX + 5];	/* a hub's: "net@NAME" */
	bool vm;		/* payload is qemu-system-* (or --vm) */
	bool vm_hold;		/* qbox starts QEMU with -S and runs the
				   guest once link=down NICs are unplugged */
	bool hub;		/* a named network's hub: no payload, NIC 0 is
				   the network (plan_hub()) */
	int n_nics;
	struct nic_plan nics[MAX_NICS];
	int n_fwds;
	struct fwd_plan fwds[MAX_FWDS];
	int ready_fd;		/* written "ready\n" and closed when ready */
	const char *policy;	/* seccomp policy, FILE or NAME */
	bool policy_log;	/* its default action becomes "log" */
	const struct fs_opt *fs;	/* the payload's view: --bind, ... */
	int n_fs;
	const char *chdir;	/* --chdir, or NULL: the current directory */
	bool fs_host;		/* --fs host: no view */
	char **argv;
};

/* Whether some NIC of @p starts unplugged (link=down) */
bool plan_links_down(const struct plan *p);

/**
 * plan_build() - resolve parsed options into a complete plan
 * @o:		options from run_opts_parse()
 * @default_name: name to use when --name is absent (e.g. "qbox-1234")
 * @p:		plan to fill
 * @e:		usage error naming the flag and value at fault
 *
 * Return: 0 or -EINVAL
 */
int plan_build(const struct run_opts *o, const char *default_name,
	       struct plan *p, struct qerr *e);

/**
 * plan_hub() - the plan of network @spec's hub
 * @spec:	a named network's --net value (subnet may be unset)
 * @argv:	what `qbox ps` would show as its command
 * @p:		filled: no payload, NIC 0 is the network's segment, named
 *		"net@NAME", its NAT (natnet, hostonly) without libslirp's DHCP
 */
void plan_hub(const struct net_spec *spec, char **argv, struct plan *p);

/**
 * fwd_resolve() - which NIC and guest address a forward goes to
 * @p:		the sandbox's plan
 * @spec:	the forward
 * @f:		filled: spec, nic, guest (text is left alone)
 * @e:		usage error (no NAT NIC; guest address in no NAT subnet)
 *
 * Without a guest address: the first NAT NIC's VM lease or command
 * address; with one: the NAT NIC whose subnet holds it.
 * Return: 0 or -EINVAL
 */
int fwd_resolve(const struct plan *p, const struct fwd_spec *spec,
		struct fwd_plan *f, struct qerr *e);

/* Same protocol, host address and host port */
bool fwd_same_host_side(const struct fwd_spec *a, const struct fwd_spec *b);

/*
 * The MAC of NIC @index of sandbox @name: 52:54:00 (QEMU's prefix) and three
 * bytes of a hash, so a sandbox keeps its MACs across restarts.
 */
void mac_derive(const char *name, int index, uint8_t mac[6]);

/* Whether @argv0 names a QEMU system emulator (basename qemu-system-*) */
bool argv_is_qemu(const char *argv0);

/*
 * The payload's policy unless --policy names one: "qemu" for a QEMU
 * system emulator by name, else "default". Not --vm: what it is for,
 * a wrapper script, needs more than QEMU's policy allows.
 */
const char *default_policy(const char *argv0);

#endif /* QBOX_PLAN_H */
