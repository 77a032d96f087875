// SPDX-License-Identifier: MIT
/*
 * forward.c - port forwards: host listeners, splice relays, UDP flows
 *
 * Theory of operation. Every forward has a listening socket on the host,
 * made here in the supervisor (so binding errors are reported before the
 * payload starts). The guest side cannot be reached from the host's
 * network namespace, so each new TCP connection (or each new UDP peer)
 * asks the sandbox's init, over the message socket, for a socket opened
 * inside the sandbox's namespace and connected to the guest; init answers
 * with the fd (SCM_RIGHTS). From then on the supervisor owns both ends.
 *
 * TCP bytes move with splice(2) through one pipe per direction, so they are
 * never copied to user space: socket -> pipe -> socket. A direction whose
 * source hit EOF is shut down on its destination once the pipe is drained
 * (half-close passes through); a reset or write error on either side
 * resets the other (SO_LINGER 0) and ends the relay. A full pipe stops
 * reading its source, so a slow reader holds back its writer through TCP's
 * own windows: memory per relay is bounded by the two pipes.
 *
 * UDP forwards keep a flow per host peer (address and port): a sandbox
 * socket connected to the guest, whose replies go back to that peer from
 * the listening socket. Flows idle for FLOW_IDLE_MS are closed; at most
 * FLOWS_MAX per forward exist, further new peers are dropped.
 *
 * All sockets sit in one epoll set whose fd is part of the supervisor's
 * poll loop; readiness is level-triggered, and each relay asks only for
 * the events it is blocked on.
 */
#include "forward.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../common/util.h"
#include "plan.h"

#define container_of(p, type, member) \
	((type *)((char *)(p) - offsetof(type, member)))

#define ACCEPTS_PER_TURN 64
#define DATAGRAMS_PER_TURN 64
#define BYTES_PER_TURN (4 << 20)	/* fairness between relays */
#define FLOW_IDLE_MS 60000
#define FLOWS_MAX 1024
#define EVENTS_MAX 256

enum ep_kind { EP_LISTEN, EP_HOST, EP_GUEST, EP_FLOW };

/* What an epoll event points at */
struct ep {
	enum ep_kind kind;
	int fd;
	uint32_t events;	/* current interest; 0: not in the set */
};

/* A dial request awaiting init's answer */
struct pending {
	struct pending *next;
	uint32_t id;
	bool is_flow;
};

struct listener {
	struct ep ep;
	struct listener *next;
	struct fwd_spec spec;
	struct in_addr guest;
	char *text;		/* as the user wrote it */
	struct flow *flows;
	int n_flows;
};

struct half {		/* one direction of a relay */
	int rd, wr;	/* its pipe */
	size_t bytes;	/* in the pipe */
	bool eof;	/* source said EOF */
	bool done;	/* EOF passed on */
	bool want_src, want_dst;
};

struct conn {
	struct ep host, guest;
	struct pending pend;
	bool connected;
	struct half up;		/* host -> guest */
	struct half down;	/* guest -> host */
	bool dead;		/* closed; freed after the current batch */
	struct conn *prev, *next;
};

struct flow {
	struct ep ep;		/* sandbox socket; fd -1 while dialing */
	struct pending pend;
	struct listener *l;
	struct sockaddr_storage peer;
	socklen_t peerlen;
	int64_t last_ms;
	void *held;		/* first datagram, held while dialing */
	size_t held_len;
	struct flow *next;
};

struct fwd_engine {
	int epfd;
	fwd_dial_fn dial;
	void *opaque;
	uint32_t next_id;
	struct listener *listeners;
	struct conn *conns;
	int n_conns, n_flows;
	struct pending *pending;
	struct conn *graveyard;	/* closed relays, freed after each batch */
};

static int ep_set(struct fwd_engine *fe, struct ep *ep, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = ep };
	int op;

	if (events == ep->events)
		return 0;
	op = !ep->events ? EPOLL_CTL_ADD : !events ? EPOLL_CTL_DEL :
						      EPOLL_CTL_MOD;
	if (epoll_ctl(fe->epfd, op, ep->fd, &ev) < 0)
		return -errno;
	ep->events = events;
	return 0;
}

/*
 * Leave the epoll set explicitly before closing: the set tracks open files,
 * not fds, and a socket's file may outlive our fd (init's copy, or one
 * still in flight over SCM_RIGHTS), which would keep reporting events for
 * a relay already freed.
 */
static void ep_close(struct fwd_engine *fe, struct ep *ep)
{
	if (ep->fd < 0)
		return;
	ep_set(fe, ep, 0);
	close(ep->fd);
	ep->fd = -1;
}

static void pending_add(struct fwd_engine *fe, struct pending *p, bool flow)
{
	p->id = ++fe->next_id;
	p->is_flow = flow;
	p->next = fe->pending;
	fe->pending = p;
}

static struct pending *pending_take(struct fwd_engine *fe, uint32_t id)
{
	struct pending **pp;

	for (pp = &fe->pending; *pp; pp = &(*pp)->next)
		if ((*pp)->id == id) {
			struct pending *p = *pp;

			*pp = p->next;
			p->next = NULL;
			p->id = 0;
			return p;
		}
	return NULL;
}

static void pending_drop(struct fwd_engine *fe, struct pending *p)
{
	if (p->id)
		pending_take(fe, p->id);
}

static void flow_free(struct fwd_engine *fe, struct flow *f);

/* ---- host listeners ---------------------------------------------------- */

static void format_host(const struct fwd_spec *s, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN];

	if (s->host_family == AF_INET6) {
		inet_ntop(AF_INET6, &s->host6, a, sizeof(a));
		snprintf(buf, size, "[%s]:%u", a, s->host_port);
	} else {
		inet_ntop(AF_INET, &s->host4, a, sizeof(a));
		snprintf(buf, size, "%s:%u", a, s->host_port);
	}
}

static int listen_socket(const struct fwd_spec *s, struct qerr *e)
{
	int type = s->proto == IPPROTO_UDP ? SOCK_DGRAM : SOCK_STREAM;
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(s->host_port),
				   .sin_addr = s->host4 };
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6,
				     .sin6_port = htons(s->host_port),
				     .sin6_addr = s->host6 };
	const char *proto = s->proto == IPPROTO_UDP ? "udp" : "tcp";
	cleanup_fd int fd = -1;
	char where[64];
	int one = 1, r;

	format_host(s, where, sizeof(where));
	fd = socket(s->host_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return qerr_set(e, errno, "creating a %s socket for %s", proto,
				where);
	/*
	 * TCP: rebind while old connections linger in TIME_WAIT. Never for
	 * UDP, where SO_REUSEADDR would let two forwards share a port.
	 */
	if (type == SOCK_STREAM)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* [::] is IPv6 only; 0.0.0.0 says IPv4 explicitly */
	if (s->host_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (s->host_family == AF_INET6)
		r = bind(fd, (struct sockaddr *)&sin6, sizeof(sin6));
	else
		r = bind(fd, (struct sockaddr *)&sin, sizeof(sin));
	if (r < 0) {
		switch (errno) {
		case EADDRINUSE:
			return qerr_set(e, 0, "%s/%s is already in use", where,
					proto);
		case EACCES:
			return qerr_set(e, 0, "%s/%s: binding a port this low "
					      "needs privilege (see sysctl "
					      "net.ipv4.ip_unprivileged_port_start)",
					where, proto);
		case EADDRNOTAVAIL:
			return qerr_set(e, 0, "%s is not an address of this "
					      "host", where);
		default:
			return qerr_set(e, errno, "binding %s/%s", where,
					proto);
		}
	}
	if (type == SOCK_STREAM && listen(fd, SOMAXCONN) < 0)
		return qerr_set(e, errno, "listening on %s/%s", where, proto);
	return steal_fd(&fd);
}

static struct listener *find_listener(struct fwd_engine *fe,
				      const struct fwd_spec *host,
				      struct listener ***link)
{
	struct listener **pp;

	for (pp = &fe->listeners; *pp; pp = &(*pp)->next)
		if (fwd_same_host_side(&(*pp)->spec, host)) {
			if (link)
				*link = pp;
			return *pp;
		}
	return NULL;
}

int fwd_engine_add(struct fwd_engine *fe, const struct fwd_spec *spec,
		   struct in_addr guest, const char *text, struct qerr *e)
{
	struct listener *l, **tail;
	int fd, r;

	if ((l = find_listener(fe, spec, NULL)))
		return qerr_usage(e, "that host port is already forwarded "
				     "(%s)", l->text);
	if ((fd = listen_socket(spec, e)) < 0)
		return fd;
	l = calloc(1, sizeof(*l));
	if (!l || !(l->text = strdup(text))) {
		free(l);
		close(fd);
		return qerr_set(e, ENOMEM, "adding a forward");
	}
	l->ep.kind = EP_LISTEN;
	l->ep.fd = fd;
	l->spec = *spec;
	l->guest = guest;
	if ((r = ep_set(fe, &l->ep, EPOLLIN)) < 0) {
		close(fd);
		free(l->text);
		free(l);
		return qerr_set(e, -r, "watching a forward");
	}
	for (tail = &fe->listeners; *tail; tail = &(*tail)->next)
		;
	*tail = l;	/* in the order they were added, for listings */
	return 0;
}

static void listener_free(struct fwd_engine *fe, struct listener *l)
{
	while (l->flows)
		flow_free(fe, l->flows);
	ep_close(fe, &l->ep);
	free(l->text);
	free(l);
}

int fwd_engine_remove(struct fwd_engine *fe, const struct fwd_spec *host)
{
	struct listener **link, *l = find_listener(fe, host, &link);

	if (!l)
		return -ENOENT;
	*link = l->next;
	listener_free(fe, l);
	return 0;
}

int fwd_engine_count(const struct fwd_engine *fe)
{
	const struct listener *l;
	int n = 0;

	for (l = fe->listeners; l; l = l->next)
		n++;
	return n;
}

const struct fwd_spec *fwd_engine_nth(const struct fwd_engine *fe, int i,
				      struct in_addr *guest, const char **text)
{
	const struct listener *l;

	for (l = fe->listeners; l && i > 0; l = l->next)
		i--;
	if (!l)
		return NULL;
	*guest = l->guest;
	*text = l->text;
	return &l->spec;
}

/* ---- TCP relays ------------------------------------------------------- */

static void set_nodelay(int fd)
{
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/* Make close() send RST: the peer learns the other side was reset */
static void set_reset(int fd)
{
	struct linger lg = { 1, 0 };

	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
}

static void half_close(struct half *h)
{
	if (h->rd >= 0)
		close(h->rd);
	if (h->wr >= 0)
		close(h->wr);
	h->rd = h->wr = -1;
}

/*
 * Close a relay. Its memory lives until the end of the current batch of
 * events, which may still name it (both its sockets can be ready at once).
 */
static void conn_free(struct fwd_engine *fe, struct conn *c, bool reset)
{
	if (reset) {
		set_reset(c->host.fd);
		set_reset(c->guest.fd);
	}
	pending_drop(fe, &c->pend);
	ep_close(fe, &c->host);
	ep_close(fe, &c->guest);
	half_close(&c->up);
	half_close(&c->down);
	if (c->prev)
		c->prev->next = c->next;
	else
		fe->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	fe->n_conns--;
	c->dead = true;
	c->next = fe->graveyard;
	fe->graveyard = c;
}

static void bury(struct fwd_engine *fe)
{
	while (fe->graveyard) {
		struct conn *c = fe->graveyard;

		fe->graveyard = c->next;
		free(c);
	}
}

static void accept_conns(struct fwd_engine *fe, struct listener *l)
{
	int i;

	for (i = 0; i < ACCEPTS_PER_TURN; i++) {
		int fd = accept4(l->ep.fd, NULL, NULL,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct conn *c;

		if (fd < 0)
			return;	/* EAGAIN, or out of fds: retry next turn */
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			return;
		}
		c->host = (struct ep){ EP_HOST, fd, 0 };
		c->guest = (struct ep){ EP_GUEST, -1, 0 };
		c->up.rd = c->up.wr = c->down.rd = c->down.wr = -1;
		c->next = fe->conns;
		if (fe->conns)
			fe->conns->prev = c;
		fe->conns = c;
		fe->n_conns++;
		pending_add(fe, &c->pend, false);
		if (fe->dial(fe->opaque, c->pend.id, IPPROTO_TCP, l->guest,
			     l->spec.guest_port) < 0)
			conn_free(fe, c, true);
	}
}

/*
 * Move what can move from @src to @dst through @h's pipe without blocking.
 * Returns 0, or -errno when a side failed (the relay is then reset).
 */
static int pump(struct half *h, int src, int dst)
{
	size_t moved = 0;
	ssize_t n;
	bool progress;

	h->want_src = h->want_dst = false;
	if (h->done)
		return 0;
	do {
		progress = false;
		if (!h->eof) {
			n = splice(src, NULL, h->wr, NULL, 1 << 20,
				   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
			if (n > 0) {
				h->bytes += (size_t)n;
				moved += (size_t)n;
				progress = true;
			} else if (n == 0) {
				h->eof = true;
				progress = true;
			} else if (errno != EAGAIN && errno != EINTR) {
				return -errno;
			}
		}
		if (h->bytes) {
			n = splice(h->rd, NULL, dst, NULL, h->bytes,
				   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
			if (n > 0) {
				h->bytes -= (size_t)n;
				progress = true;
			} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
				return -errno;
			}
		}
		if (h->eof && !h->bytes) {
			shutdown(dst, SHUT_WR);
			h->done = true;
			return 0;
		}
	} while (progress && moved < BYTES_PER_TURN);
	if (h->bytes)
		h->want_dst = true;	/* the source waits in its socket */
	else
		h->want_src = true;
	return 0;
}

static void relay(struct fwd_engine *fe, struct conn *c)
{
	uint32_t hev, gev;
	int r;

	if ((r = pump(&c->up, c->host.fd, c->guest.fd)) < 0 ||
	    (r = pump(&c->down, c->guest.fd, c->host.fd)) < 0) {
		conn_free(fe, c, true);
		return;
	}
	if (c->up.done && c->down.done) {
		conn_free(fe, c, false);
		return;
	}
	hev = (c->up.want_src ? EPOLLIN : 0) | (c->down.want_dst ? EPOLLOUT : 0);
	gev = (c->down.want_src ? EPOLLIN : 0) | (c->up.want_dst ? EPOLLOUT : 0);
	/*
	 * An fd is watched only for what its relay waits on (an idle one
	 * leaves the set): level-triggered HUP or RDHUP on a socket that has
	 * nothing to do would otherwise spin the loop.
	 */
	if (ep_set(fe, &c->host, hev) < 0 || ep_set(fe, &c->guest, gev) < 0)
		conn_free(fe, c, true);
}

static int new_pipe(struct half *h)
{
	int p[2];

	if (pipe2(p, O_NONBLOCK | O_CLOEXEC) < 0)
		return -errno;
	h->rd = p[0];
	h->wr = p[1];
	return 0;
}

/* The guest side finished connecting (or failed to) */
static void guest_connected(struct fwd_engine *fe, struct conn *c)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(c->guest.fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err) {		/* refused or unreachable: reset the client */
		conn_free(fe, c, true);
		return;
	}
	if (new_pipe(&c->up) < 0 || new_pipe(&c->down) < 0) {
		conn_free(fe, c, true);
		return;
	}
	c->connected = true;
	set_nodelay(c->host.fd);
	set_nodelay(c->guest.fd);
	relay(fe, c);
}

/* ---- UDP flows ---------------------------------------------------------- */

static void flow_free(struct fwd_engine *fe, struct flow *f)
{
	struct flow **pp;

	for (pp = &f->l->flows; *pp; pp = &(*pp)->next)
		if (*pp == f) {
			*pp = f->next;
			break;
		}
	pending_drop(fe, &f->pend);
	ep_close(fe, &f->ep);
	free(f->held);
	f->l->n_flows--;
	fe->n_flows--;
	free(f);
}

static struct flow *flow_find(struct listener *l,
			      const struct sockaddr_storage *peer,
			      socklen_t len)
{
	struct flow *f;

	for (f = l->flows; f; f = f->next)
		if (f->peerlen == len && !memcmp(&f->peer, peer, len))
			return f;
	return NULL;
}

static struct flow *flow_new(struct fwd_engine *fe, struct listener *l,
			     const struct sockaddr_storage *peer,
			     socklen_t len)
{
	struct flow *f;

	if (l->n_flows >= FLOWS_MAX)
		return NULL;
	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->ep = (struct ep){ EP_FLOW, -1, 0 };
	f->l = l;
	memcpy(&f->peer, peer, len);
	f->peerlen = len;
	f->next = l->flows;
	l->flows = f;
	l->n_flows++;
	fe->n_flows++;
	pending_add(fe, &f->pend, true);
	if (fe->dial(fe->opaque, f->pend.id, IPPROTO_UDP, l->guest,
		     l->spec.guest_port) < 0) {
		flow_free(fe, f);
		return NULL;
	}
	return f;
}

static void udp_from_host(struct fwd_engine *fe, struct listener *l)
{
	static uint8_t buf[65536];
	int i;

	for (i = 0; i < DATAGRAMS_PER_TURN; i++) {
		struct sockaddr_storage peer;
		socklen_t len = sizeof(peer);
		ssize_t n = recvfrom(l->ep.fd, buf, sizeof(buf), MSG_DONTWAIT,
				     (struct sockaddr *)&peer, &len);
		struct flow *f;

		if (n < 0)
			return;
		f = flow_find(l, &peer, len);
		if (!f && !(f = flow_new(fe, l, &peer, len)))
			continue;	/* too many peers: dropped */
		f->last_ms = now_ns() / 1000000;
		if (f->ep.fd >= 0) {
			send(f->ep.fd, buf, (size_t)n, MSG_DONTWAIT);
		} else if (!f->held) {	/* hold the first until dialed */
			f->held = malloc((size_t)n);
			if (f->held) {
				memcpy(f->held, buf, (size_t)n);
				f->held_len = (size_t)n;
			}
		}
	}
}

static void udp_from_guest(struct fwd_engine *fe, struct flow *f)
{
	static uint8_t buf[65536];
	int i;

	(void)fe;
	for (i = 0; i < DATAGRAMS_PER_TURN; i++) {
		ssize_t n = recv(f->ep.fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n < 0)
			return;	/* EAGAIN, or ICMP errors: nothing to pass */
		f->last_ms = now_ns() / 1000000;
		sendto(f->l->ep.fd, buf, (size_t)n, MSG_DONTWAIT,
		       (struct sockaddr *)&f->peer, f->peerlen);
	}
}

static void expire_flows(struct fwd_engine *fe)
{
	int64_t now = now_ns() / 1000000;
	struct listener *l;
	struct flow *f, *next;

	for (l = fe->listeners; l; l = l->next)
		for (f = l->flows; f; f = next) {
			next = f->next;
			if (now - f->last_ms >= FLOW_IDLE_MS)
				flow_free(fe, f);
		}
}

int64_t fwd_engine_timeout(const struct fwd_engine *fe)
{
	int64_t now = now_ns() / 1000000, t = -1;
	const struct listener *l;
	const struct flow *f;

	for (l = fe->listeners; l; l = l->next)
		for (f = l->flows; f; f = f->next) {
			int64_t left = f->last_ms + FLOW_IDLE_MS - now;

			if (t < 0 || left < t)
				t = left < 0 ? 0 : left;
		}
	return t;
}

/* ---- the engine --------------------------------------------------------- */

void fwd_engine_dialed(struct fwd_engine *fe, uint32_t id, int errnum,
		       int fd)
{
	struct pending *p = pending_take(fe, id);

	if (!p) {		/* its client is gone already */
		if (fd >= 0)
			close(fd);
		return;
	}
	if (p->is_flow) {
		struct flow *f = container_of(p, struct flow, pend);

		if (errnum || fd < 0) {
			if (fd >= 0)
				close(fd);
			flow_free(fe, f);
			return;
		}
		f->ep.fd = fd;	/* closed by flow_free from here on */
		if (ep_set(fe, &f->ep, EPOLLIN) < 0) {
			flow_free(fe, f);
			return;
		}
		if (f->held) {
			send(fd, f->held, f->held_len, MSG_DONTWAIT);
			free(f->held);
			f->held = NULL;
		}
		return;
	}
	struct conn *c = container_of(p, struct conn, pend);

	if (errnum || fd < 0) {
		if (fd >= 0)
			close(fd);
		conn_free(fe, c, true);
		return;
	}
	c->guest.fd = fd;
	/* connecting: writable once done; host side stays quiet till then */
	if (ep_set(fe, &c->guest, EPOLLOUT) < 0)
		conn_free(fe, c, true);
}

void fwd_engine_run(struct fwd_engine *fe)
{
	struct epoll_event ev[EVENTS_MAX];
	int i, n;

	n = epoll_wait(fe->epfd, ev, EVENTS_MAX, 0);
	for (i = 0; i < n; i++) {
		struct ep *ep = ev[i].data.ptr;
		struct listener *l;
		struct conn *c;

		switch (ep->kind) {
		case EP_LISTEN:
			l = container_of(ep, struct listener, ep);
			if (l->spec.proto == IPPROTO_UDP)
				udp_from_host(fe, l);
			else
				accept_conns(fe, l);
			break;
		case EP_FLOW:
			udp_from_guest(fe, container_of(ep, struct flow, ep));
			break;
		case EP_HOST:
		case EP_GUEST:
			c = ep->kind == EP_HOST ?
				    container_of(ep, struct conn, host) :
				    container_of(ep, struct conn, guest);
			if (c->dead)
				break;
			if (c->connected)
				relay(fe, c);
			else
				guest_connected(fe, c);
			break;
		}
	}
	expire_flows(fe);
	bury(fe);
}

struct fwd_engine *fwd_engine_new(fwd_dial_fn dial, void *opaque,
				  struct qerr *e)
{
	struct fwd_engine *fe = calloc(1, sizeof(*fe));

	if (!fe) {
		qerr_set(e, ENOMEM, "starting forwards");
		return NULL;
	}
	fe->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (fe->epfd < 0) {
		qerr_set(e, errno, "starting forwards: epoll");
		free(fe);
		return NULL;
	}
	fe->dial = dial;
	fe->opaque = opaque;
	return fe;
}

int fwd_engine_fd(const struct fwd_engine *fe)
{
	return fe->epfd;
}

int fwd_engine_active(const struct fwd_engine *fe)
{
	return fe->n_conns + fe->n_flows;
}

void fwd_engine_free(struct fwd_engine *fe)
{
	struct listener *l;

	if (!fe)
		return;
	while (fe->conns)
		conn_free(fe, fe->conns, false);
	bury(fe);
	while ((l = fe->listeners)) {
		fe->listeners = l->next;
		listener_free(fe, l);
	}
	close(fe->epfd);
	free(fe);
}
