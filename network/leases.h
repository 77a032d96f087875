/* SPDX-License-Identifier: MIT */
/*
 * leases.h - a named network's addresses: which MAC holds which
 *
 * qbox decides its members' addresses and dnsmasq hands them out
 * (network/dnsmasq.h). A member's address is reserved when it joins, so
 * that its anti-spoofing rules know it before its guest sends a frame;
 * the hub writes the reservations as dnsmasq's DHCP hosts file. dnsmasq
 * also leases addresses of the pool to clients that are no member (a
 * guest's own nested clients, where its owner lifted the member's chain),
 * and keeps every lease in its lease file, which this table reads back:
 * to show the leases (`qbox net inspect`) and to reserve no address that
 * dnsmasq has leased to another MAC.
 *
 * The table is pure: text in, text out, the time passed in (wall-clock
 * seconds, dnsmasq's lease file's clock). Nothing the lease file says is
 * trusted: dnsmasq is confined because a guest may take it over, so its
 * file is parsed strictly and only informs (an address it claims is left
 * alone); reservations, and so anti-spoofing, are qbox's own.
 *
 * Where a MAC lands: the address it asked for (ip=); else its own slot (a
 * reservation it had before, as a member that left and comes back, or its
 * lease in dnsmasq's file); else the first free slot from a hash of the
 * MAC on, so the same MAC tends to get the same address even from a new
 * hub; only when none is free, the slot a departed member left longest
 * ago. A departed member's lease may still be in dnsmasq's file, which
 * would keep dnsmasq from handing that address to the new holder ("not
 * using configured address ... because it is leased to ..."):
 * leases_conflict() tells the hub, which then restarts dnsmasq on a lease
 * file without those lines (leases_prune()).
 */
#ifndef QBOX_LEASES_H
#define QBOX_LEASES_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/json.h"

/* A pool larger than this is cut to its first LEASES_POOL_MAX addresses,
 * so the table of a /16 costs about 100 KiB, not 6 MiB */
#define LEASES_POOL_MAX 1024
#define LEASE_NAME_MAX 64	/* a member's name as kept, with its NUL */

/* A lease file line is at most this long (dnsmasq's are shorter: a
 * client id is at most 255 bytes, printed as 3 characters each) */
#define LEASES_LINE_MAX 1024

enum lease_state {
	LEASE_BOUND,		/* a member's reservation, or a lease of
				   dnsmasq's that has not run out */
	LEASE_EXPIRED,		/* dnsmasq's, run out */
	LEASE_RELEASED,		/* a departed member's: its claim stays
				   until the pool needs the address */
};

struct lease_info {
	uint8_t mac[6];
	struct in_addr addr;
	enum lease_state state;
	bool member;		/* reserved for a member */
	int64_t expires;	/* dnsmasq's lease: when it runs out; 0: none */
	char name[LEASE_NAME_MAX];	/* the member's, or "" */
};

struct leases;

/* A table for the pool @first..@last (host addresses, @first <= @last),
 * cut to LEASES_POOL_MAX; NULL when out of memory */
struct leases *leases_new(struct in_addr first, struct in_addr last);
void leases_free(struct leases *l);

/* The pool in use (possibly cut) */
void leases_pool(const struct leases *l, struct in_addr *first,
		 struct in_addr *last);

/**
 * leases_reserve() - an address for @mac, its own until leases_unreserve()
 * @l:		table
 * @mac:	the member's MAC
 * @name:	shown by net inspect; may be NULL
 * @want:	the address asked for (ip=), or 0: any
 * @now:	wall-clock seconds
 * @addr:	filled with the address
 *
 * A wanted address held only by a departed member's claim, or by a lease
 * that ran out, is taken from it.
 * Return: 0; -ENOSPC when every address is held; for @want, -EDOM when it
 * is not in the pool, -EADDRINUSE when a member holds it or dnsmasq has
 * leased it to a client that is no member, and the lease has not run out
 */
int leases_reserve(struct leases *l, const uint8_t mac[6], const char *name,
		   struct in_addr want, int64_t now, struct in_addr *addr);

/* @mac's reservation ends; the MAC keeps its claim (LEASE_RELEASED) */
void leases_unreserve(struct leases *l, const uint8_t mac[6], int64_t now);

/**
 * leases_read() - take in dnsmasq's lease file
 * @l:		table
 * @text:	the file's contents, NUL-terminated (bytes a guest may
 *		control: dnsmasq is theirs to attack)
 *
 * Replaces what an earlier call took in. A line is "EXPIRY MAC ADDRESS
 * HOSTNAME CLIENT-ID" (dnsmasq's format); lines that are not, and
 * addresses outside the pool, are skipped; the last line for an address
 * counts.
 * Return: the leases taken in
 */
int leases_read(struct leases *l, const char *text);

/* Whether a member's address is leased to another MAC in what
 * leases_read() last took in, and has not run out at @now */
bool leases_conflict(const struct leases *l, int64_t now);

/**
 * leases_prune() - dnsmasq's lease file without the lines in conflict
 * @l:		table
 * @text:	the lease file, as given to leases_read()
 * @now:	wall-clock seconds
 * @out:	the lines to keep: those leases_read() took in and that do not
 *		lease a member's address to another MAC
 */
void leases_prune(const struct leases *l, const char *text, int64_t now,
		  struct strbuf *out);

/* dnsmasq's DHCP hosts file: "MAC,ADDRESS" per reserved address */
void leases_hostsfile(const struct leases *l, struct strbuf *out);

/**
 * leases_next() - walk the table in address order
 * @l:		table
 * @now:	wall-clock seconds
 * @cursor:	0 to start; advanced by each call
 * @out:	the next lease
 *
 * Return: true with @out filled, false at the end
 */
bool leases_next(const struct leases *l, int64_t now, size_t *cursor,
		 struct lease_info *out);

/* "bound", "expired", "released" */
const char *lease_state_name(enum lease_state state);

#endif /* QBOX_LEASES_H */
