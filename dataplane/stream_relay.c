// SPDX-License-Identifier: MIT
/*
 * stream_relay.c - a hub's generic members (see stream_relay.h)
 *
 * Theory of operation. Every client of net@NAME.stream (an unmodified
 * qemu with `-netdev stream`, or any program speaking its protocol) has a
 * TAP of its own, a port of the hub's bridge; frames between members then
 * cross the kernel's bridge as a VM's do, the hub's DHCP server hears the
 * client's DISCOVER, and a host-only network's uplink checks its frames
 * like any other member's (dataplane/frame_filter.c). The relay only moves
 * frames between the client's socket and its TAP:
 *
 *   client -> TAP   bytes are read as they come (partial reads are the
 *                   norm on a stream) and decoded (dataplane/streamproto.c);
 *                   each whole frame is written to the TAP, which never
 *                   blocks: the kernel drops what its queues cannot take.
 *                   A malformed length ends the connection. The first
 *                   frame's source MAC goes to the supervisor: until the
 *                   hub has put the client's anti-spoofing rules on the
 *                   TAP's ingress (netns/antispoof.c), the TAP is down and
 *                   refuses frames (EIO). The latest frame refused so is
 *                   held and written once the supervisor says the TAP is
 *                   up (SBMSG_STREAM_UP), through those rules: a client's
 *                   first DHCP DISCOVER, which taught the hub its MAC, is
 *                   answered at once instead of after the client's retry
 *                   (a guest's dhclient waits seconds).
 *   TAP -> client   a frame is read and sent with its header. What the
 *                   client's socket cannot take stays in the client's one
 *                   frame buffer, and the TAP is not read until it is
 *                   gone: a client that never reads holds one frame here,
 *                   its socket's buffer and the TAP's queue (500 frames)
 *                   in the kernel, which drops the rest. Nothing grows.
 *
 * When the client hangs up the relay closes both fds and says so; the
 * hub's init then deletes the TAP (it holds the privilege, and the
 * unregister's wait is better spent there than here, where frames pass).
 *
 * The relay is one confined process in the hub's network namespace,
 * serving every client with one epoll set, level-triggered; each fd is
 * watched only for what its client waits on. Clients that ended are
 * freed after each batch of events, which may still name them.
 */
#include "dataplane/stream_relay.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/sbmsg.h"
#include "common/util.h"
#include "dataplane/ep.h"
#include "dataplane/streamproto.h"
#include "seccomp/child.h"

#define EVENTS_MAX 64
#define FRAMES_PER_TURN 64	/* from one TAP, before others get a turn */

enum ep_kind { EP_CTL, EP_SOCK, EP_TAP };

struct client {
	struct ep sock, tap;
	int32_t id;		/* the hub's member id */
	bool mac_told;		/* its MAC went to the supervisor */
	bool up;		/* its TAP is guarded and up */
	bool dead;		/* ended; freed after the current batch */
	bool dgram;		/* a VDE port: a frame per datagram, no
				   length before it (network/hub_vde.c) */
	size_t held_len;	/* a frame its TAP refused while down */
	struct client *prev, *next;
	size_t out_len, out_off;	/* a frame its socket did not take */
	/* buffers last: not cleared when a client is made */
	uint8_t out[STREAM_HDR_LEN + STREAM_FRAME_MAX];
	uint8_t held[STREAM_FRAME_MAX];
	struct stream_rx rx;
};

struct relay {
	int epfd;
	struct ep ctl;		/* message socket to the supervisor */
	bool ctl_ready;		/* ... readable: handled after the batch */
	int conn_fd;		/* SBMSG_STREAM_CONN, waiting for its TAP */
	int32_t conn_id;
	bool conn_dgram;	/* ... a VDE port's datagram socket */
	struct client *clients;
	struct client *graveyard;
	uint8_t buf[STREAM_HDR_LEN + 65536];
};

static void tell(struct relay *r, uint32_t type, int32_t id, int errnum,
		 const uint8_t *mac)
{
	struct sbmsg m = { .type = type, .value = id, .errnum = errnum };

	if (mac)
		memcpy(m.mac, mac, sizeof(m.mac));
	/* the supervisor reads at once; an error means it is gone, which
	   the loop learns from the socket itself */
	sbmsg_send(r->ctl.fd, &m, -1);
}

/* Client @c ended (@err: 0 at EOF): its TAP goes with the fd */
static void client_end(struct relay *r, struct client *c, int err)
{
	if (c->dead)
		return;
	tell(r, SBMSG_STREAM_GONE, c->id, err, NULL);
	ep_close(r->epfd, &c->sock);
	ep_close(r->epfd, &c->tap);
	if (c->prev)
		c->prev->next = c->next;
	else
		r->clients = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->dead = true;
	c->next = r->graveyard;
	r->graveyard = c;
}

/* Watch @c's fds for what it waits on: a pending frame holds the TAP */
static void client_watch(struct relay *r, struct client *c)
{
	bool pending = c->out_off < c->out_len;
	int err;

	if ((err = ep_set(r->epfd, &c->sock,
			  EPOLLIN | (pending ? EPOLLOUT : 0))) < 0 ||
	    (err = ep_set(r->epfd, &c->tap, pending ? 0 : EPOLLIN)) < 0)
		client_end(r, c, -err);
}

static void client_new(struct relay *r, int32_t id, int sock, int tap,
		       bool dgram)
{
	struct client *c = malloc(sizeof(*c));

	if (!c) {
		close(sock);
		close(tap);
		tell(r, SBMSG_STREAM_GONE, id, ENOMEM, NULL);
		return;
	}
	memset(c, 0, offsetof(struct client, out));
	c->sock = (struct ep){ EP_SOCK, sock, 0 };
	c->tap = (struct ep){ EP_TAP, tap, 0 };
	c->id = id;
	c->dgram = dgram;
	stream_rx_init(&c->rx);
	/* a TAP's fd blocks by default; the socket came non-blocking */
	fcntl(tap, F_SETFL, O_NONBLOCK);
	fcntl(sock, F_SETFL, O_NONBLOCK);
	c->next = r->clients;
	if (r->clients)
		r->clients->prev = c;
	r->clients = c;
	client_watch(r, c);
}

/*
 * Write one of @c's frames to its TAP. A full queue drops the frame, as a
 * wire would. While the TAP is down (EIO: the hub has not put the client's
 * rules in place yet) the frame is held, replacing any held before, and
 * written when the TAP is up (client_up). -1 when the client ended.
 */
static int tap_write(struct relay *r, struct client *c, const uint8_t *frame,
		     size_t len)
{
	if (write(c->tap.fd, frame, len) >= 0)
		return 0;
	if (errno == EIO && !c->up) {
		memcpy(c->held, frame, len);	/* len <= STREAM_FRAME_MAX */
		c->held_len = len;
		return 0;
	}
	if (errno == EAGAIN || errno == ENOBUFS || errno == EINVAL ||
	    errno == EIO)
		return 0;
	client_end(r, c, errno);
	return -1;
}

/* @c's TAP is guarded and up: what it held goes through the rules now */
static void client_up(struct relay *r, struct client *c)
{
	size_t len = c->held_len;

	c->up = true;
	c->held_len = 0;
	if (len)
		tap_write(r, c, c->held, len);
}

/* One frame from a VDE port's datagram to its TAP (a datagram too short
 * for an Ethernet header, or too long for a frame, is dropped) */
static void from_port(struct relay *r, struct client *c)
{
	ssize_t n = read(c->sock.fd, r->buf, sizeof(r->buf));

	if (n < 0) {
		/* ECONNREFUSED: its client's socket is gone; its control
		   connection's end tells the hub, which drops it */
		if (errno != EAGAIN && errno != EINTR && errno != ECONNREFUSED)
			client_end(r, c, errno);
		return;
	}
	if (n < STREAM_FRAME_MIN || n > STREAM_FRAME_MAX)
		return;
	if (!c->mac_told) {	/* its source address */
		tell(r, SBMSG_STREAM_MAC, c->id, 0, r->buf + 6);
		c->mac_told = true;
	}
	tap_write(r, c, r->buf, (size_t)n);
}

/* Frames from the client to its TAP */
static void from_client(struct relay *r, struct client *c)
{
	ssize_t n;
	const uint8_t *p = r->buf;
	size_t left, used;

	if (c->dgram) {
		from_port(r, c);
		return;
	}
	n = read(c->sock.fd, r->buf, sizeof(r->buf));
	if (n <= 0) {
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		client_end(r, c, n < 0 ? errno : 0);
		return;
	}
	for (left = (size_t)n; left; p += used, left -= used) {
		switch (stream_rx_push(&c->rx, p, left, &used)) {
		case STREAM_RX_BAD:
			client_end(r, c, EPROTO);
			return;
		case STREAM_RX_FRAME:
			if (!c->mac_told) {	/* its source address */
				tell(r, SBMSG_STREAM_MAC, c->id, 0,
				     c->rx.frame + 6);
				c->mac_told = true;
			}
			if (tap_write(r, c, c->rx.frame, c->rx.frame_len) < 0)
				return;
			break;
		case STREAM_RX_MORE:
			break;
		}
	}
}

/* Send what is left of the pending frame; false on a dead socket */
static bool flush(struct relay *r, struct client *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->sock.fd, c->out + c->out_off,
				 c->out_len - c->out_off,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return true;
			client_end(r, c, errno);
			return false;
		}
		c->out_off += (size_t)n;
	}
	c->out_off = c->out_len = 0;
	return true;
}

/* Frames from the TAP to the client, until its socket is full */
static void to_client(struct relay *r, struct client *c)
{
	int i;

	/* a VDE port's frame is its datagram, without the stream's header */
	size_t hdr = c->dgram ? 0 : STREAM_HDR_LEN;

	for (i = 0; i < FRAMES_PER_TURN && c->out_off == c->out_len; i++) {
		ssize_t n = read(c->tap.fd, c->out + hdr, STREAM_FRAME_MAX);

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			client_end(r, c, errno);
			return;
		}
		if (n < STREAM_FRAME_MIN)
			continue;
		if (!c->dgram)
			stream_hdr_put(c->out, (uint32_t)n);
		c->out_off = 0;
		c->out_len = hdr + (size_t)n;
		if (!flush(r, c))
			return;
	}
	client_watch(r, c);
}

static void on_sock(struct relay *r, struct client *c, uint32_t events)
{
	if ((events & EPOLLOUT) && c->out_off < c->out_len) {
		if (!flush(r, c))
			return;
		client_watch(r, c);
	}
	if (!c->dead && (events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		from_client(r, c);
}

/* One message; 1 when handled, 0 when the supervisor hung up, or -errno */
static int on_ctl(struct relay *r)
{
	struct client *c;
	struct sbmsg m;
	int fd, n = sbmsg_recv(r->ctl.fd, &m, &fd);

	if (n <= 0)
		return n;
	switch (m.type) {
	case SBMSG_STREAM_CONN:
		if (r->conn_fd >= 0)
			close(r->conn_fd);
		r->conn_fd = fd;
		r->conn_id = m.value;
		r->conn_dgram = m.nic == 1;	/* hub_stream.c: a VDE port */
		if (fd < 0)	/* not received: out of fds */
			tell(r, SBMSG_STREAM_GONE, m.value,
			     m.errnum ? m.errnum : EMFILE, NULL);
		return 1;
	case SBMSG_STREAM_DROP:	/* the hub refuses it (a MAC in use) */
		for (c = r->clients; c; c = c->next)
			if (c->id == m.value) {
				client_end(r, c, m.errnum);
				break;
			}
		if (fd >= 0)
			close(fd);
		return 1;
	case SBMSG_STREAM_UP:
		for (c = r->clients; c; c = c->next)
			if (c->id == m.value) {
				client_up(r, c);
				break;
			}
		if (fd >= 0)
			close(fd);
		return 1;
	case SBMSG_STREAM_TAP:
		if (fd >= 0 && r->conn_fd >= 0 && r->conn_id == m.value) {
			client_new(r, m.value, steal_fd(&r->conn_fd), fd,
				   r->conn_dgram);
			return 1;
		}
		if (fd >= 0)
			close(fd);
		if (r->conn_fd >= 0 && r->conn_id == m.value) {
			close(steal_fd(&r->conn_fd));
			tell(r, SBMSG_STREAM_GONE, m.value,
			     m.errnum ? m.errnum : EMFILE, NULL);
		}
		return 1;
	default:
		if (fd >= 0)
			close(fd);
		return 1;
	}
}

static void on_event(struct relay *r, struct ep *ep, uint32_t events)
{
	struct client *c;

	switch (ep->kind) {
	case EP_CTL:
		r->ctl_ready = true;
		break;
	case EP_SOCK:
		c = container_of(ep, struct client, sock);
		if (!c->dead)
			on_sock(r, c, events);
		break;
	case EP_TAP:
		c = container_of(ep, struct client, tap);
		if (!c->dead)
			to_client(r, c);
		break;
	}
}

/* Relay frames until the supervisor hangs up */
static int serve(int sock, struct qerr *e)
{
	struct epoll_event ev[EVENTS_MAX];
	struct relay *r;
	int i, n, err;

	/* the process ends when this returns: nothing here is freed */
	if (!(r = calloc(1, sizeof(*r))))
		return qerr_set(e, ENOMEM, "stream relay: starting");
	r->conn_fd = -1;
	r->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (r->epfd < 0)
		return qerr_set(e, errno, "stream relay: epoll");
	r->ctl = (struct ep){ EP_CTL, sock, 0 };
	if ((err = ep_set(r->epfd, &r->ctl, EPOLLIN)) < 0)
		return qerr_set(e, -err, "stream relay: epoll");
	for (;;) {
		n = epoll_wait(r->epfd, ev, EVENTS_MAX, -1);
		if (n < 0 && errno != EINTR)
			return qerr_set(e, errno, "stream relay: epoll_wait");
		for (i = 0; i < n; i++)
			on_event(r, ev[i].data.ptr, ev[i].events);
		while (r->graveyard) {
			struct client *c = r->graveyard;

			r->graveyard = c->next;
			free(c);
		}
		if (r->ctl_ready) {
			r->ctl_ready = false;
			if ((err = on_ctl(r)) <= 0)
				return err == 0 ? 0 :
				       qerr_set(e, -err, "stream relay: messages "
							 "from the supervisor");
		}
	}
}

int stream_relay_main(void *arg, int sock, struct qerr *e)
{
	const struct filters *f = arg;
	int r;

	nofile_raise();	/* every client costs two fds: before the filter */
	if ((r = child_confine(f, f->relay, e)) < 0)
		return r;
	if ((r = child_ready(sock)) < 0)
		return qerr_set(e, -r, "stream relay: reporting");
	return serve(sock, e);
}
