// SPDX-License-Identifier: MIT
/*
 * leases.c - a named network's addresses (leases.h)
 *
 * One slot per pool address, fixed when the table is made, so that
 * nothing a guest (or a taken-over dnsmasq) writes can grow it. A slot
 * has two halves that may disagree: qbox's (owned by a MAC: reserved for
 * a member, or claimed by one that left) and dnsmasq's (the lease its file
 * last said it holds). They disagree when a departed member's lease is
 * still in the file and its address has gone to a new member: that is a
 * conflict, which the hub settles (leases.h).
 */
#include "network/leases.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "plan/spec.h"

struct slot {
	/* qbox's half */
	bool owned;		/* mac's: reserved, or its departed claim */
	bool reserved;		/* a member's, now */
	uint8_t mac[6];
	int64_t released_at;	/* when its member left */
	char name[LEASE_NAME_MAX];
	/* dnsmasq's half, from its lease file */
	bool leased;
	uint8_t lease_mac[6];
	int64_t lease_expires;	/* 0: never */
};

struct leases {
	uint32_t first;		/* host byte order */
	size_t n;
	struct slot slots[];
};

struct leases *leases_new(struct in_addr first, struct in_addr last)
{
	uint32_t a = ntohl(first.s_addr), b = ntohl(last.s_addr);
	size_t n = b >= a ? (size_t)(b - a) + 1 : 1;
	struct leases *l;

	if (n > LEASES_POOL_MAX)
		n = LEASES_POOL_MAX;
	l = calloc(1, sizeof(*l) + n * sizeof(l->slots[0]));
	if (!l)
		return NULL;
	l->first = a;
	l->n = n;
	return l;
}

void leases_free(struct leases *l)
{
	free(l);
}

void leases_pool(const struct leases *l, struct in_addr *first,
		 struct in_addr *last)
{
	first->s_addr = htonl(l->first);
	last->s_addr = htonl(l->first + (uint32_t)l->n - 1);
}

/* Index of @addr (network byte order) in the pool, or -1 */
static long pool_index(const struct leases *l, struct in_addr addr)
{
	uint32_t a = ntohl(addr.s_addr);

	if (a < l->first || a - l->first >= l->n)
		return -1;
	return (long)(a - l->first);
}

static bool lease_live(const struct slot *s, int64_t now)
{
	return s->leased && (s->lease_expires == 0 || s->lease_expires > now);
}

/* A departed member's slot, whatever its old lease says */
static bool departed(const struct slot *s)
{
	return s->owned && !s->reserved;
}

/* Nobody holds it, and nobody who left is owed it */
static bool slot_free(const struct slot *s, int64_t now)
{
	return !s->owned && !lease_live(s, now);
}

/*
 * Whether someone other than @mac holds slot @s: a member, or a client of
 * dnsmasq's whose lease runs (a departed member's old lease does not
 * count: it is stale, and pruned when it conflicts)
 */
static bool held_by_other(const struct slot *s, const uint8_t mac[6],
			  int64_t now)
{
	if (s->reserved)
		return memcmp(s->mac, mac, 6) != 0;
	if (!lease_live(s, now) || !memcmp(s->lease_mac, mac, 6))
		return false;
	return !(departed(s) && !memcmp(s->lease_mac, s->mac, 6));
}

/* The slot @mac owns, else the one dnsmasq leased to it, or -1 */
static long find_mine(const struct leases *l, const uint8_t mac[6])
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->slots[i].owned && !memcmp(l->slots[i].mac, mac, 6))
			return (long)i;
	for (i = 0; i < l->n; i++)
		if (l->slots[i].leased && !l->slots[i].owned &&
		    !memcmp(l->slots[i].lease_mac, mac, 6))
			return (long)i;
	return -1;
}

/* FNV-1a: fixed, so that a new hub prefers the same slots */
static uint32_t mac_hash(const uint8_t mac[6])
{
	uint32_t h = 2166136261u;
	int i;

	for (i = 0; i < 6; i++)
		h = (h ^ mac[i]) * 16777619u;
	return h;
}

/* The first free slot from @mac's hash on; else the departed claim
 * released longest ago; else -1 */
static long pick(const struct leases *l, const uint8_t mac[6], int64_t now)
{
	size_t start = mac_hash(mac) % l->n, k;
	long i, oldest = -1;

	for (k = 0; k < l->n; k++) {
		const struct slot *s;

		i = (long)((start + k) % l->n);
		s = &l->slots[i];
		if (slot_free(s, now))
			return i;
		if (departed(s) && !held_by_other(s, mac, now) &&
		    (oldest < 0 ||
		     s->released_at < l->slots[oldest].released_at))
			oldest = i;
	}
	return oldest;
}

int leases_reserve(struct leases *l, const uint8_t mac[6], const char *name,
		   struct in_addr want, int64_t now, struct in_addr *addr)
{
	long mine = find_mine(l, mac), i;
	struct slot *s;

	if (want.s_addr) {
		if ((i = pool_index(l, want)) < 0)
			return -EDOM;
		if (held_by_other(&l->slots[i], mac, now))
			return -EADDRINUSE;
	} else if (mine >= 0 && !held_by_other(&l->slots[mine], mac, now)) {
		i = mine;
	} else if ((i = pick(l, mac, now)) < 0) {
		return -ENOSPC;
	}
	/* one slot per MAC: an old claim elsewhere goes */
	if (mine >= 0 && mine != i && l->slots[mine].owned)
		l->slots[mine].owned = l->slots[mine].reserved = false;
	s = &l->slots[i];
	s->owned = s->reserved = true;
	memcpy(s->mac, mac, 6);
	snprintf(s->name, sizeof(s->name), "%s", name ? name : "");
	addr->s_addr = htonl(l->first + (uint32_t)i);
	return 0;
}

void leases_unreserve(struct leases *l, const uint8_t mac[6], int64_t now)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->slots[i].reserved && !memcmp(l->slots[i].mac, mac, 6)) {
			l->slots[i].reserved = false;
			l->slots[i].released_at = now;
		}
}

/* ---- dnsmasq's lease file ------------------------------------------------ */

struct lease_line {
	int64_t expires;
	uint8_t mac[6];
	struct in_addr addr;
};

/* A decimal number of at most 18 digits (no sign): 0 or -EINVAL */
static int parse_time(const char *s, size_t len, int64_t *out)
{
	int64_t v = 0;
	size_t i;

	if (len == 0 || len > 18)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* "xx:xx:xx:xx:xx:xx", hex digits of either case: 0 or -EINVAL */
static int parse_mac(const char *s, size_t len, uint8_t mac[6])
{
	static const char hex[] = "0123456789abcdef0123456789ABCDEF";
	size_t i;

	if (len != 17)
		return -EINVAL;
	for (i = 0; i < 6; i++) {
		const char *hi = memchr(hex, s[3 * i], sizeof(hex) - 1);
		const char *lo = memchr(hex, s[3 * i + 1], sizeof(hex) - 1);

		if (!hi || !lo || (i < 5 && s[3 * i + 2] != ':'))
			return -EINVAL;
		mac[i] = (uint8_t)(((hi - hex) % 16) << 4 | ((lo - hex) % 16));
	}
	return 0;
}

/*
 * One line of the file, @len bytes at @s (no newline): its first three
 * fields, each followed by a single space (the hostname and client id
 * that follow are not read). 0 or -EINVAL.
 */
static int parse_line(const char *s, size_t len, struct lease_line *out)
{
	const char *field[3], *end = s + len;
	size_t flen[3];
	char a[INET_ADDRSTRLEN];
	int k;

	for (k = 0; k < 3; k++) {
		const char *sp = memchr(s, ' ', (size_t)(end - s));

		if (!sp)
			return -EINVAL;
		field[k] = s;
		flen[k] = (size_t)(sp - s);
		s = sp + 1;
	}
	if (parse_time(field[0], flen[0], &out->expires) < 0 ||
	    parse_mac(field[1], flen[1], out->mac) < 0 ||
	    flen[2] == 0 || flen[2] >= sizeof(a))
		return -EINVAL;
	memcpy(a, field[2], flen[2]);
	a[flen[2]] = '\0';
	return inet_pton(AF_INET, a, &out->addr) == 1 ? 0 : -EINVAL;
}

/* Walk @text's lines: @fn for each one that parses and is in the pool */
static int each_line(const struct leases *l, const char *text,
		     void (*fn)(void *, const char *, size_t, long,
				const struct lease_line *),
		     void *arg)
{
	const char *s = text;
	int n = 0;

	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);
		struct lease_line ll;
		long i;

		if (len < LEASES_LINE_MAX && parse_line(s, len, &ll) == 0 &&
		    (i = pool_index(l, ll.addr)) >= 0) {
			fn(arg, s, len, i, &ll);
			n++;
		}
		s += len + (nl ? 1 : 0);
	}
	return n;
}

static void take_line(void *arg, const char *s, size_t len, long i,
		      const struct lease_line *ll)
{
	struct slot *slot = &((struct leases *)arg)->slots[i];

	(void)s;
	(void)len;
	slot->leased = true;
	memcpy(slot->lease_mac, ll->mac, 6);
	slot->lease_expires = ll->expires;
}

int leases_read(struct leases *l, const char *text)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		l->slots[i].leased = false;
	return each_line(l, text, take_line, l);
}

/* Slot @s is a member's, and dnsmasq's file leases it to another MAC */
static bool in_conflict(const struct slot *s, const uint8_t mac[6],
			int64_t expires, int64_t now)
{
	return s->reserved && memcmp(s->mac, mac, 6) &&
	       (expires == 0 || expires > now);
}

bool leases_conflict(const struct leases *l, int64_t now)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->slots[i].leased &&
		    in_conflict(&l->slots[i], l->slots[i].lease_mac,
				l->slots[i].lease_expires, now))
			return true;
	return false;
}

struct prune {
	const struct leases *l;
	int64_t now;
	struct strbuf *out;
};

static void keep_line(void *arg, const char *s, size_t len, long i,
		      const struct lease_line *ll)
{
	struct prune *p = arg;

	if (!in_conflict(&p->l->slots[i], ll->mac, ll->expires, p->now))
		sb_printf(p->out, "%.*s\n", (int)len, s);
}

void leases_prune(const struct leases *l, const char *text, int64_t now,
		  struct strbuf *out)
{
	struct prune p = { .l = l, .now = now, .out = out };

	each_line(l, text, keep_line, &p);
}

void leases_hostsfile(const struct leases *l, struct strbuf *out)
{
	char mac[18], a[INET_ADDRSTRLEN];
	struct in_addr addr;
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (!l->slots[i].reserved)
			continue;
		addr.s_addr = htonl(l->first + (uint32_t)i);
		sb_printf(out, "%s,%s\n", mac_format(l->slots[i].mac, mac),
			  inet_ntop(AF_INET, &addr, a, sizeof(a)));
	}
}

/* What slot @i shows net inspect; false for nothing */
static bool slot_info(const struct leases *l, size_t i, int64_t now,
		      struct lease_info *out)
{
	const struct slot *s = &l->slots[i];

	*out = (struct lease_info){ .addr.s_addr = htonl(l->first +
							 (uint32_t)i) };
	if (s->owned) {
		memcpy(out->mac, s->mac, 6);
		out->member = true;
		out->state = s->reserved ? LEASE_BOUND : LEASE_RELEASED;
		snprintf(out->name, sizeof(out->name), "%s", s->name);
		if (s->leased && !memcmp(s->lease_mac, s->mac, 6))
			out->expires = s->lease_expires;
		return true;
	}
	if (!s->leased)
		return false;
	memcpy(out->mac, s->lease_mac, 6);
	out->state = lease_live(s, now) ? LEASE_BOUND : LEASE_EXPIRED;
	out->expires = s->lease_expires;
	return true;
}

bool leases_next(const struct leases *l, int64_t now, size_t *cursor,
		 struct lease_info *out)
{
	while (*cursor < l->n)
		if (slot_info(l, (*cursor)++, now, out))
			return true;
	return false;
}

const char *lease_state_name(enum lease_state state)
{
	static const char *const names[] = {
		[LEASE_BOUND] = "bound",
		[LEASE_EXPIRED] = "expired",
		[LEASE_RELEASED] = "released",
	};

	if ((unsigned int)state < ARRAY_SIZE(names))
		return names[state];
	return "?";
}
