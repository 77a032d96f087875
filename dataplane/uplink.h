/* SPDX-License-Identifier: MIT */
/*
 * uplink.h - a NAT NIC's way out: libslirp on the sandbox's uplink TAP
 *
 * One uplink per NAT NIC. It runs in the NAT engine (nat_engine.h), a
 * confined process of the supervisor's that stays in the host's network
 * namespace, so the sockets libslirp opens for the guest's connections are
 * ordinary host sockets; the TAP fd it reads frames from was made inside
 * the sandbox and passed out over SCM_RIGHTS. This API does no process
 * setup of its own, so a test harness can drive it in-process.
 */
#ifndef QBOX_UPLINK_H
#define QBOX_UPLINK_H

#include <netinet/in.h>

#include "common/err.h"
#include "dataplane/frame_filter.h"
#include "common/pollset.h"

struct uplink;

struct uplink_cfg {
	struct in_addr net;
	unsigned int prefix;
	struct in_addr gateway;		/* also the host's loopback alias */
	struct in_addr dns;
	struct in_addr dhcp_start;
	const char *hostname;		/* DHCP option 12 for the guest */
	bool no_dhcp;			/* a network's hub serves DHCP itself */
	bool host_only;			/* drop what is not for the host alias
					   (frame_filter.h) */
	unsigned int mtu;		/* largest IP packet each way */
	const char *tftp;		/* libslirp's TFTP server serves this
					   directory, read-only; NULL: none */
	const char *bootfile;		/* DHCP's boot file; NULL: none */
	const char *domain;		/* DHCP's domain and search list;
					   NULL: none */
	bool no_hostloop;		/* the gateway does not lead to the
					   host's loopback (hostloop=off) */
	bool ipv6;			/* IPv6 on: SLAAC in /64 @prefix6,
					   DHCPv6 (DNS), the gateway @gateway6
					   (the host's [::1]), DNS @dns6 */
	struct in6_addr prefix6, gateway6, dns6;
	struct egress_policy egress;	/* where the guest's frames may go
					   (frame_filter.h); gateway and dns
					   are filled by uplink_new() */
};

/* Take ownership of @tapfd and start libslirp on it */
struct uplink *uplink_new(const struct uplink_cfg *cfg, int tapfd,
			  struct qerr *e);

/* Add the uplink's fds to @ps and lower its timeout for slirp's timers */
void uplink_poll_fill(struct uplink *u, struct pollset *ps);

/*
 * Handle what poll() reported for the fds added by uplink_poll_fill().
 * Returns 0, or -EPIPE when the TAP fd reports an error or hang-up: its
 * device is gone (the sandbox's network namespace ended).
 */
int uplink_poll_done(struct uplink *u, struct pollset *ps);

void uplink_free(struct uplink *u);

#endif /* QBOX_UPLINK_H */
