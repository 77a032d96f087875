// SPDX-License-Identifier: MIT
/*
 * test_uplink.c - the NAT uplink (libslirp behind the frame filter) on a
 * socketpair standing in for the uplink TAP: it answers ARP for the host
 * alias, and survives the frame that killed it (an IPv4 fragment; see
 * frame_ipv4_fragment()). Only ARP and a dropped fragment are sent, so
 * libslirp opens no socket: nothing leaves the process.
 */
#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../common/pollset.h"
#include "../../netns/uplink.h"
#include "unit.h"

static const uint8_t guest_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

/* One turn of the supervisor's loop, as supervisor.c runs it */
static void turn(struct uplink *u, struct pollset *ps)
{
	pollset_reset(ps);
	uplink_poll_fill(u, ps);
	poll(ps->fds, (nfds_t)ps->n, 0);
	uplink_poll_done(u, ps);
}

/* "who has 10.0.2.2?" from the guest; then whether the uplink said
 * "10.0.2.2 is at ..." within a few turns */
static int arp_answered(struct uplink *u, struct pollset *ps, int fd)
{
	static const uint8_t req[42] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0x08, 0x06,
		0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01,
		0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 10, 0, 2, 15,
		0, 0, 0, 0, 0, 0, 10, 0, 2, 2,
	};
	uint8_t b[2048];
	int i;

	if (write(fd, req, sizeof(req)) != (ssize_t)sizeof(req))
		return 0;
	for (i = 0; i < 10; i++) {
		ssize_t n;

		turn(u, ps);
		while ((n = read(fd, b, sizeof(b))) > 0)
			if (n >= 42 && b[12] == 0x08 && b[13] == 0x06 &&
			    b[21] == 2 && !memcmp(b + 28, req + 38, 4) &&
			    !memcmp(b, guest_mac, 6))
				return 1;
	}
	return 0;
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
	uplink_free(u);
	close(sv[0]);
	pollset_free(&ps);
	UNIT_END();
}
