// SPDX-License-Identifier: MIT
/*
 * stream-client PATH [clients=N] [mac=MAC] [slow] [until-usr1]
 *               [taken=ADDR] STEP...
 *   - a generic member
 *
 * Connects to a network's generic socket (`qbox net socket`) and speaks
 * QEMU's stream protocol (each Ethernet frame after its length, 4 bytes
 * big-endian) with frames built here from Ethernet up, for
 * tests/integration/stream.sh. With clients=N it opens N connections (MACs
 * MAC, MAC+1, ...; default 02:53:00:00:00:01) and runs the steps on each in
 * turn, keeping them all open. slow writes every frame in pieces of 1 to 3
 * bytes, with pauses, so the far end reads it in pieces. until-usr1 makes
 * dhcpflood go on past its count until a SIGUSR1 comes; taken=ADDR makes
 * every other REQUEST of its own MAC's in a dhcpflood ask for ADDR (an
 * address another member holds).
 *
 * Steps, each printing one line per client:
 *   dhcp        DISCOVER, OFFER, REQUEST, ACK, each sent again after
 *               700 ms without an answer, for up to 30 s (a client's
 *               replies are lost while its TAP's queue is full of what
 *               came while it did not read): "lease ADDR" or "no-lease"
 *   dhcp-once   the same, each message sent once, with 3 s for its answer
 *               (a hub must pass on a new client's first frame, its
 *               DISCOVER, once the client's rules are in place)
 *   ping ADDR   ARP for ADDR (three tries, 700 ms apart), then an ICMP
 *               echo from the client's address (2 s for the answer):
 *               "pong ADDR" or "no-pong ADDR"
 *   as MAC      send from MAC from now on (spoofing)
 *   from ADDR   claim ADDR as the client's address from now on (spoofing)
 *   frame LEN   send one frame of LEN bytes (any length, even malformed
 *               ones: LEN is what the header says, up to 70000 bytes
 *               follow): prints nothing
 *   badlen N    send a header saying N and nothing after it: "closed" when
 *               the far end hangs up within 3 s, "open" otherwise
 *   closed      "closed" when the far end hangs up within 3 s (reading and
 *               dropping what it sends), "open" otherwise
 *   flood N     send N broadcast ARP requests from the client's MAC and
 *               address, padded to 1514 bytes (legitimate, so a hub's
 *               rules let them through; nobody answers): "flooded N"
 *   discovers N send N DHCP DISCOVERs from the client's MAC, each naming
 *               another made-up client hardware address (02:de:ad:00:..),
 *               as a guest draining the pool would: "discovers N"
 *   dhcpflood N (after dhcp) send N DHCP messages as fast as the hub takes
 *               them, from the client's MAC, in turn: a DISCOVER and a
 *               REQUEST for another address of the pool naming its own
 *               MAC as chaddr, then both naming a made-up one
 *               (02:f1:00:..), between the lines "flooding" and
 *               "flooded"; the replies, read on the way and for a
 *               second after, counted for its own MAC: "dhcpflood SENT
 *               offers O acks A naks K acks-other X fakes F taken T" (X:
 *               ACKs for any address but its lease; F: replies of any
 *               kind for a made-up MAC; T: ACKs for taken=ADDR)
 *   hold        (last) never read again; wait to be killed: "held"
 * ARP requests for a client's address are answered while it waits for a
 * reply. Exits 0 when every step ran (whatever it printed), 2 on errors.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/bytes.h"
#include "tests/helpers/helpers.h"

#define MAX_CLIENTS 256
#define FRAME_MAX 70000

struct client {
	int fd;
	uint8_t mac[6];
	uint32_t ip;		/* network order, 0: none yet */
	uint32_t server;	/* the DHCP server that gave it, network order */
};

static struct client cl[MAX_CLIENTS];
static int n_clients = 1;
static bool slow, until_usr1;
static volatile sig_atomic_t got_usr1;

static void on_usr1(int sig)
{
	(void)sig;
	got_usr1 = 1;
}
static uint8_t frame[FRAME_MAX + 4], in[FRAME_MAX];

static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static void write_all(int fd, const uint8_t *p, size_t len)
{
	while (len) {
		size_t k = slow ? (size_t)(rand() % 3 + 1) : len;
		ssize_t n = write(fd, p, k < len ? k : len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			fatal("write: %s", strerror(errno));
		p += n;
		len -= (size_t)n;
		if (slow)
			usleep(200);
	}
}

/* Send @len bytes of frame[4..] with a header saying @hdr_len */
static void send_raw(struct client *c, uint32_t hdr_len, size_t len)
{
	be32_put(frame, hdr_len);
	write_all(c->fd, frame, 4 + len);
}

/* Ethernet header at frame[4], from the client */
static uint8_t *eth(struct client *c, const uint8_t *dst, uint16_t type)
{
	return eth_header(frame + 4, dst, c->mac, type);
}

/* Read exactly @len bytes by @deadline; false on timeout or EOF */
static bool read_exact(int fd, uint8_t *p, size_t len, int64_t deadline)
{
	while (len) {
		struct pollfd pf = { fd, POLLIN, 0 };
		int64_t left = deadline - now_ms();
		ssize_t n;

		if (left <= 0 || poll(&pf, 1, (int)left) <= 0)
			return false;
		n = read(fd, p, len);
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

static void arp_send(struct client *c, const uint8_t *dst, uint16_t op,
		     const uint8_t *tha, uint32_t tpa)
{
	uint8_t *a = eth(c, dst, 0x0806);

	be16_put(a, 1);
	be16_put(a + 2, 0x0800);
	a[4] = 6;
	a[5] = 4;
	be16_put(a + 6, op);
	memcpy(a + 8, c->mac, 6);
	memcpy(a + 14, &c->ip, 4);
	memcpy(a + 18, tha, 6);
	memcpy(a + 24, &tpa, 4);
	send_raw(c, 42, 42);
}

/*
 * The next frame for @c by @deadline into in[], answering ARP requests
 * for its address on the way. Length, or -1 on timeout or hang-up.
 */
static ssize_t next_frame(struct client *c, int64_t deadline)
{
	for (;;) {
		uint8_t h[4];
		uint32_t len;

		if (!read_exact(c->fd, h, 4, deadline))
			return -1;
		len = be32_get(h);
		if (len > FRAME_MAX || !read_exact(c->fd, in, len, deadline))
			return -1;
		if (len >= 42 && be16_get(in + 12) == 0x0806 && be16_get(in + 20) == 1 &&
		    c->ip && !memcmp(in + 38, &c->ip, 4)) {
			arp_answer(frame + 4, in, c->mac);
			send_raw(c, 42, 42);
			continue;
		}
		return (ssize_t)len;
	}
}

/* ---- DHCP --------------------------------------------------------------- */

/* the BOOTP chaddr to claim instead of the client's own MAC (discovers) */
static const uint8_t *chaddr;

static void dhcp_send(struct client *c, uint32_t xid, uint8_t type,
		      uint32_t want, uint32_t server)
{
	uint8_t *ip = eth(c, bcast, 0x0800), *udp = ip + 20, *b = udp + 8, *o;
	size_t len;

	o = b + dhcp_request(b, type, xid, chaddr ? chaddr : c->mac);
	be16_put(b + 10, 0x8000);	/* broadcast the answer: we have no address */
	if (want) {
		*o++ = 50;
		*o++ = 4;
		memcpy(o, &want, 4);
		o += 4;
		*o++ = 54;
		*o++ = 4;
		memcpy(o, &server, 4);
		o += 4;
	}
	*o++ = 55;
	*o++ = 3;
	*o++ = 1;
	*o++ = 3;
	*o++ = 6;
	*o++ = 255;
	len = (size_t)(o - b);
	udp_header(udp, 68, 67, len);
	ip4_header(ip, 17, 0, 0xffffffffU, 8 + len);
	send_raw(c, (uint32_t)(14 + 20 + 8 + len), 14 + 20 + 8 + len);
}

/* A DHCP reply to @xid in in[]: its type (0: none), and yiaddr and
 * server id */
static int dhcp_reply(size_t len, uint32_t xid, uint32_t *yiaddr,
		      uint32_t *server)
{
	const uint8_t *b = in + 14 + 20 + 8, *type, *id;
	size_t blen, n;

	if (len < 14 + 20 + 8 + 240 || be16_get(in + 12) != 0x0800 ||
	    in[14 + 9] != 17 || be16_get(in + 14 + 20 + 2) != 68 || b[0] != 2 ||
	    be32_get(b + 4) != xid)
		return 0;
	blen = len - 14 - 20 - 8;
	memcpy(yiaddr, b + 16, 4);
	id = dhcp_opt(b, blen, 54, &n);
	if (id && n == 4)
		memcpy(server, id, 4);
	type = dhcp_opt(b, blen, 53, &n);
	return type && n == 1 ? type[0] : 0;
}

/* Send @type and wait for a reply of @want type, again every 700 ms, for
 * up to 30 s (a loaded machine under ASan may take its time), or with
 * @once just once, waiting 3 s; false when none came */
static bool dhcp_ask(struct client *c, uint32_t xid, uint8_t type, int want,
		     uint32_t *yiaddr, uint32_t *server, bool once)
{
	uint32_t ask = *yiaddr, from = *server;
	int64_t give_up = now_ms() + (once ? 3000 : 30000);

	while (now_ms() < give_up) {
		int64_t deadline = once ? give_up : now_ms() + 700;
		ssize_t len;

		dhcp_send(c, xid, type, ask, from);
		while ((len = next_frame(c, deadline)) >= 0)
			if (dhcp_reply((size_t)len, xid, yiaddr, server) == want)
				return true;
	}
	return false;
}

static void step_dhcp(struct client *c, bool once)
{
	uint32_t xid = (uint32_t)rand(), yi = 0, server = 0;
	char a[INET_ADDRSTRLEN];

	if (!dhcp_ask(c, xid, 1, 2, &yi, &server, once) ||
	    !dhcp_ask(c, xid, 3, 5, &yi, &server, once)) {
		puts("no-lease");
		return;
	}
	c->ip = yi;
	c->server = server;
	printf("lease %s\n", inet_ntop(AF_INET, &yi, a, sizeof(a)));
}

/* N DISCOVERs from the client's own MAC, each for another made-up chaddr
 * (02:de:ad:00:HH:LL): a guest trying to drain the pool */
static void step_discovers(struct client *c, unsigned long n)
{
	uint8_t fake[6] = { 0x02, 0xde, 0xad, 0x00, 0, 0 };

	chaddr = fake;
	for (unsigned long k = 1; k <= n; k++) {
		fake[4] = (uint8_t)(k >> 8);
		fake[5] = (uint8_t)k;
		dhcp_send(c, (uint32_t)rand(), 1, 0, 0);
	}
	chaddr = NULL;
	printf("discovers %lu\n", n);
}

/* What a flood's replies came to */
struct flood_count {
	unsigned long offers, acks, naks, acks_other, fakes, taken;
};

/* taken=ADDR: an address another member holds, or 0 */
static uint32_t taken;

/*
 * One frame of in[]: a DHCP reply to port 68. Replies are broadcast, so
 * others' come too: those for its own MAC are counted, and any for one of
 * its made-up ones (02:f1:...), which the hub must never have seen
 */
static void flood_reply(const struct client *c, size_t len,
			struct flood_count *n)
{
	const uint8_t *ch = in + 14 + 20 + 8 + 28;
	uint32_t yi = 0, server = 0, xid;
	int type;

	if (len < 14 + 20 + 8 + 240)
		return;
	xid = be32_get(in + 14 + 20 + 8 + 4);
	if (!(type = dhcp_reply(len, xid, &yi, &server)))
		return;
	if (ch[0] == 0x02 && ch[1] == 0xf1) {
		n->fakes++;
		return;
	}
	if (memcmp(ch, c->mac, 6))
		return;
	if (type == 2)
		n->offers++;
	if (type == 6)
		n->naks++;
	if (type == 5 && ++n->acks && yi != c->ip)
		n->acks_other++;
	if (type == 5 && taken && yi == taken)
		n->taken++;
}

/*
 * Read what has come, without waiting, and count each whole frame: the
 * stream is read into a buffer of its own, since a frame may arrive in
 * pieces and a flood cannot wait for the rest
 */
static void flood_drain(const struct client *c, struct flood_count *n)
{
	static uint8_t buf[4 * (FRAME_MAX + 4)];
	static size_t have;
	struct pollfd pf = { c->fd, POLLIN, 0 };

	while (poll(&pf, 1, 0) > 0 && (pf.revents & POLLIN)) {
		ssize_t r = read(c->fd, buf + have, sizeof(buf) - have);
		uint32_t len;

		if (r <= 0)
			fatal("dhcpflood: the hub hung up");
		have += (size_t)r;
		while (have >= 4) {
			len = be32_get(buf);
			if (len > FRAME_MAX)
				fatal("dhcpflood: a frame of %u bytes", len);
			if (have < 4 + len)
				break;
			memcpy(in, buf + 4, len);
			flood_reply(c, len, n);
			memmove(buf, buf + 4 + len, have - 4 - len);
			have -= 4 + len;
		}
	}
}

static void step_dhcpflood(struct client *c, unsigned long n)
{
	uint8_t fake[6] = { 0x02, 0xf1, 0, 0, 0, 0 };
	struct flood_count got = { 0 };
	unsigned long k;
	int64_t until;

	if (!c->ip)
		fatal("dhcpflood: no lease yet (dhcp first)");
	puts("flooding");
	for (k = 0; k < n || (until_usr1 && !got_usr1); k++) {
		/* .20 to .219 of its /24, never its own */
		uint32_t want = (c->ip & htonl(0xffffff00)) |
				htonl((uint32_t)(20 + k / 4 % 200));

		if (want == c->ip)
			want ^= htonl(1);
		if (taken && k / 4 % 2)
			want = taken;
		fake[3] = (uint8_t)(k >> 18);
		fake[4] = (uint8_t)(k >> 10);
		fake[5] = (uint8_t)(k >> 2);
		chaddr = k % 4 < 2 ? NULL : fake;
		if (k % 2)
			dhcp_send(c, (uint32_t)k, 3, want, c->server);
		else
			dhcp_send(c, (uint32_t)k, 1, 0, 0);
		if (k % 64 == 0)
			flood_drain(c, &got);
	}
	chaddr = NULL;
	puts("flooded");
	for (until = now_ms() + 1000; now_ms() < until; usleep(10000))
		flood_drain(c, &got);
	printf("dhcpflood %lu offers %lu acks %lu naks %lu acks-other %lu "
	       "fakes %lu taken %lu\n", k, got.offers, got.acks, got.naks,
	       got.acks_other, got.fakes, got.taken);
}

/* ---- ARP and ping --------------------------------------------------------- */

static bool arp_resolve(struct client *c, uint32_t ip, uint8_t mac[6])
{
	static const uint8_t zero[6];
	int tries;

	for (tries = 0; tries < 3; tries++) {
		int64_t deadline = now_ms() + 700;
		ssize_t len;

		arp_send(c, bcast, 1, zero, ip);
		while ((len = next_frame(c, deadline)) >= 0)
			if (len >= 42 && be16_get(in + 12) == 0x0806 &&
			    be16_get(in + 20) == 2 && !memcmp(in + 28, &ip, 4)) {
				memcpy(mac, in + 22, 6);
				return true;
			}
	}
	return false;
}

static void step_ping(struct client *c, const char *addr)
{
	uint8_t mac[6], *ip, *icmp;
	uint16_t id = (uint16_t)rand();
	int64_t deadline;
	uint32_t dst;
	ssize_t len;

	if (inet_pton(AF_INET, addr, &dst) != 1)
		fatal("ping %s: not an IPv4 address", addr);
	if (!arp_resolve(c, dst, mac)) {
		printf("no-pong %s\n", addr);
		return;
	}
	ip = eth(c, mac, 0x0800);
	icmp = ip4_header(ip, 1, ntohl(c->ip), ntohl(dst), 8 + 32);
	memset(icmp, 0, 8 + 32);
	icmp[0] = 8;
	be16_put(icmp + 4, id);
	be16_put(icmp + 6, 1);
	memset(icmp + 8, 0x5a, 32);
	be16_put(icmp + 2, csum(icmp, 8 + 32));
	send_raw(c, 14 + 20 + 8 + 32, 14 + 20 + 8 + 32);
	deadline = now_ms() + 2000;
	while ((len = next_frame(c, deadline)) >= 0)
		if (len >= 14 + 20 + 8 && be16_get(in + 12) == 0x0800 &&
		    in[14 + 9] == 1 && !memcmp(in + 14 + 12, &dst, 4) &&
		    in[14 + 20] == 0 && be16_get(in + 14 + 20 + 4) == id) {
			printf("pong %s\n", addr);
			return;
		}
	printf("no-pong %s\n", addr);
}

/* ---- the rest ------------------------------------------------------------- */

static void step_frame(struct client *c, unsigned long len)
{
	size_t body = len > FRAME_MAX ? FRAME_MAX : len;

	memset(frame + 4, 0xab, body);
	if (body >= 14)
		eth(c, bcast, 0x88b5);
	send_raw(c, (uint32_t)len, body);
}

static void step_badlen(struct client *c, unsigned long n)
{
	int64_t deadline = now_ms() + 3000;

	send_raw(c, (uint32_t)n, 0);
	/* what the hub sent before it hung up is read and dropped */
	while (next_frame(c, deadline) >= 0)
		;
	puts(now_ms() < deadline ? "closed" : "open");
}

static void step_flood(struct client *c, unsigned long n)
{
	static const uint8_t zero[6];
	uint32_t nobody = c->ip ^ htonl(0xff);	/* .255 or .0: not a member */
	unsigned long i;

	memset(frame + 4, 0, 1514);
	arp_send(c, bcast, 1, zero, nobody);	/* builds the frame */
	for (i = 0; i < n; i++)
		send_raw(c, 1514, 1514);
	printf("flooded %lu\n", n);
}

static void step_closed(struct client *c)
{
	int64_t deadline = now_ms() + 3000;

	while (next_frame(c, deadline) >= 0)
		;
	puts(now_ms() < deadline ? "closed" : "open");
}

static void connect_all(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int i;

	if (strlen(path) >= sizeof(sa.sun_path))
		fatal("%s: path too long", path);
	strcpy(sa.sun_path, path);
	for (i = 0; i < n_clients; i++) {
		cl[i].fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (cl[i].fd < 0 ||
		    connect(cl[i].fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			fatal("connecting to %s: %s", path, strerror(errno));
		if (i) {
			memcpy(cl[i].mac, cl[0].mac, 5);
			cl[i].mac[5] = (uint8_t)(cl[0].mac[5] + i);
		}
	}
}

/* Whether @s is a MAC, aa:bb:cc:dd:ee:ff, then in @mac */
static bool mac_parse(const char *s, uint8_t mac[6])
{
	return sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1],
		      &mac[2], &mac[3], &mac[4], &mac[5]) == 6;
}

static unsigned long number(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 0);

	if (!*s || *end)
		fatal("'%s' is not a number", s);
	return v;
}

int main(int argc, char **argv)
{
	uint8_t mac[6] = { 0x02, 0x53, 0, 0, 0, 1 };
	int i, k, first;

	if (argc < 3)
		fatal("usage: stream-client PATH [clients=N] [mac=MAC] [slow] "
		      "[until-usr1] [taken=ADDR] STEP...");
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGUSR1, on_usr1);
	srand((unsigned int)getpid());
	for (first = 2; first < argc; first++) {
		if (!strncmp(argv[first], "clients=", 8))
			n_clients = (int)number(argv[first] + 8);
		else if (!strncmp(argv[first], "mac=", 4) &&
			 mac_parse(argv[first] + 4, mac))
			continue;
		else if (!strcmp(argv[first], "slow"))
			slow = true;
		else if (!strcmp(argv[first], "until-usr1"))
			until_usr1 = true;
		else if (!strncmp(argv[first], "taken=", 6) &&
			 inet_pton(AF_INET, argv[first] + 6, &taken) == 1)
			continue;
		else
			break;
	}
	if (n_clients < 1 || n_clients > MAX_CLIENTS)
		fatal("clients=%d: 1 to %d", n_clients, MAX_CLIENTS);
	memcpy(cl[0].mac, mac, 6);
	connect_all(argv[1]);
	for (i = 0; i < n_clients; i++) {
		for (k = first; k < argc; k++) {
			const char *step = argv[k], *arg = argv[k + 1];

			if (!strcmp(step, "dhcp") || !strcmp(step, "dhcp-once")) {
				step_dhcp(&cl[i], step[4] == '-');
				continue;
			}
			if (!strcmp(step, "hold"))
				continue;	/* after every client's steps */
			if (!strcmp(step, "closed")) {
				step_closed(&cl[i]);
				continue;
			}
			if (!arg)
				fatal("%s needs an argument", step);
			k++;
			if (!strcmp(step, "ping"))
				step_ping(&cl[i], arg);
			else if (!strcmp(step, "frame"))
				step_frame(&cl[i], number(arg));
			else if (!strcmp(step, "badlen"))
				step_badlen(&cl[i], number(arg));
			else if (!strcmp(step, "flood"))
				step_flood(&cl[i], number(arg));
			else if (!strcmp(step, "discovers"))
				step_discovers(&cl[i], number(arg));
			else if (!strcmp(step, "dhcpflood"))
				step_dhcpflood(&cl[i], number(arg));
			else if (!strcmp(step, "as") && mac_parse(arg, cl[i].mac))
				continue;
			else if (!strcmp(step, "from") &&
				 inet_pton(AF_INET, arg, &cl[i].ip) == 1)
				continue;
			else
				fatal("unknown step '%s'", step);
		}
	}
	if (!strcmp(argv[argc - 1], "hold")) {
		puts("held");
		for (;;)
			pause();
	}
	return 0;
}
