// SPDX-License-Identifier: MIT
/*
 * uplink.c - libslirp on a TAP fd
 *
 * Theory of operation: frames the sandbox's bridge sends out of its uplink
 * port (qupN) are read from the TAP fd and fed to slirp_input(); libslirp
 * answers ARP, DHCP and DNS itself and turns the guest's TCP/UDP flows into
 * host sockets, whose readiness it reports through slirp_pollfds_fill().
 * Frames libslirp emits come back through send_packet() and are written to
 * the TAP fd. Everything runs in one single-threaded poll loop, the NAT
 * engine's (nat_engine.c), or a test harness's: the uplink keeps no state
 * outside its struct but glib's, and its caller supplies the poll set;
 * timers are a short list checked on every turn. Frames libslirp must not
 * see are dropped on the way in (frame_filter.h): IPv4 fragments always,
 * and on a host-only network whatever is not for the host alias.
 *
 * Each turn drains the TAP. Frames go to libslirp at once, FRAMES_PER_TURN
 * of them at most; the rest wait in a fair queue (fairq.h), served from
 * the next turn on sender by sender, and while any wait every frame read
 * joins them. The kernel's ring in front of the TAP drops at its tail when
 * full, every member's frames alike; reading is cheaper than what libslirp
 * does with a frame, so the ring stays short, and what is dropped when the
 * engine cannot keep up is the queue's choice: the flooding member's
 * oldest. Queued frames up to SMALL_FRAME bytes live in the slots of one
 * mapping, reused rather than freed (a flood would otherwise be a malloc
 * and a free per frame, and the sanitizer build's quarantine would hold
 * them all), whose pages go back to the kernel when a backlog is over.
 */
#include "dataplane/uplink.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <slirp/libslirp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/util.h"
#include "dataplane/fairq.h"
#include "dataplane/frame_filter.h"
#include "dataplane/slirp_fix.h"

struct timer {
	struct timer *next;
	SlirpTimerCb cb;
	void *cb_opaque;
	int64_t expire_ms;	/* -1: not armed */
};

/* Frames at most this big: the largest MTU (65520) plus Ethernet's header */
#define FRAME_MAX 65536
/* Frames fed to libslirp per turn, so one busy uplink cannot starve the
 * others, nor the sockets libslirp polls */
#define FRAMES_PER_TURN 64
/* Frames read per turn: enough to drain the TAP's ring (TAP_TXQLEN, 4096)
 * in a few turns however fast a guest sends */
#define READS_PER_TURN 1024
/* What the queue holds at most: a turn's worth of reads, and the windows
 * of a few dozen TCP connections at the largest MTU */
#define QUEUE_FRAMES 1024
#define QUEUE_BYTES (4 << 20)
/* A queued frame up to this size (an MTU of 1500 and a VLAN tag) takes a
 * slot; at most QUEUE_FRAMES + 1 are queued at once (fairq_push drops
 * after adding), so that many slots are always enough */
#define SMALL_FRAME 1536
#define SLOTS (QUEUE_FRAMES + 1)
#define SLOT_SIZE ((sizeof(struct fairq_frame) + SMALL_FRAME + 15) & ~(size_t)15)
#define SLOTS_BYTES ((size_t)SLOTS * SLOT_SIZE)
/* Slots whose pages stay when a backlog is over: a burst's worth */
#define SLOTS_KEPT 64

struct uplink {
	Slirp *slirp;
	int tapfd;
	int tap_idx;		/* index of tapfd in the current pollset */
	struct pollset *ps;	/* set being filled or read, for callbacks */
	struct timer *timers;
	bool host_only;
	bool ipv6;
	unsigned int fix_flags;		/* slirp_fix()'s, for our case */
	struct in_addr host;
	struct egress_policy egress;
	struct fairq *queue;		/* read, not yet fed to libslirp */
	uint8_t *slots;			/* SLOTS buffers of SLOT_SIZE bytes */
	uint16_t free_slot[SLOTS];	/* a stack of free slots' indices */
	int n_free;
	int touched;			/* slots [0, touched) may have pages */
};

/*
 * All slots free, the lowest index on top of the stack: a backlog of N
 * frames then touches the pages of slots [0, N) only
 */
static void slots_reset(struct uplink *u)
{
	for (u->n_free = 0; u->n_free < SLOTS; u->n_free++)
		u->free_slot[u->n_free] = (uint16_t)(SLOTS - 1 - u->n_free);
}

/* A buffer for a queued frame of @n bytes: a slot if it is small */
static struct fairq_frame *frame_get(struct uplink *u, size_t n)
{
	int i;

	if (n > SMALL_FRAME || !u->n_free)
		return malloc(sizeof(struct fairq_frame) + n);
	i = u->free_slot[--u->n_free];
	if (i >= u->touched)
		u->touched = i + 1;
	return (struct fairq_frame *)(u->slots + (size_t)i * SLOT_SIZE);
}

/* A queued frame served or dropped: its slot free again, or freed */
static void frame_put(struct fairq_frame *f, void *opaque)
{
	struct uplink *u = opaque;
	uintptr_t p = (uintptr_t)f, base = (uintptr_t)u->slots;

	if (p < base || p >= base + SLOTS_BYTES) {
		free(f);
		return;
	}
	u->free_slot[u->n_free++] = (uint16_t)((p - base) / SLOT_SIZE);
}

/* With nothing queued, the pages of slots past SLOTS_KEPT go back */
static void slots_give_back(struct uplink *u)
{
	size_t page, from, to;

	if (u->touched <= SLOTS_KEPT || !fairq_empty(u->queue))
		return;		/* every turn: nothing more on this path */
	page = (size_t)sysconf(_SC_PAGESIZE);
	from = ((size_t)SLOTS_KEPT * SLOT_SIZE + page - 1) & ~(page - 1);
	to = (size_t)u->touched * SLOT_SIZE;
	if (to > from)
		madvise(u->slots + from, to - from, MADV_DONTNEED);
	u->touched = SLOTS_KEPT;
	slots_reset(u);
}

/*
 * What slirp_fix() corrects for this engine: a host-only network's RAs
 * name no router; and on a host with no IPv6 nameserver, which libslirp's
 * IPv6 DNS forwarder would ask (it reads resolv.conf as this does, for
 * each query: a host that gains one later keeps the DNS option out
 * until the engine starts again), DHCPv6 names no DNS server
 */
static unsigned int fix_flags(const struct uplink_cfg *cfg)
{
	char resolv[8192];
	ssize_t n = read_file("/etc/resolv.conf", resolv, sizeof(resolv));
	unsigned int f = cfg->host_only ? SLIRP_FIX_NOT_ROUTER : 0;

	if (cfg->ipv6 && (n < 0 || !resolv_has_ipv6(resolv)))
		f |= SLIRP_FIX_NO_DNS6;
	return f;
}

/* Frames libslirp sends that slirp_fix() may correct are small */
#define FIX_MAX 1600

static ssize_t cb_send_packet(const void *buf, size_t len, void *opaque)
{
	struct uplink *u = opaque;
	uint8_t fixed[FIX_MAX];
	size_t n_fixed = len + SLIRP_FIX_GROWTH <= sizeof(fixed) ?
			 slirp_fix(buf, len, u->fix_flags, fixed,
				   sizeof(fixed)) : 0;
	ssize_t n = n_fixed ? write(u->tapfd, fixed, n_fixed) :
			      write(u->tapfd, buf, len);

	if (n_fixed && n > 0)
		n = (ssize_t)len;	/* libslirp's frame went out, amended */
	/* A full TAP queue drops the frame; TCP will retransmit. So does a
	   TAP set down (EIO: a command's NIC unplugged, netns/link.h). */
	if (n < 0 && (errno == EAGAIN || errno == EINTR || errno == EIO))
		return (ssize_t)len;
	return n;
}

static void cb_guest_error(const char *msg, void *opaque)
{
	/* A misbehaving guest must not be able to flood the user's terminal */
	(void)msg;
	(void)opaque;
}

static int64_t cb_clock_get_ns(void *opaque)
{
	(void)opaque;
	return now_ns();
}

static void *cb_timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
	struct uplink *u = opaque;
	struct timer *t = calloc(1, sizeof(*t));

	if (!t)
		abort();	/* libslirp has no way to take a failure here */
	t->cb = cb;
	t->cb_opaque = cb_opaque;
	t->expire_ms = -1;
	t->next = u->timers;
	u->timers = t;
	return t;
}

static void cb_timer_free(void *timer, void *opaque)
{
	struct uplink *u = opaque;
	struct timer **p;

	for (p = &u->timers; *p; p = &(*p)->next)
		if (*p == timer) {
			*p = (*p)->next;
			free(timer);
			return;
		}
}

static void cb_timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
	(void)opaque;
	((struct timer *)timer)->expire_ms = expire_ms;
}

static void cb_no_fd(int fd, void *opaque)
{
	/* The poll set is rebuilt from slirp_pollfds_fill() every turn. */
	(void)fd;
	(void)opaque;
}

static void cb_notify(void *opaque)
{
	/* Single-threaded: the loop polls again right after this turn. */
	(void)opaque;
}

static const SlirpCb callbacks = {
	.send_packet = cb_send_packet,
	.guest_error = cb_guest_error,
	.clock_get_ns = cb_clock_get_ns,
	.timer_new = cb_timer_new,
	.timer_free = cb_timer_free,
	.timer_mod = cb_timer_mod,
	.register_poll_fd = cb_no_fd,
	.unregister_poll_fd = cb_no_fd,
	.notify = cb_notify,
};

struct uplink *uplink_new(const struct uplink_cfg *cfg, int tapfd,
			  struct qerr *e)
{
	struct uplink *u = calloc(1, sizeof(*u));
	/* libslirp encodes the search list (option 119) as it starts */
	const char *search[] = { cfg->domain, NULL };
	SlirpConfig sc = {
		.version = 4,
		.in_enabled = true,
		.vnetwork = cfg->net,
		.vnetmask = { htonl(~0U << (32 - cfg->prefix)) },
		.vhost = cfg->gateway,
		.vdhcp_start = cfg->dhcp_start,
		.vnameserver = cfg->dns,
		.vhostname = cfg->hostname,
		/* IPv6 (--net nat,ipv6=off: none): router advertisements
		   of the /64, DHCPv6's DNS, the host's [::1] at the
		   gateway's address unless hostloop=off */
		.in6_enabled = cfg->ipv6,
		.vprefix_addr6 = cfg->prefix6,
		.vprefix_len = 64,
		.vhost6 = cfg->gateway6,
		.vnameserver6 = cfg->dns6,
		.disable_dhcp = cfg->no_dhcp,
		/* a host-only network has no resolver to offer */
		.disable_dns = cfg->host_only,
		.if_mtu = cfg->mtu,
		.if_mru = cfg->mtu,
		/* PXE: libslirp's TFTP server at the gateway's address, and
		   the boot file in its DHCP replies */
		.tftp_path = cfg->tftp,
		.bootfile = cfg->bootfile,
		/* domain=: DHCP's domain name (15) and search list (119) */
		.vdomainname = cfg->domain,
		.vdnssearch = cfg->domain ? search : NULL,
		/* hostloop=off: libslirp connects nothing to the host's
		   127.0.0.1 for the gateway's address; the outside stays */
		.disable_host_loopback = cfg->no_hostloop,
	};

	if (!u) {
		close(tapfd);
		qerr_set(e, ENOMEM, "starting NAT uplink");
		return NULL;
	}
	u->tapfd = tapfd;
	u->host_only = cfg->host_only;
	u->ipv6 = cfg->ipv6;
	u->fix_flags = fix_flags(cfg);
	u->host = cfg->gateway;
	u->egress = cfg->egress;
	u->egress.gateway = cfg->gateway;
	u->egress.dns = cfg->dns;
	u->egress.gateway6 = cfg->gateway6;
	u->egress.dns6 = cfg->dns6;
	/* reserved, not touched: the slots' pages come with a backlog */
	u->slots = mmap(NULL, SLOTS_BYTES, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (u->slots == MAP_FAILED) {
		u->slots = NULL;
		qerr_set(e, errno, "starting NAT uplink: mapping its queue");
		uplink_free(u);
		return NULL;
	}
	slots_reset(u);
	if (!(u->queue = fairq_new(QUEUE_FRAMES, QUEUE_BYTES, frame_put, u))) {
		qerr_set(e, ENOMEM, "starting NAT uplink");
		uplink_free(u);
		return NULL;
	}
	if (fcntl(tapfd, F_SETFL, O_NONBLOCK) < 0) {
		qerr_set(e, errno, "starting NAT uplink: making TAP non-blocking");
		uplink_free(u);
		return NULL;
	}
	u->slirp = slirp_new(&sc, &callbacks, u);
	if (!u->slirp) {
		qerr_set(e, EINVAL, "starting NAT uplink: libslirp refused the "
				    "configuration");
		uplink_free(u);
		return NULL;
	}
	return u;
}

static short to_poll(int ev)
{
	short p = 0;

	if (ev & SLIRP_POLL_IN)
		p |= POLLIN;
	if (ev & SLIRP_POLL_OUT)
		p |= POLLOUT;
	if (ev & SLIRP_POLL_PRI)
		p |= POLLPRI;
	return p;
}

static int from_poll(short p)
{
	int ev = 0;

	if (p & POLLIN)
		ev |= SLIRP_POLL_IN;
	if (p & POLLOUT)
		ev |= SLIRP_POLL_OUT;
	if (p & POLLPRI)
		ev |= SLIRP_POLL_PRI;
	if (p & POLLERR)
		ev |= SLIRP_POLL_ERR;
	if (p & POLLHUP)
		ev |= SLIRP_POLL_HUP;
	return ev;
}

static int cb_add_poll(int fd, int events, void *opaque)
{
	struct uplink *u = opaque;
	int idx = pollset_add(u->ps, fd, to_poll(events));

	if (idx < 0)
		abort();	/* out of memory in the event loop */
	return idx;
}

static int cb_get_revents(int idx, void *opaque)
{
	struct uplink *u = opaque;

	return from_poll(u->ps->fds[idx].revents);
}

void uplink_poll_fill(struct uplink *u, struct pollset *ps)
{
	uint32_t timeout = UINT32_MAX;
	int64_t now_ms = now_ns() / 1000000;
	struct timer *t;

	u->ps = ps;
	u->tap_idx = pollset_add(ps, u->tapfd, POLLIN);
	if (u->tap_idx < 0)
		abort();
	slirp_pollfds_fill(u->slirp, &timeout, cb_add_poll, u);
	if (timeout != UINT32_MAX)
		pollset_timeout(ps, timeout);
	if (!fairq_empty(u->queue))	/* frames wait: no sleeping */
		pollset_timeout(ps, 0);
	for (t = u->timers; t; t = t->next)
		if (t->expire_ms >= 0)
			pollset_timeout(ps, t->expire_ms - now_ms);
}

static void run_timers(struct uplink *u)
{
	int64_t now_ms = now_ns() / 1000000;
	struct timer *t;

restart:
	for (t = u->timers; t; t = t->next)
		if (t->expire_ms >= 0 && t->expire_ms <= now_ms) {
			t->expire_ms = -1;
			/* the callback may add or free timers */
			t->cb(t->cb_opaque);
			goto restart;
		}
}

/* A frame the egress policy refused: its sender is told at once */
static void refuse(const struct uplink *u, const uint8_t *frame, size_t n)
{
	uint8_t answer[FRAME_REFUSAL_MAX];
	size_t len = frame_egress_refusal(frame, n, &u->egress, answer,
					  sizeof(answer));

	if (len)
		cb_send_packet(answer, len, (void *)u);
}

static bool frame_wanted(const struct uplink *u, const uint8_t *frame,
			 size_t n)
{
	if (u->host_only &&
	    !frame_to_host_only(frame, n, u->host,
				u->ipv6 ? &u->egress.gateway6 : NULL))
		return false;
	if (!frame_egress_ok(frame, n, &u->egress)) {
		refuse(u, frame, n);
		return false;
	}
	/* one fragment can crash Debian 12's libslirp */
	return !frame_ipv4_fragment(frame, n);
}

/* Feed libslirp up to @budget queued frames; how many it was fed */
static int serve_frames(struct uplink *u, int budget)
{
	struct fairq_frame *f;
	int i;

	for (i = 0; i < budget && (f = fairq_pop(u->queue)); i++) {
		slirp_input(u->slirp, f->data, (int)f->len);
		frame_put(f, u);
	}
	return i;
}

/*
 * Drain the TAP. While nothing waits and the turn has room left, a frame
 * goes to libslirp from the read buffer (no copy: what an engine that
 * keeps up does); otherwise it is copied into the queue.
 */
static void read_frames(struct uplink *u, int *budget)
{
	static uint8_t frame[FRAME_MAX];
	int i;

	for (i = 0; i < READS_PER_TURN; i++) {
		ssize_t n = read(u->tapfd, frame, sizeof(frame));
		struct fairq_frame *f;

		if (n <= 0)
			return;
		if (!frame_wanted(u, frame, (size_t)n))
			continue;
		if (*budget > 0 && fairq_empty(u->queue)) {
			slirp_input(u->slirp, frame, (int)n);
			(*budget)--;
			continue;
		}
		if (!(f = frame_get(u, (size_t)n)))
			continue;	/* out of memory: this frame is lost */
		memcpy(f->data, frame, (size_t)n);
		f->len = (size_t)n;
		fairq_push(u->queue, f);
	}
}

int uplink_poll_done(struct uplink *u, struct pollset *ps)
{
	short tap = ps->fds[u->tap_idx].revents;
	int budget = FRAMES_PER_TURN;

	u->ps = ps;
	budget -= serve_frames(u, budget);	/* older than what the TAP holds */
	if (tap & POLLIN)
		read_frames(u, &budget);
	slots_give_back(u);
	slirp_pollfds_poll(u->slirp, 0, cb_get_revents, u);
	run_timers(u);
	return tap & (POLLERR | POLLHUP | POLLNVAL) ? -EPIPE : 0;
}

void uplink_free(struct uplink *u)
{
	if (!u)
		return;
	if (u->slirp)
		slirp_cleanup(u->slirp);
	while (u->timers)
		cb_timer_free(u->timers, u);
	if (u->tapfd >= 0)
		close(u->tapfd);
	fairq_free(u->queue);	/* before the slots its frames are in */
	if (u->slots)
		munmap(u->slots, SLOTS_BYTES);
	free(u);
}
