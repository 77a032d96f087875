// SPDX-License-Identifier: MIT
/*
 * hub_vde.c - a named network offered as a VDE switch (see hub_vde.h)
 *
 * Theory of operation. vde_switch's protocol, as libvdeplug's vde://
 * plugin speaks it: the client connects to DIR/ctl (a stream socket),
 * binds a datagram socket of its own (in DIR, or in /tmp), and sends a
 * request: magic 0xfeedface, version 3, type 0 (a new port), its data
 * socket's address and a description. The switch answers with the
 * address of a datagram socket of its own for that port, connected to
 * the client's; from then on each Ethernet frame is one datagram, and
 * the control connection lives as long as the port: its end is the
 * client's.
 *
 * Here the switch is the hub. Its directory is net@NAME.vde in the
 * user's 0700 runtime directory, itself 0700, and SO_PEERCRED is checked
 * as on every socket of qbox's. For each client the hub makes the port's
 * data socket (DIR/.qbox-N), connects it to the client's, answers, and
 * hands it to hub_stream_admit(): from there the client is a socket
 * member whose frames are datagrams (the stream relay reads and writes
 * them whole), with a TAP of its own, held to its first MAC and its
 * lease. The control connection stays with the member
 * (hub_member_release() closes it, and unlinks the data socket, when the
 * member leaves); its EOF makes the relay drop the member.
 *
 * The request is read at once, with a timeout of VDE_REQ_MS: a client
 * sends it right after connecting. One that does not costs the hub that
 * wait, and is hung up on.
 */
#include "network/hub_vde.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/rundir.h"
#include "common/util.h"
#include "control/ctl_server.h"
#include "network/hub_members.h"
#include "network/hub_stream.h"

#define VDE_SWITCH_MAGIC 0xfeedface
#define VDE_REQ_NEW_CONTROL 0
#define VDE_REQ_MS 1000
#define ACCEPTS_PER_TURN 16

/* libvdeplug's request_v3 (its description ends the datagram) */
struct vde_request {
	uint32_t magic;
	uint32_t version;
	uint32_t type;
	struct sockaddr_un sock;
	char description[128];
} __attribute__((packed));

void hub_vde_dir(const char *hub_name, char *buf, size_t size)
{
	snprintf(buf, size, "%s.vde", hub_name);
}

int hub_vde_listen(struct sup *s, struct qerr *e)
{
	struct hub *h = hub_of(s);
	char dir[128], ctl[160];

	hub_vde_dir(s->plan->name, dir, sizeof(dir));
	snprintf(ctl, sizeof(ctl), "%s/ctl", dir);
	if (mkdirat(s->dirfd, dir, 0700) < 0 && errno != EEXIST)
		return qerr_set(e, errno, "making %s", dir);
	if ((h->vde_fd = ctl_listen_at(s->dirfd, ctl, e)) < 0)
		return h->vde_fd;
	return 0;
}

/* The client's request on @ctl, read at once (VDE_REQ_MS at most) */
static int request_read(int ctl, struct vde_request *req)
{
	struct timeval tv = { VDE_REQ_MS / 1000, VDE_REQ_MS % 1000 * 1000 };
	ssize_t n;

	memset(req, 0, sizeof(*req));
	if (setsockopt(ctl, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
		return -errno;
	n = recv(ctl, req, sizeof(*req), 0);
	if (n < (ssize_t)offsetof(struct vde_request, description))
		return -EPROTO;
	if (req->magic != VDE_SWITCH_MAGIC || req->version != 3 ||
	    req->type != VDE_REQ_NEW_CONTROL ||
	    req->sock.sun_family != AF_UNIX || req->sock.sun_path[0] != '/')
		return -EPROTO;	/* port requests and old versions too */
	req->sock.sun_path[sizeof(req->sock.sun_path) - 1] = '\0';
	return 0;
}

/* The port's data socket at @path, connected to the client's */
static int port_socket(const struct vde_request *req, const char *path,
		       struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	snprintf(sa->sun_path, sizeof(sa->sun_path), "%s", path);
	unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr *)sa, sizeof(*sa)) < 0 ||
	    connect(fd, (const struct sockaddr *)&req->sock,
		    sizeof(req->sock)) < 0) {
		if (fd >= 0)
			close(fd);
		unlink(path);
		return -1;
	}
	return fd;
}

/* Accept one client and answer it; false when none waits */
static bool accept_one(struct sup *s)
{
	struct hub *h = hub_of(s);
	struct hub_member m = { .kind = MEMBER_VDE, .vde = true,
				.vde_idx = -1 };
	struct vde_request req;
	struct sockaddr_un sa;
	int ctl = accept4(h->vde_fd, NULL, NULL, SOCK_CLOEXEC), data;

	if (ctl < 0)
		return errno == ECONNABORTED || errno == EINTR;
	if ((m.pid = hub_stream_peer(ctl)) < 0 || request_read(ctl, &req) < 0) {
		close(ctl);
		return true;
	}
	if ((size_t)snprintf(m.vde_path, sizeof(m.vde_path), "%s/%s.vde/.qbox-%u",
			     s->rundir, s->plan->name, ++h->vde_seq) >=
		    sizeof(m.vde_path) ||
	    (data = port_socket(&req, m.vde_path, &sa)) < 0) {
		close(ctl);
		return true;
	}
	if (send(ctl, &sa, sizeof(sa), MSG_NOSIGNAL) != (ssize_t)sizeof(sa)) {
		close(ctl);
		close(data);
		unlink(m.vde_path);
		return true;
	}
	fcntl(ctl, F_SETFL, O_NONBLOCK);
	m.vde_ctl = ctl;
	hub_stream_admit(s, data, &m);
	return true;
}

void hub_vde_poll_fill(struct sup *s, struct pollset *ps)
{
	struct hub *h = hub_of(s);
	int i;

	h->vde_idx = h->vde_fd >= 0 && h->relay_fd >= 0 && h->leases ?
		pollset_add(ps, h->vde_fd, POLLIN) : -1;
	for (i = 0; i < h->n_members; i++)
		h->members[i].vde_idx = h->members[i].vde ?
			pollset_add(ps, h->members[i].vde_ctl, POLLIN) : -1;
}

/* A vde member's control connection said something: its end ends it */
static void ctl_event(struct sup *s, struct hub_member *m)
{
	struct sbmsg drop = { .type = SBMSG_STREAM_DROP, .value = (int32_t)m->id };
	char buf[256];
	ssize_t n = read(m->vde_ctl, buf, sizeof(buf));

	if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EINTR)))
		return;		/* vde_plug says nothing there; ignored */
	/* the relay hangs up on it and says so: the member leaves then */
	if (hub_of(s)->relay_fd >= 0)
		sbmsg_send(hub_of(s)->relay_fd, &drop, -1);
}

void hub_vde_poll_done(struct sup *s, struct pollset *ps)
{
	struct hub *h = hub_of(s);
	int i;

	for (i = 0; i < h->n_members; i++) {
		struct hub_member *m = &h->members[i];

		if (m->vde && m->vde_idx >= 0 &&
		    (ps->fds[m->vde_idx].revents & (POLLIN | POLLHUP | POLLERR)))
			ctl_event(s, m);
	}
	if (h->vde_idx >= 0 && (ps->fds[h->vde_idx].revents & POLLIN))
		for (i = 0; i < ACCEPTS_PER_TURN && accept_one(s); i++)
			;
}

void hub_vde_free(struct sup *s)
{
	struct hub *h = hub_of(s);
	char dir[128], path[160];

	if (h->vde_fd < 0)
		return;
	close(h->vde_fd);
	h->vde_fd = -1;
	hub_vde_dir(s->plan->name, dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/ctl", dir);
	unlinkat(s->dirfd, path, 0);
	/* what clients left (their own data sockets, when they died before
	   unlinking them) goes with it: rundir_unlock() empties it too */
	rundir_rmdir(s->dirfd, dir);
}
