// SPDX-License-Identifier: MIT
/*
 * fuzz_frames.c - random and malformed Ethernet frames into the NAT uplink
 *
 * Theory of operation: the uplink (dataplane/uplink.c: libslirp behind the
 * host-only frame filter) reads frames from the sandbox's uplink TAP. Here
 * a SOCK_SEQPACKET socketpair stands in for the TAP (one record per frame,
 * as a TAP gives them): each input starts a fresh uplink on one end, and
 * the harness writes frames into the other, running one turn of the
 * supervisor's poll loop (uplink_poll_fill, poll, uplink_poll_done) after
 * each, and reading back what libslirp sends to the guest.
 *
 * The frames come from a structured generator driven by the input bytes:
 * a byte picks the kind (ARP; IPv4 with UDP, TCP, ICMP, a DHCP request, a
 * DNS query to 10.0.2.3, or fragments; IPv6; raw bytes), the next ones its
 * fields: addresses and ports from a table of interesting ones (the host
 * alias 10.0.2.2, the DNS forwarder, broadcasts, an outside address) or
 * raw, checksums right unless a mangling bit says otherwise, and the IPv4
 * header's length fields, flags and options mangled on demand, the frame
 * cut short or padded. TCP segments can follow the connection libslirp
 * opens (their sequence numbers taken from its replies), and libslirp's
 * ARP requests for the guest are answered, so flows get past the
 * handshake into the data paths. The uplink has a VM's MTU (1500) or a
 * command payload's (65520, where libslirp sends 64 KiB frames), and what
 * it sends back must be a frame of 14 bytes to the MTU plus 14.
 *
 * Containment: libslirp turns the guest's flows into host sockets. Before
 * the first input, LLVMFuzzerInitialize() moves the process into a network
 * namespace of its own (unshare(CLONE_NEWNET), preceded by CLONE_NEWUSER
 * when not root), brings its loopback up, and refuses to run unless "lo"
 * is the only interface there. So the host alias reaches this namespace's
 * loopback, where the harness serves a TCP and a UDP echo on port 8000,
 * and every other destination (the outside address, the host's DNS
 * resolvers) is unreachable: no frame leaves the machine, whatever the
 * input. A libslirp bug can at worst talk to this namespace's loopback.
 *
 * libslirp itself is the system's, not built with sanitizers: its memory
 * errors show when they crash, corrupt the heap (ASan checks malloc and
 * free) or reach our code; uplink.c and the frame filter are instrumented.
 * To see what an input sends, replay it with FUZZ_PCAP=FILE in the
 * environment: every frame, both ways, is written there for tcpdump -r.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/bytes.h"
#include "common/pollset.h"
#include "common/util.h"
#include "dataplane/uplink.h"
#include "tests/fuzz/fuzz.h"
#include "tests/helpers/helpers.h"

#define ECHO_PORT 8000		/* the TCP and UDP echo on loopback */
#define FRAMES_MAX 64		/* per input */
#define FRAME_BUF 16384
#define ACCEPTED_MAX 32

static const uint8_t guest_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
/* libslirp's own address: 52:55 and the host alias */
static const uint8_t slirp_mac[6] = { 0x52, 0x55, 10, 0, 2, 2 };

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))
#define GUEST IP(10, 0, 2, 15)
#define HOST_ALIAS IP(10, 0, 2, 2)
#define DNS IP(10, 0, 2, 3)
#define PREFIX6 "fd71:6278:a00:200:"

/* ---- containment ------------------------------------------------------- */

static void die_errno(const char *what)
{
	fprintf(stderr, "fuzz_frames: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Map @uid and @gid (ours outside) to themselves in the new namespace */
static void map_self(uid_t uid, gid_t gid)
{
	char map[64];

	snprintf(map, sizeof(map), "%u %u 1", (unsigned)uid, (unsigned)uid);
	if (write_file("/proc/self/uid_map", map) < 0)
		die_errno("writing uid_map");
	if (write_file("/proc/self/setgroups", "deny") < 0)
		die_errno("writing setgroups");
	snprintf(map, sizeof(map), "%u %u 1", (unsigned)gid, (unsigned)gid);
	if (write_file("/proc/self/gid_map", map) < 0)
		die_errno("writing gid_map");
}

/* A network namespace of our own, with "lo" up and nothing else */
static void isolate(void)
{
	struct if_nameindex *ifs, *i;
	struct ifreq ifr = { .ifr_name = "lo" };
	/* taken before unshare: unmapped, they read as the overflow id */
	uid_t uid = geteuid();
	gid_t gid = getegid();
	int fd;

	if (unshare(CLONE_NEWNET | (uid ? CLONE_NEWUSER : 0)) < 0)
		die_errno("unshare (a network namespace of its own)");
	if (uid)
		map_self(uid, gid);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		die_errno("reading lo's flags");
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		die_errno("bringing lo up");
	close(fd);
	ifs = if_nameindex();
	if (!ifs)
		die_errno("listing interfaces");
	for (i = ifs; i->if_index; i++)
		if (strcmp(i->if_name, "lo")) {
			fprintf(stderr, "fuzz_frames: interface %s in the "
				"namespace: refusing to run\n", i->if_name);
			exit(1);
		}
	if_freenameindex(ifs);
}

/* ---- the loopback echo services ---------------------------------------- */

static int tcp_listener = -1, udp_echo = -1;
static int accepted[ACCEPTED_MAX];
static int n_accepted;

static int bound_socket(int type)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(ECHO_PORT),
				 .sin_addr = { htonl(INADDR_LOOPBACK) } };
	int one = 1;
	int fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		die_errno("binding the echo services");
	return fd;
}

static void services_start(void)
{
	tcp_listener = bound_socket(SOCK_STREAM);
	if (listen(tcp_listener, 64) < 0)
		die_errno("listen");
	udp_echo = bound_socket(SOCK_DGRAM);
}

/* Accept, echo what arrived; a connection that ended is closed */
static void services_turn(void)
{
	uint8_t buf[2048];
	struct sockaddr_storage peer;
	socklen_t plen = sizeof(peer);
	ssize_t n;
	int i, fd;

	while (n_accepted < ACCEPTED_MAX &&
	       (fd = accept4(tcp_listener, NULL, NULL,
			     SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0)
		accepted[n_accepted++] = fd;
	for (i = 0; i < n_accepted; i++) {
		n = read(accepted[i], buf, sizeof(buf));
		if (n > 0 && write(accepted[i], buf, (size_t)n) >= 0)
			continue;
		if (n == 0 || (n < 0 && errno != EAGAIN)) {
			close(accepted[i]);
			accepted[i--] = accepted[--n_accepted];
		}
	}
	while ((n = recvfrom(udp_echo, buf, sizeof(buf), 0,
			     (struct sockaddr *)&peer, &plen)) >= 0) {
		sendto(udp_echo, buf, (size_t)n, 0, (struct sockaddr *)&peer,
		       plen);
		plen = sizeof(peer);
	}
}

static void services_reset(void)
{
	while (n_accepted)
		close(accepted[--n_accepted]);
}

/* ---- reading the input ------------------------------------------------- */

struct in {
	const uint8_t *p;
	size_t n;
};

static uint8_t u8(struct in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static uint16_t u16(struct in *in)
{
	uint8_t hi = u8(in);

	return (uint16_t)(hi << 8 | u8(in));
}

static uint32_t u32(struct in *in)
{
	uint16_t hi = u16(in);

	return (uint32_t)hi << 16 | u16(in);
}

/* Up to @n input bytes into @dst; the rest of @n is zero */
static void take(struct in *in, uint8_t *dst, size_t n)
{
	size_t k = n < in->n ? n : in->n;

	memcpy(dst, in->p, k);
	memset(dst + k, 0, n - k);
	in->p += k;
	in->n -= k;
}

static uint32_t pick_addr(struct in *in)
{
	static const uint32_t addrs[] = {
		HOST_ALIAS, DNS, GUEST, IP(10, 0, 2, 255), 0xffffffff,
		IP(127, 0, 0, 1), IP(192, 0, 2, 1), 0, IP(224, 0, 0, 1),
		IP(10, 0, 2, 16),
	};
	uint8_t sel = u8(in);

	return sel < 2 * ARRAY_SIZE(addrs) ? addrs[sel % ARRAY_SIZE(addrs)] :
					     u32(in);
}

static uint16_t pick_port(struct in *in)
{
	static const uint16_t ports[] = { ECHO_PORT, 53, 67, 68, 8001, 0 };
	uint8_t sel = u8(in);

	return sel < 2 * ARRAY_SIZE(ports) ? ports[sel % ARRAY_SIZE(ports)] :
					     u16(in);
}

/* ---- building frames ---------------------------------------------------- */

struct frame {
	uint8_t b[FRAME_BUF];
	size_t len;
};

/* Ethernet header: to libslirp, a broadcast, or anything */
static uint8_t *eth(struct frame *f, struct in *in, uint16_t type)
{
	uint8_t sel = u8(in);

	if (sel % 4 == 0)
		memcpy(f->b, slirp_mac, 6);
	else if (sel % 4 == 1)
		memset(f->b, 0xff, 6);
	else
		take(in, f->b, 6);
	if (sel & 0x80)
		take(in, f->b + 6, 6);
	else
		memcpy(f->b + 6, guest_mac, 6);
	be16_put(f->b + 12, type);
	f->len = 14;
	return f->b + 14;
}

static void arp(struct frame *f, struct in *in)
{
	uint8_t *a = eth(f, in, 0x0806), sel = u8(in);

	be16_put(a, 1);			/* Ethernet */
	be16_put(a + 2, 0x0800);	/* IPv4 */
	a[4] = 6;
	a[5] = 4;
	be16_put(a + 6, sel & 1 ? 2 : 1);	/* reply or request */
	memcpy(a + 8, guest_mac, 6);
	be32_put(a + 14, sel & 2 ? pick_addr(in) : GUEST);
	memset(a + 18, 0, 6);
	be32_put(a + 24, pick_addr(in));
	if (sel & 4)			/* any field may be wrong */
		take(in, a, 8);
	f->len += 28;
	if (sel & 8)			/* padded to the minimum, or cut */
		f->len = sel & 16 ? 60 : 14 + u8(in) % 28;
}

/* The IPv4 header at @ip, finished once its payload is in place */
struct ip4 {
	uint8_t *ip;
	size_t hlen;
	uint8_t mangle;
};

static uint8_t *ip4_start(struct frame *f, struct in *in, struct ip4 *h,
			  uint8_t proto, uint32_t src, uint32_t dst)
{
	uint8_t *ip = eth(f, in, 0x0800);

	h->ip = ip;
	h->mangle = u8(in);
	/* options: a few bytes of the input, as many 32-bit words */
	h->hlen = 20 + (h->mangle & 0x80 ? 4 * (u8(in) % 11) : 0);
	ip[0] = (uint8_t)(0x40 | h->hlen / 4);
	ip[1] = 0;
	be16_put(ip + 4, u16(in));	/* id */
	be16_put(ip + 6, h->mangle & 0x40 ? 0x4000 : 0);	/* DF */
	ip[8] = h->mangle & 0x20 ? u8(in) : 64;
	ip[9] = proto;
	be32_put(ip + 12, src);
	be32_put(ip + 16, dst);
	take(in, ip + 20, h->hlen - 20);
	f->len += h->hlen;
	return ip + h->hlen;
}

/* Total length and checksum; then what the mangling byte asks for */
static void ip4_finish(struct frame *f, struct in *in, struct ip4 *h)
{
	uint8_t *ip = h->ip;

	be16_put(ip + 2, (uint16_t)(f->len - 14));
	be16_put(ip + 10, 0);
	be16_put(ip + 10, csum(ip, h->hlen));
	switch (h->mangle & 0x0f) {
	case 1:		/* total length: anything */
		be16_put(ip + 2, u16(in));
		break;
	case 2:		/* header length: anything */
		ip[0] = (uint8_t)(0x40 | (u8(in) & 0x0f));
		break;
	case 3:		/* version: anything */
		ip[0] = (uint8_t)((u8(in) << 4) | (ip[0] & 0x0f));
		break;
	case 4:		/* checksum: wrong */
		ip[10] ^= 0x01;
		break;
	case 5:		/* flags and fragment offset: anything */
		be16_put(ip + 6, u16(in));
		break;
	case 6:		/* the frame cut short */
		f->len = 14 + u16(in) % (f->len - 14 + 1);
		break;
	case 7:		/* trailing bytes after the datagram */
		take(in, f->b + f->len, 64);
		f->len += 64;
		break;
	default:
		return;
	}
	if ((h->mangle & 0x0f) != 4 && (h->mangle & 0x0f) != 6 &&
	    (h->mangle & 0x0f) != 7) {
		/* the header stays consistent with its checksum */
		be16_put(ip + 10, 0);
		be16_put(ip + 10, csum(ip, h->hlen < 60 ? h->hlen : 60));
	}
}

/* TCP/UDP checksum over the pseudo-header and @len bytes at @l4 */
static uint16_t l4_sum(const struct ip4 *h, const uint8_t *l4, size_t len)
{
	uint8_t pseudo[12];

	memcpy(pseudo, h->ip + 12, 8);
	pseudo[8] = 0;
	pseudo[9] = h->ip[9];
	be16_put(pseudo + 10, (uint16_t)len);
	return csum_fold(csum_add(csum_add(0, pseudo, 12), l4, len));
}

/* A payload of the input's choosing, at most @max bytes */
static size_t payload(struct in *in, uint8_t *p, size_t max)
{
	size_t n = u16(in) % (max + 1);

	take(in, p, n);
	return n;
}

static void udp_finish(struct frame *f, struct in *in, struct ip4 *h,
		       uint8_t *udp, size_t len, bool bad_sum)
{
	be16_put(udp + 4, (uint16_t)len);
	be16_put(udp + 6, 0);
	be16_put(udp + 6, l4_sum(h, udp, len));
	if (bad_sum)
		udp[7] ^= 0x01;
	f->len += len;
	ip4_finish(f, in, h);
}

static void udp(struct frame *f, struct in *in)
{
	struct ip4 h;
	uint8_t sel = u8(in);
	uint32_t src = sel & 1 ? pick_addr(in) : GUEST, dst = pick_addr(in);
	uint8_t *udp = ip4_start(f, in, &h, 17, src, dst);
	size_t n;

	be16_put(udp, pick_port(in));
	be16_put(udp + 2, pick_port(in));
	n = payload(in, udp + 8, sel & 16 ? 12000 : sel & 2 ? 1472 : 256);
	udp_finish(f, in, &h, udp, 8 + n, sel & 4);
	if (sel & 8)		/* the UDP length field: anything */
		be16_put(udp + 4, u16(in));
}

/* A DHCP request as a guest sends it: BOOTP, the cookie, options */
static void dhcp(struct frame *f, struct in *in)
{
	struct ip4 h;
	uint8_t sel = u8(in);
	uint8_t *udp = ip4_start(f, in, &h, 17, sel & 1 ? GUEST : 0,
				 sel & 2 ? HOST_ALIAS : 0xffffffff);
	uint8_t *b = udp + 8, *o;
	size_t n;

	be16_put(udp, 68);
	be16_put(udp + 2, 67);
	memset(b, 0, 240);
	b[0] = sel & 4 ? u8(in) : 1;	/* BOOTREQUEST */
	b[1] = 1;
	b[2] = 6;
	be32_put(b + 4, u32(in));	/* xid */
	if (sel & 8)
		be32_put(b + 12, GUEST);	/* ciaddr */
	memcpy(b + 28, guest_mac, 6);
	be32_put(b + 236, sel & 16 ? u32(in) : 0x63825363);
	o = b + 240;
	/* message type, then a requested address, then the input's own */
	o[0] = 53;
	o[1] = 1;
	o[2] = u8(in) % 10;
	o[3] = 50;
	o[4] = 4;
	be32_put(o + 5, pick_addr(in));
	n = 9 + payload(in, o + 9, 300);
	if (sel & 32)
		o[n++] = 255;		/* end */
	udp_finish(f, in, &h, udp, 8 + 240 + n, false);
}

/* A DNS query to the forwarder: header, labels, type and class */
static void dns(struct frame *f, struct in *in)
{
	struct ip4 h;
	uint8_t *udp = ip4_start(f, in, &h, 17, GUEST, DNS);
	uint8_t *d = udp + 8, sel = u8(in);
	size_t n = 12, i, labels = sel % 5;

	be16_put(udp, (uint16_t)(1024 + u8(in)));
	be16_put(udp + 2, 53);
	be16_put(d, u16(in));		/* id */
	be16_put(d + 2, sel & 0x80 ? u16(in) : 0x0100);	/* RD */
	be16_put(d + 4, sel & 0x40 ? u16(in) : 1);	/* qdcount */
	memset(d + 6, 0, 6);
	for (i = 0; i < labels; i++) {
		uint8_t len = u8(in) % 64;

		d[n] = (sel & 0x20) && i == labels - 1 ? 0xc0 | len : len;
		take(in, d + n + 1, len);
		n += 1 + len;
	}
	d[n++] = 0;
	be16_put(d + n, u16(in));	/* type */
	be16_put(d + n + 2, 1);		/* IN */
	n += 4;
	udp_finish(f, in, &h, udp, 8 + n, false);
}

/* The one TCP connection followed across frames: to the echo service */
struct tcp_state {
	uint16_t sport;
	uint32_t seq;		/* ours, next */
	uint32_t ack;		/* theirs, next expected */
};

static void tcp(struct frame *f, struct in *in, struct tcp_state *ts)
{
	struct ip4 h;
	uint8_t sel = u8(in), flags = u8(in);
	bool follow = !(sel & 1);
	uint32_t dst = follow ? HOST_ALIAS : pick_addr(in);
	uint8_t *t = ip4_start(f, in, &h, 6, GUEST, dst);
	size_t opt = sel & 2 ? 4 * (u8(in) % 11) : 0, n;

	be16_put(t, follow ? ts->sport : u16(in));
	be16_put(t + 2, follow ? ECHO_PORT : pick_port(in));
	be32_put(t + 4, follow ? ts->seq : u32(in));
	be32_put(t + 8, follow ? ts->ack : u32(in));
	t[12] = (uint8_t)((20 + opt) / 4 << 4);
	t[13] = flags;
	be16_put(t + 14, sel & 4 ? u16(in) : 65535);	/* window */
	be16_put(t + 16, 0);
	be16_put(t + 18, sel & 8 ? u16(in) : 0);	/* urgent pointer */
	take(in, t + 20, opt);
	n = payload(in, t + 20 + opt, sel & 128 ? 12000 :
				      sel & 16 ? 1400 : 128);
	if (sel & 32)			/* data offset: anything */
		t[12] = (uint8_t)(u8(in) & 0xf0);
	be16_put(t + 16, l4_sum(&h, t, 20 + opt + n));
	if (sel & 64)
		t[17] ^= 0x01;
	if (follow)
		ts->seq += (uint32_t)n + !!(flags & 0x02) + !!(flags & 0x01);
	f->len += 20 + opt + n;
	ip4_finish(f, in, &h);
}

static void icmp(struct frame *f, struct in *in)
{
	struct ip4 h;
	uint32_t dst = pick_addr(in);
	uint8_t *c = ip4_start(f, in, &h, 1, GUEST, dst);
	uint8_t sel = u8(in);
	size_t n;

	c[0] = sel & 1 ? u8(in) : 8;	/* echo request, or anything */
	c[1] = sel & 2 ? u8(in) : 0;
	be16_put(c + 2, 0);
	be32_put(c + 4, u32(in));
	n = payload(in, c + 8, sel & 4 ? 1400 : 64);
	be16_put(c + 2, csum(c, 8 + n));
	if (sel & 8)
		c[3] ^= 0x01;
	f->len += 8 + n;
	ip4_finish(f, in, &h);
}

/*
 * One piece of a UDP datagram to the echo service, cut in pieces of 8
 * bytes and sent in the input's order: offsets, the last piece and
 * overlaps are the input's choice.
 */
static void fragment(struct frame *f, struct in *in)
{
	struct ip4 h;
	uint8_t proto = u8(in) & 1 ? 17 : 1;
	uint8_t *p = ip4_start(f, in, &h, proto, GUEST, HOST_ALIAS);
	uint8_t sel = u8(in);
	uint16_t off = (uint16_t)(u8(in) % 32);	/* in 8-byte units */
	size_t n = 8 * (1 + u8(in) % 16);

	take(in, p, n);
	if (!off && h.ip[9] == 17) {	/* the first piece has the header */
		be16_put(p, 1024);
		be16_put(p + 2, ECHO_PORT);
		be16_put(p + 4, (uint16_t)(8 * (u8(in) % 64)));
		be16_put(p + 6, 0);
	}
	f->len += n;
	h.mangle &= 0xf0;		/* its own flags, not mangled ones */
	ip4_finish(f, in, &h);
	be16_put(h.ip + 6, (uint16_t)((sel & 1 ? 0 : 0x2000) | off));
	be16_put(h.ip + 10, 0);
	be16_put(h.ip + 10, csum(h.ip, h.hlen));
}

/* IPv6 to libslirp: its gateway, its DNS server, DHCPv6's servers or
 * router discovery's multicast address, from the guest's SLAAC address
 * or its link-local one; or anywhere from anything */
static void ipv6_addrs(uint8_t *ip, uint8_t sel, struct in *in)
{
	static const char *const dst[] = { PREFIX6 ":2", PREFIX6 ":3",
					   "ff02::1:2", "ff02::2" };

	if (!(sel & 8)) {
		take(in, ip + 8, 32);
		return;
	}
	inet_pton(AF_INET6, sel & 16 ? "fe80::5054:ff:fe12:3456" :
				       PREFIX6 "5054:ff:fe12:3456", ip + 8);
	inet_pton(AF_INET6, dst[(sel >> 5) & 3], ip + 24);
}

static void ipv6(struct frame *f, struct in *in)
{
	uint8_t *ip = eth(f, in, 0x86dd), sel = u8(in), *l4 = ip + 40;
	size_t n;

	ip[0] = 0x60;
	memset(ip + 1, 0, 3);
	ip[6] = sel & 1 ? 58 : sel & 2 ? 17 : 6;	/* ICMPv6, UDP, TCP */
	ip[7] = 255;
	ipv6_addrs(ip, sel, in);
	n = payload(in, l4, 512);
	if (ip[6] == 17 && n >= 8)
		be16_put(l4 + 4, (uint16_t)n);
	/* checksums that hold, so libslirp reads on (sel & 128: none) */
	if (!(sel & 128) && n >= (ip[6] == 6 ? 18u : ip[6] == 17 ? 8u : 4u)) {
		size_t at = ip[6] == 6 ? 16 : ip[6] == 17 ? 6 : 2;

		be16_put(l4 + at, 0);
		be16_put(l4 + at, csum_fold(csum_add(
			csum_pseudo6(ip, (uint32_t)n, ip[6]), l4, n)));
	}
	be16_put(ip + 4, sel & 4 ? u16(in) : (uint16_t)n);
	f->len += 40 + n;
}

static void raw(struct frame *f, struct in *in)
{
	uint8_t sel = u8(in);
	size_t len = sel & 2 ? u8(in) % 14 :	/* a runt */
			       14 + u16(in) % (FRAME_BUF - 14 + 1);

	take(in, f->b, len);
	if (sel & 1 && len >= 14)	/* IPv4 to libslirp, then anything */
		eth(f, in, 0x0800);
	f->len = len;
}

static void build(struct frame *f, struct in *in, struct tcp_state *ts)
{
	memset(f->b, 0, sizeof(f->b));
	switch (u8(in) % 10) {
	case 0: arp(f, in); break;
	case 1: udp(f, in); break;
	case 2: dhcp(f, in); break;
	case 3: dns(f, in); break;
	case 4: case 5: tcp(f, in, ts); break;
	case 6: icmp(f, in); break;
	case 7: fragment(f, in); break;
	case 8: ipv6(f, in); break;
	default: raw(f, in); break;
	}
}

/* ---- a capture of the frames, for replaying an input by hand ----------- */

static FILE *pcap;

static void pcap_open(void)
{
	const char *path = getenv("FUZZ_PCAP");
	/* pcap: magic, version 2.4, no zone, 65535 bytes, Ethernet */
	static const uint32_t hdr[6] = { 0xa1b2c3d4, 0x00040002, 0, 0,
					 65535, 1 };

	if (!path || !*path)
		return;
	pcap = fopen(path, "we");
	if (!pcap)
		die_errno(path);
	fwrite(hdr, sizeof(hdr), 1, pcap);
}

static void pcap_frame(const uint8_t *b, size_t len)
{
	int64_t ns = now_ns();
	uint32_t rec[4] = { (uint32_t)(ns / 1000000000),
			    (uint32_t)(ns % 1000000000 / 1000),
			    (uint32_t)len, (uint32_t)len };

	if (!pcap)
		return;
	fwrite(rec, sizeof(rec), 1, pcap);
	fwrite(b, len, 1, pcap);
	fflush(pcap);
}

/* ---- the uplink and what it sends -------------------------------------- */

/* A frame from the guest into the uplink */
static void send_frame(int fd, const uint8_t *b, size_t len)
{
	if (!len)
		return;
	pcap_frame(b, len);
	if (write(fd, b, len) < 0 && errno != EAGAIN)
		die_errno("writing a frame");
}

static void turn(struct uplink *u, struct pollset *ps)
{
	pollset_reset(ps);
	uplink_poll_fill(u, ps);
	if (poll(ps->fds, (nfds_t)ps->n, 0) < 0 && errno != EINTR)
		die_errno("poll");
	uplink_poll_done(u, ps);
	services_turn();
}

/* An ARP reply from the guest to libslirp's request for it */
static void arp_reply(int fd, const uint8_t *req)
{
	uint8_t r[42];

	arp_answer(r, req, guest_mac);
	send_frame(fd, r, sizeof(r));
}

/* Which of libslirp's ARP requests the guest answers */
enum arp_answer {
	ARP_NONE,
	ARP_GUEST,		/* for the guest's own address */
	ARP_ALL,		/* for any: flush what waits for one */
};

/* Read what libslirp sent; follow the TCP connection, answer ARP */
static void drain(int fd, struct tcp_state *ts, enum arp_answer answer,
		  unsigned int mtu)
{
	static uint8_t b[70000];
	ssize_t n;

	while ((n = read(fd, b, sizeof(b))) > 0) {
		uint16_t type = be16_get(b + 12);
		const uint8_t *ip = b + 14, *t;

		pcap_frame(b, (size_t)n);
		/* an Ethernet frame within the uplink's MTU */
		FUZZ_ASSERT(n >= 14 && (size_t)n <= 14 + mtu);
		if (type == 0x0806 && n >= 42 && b[21] == 1 &&
		    (answer == ARP_ALL ||
		     (answer == ARP_GUEST &&
		      !memcmp(b + 38, (uint8_t[]){ 10, 0, 2, 15 }, 4))))
			arp_reply(fd, b);
		if (type != 0x0800 || n < 54 || ip[9] != 6)
			continue;
		t = ip + 4 * (ip[0] & 0x0f);
		if (t + 20 > b + n || be16_get(t) != ECHO_PORT ||
		    be16_get(t + 2) != ts->sport)
			continue;
		ts->ack = be32_get(t + 4) +
			  (uint32_t)(be16_get(ip + 2) -
				     4 * (ip[0] & 0x0f) - 4 * (t[12] >> 4)) +
			  !!(t[13] & 0x02) + !!(t[13] & 0x01);
	}
}

/* An ARP request from the guest for the host alias: libslirp learns the
 * guest's MAC from it */
static void hello(struct uplink *u, struct pollset *ps, int fd)
{
	static struct frame f;
	/* broadcast, a request, sender the guest, target the host alias */
	struct in in = { (const uint8_t *)"\1\0", 2 };

	arp(&f, &in);
	send_frame(fd, f.b, f.len);
	turn(u, ps);
}

/*
 * What libslirp allocates (through glib) and loses is libslirp's own leak,
 * not the uplink's: the one above, when a packet waits for a MAC nobody
 * answers for, is lost at slirp_cleanup() (a running engine drops it after
 * a second: tests/integration/uplink_pending.sh). LeakSanitizer reads this
 * hook in replays too; memory qbox allocates (malloc, calloc) is still
 * checked after every input.
 *
 * By module, not by function: a suppression naming g_malloc matches only
 * a symbolized stack, and a machine without llvm-symbolizer failed on
 * tests/fuzz/corpus/frames/regress-arp-pending-leak. glib is built
 * without frame pointers, so the fast unwinder's stack ends in it
 * (malloc, then g_malloc) and never reaches libslirp: the module named is
 * glib's. Nothing but libslirp calls glib's allocator here.
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libglib-2.0.so\n";
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	isolate();
	services_start();
	pcap_open();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size };
	uint8_t conf = u8(&in);
	struct uplink_cfg cfg = {
		.net = { htonl(IP(10, 0, 2, 0)) },
		.prefix = 24,
		.gateway = { htonl(HOST_ALIAS) },
		.dns = { htonl(DNS) },
		.dhcp_start = { htonl(GUEST) },
		.hostname = "fuzz",
		.no_dhcp = conf & 1,
		.host_only = conf & 2,
		/* a command payload's NIC, or a VM's (0: libslirp's 1500) */
		.mtu = conf & 16 ? 65520 : 0,
		/* an egress policy: deny but the host alias, or port 80
		   anywhere; refused frames are answered (ICMP) */
		.egress = { .deny = conf & 32, .n = 1,
			    .allow = { { .net = { conf & 64 ? 0 :
						  htonl(HOST_ALIAS) },
					 .prefix = conf & 64 ? 0 : 32,
					 .port = conf & 64 ? 80 : 0 } } },
		/* IPv6 on, as --net nat's default (conf & 128: off) */
		.ipv6 = !(conf & 128),
	};
	struct tcp_state ts = { .sport = (uint16_t)(40000 + u8(&in)),
				.seq = u32(&in) };
	struct pollset ps = { 0 };
	struct qerr e = { 0 };
	unsigned int mtu = cfg.mtu ? cfg.mtu : 1500;
	struct uplink *u;
	static struct frame f;
	int sv[2], i;

	inet_pton(AF_INET6, PREFIX6 ":", &cfg.prefix6);
	inet_pton(AF_INET6, PREFIX6 ":2", &cfg.gateway6);
	inet_pton(AF_INET6, PREFIX6 ":3", &cfg.dns6);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       0, sv) < 0)
		die_errno("socketpair");
	u = uplink_new(&cfg, sv[1], &e);
	FUZZ_ASSERT(u);
	/* a guest that says who it is first, as most do */
	if (!(conf & 4))
		hello(u, &ps, sv[0]);
	for (i = 0; i < FRAMES_MAX && in.n; i++) {
		build(&f, &in, &ts);
		send_frame(sv[0], f.b, f.len);
		turn(u, &ps);
		drain(sv[0], &ts, conf & 8 ? ARP_NONE : ARP_GUEST, mtu);
	}
	/*
	 * Connections to loopback complete, echoes come back; and the guest
	 * makes itself known and answers for any address, so that libslirp
	 * sends what it kept waiting for a MAC: slirp_cleanup() frees only
	 * the first packet of each flow's queue (libslirp 4.7's m_cleanup),
	 * and the rest would pile up, run after run.
	 */
	hello(u, &ps, sv[0]);
	for (i = 0; i < 3; i++) {
		turn(u, &ps);
		drain(sv[0], &ts, ARP_ALL, mtu);
	}
	uplink_free(u);
	close(sv[0]);
	pollset_free(&ps);
	services_reset();
	return 0;
}
