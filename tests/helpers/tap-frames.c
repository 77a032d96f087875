// SPDX-License-Identifier: MIT
/*
 * tap-frames FD MAC STEP... - IPv6 frames a guest sends, written to a VM's
 * TAP
 *
 * A payload run with `qbox run --vm` stands in for QEMU: it is handed its
 * NIC's TAP as fd FD (IFF_VNET_HDR: each frame after a virtio-net header
 * of 10 bytes, all zero here). This writes, from Ethernet up and with
 * valid checksums, what a guest's kernel could send, spoofing included,
 * so that a test can see which of them a network's rules let through:
 *
 *   echo6 SRC DST DSTMAC  an ICMPv6 echo request from SRC to DST, to
 *                         Ethernet DSTMAC (the hub's bridge, say)
 *   ns6 SRC TARGET        a neighbor solicitation from SRC for TARGET (to
 *                         its solicited-node group), saying SRC is at MAC
 *   na6 SRC TARGET        an unsolicited neighbor advertisement (override)
 *                         from SRC to all nodes: TARGET is at MAC (or at
 *                         the last tll's)
 *   tll LLADDR            later advertisements say LLADDR instead of MAC
 *   ra6                   a router solicitation from :: to all routers,
 *                         then the first router advertisement that comes
 *                         within 5 s: prints "ra PREFIX/LEN lifetime N"
 *                         (its first prefix, its router lifetime) or
 *                         "no-ra"
 *
 * Every frame's Ethernet source is MAC. Exits 0 once every step is done,
 * 2 on errors.
 */
#include <arpa/inet.h>
#include <poll.h>
#include <unistd.h>

#include "tests/helpers/helpers.h"

#define VNET_HDR 10

static void mac_parse(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	int i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4],
		   &b[5]) != 6)
		fatal("bad MAC '%s'", s);
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
}

static void ip6_parse(const char *s, uint8_t a[16])
{
	if (inet_pton(AF_INET6, s, a) != 1)
		fatal("bad IPv6 address '%s'", s);
}

/* Write an ICMPv6 message of @len bytes at @icmp from @src to @dst, in a
 * frame from @mac to @dmac, with hop limit 255 (what neighbor discovery
 * requires) and its checksum */
static void send_icmp6(int fd, const uint8_t mac[6], const uint8_t dmac[6],
		       const uint8_t src[16], const uint8_t dst[16],
		       uint8_t *icmp, size_t len)
{
	uint8_t f[VNET_HDR + 14 + 40 + 64] = { 0 };
	uint8_t *ip = eth_header(f + VNET_HDR, dmac, mac, 0x86dd);

	ip[0] = 0x60;
	be16_put(ip + 4, (uint16_t)len);
	ip[6] = 58;
	ip[7] = 255;
	memcpy(ip + 8, src, 16);
	memcpy(ip + 24, dst, 16);
	memcpy(ip + 40, icmp, len);
	be16_put(ip + 42, csum_fold(csum_add(csum_pseudo6(ip, (uint32_t)len,
							  58), ip + 40, len)));
	if (write(fd, f, VNET_HDR + 14 + 40 + len) < 0)
		fatal("writing to fd %d: %s", fd, strerror(errno));
}

/* The first router advertisement on @fd within 5 s, printed */
static void read_ra(int fd)
{
	uint8_t f[VNET_HDR + 2048];
	int64_t end = now_ms() + 5000;
	char p[INET6_ADDRSTRLEN];

	while (now_ms() < end) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		const uint8_t *ip = f + VNET_HDR + 14, *o;
		ssize_t n;
		size_t len, at;

		if (poll(&pfd, 1, (int)(end - now_ms())) <= 0)
			break;
		if ((n = read(fd, f, sizeof(f))) < VNET_HDR + 14 + 40 + 16)
			continue;
		len = (size_t)n - VNET_HDR - 14;
		if (be16_get(f + VNET_HDR + 12) != 0x86dd || ip[6] != 58 ||
		    ip[40] != 134)
			continue;
		/* options after the RA's 16 bytes: a prefix is type 3 */
		for (at = 40 + 16; at + 32 <= len && ip[at + 1];
		     at += (size_t)ip[at + 1] * 8) {
			o = ip + at;
			if (o[0] != 3)
				continue;
			inet_ntop(AF_INET6, o + 16, p, sizeof(p));
			printf("ra %s/%u lifetime %u\n", p, o[2],
			       be16_get(ip + 40 + 6));
			return;
		}
		printf("ra none lifetime %u\n", be16_get(ip + 40 + 6));
		return;
	}
	printf("no-ra\n");
}

int main(int argc, char **argv)
{
	static const uint8_t all_nodes_mac[6] = { 0x33, 0x33, 0, 0, 0, 1 };
	uint8_t mac[6], tll[6], dmac[6], src[16], dst[16], icmp[32];
	int fd, i;

	if (argc < 3)
		fatal("usage: tap-frames FD MAC STEP...");
	fd = atoi(argv[1]);
	mac_parse(argv[2], mac);
	memcpy(tll, mac, 6);
	for (i = 3; i < argc; i++) {
		memset(icmp, 0, sizeof(icmp));
		if (!strcmp(argv[i], "echo6") && i + 3 < argc) {
			ip6_parse(argv[i + 1], src);
			ip6_parse(argv[i + 2], dst);
			mac_parse(argv[i + 3], dmac);
			icmp[0] = 128;			/* echo request */
			be16_put(icmp + 4, 0x7166);	/* identifier */
			be16_put(icmp + 6, (uint16_t)i);
			send_icmp6(fd, mac, dmac, src, dst, icmp, 8);
			i += 3;
		} else if (!strcmp(argv[i], "na6") && i + 2 < argc) {
			ip6_parse(argv[i + 1], src);
			ip6_parse(argv[i + 2], icmp + 8);	/* the target */
			inet_pton(AF_INET6, "ff02::1", dst);
			icmp[0] = 136;
			icmp[4] = 0x20;			/* override */
			icmp[24] = 2;			/* target link-layer */
			icmp[25] = 1;			/* address: 8 bytes */
			memcpy(icmp + 26, tll, 6);
			send_icmp6(fd, mac, all_nodes_mac, src, dst, icmp, 32);
			i += 2;
		} else if (!strcmp(argv[i], "ns6") && i + 2 < argc) {
			ip6_parse(argv[i + 1], src);
			ip6_parse(argv[i + 2], icmp + 8);	/* the target */
			/* its solicited-node group: ff02::1:ff and the
			   target's last 3 bytes */
			inet_pton(AF_INET6, "ff02::1:ff00:0", dst);
			memcpy(dst + 13, icmp + 8 + 13, 3);
			memcpy(dmac, "\x33\x33", 2);
			memcpy(dmac + 2, dst + 12, 4);
			icmp[0] = 135;
			icmp[24] = 1;			/* source link-layer */
			icmp[25] = 1;
			memcpy(icmp + 26, mac, 6);
			send_icmp6(fd, mac, dmac, src, dst, icmp, 32);
			i += 2;
		} else if (!strcmp(argv[i], "tll") && i + 1 < argc) {
			mac_parse(argv[i + 1], tll);
			i += 1;
		} else if (!strcmp(argv[i], "ra6")) {
			static const uint8_t all_routers_mac[6] = {
				0x33, 0x33, 0, 0, 0, 2 };

			memset(src, 0, 16);
			inet_pton(AF_INET6, "ff02::2", dst);
			icmp[0] = 133;			/* router solicitation */
			send_icmp6(fd, mac, all_routers_mac, src, dst, icmp, 8);
			read_ra(fd);
		} else {
			fatal("bad step '%s'", argv[i]);
		}
	}
	return 0;
}
