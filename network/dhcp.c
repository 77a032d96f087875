// SPDX-License-Identifier: MIT
/*
 * dhcp.c - the DHCP server's core: requests in, replies out, no I/O
 *
 * Theory of operation: the lease table has one slot per pool address, so
 * its size is fixed when the server is made and nothing a guest sends can
 * grow it. A slot is free, offered, bound, released or declined, with an
 * expiry; offers and bindings lapse lazily when a later request looks at
 * them with a later @now, so the server needs no timer.
 *
 * Where a MAC lands: a MAC that has a slot (offered, bound, expired or
 * released, as long as nobody has taken it since) always gets that slot
 * back. A new MAC gets the address it asks for (option 50) when that one
 * is free, else the first free slot at or after a hash of the MAC, so the
 * same MAC tends to get the same address even from a fresh server (a hub
 * that was restarted keeps no state). Only when no slot is free does a new
 * MAC take over the slot whose lease expired (or was released) longest ago:
 * a VM that comes back after a while finds its address still there.
 *
 * Requests are parsed into struct dhcp_msg first, strictly: every length is
 * checked against the datagram before a byte is read, each option the
 * server uses may appear once and must have its exact length, and anything
 * that is not a BOOTREQUEST from Ethernet with the DHCP cookie and a
 * message type is rejected. The handlers then only see checked values.
 *
 * Replies go to 255.255.255.255 unless the client already has its address
 * (ciaddr, when renewing or for INFORM): unicasting to an address the
 * client has not configured yet would need an ARP entry written by hand,
 * and a broadcast on the hub's one segment costs nothing worth saving.
 *
 * One file, though long: parsing, the lease table, the replies and the
 * message types act on two private structs (a parsed request, the table's
 * slots) whose invariants RFC 2131's state machine spans; the file's
 * sections follow those parts. (dnsmasq is to serve the networks instead,
 * and this server goes then.)
 */
#include "network/dhcp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "common/util.h"

/* BOOTP layout (RFC 951, RFC 2131 section 2) */
enum {
	OFF_OP = 0,
	OFF_HTYPE = 1,
	OFF_HLEN = 2,
	OFF_XID = 4,
	OFF_FLAGS = 10,
	OFF_CIADDR = 12,
	OFF_YIADDR = 16,
	OFF_GIADDR = 24,
	OFF_CHADDR = 28,
	OFF_COOKIE = 236,
	OFF_OPTIONS = 240,
};

#define BOOTREQUEST 1
#define BOOTREPLY 2
#define HTYPE_ETHER 1
#define DHCP_COOKIE 0x63825363u
/* BOOTP's minimum message; some old clients drop anything shorter */
#define BOOTP_MIN_LEN 300
/* the payload of the 576-byte datagram every client accepts (RFC 2131) */
#define DHCP_SAFE_LEN 548

_Static_assert(DHCP_REPLY_MAX <= DHCP_SAFE_LEN, "replies must fit 576 bytes");
_Static_assert(DHCP_REPLY_MAX >= BOOTP_MIN_LEN, "reply buffer too small");

enum dhcp_opt {
	OPT_PAD = 0,
	OPT_MASK = 1,
	OPT_ROUTER = 3,
	OPT_DNS = 6,
	OPT_HOSTNAME = 12,
	OPT_DOMAIN = 15,
	OPT_MTU = 26,
	OPT_REQUESTED = 50,
	OPT_LEASE = 51,
	OPT_TYPE = 53,
	OPT_SERVER_ID = 54,
	OPT_PARAMS = 55,
	OPT_T1 = 58,
	OPT_T2 = 59,
	OPT_END = 255,
};

enum dhcp_type {
	DHCPDISCOVER = 1,
	DHCPOFFER,
	DHCPREQUEST,
	DHCPDECLINE,
	DHCPACK,
	DHCPNAK,
	DHCPRELEASE,
	DHCPINFORM,
};

/* A request, checked; addresses in host byte order */
struct dhcp_msg {
	uint8_t type;
	uint8_t xid[4];
	uint8_t flags[2];
	uint32_t ciaddr, giaddr;
	uint8_t mac[6];
	bool has_requested, has_server_id;
	uint32_t requested, server_id;
	const uint8_t *params;		/* option 55, or NULL */
	size_t params_len;
	const uint8_t *hostname;	/* option 12, or NULL */
	size_t hostname_len;
};

enum slot_state {
	SLOT_FREE,			/* never handed out, or given up */
	SLOT_OFFERED,
	SLOT_BOUND,
	SLOT_RELEASED,
	SLOT_DECLINED,
};

struct slot {
	uint8_t mac[6];			/* owner, for OFFERED/BOUND/RELEASED */
	uint8_t state;			/* enum slot_state */
	bool reserved;			/* dhcp_reserve(): BOUND to its MAC
					 * until dhcp_unreserve() */
	int64_t expires;
	char hostname[DHCP_HOSTNAME_MAX];
};

struct dhcp_server {
	uint32_t net, mask, server, router;	/* host byte order */
	uint32_t dns[DHCP_DNS_MAX];
	unsigned int n_dns;
	uint32_t first;			/* pool: first .. first + n - 1 */
	size_t n;
	uint32_t lease_time;
	uint16_t mtu;
	char domain[DHCP_DOMAIN_MAX];
	struct dhcp_stats stats;
	struct slot slots[];
};

static const char *ip_str(uint32_t host, char buf[INET_ADDRSTRLEN])
{
	struct in_addr a = { htonl(host) };

	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

/* ---- parsing ------------------------------------------------------------ */

/**
 * opt_once() - note that @code was seen; false if it already was
 * @seen:	bitmap of the option codes seen so far
 * @code:	option code
 *
 * An option the server acts on must appear once: two message types or two
 * server identifiers leave no right answer.
 */
static bool opt_once(uint8_t seen[32], uint8_t code)
{
	uint8_t bit = 1u << (code & 7);

	if (seen[code >> 3] & bit)
		return false;
	seen[code >> 3] |= bit;
	return true;
}

/**
 * opt_take() - store one option the server uses into @m
 * @m:		message being parsed
 * @seen:	the options taken so far
 * @code:	option code
 * @v:		its value, @len bytes, inside the datagram
 * @len:	its length
 *
 * Options the server does not use are skipped, repeated or not (RFC 3396
 * lets a client split a long one).
 * Return: 0, or -EBADMSG when a used option is repeated or its length wrong
 */
static int opt_take(struct dhcp_msg *m, uint8_t seen[32], uint8_t code,
		    const uint8_t *v, uint8_t len)
{
	switch (code) {
	case OPT_TYPE:
	case OPT_REQUESTED:
	case OPT_SERVER_ID:
	case OPT_PARAMS:
	case OPT_HOSTNAME:
		if (!opt_once(seen, code))
			return -EBADMSG;
		break;
	default:
		return 0;
	}
	switch (code) {
	case OPT_TYPE:
		if (len != 1 || v[0] == 0)
			return -EBADMSG;
		m->type = v[0];
		return 0;
	case OPT_REQUESTED:
	case OPT_SERVER_ID:
		if (len != 4)
			return -EBADMSG;
		if (code == OPT_REQUESTED) {
			m->has_requested = true;
			m->requested = be32_get(v);
		} else {
			m->has_server_id = true;
			m->server_id = be32_get(v);
		}
		return 0;
	case OPT_PARAMS:
		m->params = v;
		m->params_len = len;
		return 0;
	case OPT_HOSTNAME:
		m->hostname = v;
		m->hostname_len = len;
		return 0;
	}
	return 0;
}

/**
 * parse_options() - walk the options field
 * @p:		first byte after the magic cookie
 * @len:	bytes left in the datagram
 * @m:		message being parsed
 *
 * Options in sname/file (overload, option 52) are not looked at: no client
 * of ours puts its message type there.
 * Return: 0, or -EBADMSG when an option runs past the end, one the server
 * uses is repeated or has the wrong length, or END is missing
 */
static int parse_options(const uint8_t *p, size_t len, struct dhcp_msg *m)
{
	uint8_t seen[32] = { 0 };
	size_t i = 0;

	while (i < len) {
		uint8_t code = p[i], olen;

		if (code == OPT_PAD) {
			i++;
			continue;
		}
		if (code == OPT_END)
			return 0;
		if (len - i < 2)
			return -EBADMSG;
		olen = p[i + 1];
		if (len - i - 2 < olen)
			return -EBADMSG;
		if (opt_take(m, seen, code, p + i + 2, olen) < 0)
			return -EBADMSG;
		i += 2 + (size_t)olen;
	}
	return -EBADMSG;
}

/**
 * msg_parse() - check a datagram and extract what the server needs
 * @buf:	UDP payload
 * @len:	its length
 * @m:		result
 *
 * Return: 0, or -EBADMSG for anything but a DHCP request from an Ethernet
 * client with a unicast hardware address and a message type
 */
static int msg_parse(const uint8_t *buf, size_t len, struct dhcp_msg *m)
{
	static const uint8_t zero[6];

	memset(m, 0, sizeof(*m));
	if (len < OFF_OPTIONS || buf[OFF_OP] != BOOTREQUEST ||
	    buf[OFF_HTYPE] != HTYPE_ETHER || buf[OFF_HLEN] != 6 ||
	    be32_get(buf + OFF_COOKIE) != DHCP_COOKIE)
		return -EBADMSG;
	memcpy(m->mac, buf + OFF_CHADDR, 6);
	if ((m->mac[0] & 1) || !memcmp(m->mac, zero, 6))
		return -EBADMSG;
	memcpy(m->xid, buf + OFF_XID, 4);
	memcpy(m->flags, buf + OFF_FLAGS, 2);
	m->ciaddr = be32_get(buf + OFF_CIADDR);
	m->giaddr = be32_get(buf + OFF_GIADDR);
	if (parse_options(buf + OFF_OPTIONS, len - OFF_OPTIONS, m) < 0 ||
	    m->type == 0)
		return -EBADMSG;
	return 0;
}

/* ---- the lease table -------------------------------------------------- */

static bool slot_active(const struct slot *s, int64_t now)
{
	return (s->state == SLOT_OFFERED || s->state == SLOT_BOUND ||
		s->state == SLOT_DECLINED) &&
	       s->expires > now;
}

static bool slot_owned(const struct slot *s)
{
	return s->state == SLOT_OFFERED || s->state == SLOT_BOUND ||
	       s->state == SLOT_RELEASED;
}

/* Nobody holds it and nobody who held it is owed it */
static bool slot_available(const struct slot *s, int64_t now)
{
	return !slot_active(s, now) && s->state != SLOT_BOUND &&
	       s->state != SLOT_RELEASED;
}

static void slot_clear(struct slot *s)
{
	memset(s, 0, sizeof(*s));
	s->state = SLOT_FREE;
}

/* Index of @addr in the pool, or -1 */
static long pool_index(const struct dhcp_server *srv, uint32_t addr)
{
	if (addr < srv->first || addr - srv->first >= srv->n)
		return -1;
	return (long)(addr - srv->first);
}

/* The slot @mac owns, or -1 */
static long find_mac(const struct dhcp_server *srv, const uint8_t mac[6])
{
	for (size_t i = 0; i < srv->n; i++)
		if (slot_owned(&srv->slots[i]) &&
		    !memcmp(srv->slots[i].mac, mac, 6))
			return (long)i;
	return -1;
}

/* FNV-1a: fixed, so a restarted server prefers the same slots */
static uint32_t mac_hash(const uint8_t mac[6])
{
	uint32_t h = 2166136261u;

	for (int i = 0; i < 6; i++)
		h = (h ^ mac[i]) * 16777619u;
	return h;
}

/**
 * take() - make slot @i @mac's, giving up any other slot @mac had
 * @srv:	server
 * @i:		slot to take; not active for anyone else
 * @mac:	new owner
 * @mine:	the slot @mac owned before, or -1
 */
static void take(struct dhcp_server *srv, long i, const uint8_t mac[6],
		 long mine)
{
	if (mine == i)
		return;
	if (mine >= 0)
		slot_clear(&srv->slots[mine]);
	slot_clear(&srv->slots[i]);
	memcpy(srv->slots[i].mac, mac, 6);
}

/**
 * pick() - the slot to offer @m's client
 * @srv:	server
 * @m:		the DISCOVER
 * @mine:	the slot the client's MAC owns, or -1
 * @now:	time
 *
 * Its own slot; else the address it asks for, if free; else the first free
 * slot from the MAC's hash on; else the slot that expired longest ago.
 * Return: slot index, or -1 when every address is held
 */
static long pick(const struct dhcp_server *srv, const struct dhcp_msg *m,
		 long mine, int64_t now)
{
	long i, oldest = -1;
	size_t start;

	if (mine >= 0)
		return mine;
	if (m->has_requested) {
		i = pool_index(srv, m->requested);
		if (i >= 0 && slot_available(&srv->slots[i], now))
			return i;
	}
	start = mac_hash(m->mac) % srv->n;
	for (size_t k = 0; k < srv->n; k++) {
		const struct slot *s;

		i = (long)((start + k) % srv->n);
		s = &srv->slots[i];
		if (slot_available(s, now))
			return i;
		if (!slot_active(s, now) &&
		    (oldest < 0 || s->expires < srv->slots[oldest].expires))
			oldest = i;
	}
	return oldest;
}

/**
 * claim() - may @m's client have @addr, which it asks for in a REQUEST?
 * @srv:	server
 * @m:		the REQUEST
 * @addr:	address asked for (option 50, or ciaddr when renewing)
 * @now:	time
 *
 * Yes when it is in the pool, not held by anyone else, and the client holds
 * no other address. The slot becomes the client's.
 * Return: slot index, or -1 (the client gets a NAK)
 */
static long claim(struct dhcp_server *srv, const struct dhcp_msg *m,
		  uint32_t addr, int64_t now)
{
	long i = pool_index(srv, addr), mine = find_mac(srv, m->mac);

	if (i < 0)
		return -1;
	if (mine >= 0 && mine != i && slot_active(&srv->slots[mine], now))
		return -1;
	if (mine != i && slot_active(&srv->slots[i], now))
		return -1;
	take(srv, i, m->mac, mine);
	return i;
}

/* Keep option 12 for `qbox net inspect`: printable host-name characters
 * only, cut at a NUL (some clients count one) or DHCP_HOSTNAME_MAX - 1 */
static void hostname_keep(struct slot *s, const struct dhcp_msg *m)
{
	size_t n = 0;

	if (!m->hostname)
		return;
	for (; n < m->hostname_len && n < DHCP_HOSTNAME_MAX - 1; n++) {
		uint8_t c = m->hostname[n];

		if (c == 0)
			break;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_')
			s->hostname[n] = (char)c;
		else
			s->hostname[n] = '_';
	}
	s->hostname[n] = '\0';
}

/* ---- replies ---------------------------------------------------------- */

struct obuf {
	uint8_t *p;
	size_t len, cap;
};

/* Append one option; the buffer is sized for every option the server can
 * send (DHCP_REPLY_MAX), so the check never drops one in practice */
static void opt_put(struct obuf *o, uint8_t code, const void *data,
		    uint8_t len)
{
	if (o->cap - o->len < 2 + (size_t)len + 1)	/* keep room for END */
		return;
	o->p[o->len] = code;
	o->p[o->len + 1] = len;
	memcpy(o->p + o->len + 2, data, len);
	o->len += 2 + (size_t)len;
}

static void opt_put32(struct obuf *o, uint8_t code, uint32_t v)
{
	uint8_t b[4];

	be32_put(b, v);
	opt_put(o, code, b, 4);
}

/**
 * opt_param() - append configuration option @code if the server has it
 * @srv:	server
 * @o:		reply being built
 * @code:	an option a client may list in its parameter request list
 *
 * Return: true if the option was appended
 */
static bool opt_param(const struct dhcp_server *srv, struct obuf *o,
		      uint8_t code)
{
	uint8_t b[4 * DHCP_DNS_MAX];

	switch (code) {
	case OPT_MASK:
		opt_put32(o, code, srv->mask);
		return true;
	case OPT_ROUTER:
		if (!srv->router)
			return false;
		opt_put32(o, code, srv->router);
		return true;
	case OPT_DNS:
		if (!srv->n_dns)
			return false;
		for (unsigned int i = 0; i < srv->n_dns; i++)
			be32_put(b + 4 * i, srv->dns[i]);
		opt_put(o, code, b, (uint8_t)(4 * srv->n_dns));
		return true;
	case OPT_DOMAIN:
		if (!srv->domain[0])
			return false;
		opt_put(o, code, srv->domain, (uint8_t)strlen(srv->domain));
		return true;
	case OPT_MTU:
		if (!srv->mtu)
			return false;
		b[0] = srv->mtu >> 8;
		b[1] = srv->mtu & 0xff;
		opt_put(o, code, b, 2);
		return true;
	}
	return false;
}

/*
 * The configuration options: first in the order the client listed them
 * (RFC 2131 4.3.1 asks servers to try), then the rest of what is
 * configured, which every client accepts unasked.
 */
static void opt_params(const struct dhcp_server *srv, struct obuf *o,
		       const struct dhcp_msg *m)
{
	static const uint8_t all[] = { OPT_MASK, OPT_ROUTER, OPT_DNS,
				       OPT_DOMAIN, OPT_MTU };
	uint8_t done[32] = { 0 };

	for (size_t i = 0; i < m->params_len; i++)
		if (!(done[m->params[i] >> 3] & (1u << (m->params[i] & 7))) &&
		    opt_param(srv, o, m->params[i]))
			opt_once(done, m->params[i]);
	for (size_t i = 0; i < sizeof(all); i++)
		if (opt_once(done, all[i]))
			opt_param(srv, o, all[i]);
}

/* Reply to where the client can hear it (see the top of this file) */
static void reply_dest(const struct dhcp_server *srv, const struct dhcp_msg *m,
		       uint8_t type, struct sockaddr_in *dest)
{
	uint32_t to = INADDR_BROADCAST;

	if (type != DHCPNAK && m->ciaddr &&
	    (m->ciaddr & srv->mask) == srv->net)
		to = m->ciaddr;
	memset(dest, 0, sizeof(*dest));
	dest->sin_family = AF_INET;
	dest->sin_port = htons(68);
	dest->sin_addr.s_addr = htonl(to);
}

/**
 * reply_build() - the one reply to @m
 * @srv:	server
 * @m:		request
 * @type:	DHCPOFFER, DHCPACK or DHCPNAK
 * @yiaddr:	the client's address; 0 for NAK and for the ACK to INFORM
 * @r:		result
 *
 * Return: 1 (a reply to send)
 */
static int reply_build(const struct dhcp_server *srv, const struct dhcp_msg *m,
		       uint8_t type, uint32_t yiaddr, struct dhcp_reply *r)
{
	struct obuf o = { r->buf, OFF_OPTIONS, sizeof(r->buf) };
	uint8_t *b = r->buf;

	memset(b, 0, sizeof(r->buf));
	b[OFF_OP] = BOOTREPLY;
	b[OFF_HTYPE] = HTYPE_ETHER;
	b[OFF_HLEN] = 6;
	memcpy(b + OFF_XID, m->xid, 4);
	memcpy(b + OFF_FLAGS, m->flags, 2);
	/* ciaddr is echoed in an ACK (RFC 2131 table 3), giaddr is 0 */
	if (type == DHCPACK)
		be32_put(b + OFF_CIADDR, m->ciaddr);
	be32_put(b + OFF_YIADDR, yiaddr);
	memcpy(b + OFF_CHADDR, m->mac, 6);
	be32_put(b + OFF_COOKIE, DHCP_COOKIE);

	opt_put(&o, OPT_TYPE, &type, 1);
	opt_put32(&o, OPT_SERVER_ID, srv->server);
	if (type != DHCPNAK && yiaddr) {
		opt_put32(&o, OPT_LEASE, srv->lease_time);
		opt_put32(&o, OPT_T1, srv->lease_time / 2);
		opt_put32(&o, OPT_T2,
			  (uint32_t)((uint64_t)srv->lease_time * 7 / 8));
	}
	if (type != DHCPNAK)
		opt_params(srv, &o, m);
	o.p[o.len++] = OPT_END;
	r->len = o.len < BOOTP_MIN_LEN ? BOOTP_MIN_LEN : o.len;
	reply_dest(srv, m, type, &r->dest);
	return 1;
}

/* ---- the message types ------------------------------------------------ */

static int on_discover(struct dhcp_server *srv, const struct dhcp_msg *m,
		       int64_t now, struct dhcp_reply *r)
{
	long mine = find_mac(srv, m->mac), i = pick(srv, m, mine, now);
	struct slot *s;

	if (i < 0) {
		srv->stats.exhausted++;
		return 0;
	}
	take(srv, i, m->mac, mine);
	s = &srv->slots[i];
	/* a bound client that lost its state keeps its binding meanwhile */
	if (!(s->state == SLOT_BOUND && s->expires > now)) {
		s->state = SLOT_OFFERED;
		s->expires = now + DHCP_OFFER_HOLD;
	}
	hostname_keep(s, m);
	srv->stats.offers++;
	return reply_build(srv, m, DHCPOFFER, srv->first + (uint32_t)i, r);
}

/*
 * REQUEST in its three forms (RFC 2131 4.3.2): SELECTING names this server
 * and the offered address; INIT-REBOOT asks for a remembered address
 * (option 50, no server identifier); RENEWING and REBINDING carry the
 * address in ciaddr. This server is the only one on its segment, so it
 * answers INIT-REBOOT for an address it has no record of with an ACK when
 * the address is free (a restarted hub thus keeps its clients' addresses)
 * and with a NAK otherwise.
 */
static int on_request(struct dhcp_server *srv, const struct dhcp_msg *m,
		      int64_t now, struct dhcp_reply *r)
{
	uint32_t want;
	long i;
	struct slot *s;

	/* some clients repeat their address in option 50 when renewing */
	if (m->ciaddr && (!m->has_requested || m->requested == m->ciaddr))
		want = m->ciaddr;
	else if (!m->ciaddr && m->has_requested)
		want = m->requested;
	else {
		srv->stats.ignored++;
		return 0;
	}
	i = claim(srv, m, want, now);
	if (i < 0) {
		srv->stats.naks++;
		return reply_build(srv, m, DHCPNAK, 0, r);
	}
	s = &srv->slots[i];
	s->state = SLOT_BOUND;
	if (!s->reserved)
		s->expires = now + srv->lease_time;
	hostname_keep(s, m);
	srv->stats.acks++;
	return reply_build(srv, m, DHCPACK, want, r);
}

/* The client gives its address back: kept for it until the pool needs it */
static void on_release(struct dhcp_server *srv, const struct dhcp_msg *m,
		       int64_t now)
{
	long i = pool_index(srv, m->ciaddr);

	/* a reserved address stays its MAC's (whoever wrote that chaddr) */
	if (i < 0 || i != find_mac(srv, m->mac) || srv->slots[i].reserved) {
		srv->stats.ignored++;
		return;
	}
	srv->slots[i].state = SLOT_RELEASED;
	srv->slots[i].expires = now;
	srv->stats.releases++;
}

/* The client found its address in use (ARP): nobody gets it for a while */
static void on_decline(struct dhcp_server *srv, const struct dhcp_msg *m,
		       int64_t now)
{
	long i = m->has_requested ? pool_index(srv, m->requested) : -1;

	if (i < 0 || i != find_mac(srv, m->mac) || srv->slots[i].reserved) {
		srv->stats.ignored++;
		return;
	}
	slot_clear(&srv->slots[i]);
	srv->slots[i].state = SLOT_DECLINED;
	srv->slots[i].expires = now + DHCP_DECLINE_HOLD;
	srv->stats.declines++;
}

/* A client with an address of its own asks for the rest of the setup */
static int on_inform(struct dhcp_server *srv, const struct dhcp_msg *m,
		     struct dhcp_reply *r)
{
	if (!m->ciaddr) {
		srv->stats.ignored++;
		return 0;
	}
	srv->stats.informs++;
	return reply_build(srv, m, DHCPACK, 0, r);
}

/* A REQUEST for another server turns down our offer (RFC 2131 4.3.2) */
static void offer_withdraw(struct dhcp_server *srv, const struct dhcp_msg *m)
{
	long i = find_mac(srv, m->mac);

	if (i >= 0 && srv->slots[i].state == SLOT_OFFERED)
		slot_clear(&srv->slots[i]);
}

int dhcp_handle(struct dhcp_server *srv, int64_t now, const void *in,
		size_t len, struct dhcp_reply *reply)
{
	struct dhcp_msg m;

	srv->stats.received++;
	if (msg_parse(in, len, &m) < 0) {
		srv->stats.malformed++;
		return -EBADMSG;
	}
	/* no relays on a hub's segment; a relayed request is not ours */
	if (m.giaddr || (m.has_server_id && m.server_id != srv->server)) {
		if (!m.giaddr && m.type == DHCPREQUEST)
			offer_withdraw(srv, &m);
		srv->stats.ignored++;
		return 0;
	}
	switch (m.type) {
	case DHCPDISCOVER:
		return on_discover(srv, &m, now, reply);
	case DHCPREQUEST:
		return on_request(srv, &m, now, reply);
	case DHCPRELEASE:
		on_release(srv, &m, now);
		return 0;
	case DHCPDECLINE:
		on_decline(srv, &m, now);
		return 0;
	case DHCPINFORM:
		return on_inform(srv, &m, reply);
	}
	srv->stats.ignored++;
	return 0;
}

/* ---- setup and queries -------------------------------------------------- */

/* The netmask of a /@prefix, 0 < @prefix <= 32 */
static uint32_t prefix_mask(unsigned int prefix)
{
	return prefix ? ~0u << (32 - prefix) : 0;
}

/* A host address of the subnet: neither its network nor its broadcast */
static bool is_host(uint32_t net, uint32_t mask, uint32_t x)
{
	return (x & mask) == net && x != net && x != (net | ~mask);
}

/* The server's own addresses must stay out of the pool it hands out */
static int outside_pool(const char *what, uint32_t x, uint32_t first,
			uint32_t last, struct qerr *e)
{
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN], c[INET_ADDRSTRLEN];

	if (x < first || x > last)
		return 0;
	return qerr_usage(e, "dhcp: %s %s lies in the pool %s-%s", what,
			  ip_str(x, a), ip_str(first, b), ip_str(last, c));
}

/**
 * config_check() - reject a configuration the server cannot serve
 * @cfg:	configuration
 * @e:		usage error naming the field
 *
 * Return: 0 or -EINVAL
 */
static int config_check(const struct dhcp_config *cfg, struct qerr *e)
{
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
	uint32_t net = ntohl(cfg->net.s_addr), mask, first, last;
	uint32_t server = ntohl(cfg->server.s_addr);
	uint32_t router = ntohl(cfg->router.s_addr);
	size_t dlen = cfg->domain ? strlen(cfg->domain) : 0;

	if (cfg->prefix < 1 || cfg->prefix > 30)
		return qerr_usage(e, "dhcp: prefix /%u: want 1..30", cfg->prefix);
	mask = prefix_mask(cfg->prefix);
	first = ntohl(cfg->pool_first.s_addr);
	last = ntohl(cfg->pool_last.s_addr);
	if (net & ~mask)
		return qerr_usage(e, "dhcp: subnet %s/%u has host bits set",
				  ip_str(net, a), cfg->prefix);
	if (!is_host(net, mask, first) || !is_host(net, mask, last) ||
	    first > last) {
		char c[INET_ADDRSTRLEN];

		return qerr_usage(e, "dhcp: pool %s-%s is not a range of host "
				     "addresses in %s/%u", ip_str(first, a),
				  ip_str(last, b), ip_str(net, c), cfg->prefix);
	}
	if (!is_host(net, mask, server))
		return qerr_usage(e, "dhcp: server address %s is not a host "
				     "address in %s/%u", ip_str(server, a),
				  ip_str(net, b), cfg->prefix);
	if (router && !is_host(net, mask, router))
		return qerr_usage(e, "dhcp: router %s is not a host address "
				     "in %s/%u", ip_str(router, a),
				  ip_str(net, b), cfg->prefix);
	if (cfg->n_dns > DHCP_DNS_MAX)
		return qerr_usage(e, "dhcp: %u DNS servers: at most %d",
				  cfg->n_dns, DHCP_DNS_MAX);
	if (outside_pool("server address", server, first, last, e) ||
	    outside_pool("router", router, first, last, e))
		return -EINVAL;
	for (unsigned int i = 0; i < cfg->n_dns; i++)
		if (outside_pool("DNS server", ntohl(cfg->dns[i].s_addr), first,
				 last, e))
			return -EINVAL;
	if (dlen >= DHCP_DOMAIN_MAX ||
	    strspn(cfg->domain ? cfg->domain : "",
		   "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		   "0123456789-.") != dlen)
		return qerr_usage(e, "dhcp: domain '%s': letters, digits, '-' "
				     "and '.' only, at most %d", cfg->domain,
				  DHCP_DOMAIN_MAX - 1);
	if (cfg->lease_time && cfg->lease_time < 60)
		return qerr_usage(e, "dhcp: lease time %u s: at least 60",
				  cfg->lease_time);
	return 0;
}

struct dhcp_server *dhcp_new(const struct dhcp_config *cfg, struct qerr *e)
{
	struct dhcp_server *srv;
	uint32_t first = ntohl(cfg->pool_first.s_addr);
	size_t n;

	if (config_check(cfg, e) < 0)
		return NULL;
	n = (size_t)(ntohl(cfg->pool_last.s_addr) - first) + 1;
	if (n > DHCP_POOL_MAX)
		n = DHCP_POOL_MAX;
	srv = calloc(1, sizeof(*srv) + n * sizeof(srv->slots[0]));
	if (!srv) {
		qerr_set(e, ENOMEM, "dhcp: lease table of %zu addresses", n);
		return NULL;
	}
	srv->net = ntohl(cfg->net.s_addr);
	srv->mask = prefix_mask(cfg->prefix);
	srv->server = ntohl(cfg->server.s_addr);
	srv->router = ntohl(cfg->router.s_addr);
	srv->n_dns = cfg->n_dns;
	for (unsigned int i = 0; i < cfg->n_dns; i++)
		srv->dns[i] = ntohl(cfg->dns[i].s_addr);
	srv->first = first;
	srv->n = n;
	srv->lease_time = cfg->lease_time ? cfg->lease_time : DHCP_LEASE_DEFAULT;
	srv->mtu = cfg->mtu;
	if (cfg->domain)
		snprintf(srv->domain, sizeof(srv->domain), "%s", cfg->domain);
	for (size_t i = 0; i < n; i++)
		slot_clear(&srv->slots[i]);
	return srv;
}

void dhcp_free(struct dhcp_server *srv)
{
	free(srv);
}

const struct dhcp_stats *dhcp_stats(const struct dhcp_server *srv)
{
	return &srv->stats;
}

void dhcp_note_oversized(struct dhcp_server *srv)
{
	srv->stats.received++;
	srv->stats.malformed++;
}

void dhcp_note_send_error(struct dhcp_server *srv)
{
	srv->stats.send_errors++;
}

void dhcp_pool(const struct dhcp_server *srv, struct in_addr *first,
	       struct in_addr *last)
{
	first->s_addr = htonl(srv->first);
	last->s_addr = htonl(srv->first + (uint32_t)srv->n - 1);
}

/* What slot @i shows `qbox net inspect`; false for nothing worth showing */
static bool slot_info(const struct dhcp_server *srv, size_t i, int64_t now,
		      struct dhcp_lease_info *out)
{
	const struct slot *s = &srv->slots[i];
	bool active = slot_active(s, now);

	switch (s->state) {
	case SLOT_OFFERED:
		if (!active)
			return false;
		out->state = DHCP_LEASE_OFFERED;
		break;
	case SLOT_BOUND:
		out->state = active ? DHCP_LEASE_BOUND : DHCP_LEASE_EXPIRED;
		break;
	case SLOT_RELEASED:
		out->state = DHCP_LEASE_RELEASED;
		break;
	case SLOT_DECLINED:
		if (!active)
			return false;
		out->state = DHCP_LEASE_DECLINED;
		break;
	default:
		return false;
	}
	memcpy(out->mac, s->mac, 6);
	out->addr.s_addr = htonl(srv->first + (uint32_t)i);
	out->expires = s->expires;
	memcpy(out->hostname, s->hostname, sizeof(out->hostname));
	return true;
}

bool dhcp_lease_next(const struct dhcp_server *srv, int64_t now,
		     size_t *cursor, struct dhcp_lease_info *out)
{
	while (*cursor < srv->n)
		if (slot_info(srv, (*cursor)++, now, out))
			return true;
	return false;
}

bool dhcp_lease_find(const struct dhcp_server *srv, const uint8_t mac[6],
		     int64_t now, struct dhcp_lease_info *out)
{
	long i = find_mac(srv, mac);

	return i >= 0 && slot_info(srv, (size_t)i, now, out);
}

int dhcp_reserve(struct dhcp_server *srv, const uint8_t mac[6],
		 const char *hostname, struct in_addr want, int64_t now,
		 struct in_addr *addr)
{
	struct dhcp_msg m = { 0 };
	long mine = find_mac(srv, mac), i;

	memcpy(m.mac, mac, 6);
	if (want.s_addr) {
		if ((i = pool_index(srv, ntohl(want.s_addr))) < 0)
			return -EDOM;
		if (i != mine && slot_active(&srv->slots[i], now))
			return -EADDRINUSE;
	} else {
		i = pick(srv, &m, mine, now);
		if (i < 0 || (i != mine && slot_active(&srv->slots[i], now)))
			return -ENOSPC;
	}
	take(srv, i, mac, mine);
	srv->slots[i].state = SLOT_BOUND;
	srv->slots[i].reserved = true;
	srv->slots[i].expires = INT64_MAX;	/* until dhcp_unreserve() */
	snprintf(srv->slots[i].hostname, sizeof(srv->slots[i].hostname), "%s",
		 hostname ? hostname : "");
	addr->s_addr = htonl(srv->first + (uint32_t)i);
	return 0;
}

void dhcp_unreserve(struct dhcp_server *srv, const uint8_t mac[6],
		    int64_t now)
{
	long i = find_mac(srv, mac);

	if (i < 0)
		return;
	srv->slots[i].reserved = false;
	srv->slots[i].state = SLOT_RELEASED;	/* the MAC's claim stays */
	srv->slots[i].expires = now;
}

const char *dhcp_lease_state_name(enum dhcp_lease_state state)
{
	static const char *const names[] = {
		[DHCP_LEASE_OFFERED] = "offered",
		[DHCP_LEASE_BOUND] = "bound",
		[DHCP_LEASE_EXPIRED] = "expired",
		[DHCP_LEASE_RELEASED] = "released",
		[DHCP_LEASE_DECLINED] = "declined",
	};

	if ((unsigned int)state < ARRAY_SIZE(names))
		return names[state];
	return "?";
}
