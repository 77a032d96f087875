// SPDX-License-Identifier: MIT
/*
 * vde_relay.c - a vde NIC's plug (see vde_relay.h)
 *
 * Theory of operation. The child, started by child_start() (named
 * qbox-vde, dying with the supervisor, keeping only its TAP, its socket
 * and stderr):
 *
 *   1. for a UDP tunnel, binds its local port once and lets it go, to
 *      tell "in use" apart (libvdeplug's udp plugin says ECONNABORTED
 *      for every failure of its own);
 *   2. opens the plug: vde_open() loads the locator's plugin (dlopen),
 *      makes its sockets, for cmd:// starts its command; a plugin that
 *      is not installed is EPROTONOSUPPORT, named with its package;
 *   3. for a UDP tunnel, connects the plug's socket to the peer: the
 *      kernel then delivers datagrams from that address and port alone
 *      (the transport's one check of its sender);
 *   4. confines itself: a user namespace of its own (to empty its
 *      bounding set, as the NAT engine), no capabilities, no_new_privs,
 *      Landlock with no file allowed, qbox's baseline filter and the
 *      relay's allowlist;
 *   5. says it is ready, and relays until the supervisor hangs up (exit
 *      0) or the plug's far end does (exit VDE_RELAY_GONE).
 *
 * Frames go as they come, one read and one send each: a TAP read of a
 * frame the plug cannot take now (a full socket buffer) drops it, as a
 * switch port would; nothing queues here.
 */
#include "dataplane/vde_relay.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <libvdeplug.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "common/sbmsg.h"
#include "common/util.h"
#include "seccomp/landlock.h"

#ifdef __SANITIZE_ADDRESS__
/*
 * The sanitizer build only: libvdeplug opens its plugins with
 * RTLD_DEEPBIND, which AddressSanitizer refuses (it would bind the
 * plugin to libc's malloc rather than to its own). The executable's
 * dlopen comes first in the lookup, so this one, which drops the flag
 * and calls the next (the sanitizer's), serves libvdeplug there. The
 * release build loads plugins as libvdeplug says.
 */
void *dlopen(const char *file, int mode)
{
	static void *(*next)(const char *, int);

	if (!next)
		next = (void *(*)(const char *, int))dlsym(RTLD_NEXT, "dlopen");
	return next ? next(file, mode & ~RTLD_DEEPBIND) : NULL;
}
#endif

/* Frames moved from the TAP per wakeup before the plug is looked at */
#define TAP_BATCH 64
/* How often the relay tells its counters, while they change */
#define STATS_MS 1000

/* Frames to the TAP (from the plug) and from it (to the plug) */
static uint64_t frames[2];

/* Step 1: whether the tunnel's local port is free */
static int udp_port_check(const struct vde_relay_cfg *c, struct qerr *e)
{
	struct ipaddr any = { .family = c->remote->family };
	struct sockaddr_storage ss;
	socklen_t len = ipaddr_sockaddr(c->local->family ? c->local : &any,
					c->lport, &ss);
	cleanup_fd int fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return qerr_set(e, errno, "%s: a UDP socket", c->text);
	if (bind(fd, (struct sockaddr *)&ss, len) == 0)
		return 0;
	if (errno == EADDRINUSE)
		return qerr_usage(e, "%s: local UDP port %u is in use",
				  c->text, c->lport);
	return qerr_set(e, errno, "%s: binding local UDP port %u",
			c->text, c->lport);
}

/* Step 2 */
static VDECONN *plug_open(const struct vde_relay_cfg *c, struct qerr *e)
{
	/* vde_open() writes into the locator it parses */
	char *loc = strdup(c->locator), *descr = strdup(c->descr);
	VDECONN *conn = NULL;

	errno = ENOMEM;
	if (loc && descr)
		conn = vde_open(loc, descr, NULL);
	free(loc);
	free(descr);
	if (conn)
		return conn;
	if (errno == EPROTONOSUPPORT)
		qerr_usage(e, "%s: the VDE plugin '%s' is not installed "
			      "(libvdeplug_%s.so: Debian's package %s)",
			   c->text, c->scheme, c->scheme,
			   c->package ? c->package : "unknown");
	else	/* the user's locator leads nowhere: theirs to mend */
		qerr_usage(e, "%s: opening %s: %s", c->text, c->locator,
			   strerror(errno ? errno : EIO));
	return NULL;
}

/* Step 3: the tunnel's socket hears its peer alone */
static int udp_peer_only(const struct vde_relay_cfg *c, VDECONN *conn,
			 struct qerr *e)
{
	struct sockaddr_storage ss;
	socklen_t len = ipaddr_sockaddr(c->remote, c->rport, &ss);

	if (connect(vde_datafd(conn), (struct sockaddr *)&ss, len) < 0)
		return qerr_set(e, errno, "%s: connecting to the peer",
				c->text);
	return 0;
}

/* Step 4 */
static int confine(const struct vde_relay_cfg *c, struct qerr *e)
{
	static const char *const none[] = { NULL };
	int r;

	if (unshare(CLONE_NEWUSER) < 0)
		return qerr_set(e, errno, "entering a user namespace");
	if ((r = drop_privileges(e)) < 0 || (r = landlock_wall(none, e)) < 0 ||
	    (r = filter_load(c->filters->baseline, e)) < 0 ||
	    (r = filter_load(c->filters->vde, e)) < 0)
		return r;
	return 0;
}

/* TAP to plug: what the TAP holds now, up to a batch */
static void tap_to_plug(int tap, VDECONN *conn)
{
	char buf[VDE_ETHBUFSIZE];
	ssize_t n;
	int i;

	for (i = 0; i < TAP_BATCH; i++) {
		if ((n = read(tap, buf, sizeof(buf))) <= 0)
			return;
		if (vde_send(conn, buf, (size_t)n, 0) >= 0)
			frames[1]++;
	}
}

/*
 * A VXLAN datagram from the vxlan:// plug's socket: its frame into @buf
 * (the length), 1 for one that is not for us, -1 with errno. What
 * libvdeplug 4.0.1's vde_recv() would do but learn the sender: it asks
 * recvmsg() for the sender's address with a length read from an
 * uninitialised sockaddr (mostly 0), keeps what it did not get, and then
 * sends frames for that MAC to a zero-length address, which fails. Left
 * unlearned, every frame it sends goes to the group (VXLAN's flooding,
 * which a kernel VXLAN device and any other VTEP on the group accept).
 */
static ssize_t vxlan_recv(int fd, long vni, char *buf, size_t size)
{
	uint8_t hdr[8];
	struct iovec iov[2] = { { hdr, sizeof(hdr) }, { buf, size } };
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2 };
	ssize_t n = recvmsg(fd, &msg, 0);

	if (n < 0)
		return -1;
	/* RFC 7348: the I flag alone, then the 24-bit VNI */
	if (n < (ssize_t)sizeof(hdr) + 14 || hdr[0] != 0x08 ||
	    (long)(hdr[4] << 16 | hdr[5] << 8 | hdr[6]) != vni)
		return 1;
	return n - (ssize_t)sizeof(hdr);
}

/* Plug to TAP: one frame; false when the plug's far end is gone */
static bool plug_to_tap(const struct vde_relay_cfg *c, VDECONN *conn)
{
	char buf[VDE_ETHBUFSIZE];
	ssize_t n = c->vxlan_vni >= 0 ?
			    vxlan_recv(vde_datafd(conn), c->vxlan_vni, buf,
				       sizeof(buf)) :
			    vde_recv(conn, buf, sizeof(buf), 0);

	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR &&
		       errno != ECONNREFUSED))
		return false;
	/* 1: a frame the plugin dropped; below 14: no Ethernet header */
	if (n >= 14 && write(c->tapfd, buf, (size_t)n) == n)
		frames[0]++;
	return true;
}

/* Whether the plug's control socket says its far end is gone */
static bool ctl_gone(int ctl)
{
	char buf[64];
	ssize_t n = read(ctl, buf, sizeof(buf));

	return n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR);
}

/* The counters to the supervisor, when they changed (SBMSG_PLUG_STATS) */
static void stats_tell(int sock)
{
	static uint64_t told[2];
	struct sbmsg m = { .type = SBMSG_PLUG_STATS };

	if (!memcmp(told, frames, sizeof(told)))
		return;
	memcpy(told, frames, sizeof(told));
	memcpy(m.addr6, frames, sizeof(frames));
	sbmsg_write(sock, &m);
}

/* Step 5 */
static int serve(const struct vde_relay_cfg *c, int sock, VDECONN *conn)
{
	int tap = c->tapfd;
	int64_t next_stats = now_ns() / 1000000 + STATS_MS;
	int ctl = vde_ctlfd(conn);
	struct pollfd p[4] = {
		{ .fd = sock, .events = POLLIN },
		{ .fd = tap, .events = POLLIN },
		{ .fd = vde_datafd(conn), .events = POLLIN },
		{ .fd = ctl, .events = POLLIN },
	};

	for (;;) {
		int64_t now = now_ns() / 1000000;

		if (now >= next_stats) {
			stats_tell(sock);
			next_stats = now + STATS_MS;
		}
		if (poll(p, ctl >= 0 ? 4 : 3, (int)(next_stats - now)) < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		if (p[0].revents)
			return 0;	/* the supervisor is gone */
		if (p[1].revents & POLLIN)
			tap_to_plug(tap, conn);
		if (p[2].revents && !plug_to_tap(c, conn))
			return VDE_RELAY_GONE;
		if (ctl >= 0 && p[3].revents && ctl_gone(ctl))
			return VDE_RELAY_GONE;
	}
}

static int relay_main(void *arg, int sock, struct qerr *e)
{
	const struct vde_relay_cfg *c = arg;
	VDECONN *conn;
	int r;

	if ((r = child_null_stdio(e)) < 0 ||
	    (c->remote && (r = udp_port_check(c, e)) < 0))
		return r;
	if (!(conn = plug_open(c, e)))
		return -EIO;
	if (fcntl(c->tapfd, F_SETFL, O_NONBLOCK) < 0)
		return qerr_set(e, errno, "setting the TAP non-blocking");
	if ((c->remote && (r = udp_peer_only(c, conn, e)) < 0) ||
	    (r = confine(c, e)) < 0)
		return r;
	if ((r = child_ready(sock)) < 0)
		return qerr_set(e, -r, "reporting");
	_exit(serve(c, sock, conn));
}

int vde_relay_start(const struct vde_relay_cfg *c, struct child *ch,
		    struct qerr *e)
{
	struct child_spec spec = { .name = "qbox-vde", .fault = "vde",
				   .enter_pidfd = -1, .keep = &c->tapfd,
				   .n_keep = 1, .main = relay_main,
				   .arg = (void *)c };
	char how[256];
	int r = child_start(&spec, ch, e);

	if (r == -ECHILD) {
		status_describe(ch->status, how, sizeof(how));
		return qerr_set(e, 0, "%s: the VDE relay ended, %s",
				c->text, how);
	}
	if (r < 0 && r != -EIO)
		return qerr_set(e, -r, "%s: starting the VDE relay",
				c->text);
	return r;
}
