/* SPDX-License-Identifier: MIT */
/*
 * vdeloc.h - the generic mode's words: VDE locators and UDP tunnels
 *
 * `--net vde:LOCATOR` joins whatever network libvdeplug4 opens at
 * LOCATOR (a vde_switch, a VXLAN or vxvde segment, a UDP or ssh
 * point-to-point link, an encrypted one); `--net udp:[LADDR:]LPORT:
 * RADDR:RPORT` is VirtualBox's UDP tunnel, plain Ethernet frames in UDP
 * datagrams, which libvdeplug4's udp plugin speaks as QEMU's `-netdev
 * dgram` does. Pure functions: the checks that need no system, and the
 * Debian package of each plugin, for messages. (What runs the plug:
 * dataplane/vde_relay.h.)
 */
#ifndef QBOX_VDELOC_H
#define QBOX_VDELOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/ipaddr.h"

/* A locator's longest (libvdeplug copies it onto its stack) */
#define VDE_LOCATOR_MAX 255
/* A scheme's longest: "seqpacket" */
#define VDE_SCHEME_MAX 15

/* A UDP tunnel's two ends: IP literals (the peer's address is the one
 * frames are taken from: a name could resolve elsewhere tomorrow) */
struct udp_tunnel {
	struct ipaddr local;	/* LADDR; family 0: any of the local family */
	uint16_t lport;
	struct ipaddr remote;	/* RADDR */
	uint16_t rport;
};

/**
 * vde_locator_check() - whether @loc is a locator qbox can plug into
 * @loc:	"vde:///run/user/1000/sw", "vxlan://239.1.2.3/vni=7", a
 *		path (a vde_switch's, as libvdeplug takes it), ...
 * @scheme:	filled: its plugin's name ("vde" for a path)
 * @e:		usage error naming @loc: empty, too long, a scheme that is
 *		no VDE plugin's, one that cannot serve as a NIC's plug
 *		(switch://, hub:// make a switch; tap:// and macvtap:// a
 *		host device, which needs root)
 *
 * Return: 0 or -EINVAL
 */
int vde_locator_check(const char *loc, char scheme[VDE_SCHEME_MAX + 1],
		      struct qerr *e);

/*
 * The VNI a vxlan:// locator names (its /vni=N option; 1, the plugin's
 * default, without one), or -1 when @loc is no vxlan:// locator or its
 * VNI is not a number from 0 to 2^24-1
 */
long vde_vxlan_vni(const char *loc);

/* The Debian package holding plugin @scheme's libvdeplug_SCHEME.so, or
 * NULL when none is known */
const char *vde_scheme_package(const char *scheme);

/**
 * udp_tunnel_parse() - `udp:`'s value, [LADDR:]LPORT:RADDR:RPORT
 * @text:	"5000:127.0.0.1:5001", "0.0.0.0:5000:192.0.2.7:5001",
 *		"[::1]:5000:[::1]:5001" (IPv6 in brackets)
 * @t:		filled
 * @loc:	filled: libvdeplug's locator for it,
 *		udp://[LADDR:]LPORT->RADDR:RPORT
 * @size:	room in @loc (VDE_LOCATOR_MAX + 1)
 * @e:		usage error naming the bad field
 *
 * Ports 1-65535, both addresses of one family. Return: 0 or -EINVAL
 */
int udp_tunnel_parse(const char *text, struct udp_tunnel *t, char *loc,
		     size_t size, struct qerr *e);

#endif /* QBOX_VDELOC_H */
