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
#include <unistd.h>

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

/* Step 1: whether the tunnel's local port is free */
static int udp_port_check(const struct vde_relay_cfg *c, struct qerr *e)
{
	struct ipaddr any = { .family = c->remote->family };
	struct sockaddr_storage ss;
	socklen_t len = ipaddr_sockaddr(c->local->family ? c->local : &any,
					c->lport, &ss);
	cleanup_fd int fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return qerr_set(e, errno, "--net %s: a UDP socket", c->text);
	if (bind(fd, (struct sockaddr *)&ss, len) == 0)
		return 0;
	if (errno == EADDRINUSE)
		return qerr_usage(e, "--net %s: local UDP port %u is in use",
				  c->text, c->lport);
	return qerr_set(e, errno, "--net %s: binding local UDP port %u",
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
		qerr_usage(e, "--net %s: the VDE plugin '%s' is not installed "
			      "(libvdeplug_%s.so: Debian's package %s)",
			   c->text, c->scheme, c->scheme,
			   c->package ? c->package : "unknown");
	else	/* the user's locator leads nowhere: theirs to mend */
		qerr_usage(e, "--net %s: opening %s: %s", c->text, c->locator,
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
		return qerr_set(e, errno, "--net %s: connecting to the peer",
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
		(void)vde_send(conn, buf, (size_t)n, 0);
	}
}

/* Plug to TAP: one frame; false when the plug's far end is gone */
static bool plug_to_tap(VDECONN *conn, int tap)
{
	char buf[VDE_ETHBUFSIZE];
	ssize_t n = vde_recv(conn, buf, sizeof(buf), 0);

	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR &&
		       errno != ECONNREFUSED))
		return false;
	/* 1: a frame the plugin dropped; below 14: no Ethernet header */
	if (n >= 14)
		(void)!write(tap, buf, (size_t)n);
	return true;
}

/* Whether the plug's control socket says its far end is gone */
static bool ctl_gone(int ctl)
{
	char buf[64];
	ssize_t n = read(ctl, buf, sizeof(buf));

	return n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR);
}

/* Step 5 */
static int serve(int sock, int tap, VDECONN *conn)
{
	int ctl = vde_ctlfd(conn);
	struct pollfd p[4] = {
		{ .fd = sock, .events = POLLIN },
		{ .fd = tap, .events = POLLIN },
		{ .fd = vde_datafd(conn), .events = POLLIN },
		{ .fd = ctl, .events = POLLIN },
	};

	for (;;) {
		if (poll(p, ctl >= 0 ? 4 : 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		if (p[0].revents)
			return 0;	/* the supervisor is gone */
		if (p[1].revents & POLLIN)
			tap_to_plug(tap, conn);
		if (p[2].revents && !plug_to_tap(conn, tap))
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
	_exit(serve(sock, c->tapfd, conn));
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
		return qerr_set(e, 0, "--net %s: the VDE relay ended, %s",
				c->text, how);
	}
	if (r < 0 && r != -EIO)
		return qerr_set(e, -r, "--net %s: starting the VDE relay",
				c->text);
	return r;
}
