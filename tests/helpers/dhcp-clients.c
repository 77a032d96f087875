// SPDX-License-Identifier: MIT
/*
 * dhcp-clients IFNAME COUNT [seed=N] [window=K] [timeout=S] [renew]
 *              [reboot=FILE] [mac=MAC]
 *
 * COUNT DHCP clients with distinct MACs (02:51:SEED:hi:mid:lo) on one
 * interface, for tests/integration/net_leases.sh. Each runs a whole
 * exchange over an AF_PACKET socket, with frames built here from Ethernet
 * up:
 * DISCOVER -> OFFER -> REQUEST -> ACK (a NAK starts over), retransmitting
 * after 1 s, at most WINDOW clients in flight at once.
 *   renew       after the ACK, also renew the lease by unicast (ciaddr set)
 *               and expect the ACK unicast back; ARP requests for the
 *               clients' addresses are answered so the server's kernel can
 *               deliver it
 *   reboot=FILE clients whose MAC has an address in FILE (an earlier
 *               output) start in INIT-REBOOT, asking for that address
 *   mac=MAC     the first client's MAC is MAC (a member's own, say)
 * Prints one line per client, in order: "MAC ADDR mask=M router=R dns=D
 * lease=S server=S[ renewed| renew-failed]" or "MAC none"; then
 * "summary bound=N failed=N naks=N". Exits 0 when every client got (and,
 * with renew, renewed) a lease, 1 otherwise.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/bytes.h"
#include "tests/helpers/helpers.h"

#define MAX_CLIENTS 4096
#define TRIES 5			/* sends per step before giving up */
#define RETRY_MS 1000

enum step { S_IDLE, S_DISCOVER, S_REQUEST, S_REBOOT, S_RENEW, S_DONE,
	    S_FAILED };

struct client {
	uint8_t mac[6];
	uint32_t xid;
	enum step step;
	int tries;
	int64_t next_ms;
	uint32_t offered, server_id, reboot_addr;
	uint8_t server_mac[6];
	uint32_t addr, mask, router, dns, lease;
	bool renewed;
};

static struct client cl[MAX_CLIENTS];
static unsigned int n_clients, seed, window = 16, naks;
static bool want_renew;
static int sock, ifindex;
static uint8_t frame[1600];

static const uint8_t bcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static const char *ip_str(uint32_t a, char *buf)
{
	struct in_addr in = { htonl(a) };

	return inet_ntop(AF_INET, &in, buf, INET_ADDRSTRLEN);
}

static const char *mac_str(const uint8_t *m, char *buf)
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
		 m[3], m[4], m[5]);
	return buf;
}

static void send_frame(size_t len, const uint8_t *dst)
{
	struct sockaddr_ll to = {
		.sll_family = AF_PACKET,
		.sll_ifindex = ifindex,
		.sll_halen = 6,
	};

	memcpy(to.sll_addr, dst, 6);
	if (sendto(sock, frame, len, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		perror("dhcp-clients: sendto");
}

/* Ethernet + IPv4 + UDP 68->67 around the DHCP message already at
 * frame + 42, @dlen bytes long */
static void send_udp(const uint8_t *src_mac, const uint8_t *dst_mac,
		     uint32_t src, uint32_t dst, size_t dlen)
{
	uint8_t *ip = eth_header(frame, dst_mac, src_mac, ETHERTYPE_IP);

	udp_header(ip4_header(ip, IPPROTO_UDP, src, dst, 8 + dlen), 68, 67,
		   dlen);
	send_frame(14 + 20 + 8 + dlen, dst_mac);
}

/* Send what client @c's step calls for */
static void send_step(struct client *c)
{
	static const uint8_t prl[] = { 55, 4, 1, 3, 6, 15 };
	uint8_t *d = frame + 42;
	size_t n;
	uint32_t want = 0;

	memset(d, 0, 300);	/* the padding to 300 bytes, below */
	n = dhcp_request(d, c->step == S_DISCOVER ? 1 : 3, c->xid, c->mac);
	if (c->step == S_REQUEST) {
		d[n++] = 54;
		d[n++] = 4;
		be32_put(d + n, c->server_id);
		n += 4;
		want = c->offered;
	} else if (c->step == S_REBOOT) {
		want = c->reboot_addr;
	}
	if (want) {
		d[n++] = 50;
		d[n++] = 4;
		be32_put(d + n, want);
		n += 4;
	}
	memcpy(d + n, prl, sizeof(prl));
	n += sizeof(prl);
	d[n++] = 255;
	if (n < 300)
		n = 300;
	if (c->step == S_RENEW) {
		be32_put(d + 12, c->addr);
		send_udp(c->mac, c->server_mac, c->addr, c->server_id, n);
	} else {
		send_udp(c->mac, bcast_mac, 0, 0xffffffffu, n);
	}
	c->tries++;
	c->next_ms = now_ms() + RETRY_MS;
}

static void go(struct client *c, enum step s)
{
	c->step = s;
	c->tries = 0;
	send_step(c);
}

/* The first address (or the number) in option @code, 0 when none */
static uint32_t opt32(const uint8_t *d, size_t len, uint8_t code)
{
	size_t n = 0;
	const uint8_t *v = dhcp_opt(d, len, code, &n);

	return v && n >= 4 ? be32_get(v) : 0;
}

/* A server reply for one of the clients */
static void on_dhcp(const uint8_t *eth, const uint8_t *d, size_t len,
		    uint32_t ip_dst)
{
	uint32_t xid, i, yi;
	struct client *c;
	size_t tl = 0;
	const uint8_t *t;

	if (len < 240 || d[0] != 2 || be32_get(d + 236) != DHCP_COOKIE)
		return;
	xid = be32_get(d + 4);
	i = xid & 0xfffff;
	if (xid >> 20 != seed || i >= n_clients)
		return;
	c = &cl[i];
	t = dhcp_opt(d, len, 53, &tl);
	if (!t || tl != 1 || memcmp(d + 28, c->mac, 6))
		return;
	yi = be32_get(d + 16);
	if (t[0] == 2 && c->step == S_DISCOVER) {		/* OFFER */
		c->offered = yi;
		c->server_id = opt32(d, len, 54);
		go(c, S_REQUEST);
	} else if (t[0] == 6 && (c->step == S_REQUEST || c->step == S_REBOOT)) {
		naks++;
		go(c, S_DISCOVER);
	} else if (t[0] == 5 && (c->step == S_REQUEST || c->step == S_REBOOT)) {
		if (yi != (c->step == S_REQUEST ? c->offered : c->reboot_addr))
			return;
		c->addr = yi;
		c->server_id = opt32(d, len, 54);
		c->mask = opt32(d, len, 1);
		c->router = opt32(d, len, 3);
		c->dns = opt32(d, len, 6);
		c->lease = opt32(d, len, 51);
		memcpy(c->server_mac, eth + 6, 6);
		if (want_renew)
			go(c, S_RENEW);
		else
			c->step = S_DONE;
	} else if (t[0] == 5 && c->step == S_RENEW && yi == c->addr &&
		   ip_dst == c->addr && !memcmp(eth, c->mac, 6)) {
		c->renewed = true;
		c->step = S_DONE;
	}
}

/* The server's kernel asks who has a client's address, to unicast to it:
 * the ARP request @eth, a whole frame of @len bytes */
static void on_arp(const uint8_t *eth, size_t len)
{
	uint32_t tpa;

	if (len < 42 || eth[14 + 7] != 1)	/* request */
		return;
	tpa = be32_get(eth + 14 + 24);
	for (unsigned int i = 0; i < n_clients; i++) {
		struct client *c = &cl[i];

		if (c->addr != tpa ||
		    (c->step != S_RENEW && c->step != S_DONE))
			continue;
		arp_answer(frame, eth, c->mac);
		send_frame(42, eth + 6);
		return;
	}
}

static void receive(void)
{
	uint8_t buf[2048];

	for (;;) {
		struct sockaddr_ll from = { 0 };
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(sock, buf, sizeof(buf), 0,
				     (struct sockaddr *)&from, &fl);
		size_t ihl, len;

		if (n < 0)
			return;
		if (from.sll_pkttype == PACKET_OUTGOING ||
		    from.sll_ifindex != ifindex || n < 14)
			continue;
		len = (size_t)n;
		if (be16_get(buf + 12) == ETHERTYPE_ARP) {
			on_arp(buf, len);
			continue;
		}
		if (be16_get(buf + 12) != ETHERTYPE_IP || len < 34 ||
		    (buf[14] >> 4) != 4 || buf[23] != IPPROTO_UDP)
			continue;
		ihl = (size_t)(buf[14] & 15) * 4;
		if (ihl < 20 || len < 14 + ihl + 8)
			continue;
		if (be16_get(buf + 14 + ihl + 2) != 68)	/* to the client port */
			continue;
		on_dhcp(buf, buf + 14 + ihl + 8, len - 14 - ihl - 8,
			be32_get(buf + 30));
	}
}

/* MAC -> address pairs from an earlier run's output */
static void load_reboot(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[256], mac[32], addr[32];

	if (!f)
		fatal("cannot open %s", path);
	while (fgets(line, sizeof(line), f)) {
		char m[18];
		struct in_addr a;

		if (sscanf(line, "%31s %31s", mac, addr) != 2 ||
		    inet_pton(AF_INET, addr, &a) != 1)
			continue;
		for (unsigned int i = 0; i < n_clients; i++)
			if (!strcmp(mac_str(cl[i].mac, m), mac))
				cl[i].reboot_addr = ntohl(a.s_addr);
	}
	fclose(f);
}

static void open_socket(const char *ifname)
{
	struct sockaddr_ll sa = { .sll_family = AF_PACKET };
	struct packet_mreq mr = { 0 };

	ifindex = (int)if_nametoindex(ifname);
	if (!ifindex)
		fatal("no interface %s", ifname);
	sock = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
		      htons(ETH_P_ALL));
	if (sock < 0)
		fatal("packet socket: %s", strerror(errno));
	sa.sll_protocol = htons(ETH_P_ALL);
	sa.sll_ifindex = ifindex;
	if (bind(sock, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		fatal("bind: %s", strerror(errno));
	/* replies unicast to a client MAC are not the interface's own */
	mr.mr_ifindex = ifindex;
	mr.mr_type = PACKET_MR_PROMISC;
	if (setsockopt(sock, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr,
		       sizeof(mr)) < 0)
		fatal("promiscuous mode: %s", strerror(errno));
}

static unsigned long num_arg(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (!*s || *end)
		fatal("bad number '%s'", s);
	return v;
}

int main(int argc, char **argv)
{
	unsigned long timeout_s = 60;
	const char *reboot = NULL;
	unsigned int started = 0, bound = 0, first[6];
	bool first_set = false;
	int64_t deadline;

	if (argc < 3)
		fatal("%s", "usage: dhcp-clients IFNAME COUNT [seed=N] "
			    "[window=K] [timeout=S] [renew] [reboot=FILE]");
	n_clients = (unsigned int)num_arg(argv[2]);
	for (int i = 3; i < argc; i++) {
		if (!strncmp(argv[i], "seed=", 5))
			seed = (unsigned int)num_arg(argv[i] + 5);
		else if (!strncmp(argv[i], "window=", 7))
			window = (unsigned int)num_arg(argv[i] + 7);
		else if (!strncmp(argv[i], "timeout=", 8))
			timeout_s = num_arg(argv[i] + 8);
		else if (!strcmp(argv[i], "renew"))
			want_renew = true;
		else if (!strncmp(argv[i], "reboot=", 7))
			reboot = argv[i] + 7;
		else if (!strncmp(argv[i], "mac=", 4) &&
			 sscanf(argv[i] + 4, "%x:%x:%x:%x:%x:%x", &first[0],
				&first[1], &first[2], &first[3], &first[4],
				&first[5]) == 6)
			first_set = true;
		else
			fatal("unknown argument '%s'", argv[i]);
	}
	if (n_clients > MAX_CLIENTS || seed > 255 || !window)
		fatal("%s", "COUNT <= 4096, seed <= 255, window >= 1");
	for (unsigned int i = 0; i < n_clients; i++) {
		uint8_t m[6] = { 0x02, 0x51, (uint8_t)seed, (uint8_t)(i >> 16),
				 (uint8_t)(i >> 8), (uint8_t)i };

		memcpy(cl[i].mac, m, 6);
		cl[i].xid = seed << 20 | i;
	}
	for (int k = 0; first_set && n_clients && k < 6; k++)
		cl[0].mac[k] = (uint8_t)first[k];
	if (reboot)
		load_reboot(reboot);
	open_socket(argv[1]);

	deadline = now_ms() + (int64_t)timeout_s * 1000;
	for (;;) {
		unsigned int busy = 0;
		int64_t now = now_ms(), wake = now + 100;

		for (unsigned int i = 0; i < started; i++) {
			struct client *c = &cl[i];

			if (c->step == S_DONE || c->step == S_FAILED)
				continue;
			if (c->next_ms <= now) {
				if (c->tries < TRIES)
					send_step(c);
				else if (c->step == S_REBOOT)
					go(c, S_DISCOVER); /* server silent */
				else
					c->step = S_FAILED;
			}
			if (c->step != S_FAILED) {
				busy++;
				if (c->next_ms < wake)
					wake = c->next_ms;
			}
		}
		while (busy < window && started < n_clients) {
			struct client *c = &cl[started++];

			go(c, c->reboot_addr ? S_REBOOT : S_DISCOVER);
			busy++;
		}
		if (!busy || now >= deadline)
			break;
		poll(&(struct pollfd){ sock, POLLIN, 0 }, 1,
		     (int)(wake > now ? wake - now : 0));
		receive();
	}

	for (unsigned int i = 0; i < n_clients; i++) {
		struct client *c = &cl[i];
		char m[18], a[INET_ADDRSTRLEN], k[INET_ADDRSTRLEN],
			r[INET_ADDRSTRLEN], d[INET_ADDRSTRLEN],
			s[INET_ADDRSTRLEN];

		if (!c->addr) {
			printf("%s none\n", mac_str(c->mac, m));
			continue;
		}
		bound += c->step == S_DONE;
		printf("%s %s mask=%s router=%s dns=%s lease=%u server=%s%s\n",
		       mac_str(c->mac, m), ip_str(c->addr, a),
		       ip_str(c->mask, k), ip_str(c->router, r),
		       ip_str(c->dns, d), c->lease, ip_str(c->server_id, s),
		       c->renewed ? " renewed" :
		       want_renew ? " renew-failed" : "");
	}
	printf("summary bound=%u failed=%u naks=%u\n", bound, n_clients - bound,
	       naks);
	return bound == n_clients ? 0 : 1;
}
