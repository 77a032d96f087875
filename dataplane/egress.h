/* SPDX-License-Identifier: MIT */
/*
 * egress.h - the kernel's path out of a NAT NIC: what its rules (netns/
 * egress_nft.c), its worker (dataplane/fwd_worker.c) and the supervisor
 * (supervisor/sup_egress.c) agree on, and the worker's pure parts
 *
 * A guest's (or command's) TCP SYN to anywhere outside its NIC's subnet,
 * or to the host alias, is queued to the egress worker (NFQUEUE) before
 * any handshake. The worker connects from the host; the SYN's verdict
 * waits for the answer: accepted, it goes on to a redirect onto the
 * sandbox's egress listener, whose connection the worker pairs with its
 * own and splices; refused or unreachable, it is re-run with a mark that
 * the first rules of the same chain turn into what libslirp would have
 * sent (docs/ARCHITECTURE.md, "NAT egress: the kernel's path").
 */
#ifndef QBOX_EGRESS_H
#define QBOX_EGRESS_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dataplane/frame_filter.h"

/*
 * A sandbox's egress workers: one per CPU (fwd_worker_count()), at most
 * EGRESS_WORKERS_MAX; worker K reads queue K (queue numbers are per
 * network namespace) and accepts on listener K. The rules spread SYNs
 * over the queues by a symmetric hash of the connection's addresses and
 * ports, so a SYN sent again goes where the first one went; a verdict
 * letting one through marks it EGRESS_MARK_LISTEN(K), which the NAT rule
 * redirects to listener K.
 */
#define EGRESS_WORKERS_MAX 16
/* A sandbox's connections on the path at once, its workers' share each:
 * the NAT engine's bound (UPLINK_NOFILE, its fds, less its own few), so
 * a guest holds no more of the host's sockets on one path than on the
 * other. A SYN past it is refused as libslirp's EMFILE is: ICMP net
 * unreachable. */
#define EGRESS_FLOWS_MAX 4090
#define EGRESS_MARK_LISTEN(k)	(0x51b0e100u + (uint32_t)(k))

/* Marks a verdict gives a SYN that is to be refused (NF_REPEAT) */
#define EGRESS_MARK_RST		0x51b0e001u	/* TCP RST: refused */
#define EGRESS_MARK_NET		0x51b0e002u	/* ICMP net unreachable */
#define EGRESS_MARK_HOST	0x51b0e003u	/* ICMP host unreachable */
#define EGRESS_MARK_DROP	0x51b0e004u	/* nothing: the guest retries */
#define EGRESS_MARK_PROHIBITED	0x51b0e005u	/* ICMP administratively
						   prohibited: the policy */
#define EGRESS_MARK_BYPASS	0x51b0e006u	/* a NIC unplugged or
						   impaired: its new
						   connections are
						   libslirp's, through the
						   impaired uplink */

/* A connection as its SYN names it: the guest's side, then the far one */
struct egress_key {
	struct in_addr src, dst;
	uint16_t sport, dport;		/* host order */
};

/* A NIC on the path: its subnet (a SYN's source tells its NIC), its host
 * alias (connections to it go to the host's loopback; 0: hostloop=off),
 * its egress policy (dataplane/frame_filter.h) */
struct egress_nic_map {
	struct in_addr net;
	unsigned int prefix;
	struct in_addr alias;
	struct egress_policy policy;
};

#define EGRESS_NICS 8	/* one per NIC: MAX_NICS */

struct egress_map {
	int n;
	struct egress_nic_map nic[EGRESS_NICS];
};

/*
 * egress_syn_parse() - the key of an IPv4 TCP SYN as the queue gives it
 * (from its IP header): 0, or -EINVAL for anything else (not IPv4, not
 * TCP, not a bare SYN, too short, a fragment)
 */
int egress_syn_parse(const uint8_t *pkt, size_t len, struct egress_key *k);

/* Whether SYN @pkt (@len bytes, @k its key) may leave: its NIC's egress
 * policy, as libslirp's path applies it (none found: no); never to 0/8,
 * 127/8 or 224/3, which are no host out there */
bool egress_allowed(const struct egress_map *m, const struct egress_key *k,
		    const uint8_t *pkt, size_t len);

/* Where to connect for @k: its destination, or the host's loopback for a
 * NIC's host alias */
struct sockaddr_in egress_target(const struct egress_map *m,
				 const struct egress_key *k);

/*
 * The mark of a SYN whose connect failed with @err: what a router would
 * tell the guest. Refused: a RST (libslirp's answer too). A host that is
 * unreachable (no neighbour answers): ICMP host unreachable; a timeout:
 * nothing, the guest's own SYN retries time out (libslirp, whose
 * background connect failures reach the guest as nothing at all, leaves
 * it to time out in both cases); anything else (no route, the host's
 * firewall): ICMP net unreachable, as libslirp answers a connect that
 * fails at once.
 */
uint32_t egress_fail_mark(int err);

/* A bucket for @k in a table of @n buckets (a power of two) */
uint32_t egress_hash(const struct egress_key *k, uint32_t n);

bool egress_key_eq(const struct egress_key *a, const struct egress_key *b);

#endif /* QBOX_EGRESS_H */
