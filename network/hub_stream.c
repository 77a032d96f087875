// SPDX-License-Identifier: MIT
/*
 * hub_stream.c - the supervisor's side of a network's generic socket
 * (see hub_stream.h)
 *
 * Theory of operation. The hub listens on net@NAME.stream in the user's
 * 0700 runtime directory (the wall), and checks every client with
 * SO_PEERCRED (the second wall, as on the control socket). A client is a
 * member from the moment it is accepted, so it holds the network open
 * like any member. Its frames never pass through here:
 *
 *   accept   the client's socket waits in h->pending; init is asked for a
 *            TAP named qsID on the hub's bridge (SBMSG_TAP_REQ: making
 *            links needs CAP_NET_ADMIN in the hub's namespace, which only
 *            init still has);
 *   TAP      init answers with its fd (SBMSG_TAP); both fds go to the
 *            stream relay (SBMSG_STREAM_CONN, SBMSG_STREAM_TAP) and are
 *            closed here, so the relay holds the only copies;
 *   guard    the TAP stays down until the relay reports the client's
 *            MAC (its first frame's source, which the down TAP dropped):
 *            the MAC becomes the member's own (hub_member_claim: another
 *            member's is refused, and the client hung up on), with a DHCP
 *            lease reserved for it, and init puts the anti-spoofing chain
 *            for both on the TAP's ingress, then brings it up
 *            (SBMSG_GUARD_REQ), as a VM's init does before its VM runs;
 *            then the relay is told (SBMSG_STREAM_UP) and writes the frame
 *            the down TAP refused (often the client's DHCP DISCOVER);
 *   end      SBMSG_STREAM_GONE: the member leaves (hub_member_leave), and init
 *            deletes its TAP (SBMSG_TAP_DEL; TAPs are persistent, see
 *            netns/tap.h, so closing the relay's fd left the device).
 *
 * Clients wait in the listen backlog until the relay has reported and
 * the DHCP server runs. A relay that dies ends the hub, as a forward
 * worker's death does (init reports it): its clients would be cut off
 * without a word.
 */
#include "network/hub_stream.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"
#include "control/ctl_server.h"
#include "network/hub_members.h"

#define ACCEPTS_PER_TURN 16
#define RELAY_MSGS_PER_TURN 64

void hub_stream_file(const char *hub_name, char *buf, size_t size)
{
	snprintf(buf, size, "%s.stream", hub_name);
}

int hub_stream_listen(struct sup *s, struct qerr *e)
{
	struct hub *h = hub_of(s);
	char file[128];

	hub_stream_file(s->plan->name, file, sizeof(file));
	if ((h->stream_fd = ctl_listen_at(s->dirfd, file, e)) < 0)
		return h->stream_fd;
	if (asprintf(&h->stream_path, "%s/%s", s->rundir, file) < 0) {
		h->stream_path = NULL;
		return qerr_set(e, ENOMEM, "socket %s", file);
	}
	return 0;
}

int hub_stream_relay(struct sup *s, int fd, struct qerr *e)
{
	if (!s->plan->hub || hub_of(s)->relay_fd >= 0 || fd < 0) {
		if (fd >= 0)
			close(fd);
		return qerr_set(e, EPROTO, "bad stream relay message");
	}
	hub_of(s)->relay_fd = fd;
	return 0;
}

/* The name of process @pid, for `qbox net inspect`; "?" when unknown */
static void peer_command(pid_t pid, char *buf, size_t size)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	if (pid <= 0 || read_file(path, buf, size) <= 0) {
		snprintf(buf, size, "?");
		return;
	}
	buf[strcspn(buf, "\n")] = '\0';
}

long hub_stream_admit(struct sup *s, int fd, const struct hub_member *proto)
{
	struct hub *h = hub_of(s);
	struct hub_member m = *proto;
	struct sbmsg req = { .type = SBMSG_TAP_REQ };
	struct hub_pending *grown;

	peer_command(m.pid, m.command, sizeof(m.command));
	grown = realloc(h->pending, sizeof(*grown) * (size_t)(h->n_pending + 1));
	if (grown)
		h->pending = grown;
	/* a full network hangs up on the client */
	if (!grown || hub_member_add(h, &m, NULL) < 0) {
		close(fd);
		hub_member_release(&m);
		return -1;
	}
	req.value = (int32_t)m.id;
	if (sbmsg_send(s->sb.sock, &req, -1) < 0) {
		close(fd);
		hub_member_leave(s, m.id);
		return -1;
	}
	h->pending[h->n_pending++] = (struct hub_pending){
		m.id, fd, m.kind == MEMBER_VDE };
	return m.id;
}

pid_t hub_stream_peer(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 ||
	    cred.uid != getuid())
		return -1;	/* another user's: it cannot even be here */
	return cred.pid;
}

/* Accept one client; false when none waits */
static bool accept_one(struct sup *s)
{
	int fd = accept4(hub_of(s)->stream_fd, NULL, NULL,
			 SOCK_NONBLOCK | SOCK_CLOEXEC);
	pid_t pid;

	if (fd < 0)
		return errno == ECONNABORTED || errno == EINTR;
	if ((pid = hub_stream_peer(fd)) < 0) {
		close(fd);
		return true;
	}
	hub_stream_admit(s, fd, &(struct hub_member){ .kind = MEMBER_SOCKET,
						      .pid = pid });
	return true;
}

/* Socket member @id left; its TAP, if one was made, goes too */
static void socket_leave(struct sup *s, long id, bool tap)
{
	struct sbmsg del = { .type = SBMSG_TAP_DEL, .value = (int32_t)id };

	hub_member_leave(s, id);
	if (tap)
		sbmsg_send(s->sb.sock, &del, -1);
}

void hub_stream_tap(struct sup *s, const struct sbmsg *m, int fd)
{
	struct hub *h = hub_of(s);
	struct sbmsg conn = { .type = SBMSG_STREAM_CONN, .value = m->value };
	struct sbmsg tap = { .type = SBMSG_STREAM_TAP, .value = m->value };
	cleanup_fd int cfd = -1;
	int i;

	for (i = 0; i < h->n_pending; i++)
		if (h->pending[i].id == m->value) {
			cfd = h->pending[i].fd;
			conn.nic = h->pending[i].dgram;	/* frames are datagrams */
			h->pending[i] = h->pending[--h->n_pending];
			break;
		}
	if (cfd < 0 || fd < 0 || h->relay_fd < 0 ||
	    sbmsg_send(h->relay_fd, &conn, cfd) < 0 ||
	    sbmsg_send(h->relay_fd, &tap, fd) < 0)
		socket_leave(s, m->value, fd >= 0);	/* the client sees
							   its socket close */
	if (fd >= 0)
		close(fd);
}

/* Hang up on socket member @id (the relay reports it gone) */
static void socket_drop(struct sup *s, long id, int err)
{
	struct sbmsg m = { .type = SBMSG_STREAM_DROP, .value = (int32_t)id,
			   .errnum = err };

	if (hub_of(s)->relay_fd >= 0)
		sbmsg_send(hub_of(s)->relay_fd, &m, -1);
}

/*
 * Member @m's first frame came from @mac: that MAC is its own now, as a
 * sandbox's is from its join (another member's is refused), with a lease
 * where the network has DHCP, and init puts the rules that hold it to
 * both on its TAP before bringing it up.
 */
static void socket_mac(struct sup *s, struct hub_member *m,
		       const uint8_t mac[6])
{
	struct sbmsg req = { .type = SBMSG_GUARD_REQ, .value = (int32_t)m->id };
	int r;

	if (m->mac_known)
		return;
	memcpy(m->mac, mac, sizeof(m->mac));
	if ((r = hub_member_claim(s, m, NULL)) < 0) {
		memset(m->mac, 0, sizeof(m->mac));
		socket_drop(s, m->id, r == -ENOSPC ? ENOSPC : EADDRINUSE);
		return;
	}
	m->mac_known = true;
	/* its reservation reaches dnsmasq (SIGHUP) before its frames do:
	   the relay holds them until the rules are in (STREAM_UP) */
	hub_names_update(hub_of(s));
	memcpy(req.mac, mac, sizeof(req.mac));
	req.addr = m->addr.s_addr;
	if (sbmsg_send(s->sb.sock, &req, -1) < 0)
		socket_drop(s, m->id, EIO);
}

void hub_stream_guarded(struct sup *s, const struct sbmsg *m)
{
	struct sbmsg up = { .type = SBMSG_STREAM_UP, .value = m->value };

	if (m->errnum)	/* no rules, no way onto the segment */
		socket_drop(s, m->value, m->errnum);
	else if (hub_of(s)->relay_fd >= 0)	/* the relay writes what it held */
		sbmsg_send(hub_of(s)->relay_fd, &up, -1);
}

/*
 * One message from the relay. Its hang-up is not acted on here: the hub's
 * init reports how it died (hub_stream_relay_died), unless init is dying
 * too, and then the hub's end is init's.
 */
static void relay_message(struct sup *s)
{
	struct hub *h = hub_of(s);
	struct hub_member *member;
	struct sbmsg m;
	int fd, r = sbmsg_recv(h->relay_fd, &m, &fd);

	if (fd >= 0)
		close(fd);
	if (r <= 0) {
		close(h->relay_fd);
		h->relay_fd = -1;	/* clients wait in the backlog */
		return;
	}
	member = hub_member_find(h, m.value);
	switch (m.type) {
	case SBMSG_STREAM_MAC:
		if (member && member_is_client(member->kind))
			socket_mac(s, member, m.mac);
		break;
	case SBMSG_STREAM_GONE:
		if (member && member_is_client(member->kind))
			socket_leave(s, m.value, true);
		break;
	case SBMSG_ERROR:	/* its last words; the hang-up follows */
		h->relay_err = m.err;
		break;
	}
}

int hub_stream_relay_died(struct sup *s, int status, struct qerr *e)
{
	struct hub *h = hub_of(s);
	struct pollfd p = { h->relay_fd, POLLIN, 0 };

	/* its last words, if it had any, are in its socket by now */
	while (h->relay_fd >= 0 && poll(&p, 1, 0) > 0) {
		relay_message(s);
		p.fd = h->relay_fd;
	}
	if (h->relay_err.msg[0]) {
		*e = h->relay_err;
		qerr_prefix(e, "network '%s'", h->spec.name);
		return -EIO;
	}
	if (WIFSIGNALED(status))
		return qerr_set(e, 0, "network '%s': its stream relay was killed "
				      "by signal %d (%s)", h->spec.name,
				WTERMSIG(status), strsignal(WTERMSIG(status)));
	return qerr_set(e, 0, "network '%s': its stream relay exited with "
			      "status %d", h->spec.name,
			WIFEXITED(status) ? WEXITSTATUS(status) : status);
}

void hub_stream_poll_fill(struct sup *s, struct pollset *ps)
{
	struct hub *h = hub_of(s);

	h->relay_idx = h->relay_fd >= 0 ? pollset_add(ps, h->relay_fd, POLLIN)
					: -1;
	h->stream_idx = h->stream_fd >= 0 && h->relay_fd >= 0 && h->leases ?
		pollset_add(ps, h->stream_fd, POLLIN) : -1;
}

void hub_stream_poll_done(struct sup *s, struct pollset *ps)
{
	struct hub *h = hub_of(s);
	int i;

	/* what the relay said since the last turn: hang-ups come in bursts */
	for (i = 0; h->relay_idx >= 0 && ps->fds[h->relay_idx].revents &&
		    h->relay_fd >= 0 && i < RELAY_MSGS_PER_TURN; i++) {
		struct pollfd p = { h->relay_fd, POLLIN, 0 };

		if (i && poll(&p, 1, 0) <= 0)
			break;
		relay_message(s);
	}
	if (h->stream_idx >= 0 && (ps->fds[h->stream_idx].revents & POLLIN))
		for (i = 0; i < ACCEPTS_PER_TURN && accept_one(s); i++)
			;
}

void hub_stream_free(struct sup *s)
{
	struct hub *h = hub_of(s);

	if (h->stream_fd >= 0)
		close(h->stream_fd);
	if (h->relay_fd >= 0)
		close(h->relay_fd);
	while (h->n_pending)
		close(h->pending[--h->n_pending].fd);
	free(h->pending);
	free(h->stream_path);
	h->stream_fd = h->relay_fd = -1;
	h->pending = NULL;
	h->stream_path = NULL;
}
