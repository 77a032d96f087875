/* SPDX-License-Identifier: MIT */
/*
 * dhcp.h - the DHCP server of a named network's hub
 *
 * Two halves. The core (dhcp.c) is pure: it turns one request datagram into
 * at most one reply and a destination, against an in-memory lease table,
 * with the time passed in; it never does I/O, so it is tested with crafted
 * packets. The socket half (dhcp_sock.c) makes the UDP socket on the hub's
 * bridge and drains it from the hub's own poll loop: no threads, no timers
 * (leases expire lazily, checked against @now on each request).
 *
 * Time is a monotonic clock in whole seconds (now_ns() / 1e9 will do);
 * expiries reported by the lease API are on the same clock.
 */
#ifndef QBOX_DHCP_H
#define QBOX_DHCP_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

/* A pool larger than this is cut to its first DHCP_POOL_MAX addresses, so
 * the table of a /16 costs about 80 KiB, not 5 MiB */
#define DHCP_POOL_MAX 1024
#define DHCP_DNS_MAX 3
#define DHCP_DOMAIN_MAX 64	/* option 15, including the NUL */
#define DHCP_HOSTNAME_MAX 64	/* option 12 as kept, including the NUL */

#define DHCP_LEASE_DEFAULT 3600	/* s; see docs/ARCHITECTURE.md */
#define DHCP_OFFER_HOLD 30	/* s an offered address stays reserved */
#define DHCP_DECLINE_HOLD 600	/* s a declined address stays unused */

/*
 * Largest reply, in bytes of UDP payload: the fixed BOOTP part (236), the
 * cookie and every option the server can send. It stays under 548, the
 * payload of the 576-byte datagram every client must accept, so option 57
 * (maximum message size) never has to be consulted.
 */
#define DHCP_REPLY_MAX                                                        \
	(240 + 3 + 6 + 3 * 6 + 6 + 6 + (2 + 4 * DHCP_DNS_MAX) +               \
	 (2 + DHCP_DOMAIN_MAX - 1) + 4 + 1)

struct dhcp_config {
	struct in_addr net;		/* network address of the subnet */
	unsigned int prefix;		/* 8..30 */
	struct in_addr server;		/* server identifier (option 54): the
					 * bridge's address, in the subnet */
	struct in_addr router;		/* option 3; INADDR_ANY: not sent */
	struct in_addr dns[DHCP_DNS_MAX]; /* option 6, the first n_dns */
	unsigned int n_dns;
	const char *domain;		/* option 15; NULL or "": not sent */
	struct in_addr pool_first;	/* addresses handed out, inclusive */
	struct in_addr pool_last;
	uint32_t lease_time;		/* s; 0: DHCP_LEASE_DEFAULT */
	uint16_t mtu;			/* option 26; 0: not sent */
};

struct dhcp_server;

/* What the server has seen; "exhausted" counts DISCOVERs left unanswered
 * because every address of the pool is held */
struct dhcp_stats {
	uint64_t received, malformed, ignored;
	uint64_t offers, acks, naks, informs, releases, declines;
	uint64_t exhausted;
	uint64_t send_errors;		/* replies the socket refused */
};

/* One reply to send: @len bytes of @buf to @dest (AF_INET, port 68) */
struct dhcp_reply {
	uint8_t buf[DHCP_REPLY_MAX];
	size_t len;
	struct sockaddr_in dest;
};

enum dhcp_lease_state {
	DHCP_LEASE_OFFERED,		/* offered, not yet requested */
	DHCP_LEASE_BOUND,		/* acknowledged and not expired */
	DHCP_LEASE_EXPIRED,		/* ran out; the MAC keeps its claim
					 * until the pool needs the address */
	DHCP_LEASE_RELEASED,		/* given back; claim kept likewise */
	DHCP_LEASE_DECLINED,		/* in quarantine, no MAC */
};

struct dhcp_lease_info {
	uint8_t mac[6];			/* zero for DECLINED */
	struct in_addr addr;
	enum dhcp_lease_state state;
	int64_t expires;		/* same clock as @now */
	char hostname[DHCP_HOSTNAME_MAX]; /* option 12, sanitized, or "" */
};

/**
 * dhcp_new() - a server with an empty lease table
 * @cfg:	configuration; copied, @cfg->domain included
 * @e:		usage error naming the field at fault (a pool outside the
 *		subnet, a server, router or DNS address inside the pool, ...)
 *
 * A pool of more than DHCP_POOL_MAX addresses is cut short at
 * pool_first + DHCP_POOL_MAX - 1; dhcp_pool() tells the result.
 * Return: the server, or NULL with @e filled
 */
struct dhcp_server *dhcp_new(const struct dhcp_config *cfg, struct qerr *e);

void dhcp_free(struct dhcp_server *srv);

/**
 * dhcp_handle() - answer one request
 * @srv:	server
 * @now:	monotonic time in seconds
 * @in:		UDP payload as received (bytes a guest controls)
 * @len:	its length
 * @reply:	filled when a reply is due
 *
 * DISCOVER gets an OFFER, REQUEST an ACK or a NAK, INFORM an ACK;
 * RELEASE and DECLINE change the table and get no answer. Requests that
 * name another server, come through a relay, or that the server has no
 * answer for are ignored.
 * Return: 1 when @reply is to be sent, 0 when there is nothing to send,
 * -EBADMSG when @in is not a well-formed DHCP request (counted in
 * stats.malformed)
 */
int dhcp_handle(struct dhcp_server *srv, int64_t now, const void *in,
		size_t len, struct dhcp_reply *reply);

/* Counters since dhcp_new() */
const struct dhcp_stats *dhcp_stats(const struct dhcp_server *srv);

/* For the socket half, counted with the rest: a datagram too long to be
 * received whole (stats.malformed), a reply the socket refused
 * (stats.send_errors) */
void dhcp_note_oversized(struct dhcp_server *srv);
void dhcp_note_send_error(struct dhcp_server *srv);

/* The pool in use (possibly cut to DHCP_POOL_MAX) */
void dhcp_pool(const struct dhcp_server *srv, struct in_addr *first,
	       struct in_addr *last);

/**
 * dhcp_lease_next() - walk the lease table in address order
 * @srv:	server
 * @now:	monotonic time in seconds, to tell bound from expired
 * @cursor:	0 to start; advanced by each call
 * @out:	the next lease
 *
 * Addresses never handed out, offers that lapsed and quarantines that
 * ended are skipped.
 * Return: true with @out filled, false at the end
 */
bool dhcp_lease_next(const struct dhcp_server *srv, int64_t now,
		     size_t *cursor, struct dhcp_lease_info *out);

/**
 * dhcp_lease_find() - the lease a MAC holds or last held
 * @srv:	server
 * @mac:	the client's hardware address
 * @now:	monotonic time in seconds
 * @out:	filled when found
 *
 * Return: true when the MAC has an entry (of any state but DECLINED)
 */
bool dhcp_lease_find(const struct dhcp_server *srv, const uint8_t mac[6],
		     int64_t now, struct dhcp_lease_info *out);

/**
 * dhcp_reserve() - bind an address to @mac without a DHCP exchange
 * @srv:	server
 * @mac:	the client: a command payload that qbox configures itself, or
 *		a VM whose anti-spoofing rules must know its address before
 *		it asks for one
 * @hostname:	shown in the lease list; may be NULL
 * @want:	the address the member asked for (ip=), or 0: any
 * @now:	time
 * @addr:	filled: the address: @want, or one chosen as for a DISCOVER
 *		(the MAC's own slot, else from its hash on)
 *
 * The lease does not expire, and it is @mac's alone: its DISCOVERs and
 * REQUESTs get exactly this address (a REQUEST for another is NAKed),
 * renewals leave it reserved, RELEASE and DECLINE are ignored (a guest
 * could forge them with another's chaddr). dhcp_unreserve() gives it back.
 * A wanted address another MAC holds only by an expired or released
 * lease is taken from it (its claim is the weaker).
 * Return: 0; -ENOSPC when every address is held; for @want, -EDOM when it
 * is not in the pool, -EADDRINUSE when another MAC holds it
 */
int dhcp_reserve(struct dhcp_server *srv, const uint8_t mac[6],
		 const char *hostname, struct in_addr want, int64_t now,
		 struct in_addr *addr);

/* Give a reserved address back; the MAC keeps its claim, as on RELEASE */
void dhcp_unreserve(struct dhcp_server *srv, const uint8_t mac[6],
		    int64_t now);

/* "offered", "bound", "expired", "released", "declined" */
const char *dhcp_lease_state_name(enum dhcp_lease_state state);

/**
 * dhcp_socket() - the server's socket on interface @ifname
 * @ifname:	the bridge the members attach to (in the current netns)
 * @e:		error naming the step and the interface
 *
 * UDP, bound to 0.0.0.0:67 and to the device (SO_BINDTODEVICE), allowed
 * to broadcast, non-blocking, close-on-exec. Needs CAP_NET_RAW and
 * CAP_NET_BIND_SERVICE in the user namespace owning the network namespace
 * (the hub has both). The fd keeps working after it is handed to a process
 * in another namespace.
 * Return: fd or -errno
 */
int dhcp_socket(const char *ifname, struct qerr *e);

/* Datagrams dhcp_serve() handles per call, so a flood cannot starve the
 * rest of the poll loop; level-triggered poll wakes it again for more */
#define DHCP_SERVE_BATCH 64

/**
 * dhcp_serve() - answer what is waiting on @fd
 * @srv:	server
 * @fd:		socket from dhcp_socket()
 * @now:	monotonic time in seconds
 * @e:		error naming the failed receive
 *
 * Call when poll() reports @fd readable. Handles up to DHCP_SERVE_BATCH
 * datagrams; oversized and malformed ones are dropped and counted, and a
 * reply the socket refuses is counted in stats.send_errors (the client
 * retries), so nothing a guest sends makes this fail.
 * Return: datagrams handled, or -errno when receiving failed
 */
int dhcp_serve(struct dhcp_server *srv, int fd, int64_t now, struct qerr *e);

#endif /* QBOX_DHCP_H */
