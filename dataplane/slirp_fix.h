/* SPDX-License-Identifier: MIT */
/*
 * slirp_fix.h - libslirp's frames to the guest, corrected where real
 * clients refuse them
 *
 * libslirp 4.7's stateless DHCPv6 server (what `--net nat` offers a guest
 * for its IPv6 DNS server) answers an Information-request with a Reply
 * that has no Server Identifier option, from UDP port 8962 (547 with its
 * bytes swapped). RFC 8415 (21.3, 18.2.10) has a client discard such a
 * Reply, and real ones do: dhcpcd logs "no DHCPv6 server ID" and gives
 * up. Its router
 * advertisements also leave the O flag ("other configuration") clear, so
 * a client that follows the RA (systemd-networkd, NetworkManager, dhcpcd)
 * never asks. On a host-only network, whose engine leads nowhere but the
 * host alias, its router advertisements must not make it the members'
 * default router (libslirp cannot be told): their router lifetime
 * becomes 0, so the /64 stays on-link and nothing routes through it.
 * And on a host whose resolv.conf names IPv4 nameservers only, libslirp's
 * IPv6 DNS forwarder (::3) answers nothing, yet its DHCPv6 names it: the
 * guest would wait out a timeout on every name before it tried 10.0.2.3,
 * so the engine leaves it out of the reply.
 * The NAT engine passes every frame libslirp sends through slirp_fix()
 * on its way to the TAP; these are rewritten, every other frame passes
 * untouched. Pure, so unit-tested.
 */
#ifndef QBOX_SLIRP_FIX_H
#define QBOX_SLIRP_FIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What slirp_fix() may add to a frame: a Server Identifier option */
#define SLIRP_FIX_GROWTH 14

/* What else it corrects, by the engine's circumstances */
#define SLIRP_FIX_NOT_ROUTER 1	/* a host-only network's engine: router
				   advertisements name no default router */
#define SLIRP_FIX_NO_DNS6 2	/* the host has no IPv6 nameserver, so
				   libslirp's ::3 answers nothing: DHCPv6
				   replies name no DNS server */

/**
 * slirp_fix() - correct one frame libslirp sends to the guest
 * @f:		the Ethernet frame
 * @len:	its length
 * @flags:	SLIRP_FIX_NOT_ROUTER, SLIRP_FIX_NO_DNS6
 * @out:	filled with the corrected frame, when there is one
 * @cap:	@out's size: @len + SLIRP_FIX_GROWTH will do
 *
 * A DHCPv6 Reply (UDP to 546, type 7) without a Server Identifier gets
 * one: a DUID-LL (RFC 8415 11.4) of the MAC it comes from, so that it is
 * the same in every reply; its source port becomes 547; with
 * SLIRP_FIX_NO_DNS6 its DNS servers option goes. A router advertisement
 * gets its O flag set (and with SLIRP_FIX_NOT_ROUTER a router lifetime
 * of 0). Lengths and checksums follow.
 * Return: the corrected frame's length in @out, or 0 when @f is right as
 * it is (or is not one of them, or does not fit)
 */
size_t slirp_fix(const uint8_t *f, size_t len, unsigned int flags,
		 uint8_t *out, size_t cap);

/*
 * Whether resolv.conf text @text names an IPv6 nameserver (a scope id
 * after '%' allowed): what libslirp's IPv6 DNS forwarder needs, as it
 * asks the host's resolver of the query's family alone
 */
bool resolv_has_ipv6(const char *text);

#endif /* QBOX_SLIRP_FIX_H */
