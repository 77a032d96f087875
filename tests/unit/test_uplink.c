// SPDX-License-Identifier: MIT
/*
 * test_uplink.c - the NAT uplink (libslirp behind the frame filter) on a
 * socketpair standing in for the uplink TAP: it answers ARP for the host
 * alias, survives the frame that killed it (an IPv4 fragment; see
 * frame_ipv4_fragment()), and serves a member behind another's backlog
 * (fairq.h). Only ARP and a dropped fragment are sent, so libslirp opens no
 * socket: nothing leaves the process.
 */
#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/bytes.h"
#include "common/pollset.h"
#include "dataplane/uplink.h"
#include "tests/unit/unit.h"

static const uint8_t guest_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

/* One turn of the supervisor's loop, as supervisor.c runs it */
static void turn(struct uplink *u, struct pollset *ps)
{
	pollset_reset(ps);
	uplink_poll_fill(u, ps);
	poll(ps->fds, (nfds_t)ps->n, 0);
	uplink_poll_done(u, ps);
}

/* "who has 10.0.2.@ip?" from the guest whose MAC ends in @who */
static void arp_request(uint8_t req[42], uint8_t who, uint8_t ip)
{
	static const uint8_t tmpl[42] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0x08, 0x06,
		0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01,
		0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 10, 0, 2, 15,
		0, 0, 0, 0, 0, 0, 10, 0, 2, 2,
	};

	memcpy(req, tmpl, sizeof(tmpl));
	req[11] = req[27] = who;
	req[31] = who;		/* its own address, 10.0.2.@who */
	req[41] = ip;
}

/* Whether "10.0.2.2 is at ..." for @who is among what the uplink sent */
static int arp_reply_read(int fd, uint8_t who)
{
	uint8_t b[2048];
	ssize_t n;
	int found = 0;

	while ((n = read(fd, b, sizeof(b))) > 0)
		if (n >= 42 && be16_get(b + 12) == 0x0806 &&
		    b[21] == 2 && b[28] == 10 && b[31] == 2 &&
		    !memcmp(b, guest_mac, 5) && b[5] == who)
			found = 1;
	return found;
}

/* "who has 10.0.2.2?" from the guest; then whether the uplink said
 * "10.0.2.2 is at ..." within a few turns */
static int arp_answered(struct uplink *u, struct pollset *ps, int fd)
{
	uint8_t req[42];
	int i;

	arp_request(req, guest_mac[5], 2);
	if (write(fd, req, sizeof(req)) != (ssize_t)sizeof(req))
		return 0;
	for (i = 0; i < 10; i++) {
		turn(u, ps);
		if (arp_reply_read(fd, guest_mac[5]))
			return 1;
	}
	return 0;
}

/*
 * Member A has 200 frames waiting (ARP for an address nobody has, which
 * libslirp drops), then member B asks for the host alias. A turn feeds
 * libslirp 64 frames: in arrival order B would wait four turns behind A.
 * The first turn serves A's first 64 and queues the rest; the second
 * serves the queue sender by sender, so B is answered in it.
 */
static int served_behind_backlog(struct uplink *u, struct pollset *ps,
				 int fd)
{
	uint8_t req[42];
	int i;

	arp_request(req, 0xa, 99);
	for (i = 0; i < 200; i++)
		if (write(fd, req, sizeof(req)) != (ssize_t)sizeof(req))
			return 0;
	arp_request(req, 0xb, 2);
	if (write(fd, req, sizeof(req)) != (ssize_t)sizeof(req))
		return 0;
	turn(u, ps);
	if (arp_reply_read(fd, 0xb))
		return 0;	/* not behind A's 64 in the first turn */
	turn(u, ps);
	return arp_reply_read(fd, 0xb);
}

int main(void)
{
	/* the frame tests/fuzz/fuzz_frames.c found: a last fragment of a
	 * UDP datagram to the host alias, with no first one */
	static const uint8_t last_piece[66] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0x08, 0x00,
		0x45, 0x00, 0x00, 0x34, 0x73, 0x73, 0x00, 0x13, 0x73, 0x11,
		0xbc, 0x22, 10, 0, 2, 15, 10, 0, 2, 2, 0x73,
	};
	struct uplink_cfg cfg = { .prefix = 24, .hostname = "t" };
	struct pollset ps = { 0 };
	struct qerr e = { 0 };
	struct uplink *u;
	int sv[2];

	inet_pton(AF_INET, "10.0.2.0", &cfg.net);
	inet_pton(AF_INET, "10.0.2.2", &cfg.gateway);
	inet_pton(AF_INET, "10.0.2.3", &cfg.dns);
	inet_pton(AF_INET, "10.0.2.15", &cfg.dhcp_start);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, sv) < 0)
		return 1;
	u = uplink_new(&cfg, sv[1], &e);
	CHECK(u, "uplink: libslirp starts on a socketpair");
	if (!u)
		UNIT_END();
	CHECK(arp_answered(u, &ps, sv[0]),
	      "uplink: ARP for the host alias is answered");
	CHECK(write(sv[0], last_piece, sizeof(last_piece)) ==
		      (ssize_t)sizeof(last_piece),
	      "uplink: a lone last IPv4 fragment is written");
	turn(u, &ps);
	/* before the fragments were dropped, libslirp crashed in the turn */
	CHECK(arp_answered(u, &ps, sv[0]),
	      "uplink: still alive and answering after that fragment");
	CHECK(served_behind_backlog(u, &ps, sv[0]),
	      "uplink: a member behind 200 of another member's frames is "
	      "answered in the next turn, not the fourth");
	uplink_free(u);
	close(sv[0]);
	pollset_free(&ps);
	UNIT_END();
}
