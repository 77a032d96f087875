// SPDX-License-Identifier: MIT
/*
 * fwd_worker.c - a forward worker: accepts, dials the guest, relays
 *
 * Theory of operation. A worker is a confined process in the sandbox's
 * user and network namespaces, started by the supervisor with the
 * sandbox's first forward (supervisor/fwd_engine.c, through seccomp/child.h).
 * The supervisor binds every forward's host listener and passes it over
 * the worker's message socket (SBMSG_LISTEN); from then on the listening
 * socket is one open file shared by the supervisor and every worker.
 *
 * TCP: every worker watches every TCP listener with EPOLLEXCLUSIVE, so a
 * new connection wakes one idle worker, not all of them. The worker
 * accepts it, opens a non-blocking socket to the guest from inside the
 * namespace (the sandbox's bridge address routes there) and relays the
 * two with splice(2): socket -> pipe -> socket, never through user space.
 * A source's EOF becomes shutdown(SHUT_WR) on the destination once the
 * pipe is drained (half-close passes through); an error on either side
 * resets the other (SO_LINGER 0); a refused guest port resets the client.
 *
 * Pipes are lent, not owned: a direction takes a pipe from a small pool
 * when it has bytes to move and gives it back as soon as the pipe is
 * empty again, so an idle relay holds only its two sockets (two fds, no
 * pipe buffers). Only a direction whose destination cannot take more
 * keeps its pipe; it then stops reading its source, and TCP's windows hold
 * the sender back: per relay at most two pipes, of the kernel's default
 * 64 KiB. A direction that has moved 1 MiB is a bulk transfer: its
 * pipe grows to 1 MiB (F_SETPIPE_SZ), at most BIG_MAX of them per
 * worker, which halves the worker's CPU time per byte
 * (docs/ARCHITECTURE.md, "Pipe size"). The pool keeps at most POOL_MAX
 * empty pipes, grown ones too, and is emptied whenever the worker has no
 * relay left. When no pipe can be had (out of fds), bytes are
 * copied through a user-space buffer instead: peeked from the source,
 * sent, and only what was sent is removed from the source, so nothing is
 * ever held here.
 *
 * Out of fds: when accept(2) fails with EMFILE or ENFILE (or the guest
 * socket cannot be opened for a client just accepted), the worker takes
 * its TCP listeners out of its epoll set, so a level-triggered listener
 * cannot spin it. It puts them back when one of its relays closes, or
 * after STARVED_RETRY_MS. Meanwhile new connections wait in the kernel's
 * backlog (SOMAXCONN) or go to another worker. A client accepted but not
 * yet dialled waits, connected, until an fd is free. One fd slot is kept
 * in reserve for the supervisor's next message, so forwards can be added
 * and removed even while a worker is full.
 *
 * UDP: only worker 0 is given UDP listeners (a flow must live in one
 * process). It keeps a flow per host peer (address and port): a socket
 * connected to the guest, whose replies go back to that peer from the
 * listening socket. Flows idle for FLOW_IDLE_MS are closed (the tests
 * shorten it with QBOX_TEST_UDP_IDLE_MS); at most FLOWS_MAX per forward
 * exist, further new peers are dropped.
 *
 * Readiness is level-triggered, and each relay asks only for the events
 * it is blocked on. Messages from the supervisor are handled after each
 * batch of events, so a listener (with its flows) is never freed while the
 * batch may still name it; closed relays are freed after the batch too.
 *
 * The kernel's egress path (egress.h): one more worker, started in the
 * host's namespaces (supervisor/sup_egress.c), is given the sandbox's
 * egress listener and its queue of held SYNs. For each SYN it connects
 * from the host to where the SYN goes (the host alias to 127.0.0.1);
 * until that connect answers the SYN waits in the queue, so the guest's
 * handshake completes only with the host's. An answer lets the SYN on
 * (redirected to the listener); a refusal re-runs it marked, and the
 * sandbox's rules refuse it as libslirp would. A retransmitted SYN of a
 * connection still connecting is dropped: the first one is held. The
 * connection the listener then accepts is paired, by its addresses and
 * original destination (SO_ORIGINAL_DST), with the host's, and relayed
 * as a forward's: accepted side as "host", dialled side as "guest". One
 * whose guest never completes its handshake is reset after ACCEPT_WAIT_MS.
 *
 * One file, though long: it is one event loop, and its parts (TCP relays,
 * the pipe pool, pausing when out of fds, UDP flows, the supervisor's
 * messages) all act on the one struct worker and its epoll set, and
 * each's invariants are the others' (a relay's pipe comes from the pool,
 * a closed relay may resume a paused worker, a removed listener takes its
 * flows); split, each file would need the others' insides.
 */
#include "dataplane/fwd_worker.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <libmnl/libmnl.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <linux/netfilter_ipv4.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/sbmsg.h"
#include "common/util.h"
#include "dataplane/egress.h"
#include "dataplane/ep.h"
#include "seccomp/child.h"

#define EVENTS_MAX 256
#define ACCEPTS_PER_TURN 64
#define DATAGRAMS_PER_TURN 64
#define BYTES_PER_TURN (4 << 20)	/* fairness between relays */
#define POOL_MAX 16			/* empty pipes kept for reuse */
#define PIPE_BIG (1 << 20)		/* a busy direction's pipe grows to */
#define BIG_MAX 4			/* ... at most this many per worker */
#define PIPE_SMALL 65536		/* the kernel's default pipe size */
#define STARVED_RETRY_MS 250
#define FLOW_IDLE_MS 60000
#define FLOWS_MAX 1024
#define PENDING_BUCKETS 4096	/* egress: connections by key */
#define ACCEPT_WAIT_MS 30000	/* egress: a SYN let through, its
				   handshake not completed by then */
#define SWEEP_MS 1000
#define VERDICTS_PER_TURN 256

enum ep_kind { EP_CTL, EP_LISTEN, EP_HOST, EP_GUEST, EP_FLOW, EP_QUEUE };

struct pipe_fds {
	int rd, wr;		/* -1: none */
	size_t size;		/* its capacity: PIPE_BIG once grown */
	bool sized;		/* growing it was tried (once) */
};

/* A guest's address, IPv4 or IPv6 */
union guest_addr {
	struct sockaddr sa;
	struct sockaddr_in v4;
	struct sockaddr_in6 v6;
};

static socklen_t guest_len(const union guest_addr *g)
{
	return g->sa.sa_family == AF_INET6 ? sizeof(g->v6) : sizeof(g->v4);
}

struct listener {
	struct ep ep;
	struct listener *next;
	uint32_t id;		/* the supervisor's name for the forward */
	int proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	bool egress;		/* the egress listener: no guest of its own */
	union guest_addr guest;
	struct flow *flows;
	int n_flows;
};

struct half {		/* one direction of a relay */
	struct pipe_fds pipe;	/* lent while bytes are in flight */
	size_t bytes;	/* in the pipe */
	uint64_t total;	/* moved in the relay's life, up to PIPE_BIG */
	bool eof;	/* source said EOF */
	bool done;	/* EOF passed on */
	bool want_src, want_dst;
};

struct conn {
	struct ep host, guest;
	union guest_addr to;	/* the guest */
	bool connected;
	bool parked;		/* accepted, waiting for an fd to dial */
	bool dead;		/* closed; freed after the current batch */
	struct half up;		/* host -> guest */
	struct half down;	/* guest -> host */
	struct conn *prev, *next;
	struct conn *park_next;
	/* egress: until its guest side is accepted */
	struct egress_key key;
	bool pending;		/* in the worker's table by key */
	bool held;		/* its SYN waits for our verdict */
	uint32_t pkt_id;	/* ... the queue's name for it */
	int64_t deadline_ms;	/* let through: accepted by then */
	struct conn *hnext;
};

struct flow {
	struct ep ep;		/* socket connected to the guest */
	struct listener *l;
	struct sockaddr_storage peer;
	socklen_t peerlen;
	int64_t last_ms;
	struct flow *next;
};

struct worker {
	int epfd;
	struct ep ctl;		/* message socket to the supervisor */
	bool ctl_ready;		/* ... readable: handled after the batch */
	int spare;		/* reserved fd slot for the next message */
	struct listener *listeners;
	struct conn *conns;
	int n_conns;
	struct conn *parked;	/* accepted, no fd left for the guest side */
	struct conn *graveyard;	/* closed relays, freed after each batch */
	struct pipe_fds pool[POOL_MAX];
	int n_pool;
	int n_big;		/* grown pipes, lent or in the pool */
	bool paused;		/* out of fds: TCP listeners left the set */
	bool freed;		/* fds were closed during this turn */
	int64_t retry_ms;	/* while paused: try again at this time */
	int64_t flow_idle_ms;	/* a UDP flow idle this long is closed */
	/* egress only */
	struct ep queue;	/* the sandbox's queue of held SYNs */
	struct egress_map map;
	struct conn *pending[PENDING_BUCKETS];
	int n_pending;
	int64_t sweep_ms;	/* next look for expired ones */
	int index;		/* its queue's number */
	int flows_max;		/* connections it may hold (pending too) */
	uint8_t buf[65536];	/* datagrams; copies when no pipe is free */
};

int fwd_worker_count(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 2 ? 2 : (int)n;
}

static int64_t now_ms(void)
{
	return now_ns() / 1000000;
}

/* Errors that mean: no fd (or kernel memory) for one more socket now */
static bool starved(int err)
{
	return err == EMFILE || err == ENFILE || err == ENOBUFS ||
	       err == ENOMEM;
}

/* Close @ep; the worker's fds are fewer: a paused worker may resume */
static void close_ep(struct worker *w, struct ep *ep)
{
	if (ep_close(w->epfd, ep))
		w->freed = true;
}

/* ---- accepting, and pausing when out of fds ------------------------- */

/*
 * EPOLLEXCLUSIVE: one idle worker is woken per new connection. (It cannot
 * be changed with EPOLL_CTL_MOD, only added and deleted, which is all a
 * pause needs.)
 */
static uint32_t listen_events(const struct worker *w,
			      const struct listener *l)
{
	if (l->proto == IPPROTO_UDP)
		return EPOLLIN;
	return w->paused ? 0 : EPOLLIN | EPOLLEXCLUSIVE;
}

static void listeners_watch(struct worker *w)
{
	struct listener *l;

	for (l = w->listeners; l; l = l->next)
		ep_set(w->epfd, &l->ep, listen_events(w, l));
}

/* Out of fds: stop accepting until an fd is freed or the timer fires */
static void pause_accepting(struct worker *w)
{
	w->retry_ms = now_ms() + STARVED_RETRY_MS;
	if (w->paused)
		return;
	w->paused = true;
	listeners_watch(w);
}

static void conn_free(struct worker *w, struct conn *c, bool reset);
static void dial(struct worker *w, struct conn *c);

/* Fds were freed (or time passed): the reserve, waiting clients, then new */
static void resume_accepting(struct worker *w)
{
	struct conn *c;

	if (w->spare < 0)
		w->spare = fcntl(w->epfd, F_DUPFD_CLOEXEC, 0);
	w->paused = false;
	while (!w->paused && (c = w->parked)) {
		w->parked = c->park_next;
		c->parked = false;
		dial(w, c);	/* parks it again if still out of fds */
	}
	if (!w->paused)
		listeners_watch(w);
}

static struct conn *conn_new(struct worker *w, int fd,
			     const union guest_addr *to)
{
	struct conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->host = (struct ep){ EP_HOST, fd, 0 };
	c->guest = (struct ep){ EP_GUEST, -1, 0 };
	c->to = *to;
	c->up.pipe = c->down.pipe = (struct pipe_fds){ -1, -1, 0, false };
	c->next = w->conns;
	if (w->conns)
		w->conns->prev = c;
	w->conns = c;
	w->n_conns++;
	return c;
}

/* Start the connection to the guest from inside the sandbox */
static void dial(struct worker *w, struct conn *c)
{
	int fd = socket(c->to.sa.sa_family,
			SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		if (!starved(errno)) {
			conn_free(w, c, true);
			return;
		}
		/* the client stays connected to us and waits for an fd */
		c->parked = true;
		c->park_next = w->parked;
		w->parked = c;
		pause_accepting(w);
		return;
	}
	c->guest.fd = fd;
	if (connect(fd, &c->to.sa, guest_len(&c->to)) < 0 &&
	    errno != EINPROGRESS) {
		conn_free(w, c, true);	/* unreachable: reset the client */
		return;
	}
	/* writable once connected; the host side stays quiet till then */
	if (ep_set(w->epfd, &c->guest, EPOLLOUT) < 0)
		conn_free(w, c, true);
}

static void egress_accepted(struct worker *w, int fd,
			    const struct sockaddr_in *peer);

static void accept_conns(struct worker *w, struct listener *l, int max)
{
	int i;

	for (i = 0; i < max && !w->paused; i++) {
		struct sockaddr_in peer;
		socklen_t len = sizeof(peer);
		int fd = accept4(l->ep.fd, (struct sockaddr *)&peer, &len,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct conn *c;

		if (fd < 0) {
			if (starved(errno))
				pause_accepting(w);
			else if (errno == ECONNABORTED || errno == EINTR)
				continue;	/* that client gave up */
			return;			/* EAGAIN: all taken */
		}
		if (l->egress) {
			egress_accepted(w, fd, &peer);
			continue;
		}
		if (!(c = conn_new(w, fd, &l->guest))) {
			close(fd);
			pause_accepting(w);
			return;
		}
		dial(w, c);
	}
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

/*
 * Lend @h a pipe: one from the pool, else a new one. False when none can
 * be had (out of fds): the caller then copies without one.
 */
static bool pipe_take(struct worker *w, struct half *h)
{
	int p[2];

	if (h->pipe.rd >= 0)
		return true;
	if (w->n_pool) {
		h->pipe = w->pool[--w->n_pool];
		return true;
	}
	if (pipe2(p, O_NONBLOCK | O_CLOEXEC) < 0)
		return false;
	h->pipe = (struct pipe_fds){ p[0], p[1], PIPE_SMALL, false };
	return true;
}

/*
 * @h has moved PIPE_BIG bytes: a bulk transfer. Grow its pipe to
 * PIPE_BIG, once, while the worker holds fewer than BIG_MAX grown pipes:
 * each splice then moves up to 1 MiB, and iperf3 through a forward ran a
 * quarter faster at half the worker's CPU time per byte
 * (docs/ARCHITECTURE.md, "Pipe size"). Volume, not a full pipe, says
 * "bulk": a pipe is 16 slots, and a read from TCP can fill them with well
 * under 64 KiB, so a relay that watched for 64 KiB in its pipe stayed
 * small in some runs and ran a fifth slower. A pipe that cannot grow
 * (the user is over fs.pipe-user-pages-soft, or 1 MiB is above
 * fs.pipe-max-size) keeps its size and is not tried again.
 */
static void pipe_grow(struct worker *w, struct half *h)
{
	int size;

	if (h->pipe.sized || w->n_big >= BIG_MAX)
		return;
	h->pipe.sized = true;
	if ((size = fcntl(h->pipe.wr, F_SETPIPE_SZ, PIPE_BIG)) < 0)
		return;
	h->pipe.size = (size_t)size;
	w->n_big++;
}

static void pipe_close(struct worker *w, struct pipe_fds *p)
{
	if (p->size > PIPE_SMALL)
		w->n_big--;
	close(p->rd);
	close(p->wr);
	w->freed = true;
}

/*
 * Take @h's pipe back: into the pool if it is empty and there is room.
 * A grown pipe goes back grown: the pool is a stack, so the busy relay
 * that gave it back takes it again on its next turn.
 */
static void pipe_give(struct worker *w, struct half *h)
{
	if (h->pipe.rd < 0)
		return;
	if (!h->bytes && w->n_pool < POOL_MAX)
		w->pool[w->n_pool++] = h->pipe;
	else
		pipe_close(w, &h->pipe);
	h->pipe = (struct pipe_fds){ -1, -1, 0, false };
	h->bytes = 0;
}

static void pool_drain(struct worker *w)
{
	while (w->n_pool)
		pipe_close(w, &w->pool[--w->n_pool]);
}

/*
 * Move bytes from @src to @dst without a pipe: peek, send, and remove from
 * the source only what @dst took. The rest stays in the source socket, so
 * nothing is held here. Used only when no pipe can be had.
 */
static int copy(struct worker *w, struct half *h, int src, int dst)
{
	ssize_t n, m;

	n = recv(src, w->buf, sizeof(w->buf), MSG_PEEK | MSG_DONTWAIT);
	if (n == 0) {
		shutdown(dst, SHUT_WR);
		h->eof = h->done = true;
		return 0;
	}
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
		h->want_src = true;
		return 0;
	}
	m = send(dst, w->buf, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (m < 0 && errno != EAGAIN && errno != EINTR)
		return -errno;
	if (m > 0 && recv(src, w->buf, (size_t)m, MSG_TRUNC | MSG_DONTWAIT) < 0)
		return -errno;
	if (m < n)
		h->want_dst = true;	/* the rest waits in the source */
	else
		h->want_src = true;
	return 0;
}

/*
 * Move what can move from @src to @dst through a lent pipe without
 * blocking. Returns 0, or -errno when a side failed (the relay is then
 * reset).
 */
static int pump(struct worker *w, struct half *h, int src, int dst)
{
	size_t moved = 0;
	ssize_t n;
	bool progress;

	h->want_src = h->want_dst = false;
	if (h->done)
		return 0;
	if (!pipe_take(w, h))
		return copy(w, h, src, dst);
	do {
		progress = false;
		if (!h->eof) {
			n = splice(src, NULL, h->pipe.wr, NULL, 1 << 20,
				   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
			if (n > 0) {
				h->bytes += (size_t)n;
				moved += (size_t)n;
				progress = true;
				if (h->total < PIPE_BIG)
					h->total += (uint64_t)n;
				else
					pipe_grow(w, h);
			} else if (n == 0) {
				h->eof = true;
				progress = true;
			} else if (errno != EAGAIN && errno != EINTR) {
				return -errno;
			}
		}
		if (h->bytes) {
			n = splice(h->pipe.rd, NULL, dst, NULL, h->bytes,
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
			pipe_give(w, h);
			return 0;
		}
	} while (progress && moved < BYTES_PER_TURN);
	if (h->bytes) {
		h->want_dst = true;	/* keeps its pipe; the source waits */
	} else {
		h->want_src = true;
		pipe_give(w, h);
	}
	return 0;
}

/*
 * Close a relay. Its memory lives until the end of the current batch of
 * events, which may still name it (both its sockets can be ready at once).
 */
static void pending_del(struct worker *w, struct conn *c);

static void conn_free(struct worker *w, struct conn *c, bool reset)
{
	pending_del(w, c);
	if (reset) {
		set_reset(c->host.fd);
		set_reset(c->guest.fd);
	}
	if (c->parked) {
		struct conn **pp;

		for (pp = &w->parked; *pp != c; pp = &(*pp)->park_next)
			;
		*pp = c->park_next;
		c->parked = false;
	}
	close_ep(w, &c->host);
	close_ep(w, &c->guest);
	pipe_give(w, &c->up);
	pipe_give(w, &c->down);
	if (c->prev)
		c->prev->next = c->next;
	else
		w->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	w->n_conns--;
	c->dead = true;
	c->next = w->graveyard;
	w->graveyard = c;
}

static void bury(struct worker *w)
{
	while (w->graveyard) {
		struct conn *c = w->graveyard;

		w->graveyard = c->next;
		free(c);
	}
}

static void relay(struct worker *w, struct conn *c)
{
	uint32_t hev, gev;
	int r;

	if ((r = pump(w, &c->up, c->host.fd, c->guest.fd)) < 0 ||
	    (r = pump(w, &c->down, c->guest.fd, c->host.fd)) < 0) {
		conn_free(w, c, true);
		return;
	}
	if (c->up.done && c->down.done) {
		conn_free(w, c, false);
		return;
	}
	hev = (c->up.want_src ? EPOLLIN : 0) | (c->down.want_dst ? EPOLLOUT : 0);
	gev = (c->down.want_src ? EPOLLIN : 0) | (c->up.want_dst ? EPOLLOUT : 0);
	/*
	 * An fd is watched only for what its relay waits on (an idle one
	 * leaves the set): level-triggered HUP or RDHUP on a socket that has
	 * nothing to do would otherwise spin the loop.
	 */
	if (ep_set(w->epfd, &c->host, hev) < 0 ||
	    ep_set(w->epfd, &c->guest, gev) < 0)
		conn_free(w, c, true);
}

/* The guest side finished connecting (or failed to) */
static void guest_connected(struct worker *w, struct conn *c)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(c->guest.fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err) {		/* refused or unreachable: reset the client */
		conn_free(w, c, true);
		return;
	}
	c->connected = true;
	set_nodelay(c->host.fd);
	set_nodelay(c->guest.fd);
	relay(w, c);
}

/* ---- the egress path (egress.h) ------------------------------------- */

static struct conn **bucket(struct worker *w, const struct egress_key *k)
{
	return &w->pending[egress_hash(k, PENDING_BUCKETS)];
}

static struct conn *pending_find(struct worker *w, const struct egress_key *k)
{
	struct conn *c;

	for (c = *bucket(w, k); c; c = c->hnext)
		if (egress_key_eq(&c->key, k))
			return c;
	return NULL;
}

static void pending_add(struct worker *w, struct conn *c)
{
	struct conn **b = bucket(w, &c->key);

	c->hnext = *b;
	*b = c;
	c->pending = true;
	w->n_pending++;
}

static void pending_del(struct worker *w, struct conn *c)
{
	struct conn **pp;

	if (!c->pending)
		return;
	for (pp = bucket(w, &c->key); *pp != c; pp = &(*pp)->hnext)
		;
	*pp = c->hnext;
	c->pending = false;
	w->n_pending--;
}

/* The queue's verdict on packet @id, with @mark unless 0 */
static void verdict(struct worker *w, uint32_t id, int v, uint32_t mark)
{
	char buf[128];
	struct nlmsghdr *nlh = nfq_nlmsg_put(buf, NFQNL_MSG_VERDICT,
					     (uint32_t)w->index);

	nfq_nlmsg_verdict_put(nlh, (int)id, v);
	if (mark)
		nfq_nlmsg_verdict_put_mark(nlh, mark);
	/* a lost verdict leaves the SYN queued: the guest sends it again,
	   and the kernel frees what the queue held when it is closed */
	send(w->queue.fd, nlh, nlh->nlmsg_len, MSG_DONTWAIT);
}

/* A new SYN @k, packet @id: connect from the host; its verdict waits */
static void egress_syn(struct worker *w, uint32_t id,
		       const struct egress_key *k)
{
	struct sockaddr_in to;
	union guest_addr far;
	struct conn *c = pending_find(w, k);
	int fd;

	if (c) {	/* the guest sent it again */
		if (c->held)
			verdict(w, id, NF_DROP, 0);
		else
			verdict(w, id, NF_ACCEPT, EGRESS_MARK_LISTEN(w->index));
		return;
	}
	if (w->n_conns >= w->flows_max) {	/* its share of the bound */
		verdict(w, id, NF_REPEAT, EGRESS_MARK_NET);
		return;
	}
	to = egress_target(&w->map, k);
	far.v4 = to;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {		/* out of fds: it comes again in a second */
		verdict(w, id, NF_DROP, 0);
		return;
	}
	if (connect(fd, (struct sockaddr *)&to, sizeof(to)) < 0 &&
	    errno != EINPROGRESS) {
		verdict(w, id, NF_REPEAT, egress_fail_mark(errno));
		close(fd);
		w->freed = true;
		return;
	}
	if (!(c = conn_new(w, -1, &far))) {
		verdict(w, id, NF_DROP, 0);
		close(fd);
		w->freed = true;
		return;
	}
	c->guest.fd = fd;
	c->key = *k;
	c->held = true;
	c->pkt_id = id;
	pending_add(w, c);
	if (ep_set(w->epfd, &c->guest, EPOLLOUT) < 0) {
		verdict(w, id, NF_DROP, 0);
		conn_free(w, c, false);
	}
}

/* The host's connect for a held SYN answered */
static void egress_dialed(struct worker *w, struct conn *c)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(c->guest.fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	c->held = false;
	if (err) {
		verdict(w, c->pkt_id, NF_REPEAT, egress_fail_mark(err));
		conn_free(w, c, false);
		return;
	}
	verdict(w, c->pkt_id, NF_ACCEPT, EGRESS_MARK_LISTEN(w->index));
	c->deadline_ms = now_ms() + ACCEPT_WAIT_MS;
	if (!w->sweep_ms)
		w->sweep_ms = now_ms() + SWEEP_MS;
	/* quiet until its guest side is accepted */
	if (ep_set(w->epfd, &c->guest, 0) < 0)
		conn_free(w, c, true);
}

/* The listener gave the guest's side of a connection: pair it */
static void egress_accepted(struct worker *w, int fd,
			    const struct sockaddr_in *peer)
{
	struct sockaddr_in orig;
	socklen_t len = sizeof(orig);
	struct egress_key k = { .src = peer->sin_addr,
				.sport = ntohs(peer->sin_port) };
	struct conn *c = NULL;

	if (getsockopt(fd, SOL_IP, SO_ORIGINAL_DST, &orig, &len) == 0) {
		k.dst = orig.sin_addr;
		k.dport = ntohs(orig.sin_port);
		c = pending_find(w, &k);
	}
	if (!c || c->held) {	/* not one of ours: nothing to pass it to */
		set_reset(fd);
		close(fd);
		w->freed = true;
		return;
	}
	pending_del(w, c);
	c->host = (struct ep){ EP_HOST, fd, 0 };
	c->connected = true;
	set_nodelay(c->host.fd);
	set_nodelay(c->guest.fd);
	relay(w, c);
}

/* Let through, never accepted (the guest gave up): reset the host's */
static void egress_sweep(struct worker *w)
{
	int64_t now = now_ms();
	struct conn *c, *next;
	int i;

	if (!w->sweep_ms || now < w->sweep_ms)
		return;
	for (i = 0; i < PENDING_BUCKETS && w->n_pending; i++)
		for (c = w->pending[i]; c; c = next) {
			next = c->hnext;
			if (!c->held && now >= c->deadline_ms)
				conn_free(w, c, true);
		}
	w->sweep_ms = w->n_pending ? now + SWEEP_MS : 0;
}

static int queue_cb(const struct nlmsghdr *nlh, void *data)
{
	struct worker *w = data;
	struct nlattr *attr[NFQA_MAX + 1] = { NULL };
	const struct nfqnl_msg_packet_hdr *ph;
	const uint8_t *pkt;
	struct egress_key k;
	uint16_t len;
	uint32_t id;

	if (nfq_nlmsg_parse(nlh, attr) < 0 || !attr[NFQA_PACKET_HDR])
		return MNL_CB_OK;
	ph = mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
	id = ntohl(ph->packet_id);
	if (!attr[NFQA_PAYLOAD]) {
		verdict(w, id, NF_ACCEPT, 0);
		return MNL_CB_OK;
	}
	pkt = mnl_attr_get_payload(attr[NFQA_PAYLOAD]);
	len = mnl_attr_get_payload_len(attr[NFQA_PAYLOAD]);
	if (egress_syn_parse(pkt, len, &k) < 0)
		verdict(w, id, NF_ACCEPT, 0);	/* not a SYN to hold */
	else if (!egress_allowed(&w->map, &k, pkt, len))
		verdict(w, id, NF_REPEAT, EGRESS_MARK_PROHIBITED);
	else
		egress_syn(w, id, &k);
	return MNL_CB_OK;
}

static void on_queue(struct worker *w)
{
	int i;

	for (i = 0; i < VERDICTS_PER_TURN; i++) {
		ssize_t n = recv(w->queue.fd, w->buf, sizeof(w->buf),
				 MSG_DONTWAIT);

		if (n < 0 && errno == ENOBUFS)
			continue;	/* the kernel dropped some: resent */
		if (n <= 0)
			return;
		mnl_cb_run(w->buf, (size_t)n, 0, 0, queue_cb, w);
	}
}

/* ---- UDP flows (worker 0) --------------------------------------------- */

static void flow_free(struct worker *w, struct flow *f)
{
	struct flow **pp;

	for (pp = &f->l->flows; *pp; pp = &(*pp)->next)
		if (*pp == f) {
			*pp = f->next;
			break;
		}
	close_ep(w, &f->ep);
	f->l->n_flows--;
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

static struct flow *flow_new(struct worker *w, struct listener *l,
			     const struct sockaddr_storage *peer,
			     socklen_t len)
{
	struct flow *f;
	int fd;

	if (l->n_flows >= FLOWS_MAX)
		return NULL;
	fd = socket(l->guest.sa.sa_family,
		    SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return NULL;
	if (connect(fd, &l->guest.sa, guest_len(&l->guest)) < 0 ||
	    !(f = calloc(1, sizeof(*f)))) {
		close(fd);
		return NULL;
	}
	f->ep = (struct ep){ EP_FLOW, fd, 0 };
	f->l = l;
	memcpy(&f->peer, peer, len);
	f->peerlen = len;
	f->next = l->flows;
	l->flows = f;
	l->n_flows++;
	if (ep_set(w->epfd, &f->ep, EPOLLIN) < 0) {
		flow_free(w, f);
		return NULL;
	}
	return f;
}

static void udp_from_host(struct worker *w, struct listener *l)
{
	int i;

	for (i = 0; i < DATAGRAMS_PER_TURN; i++) {
		struct sockaddr_storage peer;
		socklen_t len = sizeof(peer);
		ssize_t n = recvfrom(l->ep.fd, w->buf, sizeof(w->buf),
				     MSG_DONTWAIT, (struct sockaddr *)&peer,
				     &len);
		struct flow *f;

		if (n < 0)
			return;
		f = flow_find(l, &peer, len);
		if (!f && !(f = flow_new(w, l, &peer, len)))
			continue;	/* too many peers, or no fd: dropped */
		f->last_ms = now_ms();
		send(f->ep.fd, w->buf, (size_t)n, MSG_DONTWAIT);
	}
}

static void udp_from_guest(struct worker *w, struct flow *f)
{
	int i;

	for (i = 0; i < DATAGRAMS_PER_TURN; i++) {
		ssize_t n = recv(f->ep.fd, w->buf, sizeof(w->buf), MSG_DONTWAIT);

		if (n < 0)
			return;	/* EAGAIN, or ICMP errors: nothing to pass */
		f->last_ms = now_ms();
		sendto(f->l->ep.fd, w->buf, (size_t)n, MSG_DONTWAIT,
		       (struct sockaddr *)&f->peer, f->peerlen);
	}
}

static void expire_flows(struct worker *w)
{
	int64_t now = now_ms();
	struct listener *l;
	struct flow *f, *next;

	for (l = w->listeners; l; l = l->next)
		for (f = l->flows; f; f = next) {
			next = f->next;
			if (now - f->last_ms >= w->flow_idle_ms)
				flow_free(w, f);
		}
}

/* Milliseconds until a flow may expire or a paused worker retries, or -1 */
static int wait_timeout(const struct worker *w)
{
	int64_t now = now_ms(), t = INT64_MAX;
	const struct listener *l;
	const struct flow *f;

	if (w->paused)
		t = w->retry_ms - now;
	if (w->sweep_ms && w->sweep_ms - now < t)
		t = w->sweep_ms - now;
	for (l = w->listeners; l; l = l->next)
		for (f = l->flows; f; f = f->next)
			if (f->last_ms + w->flow_idle_ms - now < t)
				t = f->last_ms + w->flow_idle_ms - now;
	if (t == INT64_MAX)
		return -1;
	return t < 0 ? 0 : t > INT32_MAX ? INT32_MAX : (int)t;
}

/*
 * Tests only (tests/integration/fwd_udp.sh): QBOX_TEST_UDP_IDLE_MS, a
 * number of milliseconds from 1 to FLOW_IDLE_MS, replaces the idle time
 * of UDP flows, so a test can see flows expire without waiting a minute.
 * Anything else there is ignored. Unset, it costs a getenv().
 */
static int64_t flow_idle_ms(void)
{
	const char *s = getenv("QBOX_TEST_UDP_IDLE_MS");
	char *end;
	long v;

	if (!s || !*s)
		return FLOW_IDLE_MS;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 1 || v > FLOW_IDLE_MS)
		return FLOW_IDLE_MS;
	return v;
}

/* ---- messages from the supervisor ------------------------------------- */

static int listener_add(struct worker *w, const struct sbmsg *m, int fd)
{
	struct listener *l;
	int r;

	if (fd < 0)		/* could not be received: out of fds */
		return -(m->errnum ? m->errnum : EBADF);
	if (!(l = calloc(1, sizeof(*l)))) {
		close(fd);
		return -ENOMEM;
	}
	l->ep = (struct ep){ EP_LISTEN, fd, 0 };
	l->id = (uint32_t)m->value;
	l->proto = m->nic;
	if (m->family == AF_INET6) {
		l->guest.v6 = (struct sockaddr_in6){ .sin6_family = AF_INET6,
						     .sin6_port = htons(m->port) };
		memcpy(&l->guest.v6.sin6_addr, m->addr6, 16);
	} else {
		l->guest.v4 = (struct sockaddr_in){ .sin_family = AF_INET,
						    .sin_port = htons(m->port),
						    .sin_addr.s_addr = m->addr };
	}
	if ((r = ep_set(w->epfd, &l->ep, listen_events(w, l))) < 0) {
		close(fd);
		free(l);
		return r;
	}
	l->next = w->listeners;
	w->listeners = l;
	return 0;
}

/*
 * Stop serving forward @id. Clients whose connection the kernel already
 * completed are accepted first: for them the forward still existed. Open
 * relays go on; the forward's UDP flows end.
 */
static void listener_remove(struct worker *w, uint32_t id)
{
	struct listener **pp, *l;

	for (pp = &w->listeners; *pp && (*pp)->id != id; pp = &(*pp)->next)
		;
	if (!(l = *pp))
		return;
	*pp = l->next;
	if (l->proto == IPPROTO_TCP)
		accept_conns(w, l, SOMAXCONN);
	while (l->flows)
		flow_free(w, l->flows);
	close_ep(w, &l->ep);
	free(l);
}

/* One message; 1 when handled, 0 when the supervisor hung up, or -errno */
static int on_ctl(struct worker *w)
{
	struct sbmsg m, done = { .type = SBMSG_DONE };
	int fd, r;

	/* the reserved slot takes an attached listener even when full */
	if (w->spare >= 0)
		close(w->spare);
	r = sbmsg_recv(w->ctl.fd, &m, &fd);
	w->spare = fcntl(w->epfd, F_DUPFD_CLOEXEC, 0);
	if (r <= 0)
		return r;
	done.value = m.value;
	switch (m.type) {
	case SBMSG_LISTEN:
		done.errnum = -listener_add(w, &m, fd);
		break;
	case SBMSG_UNLISTEN:
		listener_remove(w, (uint32_t)m.value);
		break;
	default:
		if (fd >= 0)
			close(fd);
		return 1;
	}
	r = sbmsg_send(w->ctl.fd, &done, -1);
	return r < 0 ? r : 1;
}

/* ---- the loop ----------------------------------------------------------- */

static void on_event(struct worker *w, struct ep *ep)
{
	struct listener *l;
	struct conn *c;

	switch (ep->kind) {
	case EP_CTL:
		w->ctl_ready = true;
		break;
	case EP_LISTEN:
		l = container_of(ep, struct listener, ep);
		if (l->proto == IPPROTO_UDP)
			udp_from_host(w, l);
		else
			accept_conns(w, l, ACCEPTS_PER_TURN);
		break;
	case EP_FLOW:
		udp_from_guest(w, container_of(ep, struct flow, ep));
		break;
	case EP_QUEUE:
		on_queue(w);
		break;
	case EP_HOST:
	case EP_GUEST:
		c = ep->kind == EP_HOST ? container_of(ep, struct conn, host) :
					  container_of(ep, struct conn, guest);
		if (c->dead)
			break;
		if (c->connected)
			relay(w, c);
		else if (c->held)
			egress_dialed(w, c);
		else if (!c->pending)
			guest_connected(w, c);
		break;
	}
}

/* Between batches: messages, expiry, freeing, and the end of a pause */
static int after_batch(struct worker *w)
{
	int r;

	if (w->ctl_ready) {
		w->ctl_ready = false;
		if ((r = on_ctl(w)) <= 0)
			return r;
	}
	expire_flows(w);
	egress_sweep(w);
	bury(w);
	if (!w->n_conns)
		pool_drain(w);	/* an idle worker holds no pipes */
	if (w->paused && (w->freed || now_ms() >= w->retry_ms))
		resume_accepting(w);
	else if (w->freed && w->spare < 0)
		w->spare = fcntl(w->epfd, F_DUPFD_CLOEXEC, 0);
	w->freed = false;
	return 1;
}

/* The egress worker's listener and queue, from its configuration */
static int egress_watch(struct worker *w, const struct fwd_worker_cfg *c)
{
	struct listener *l = calloc(1, sizeof(*l));
	int r;

	if (!l)
		return -ENOMEM;
	l->ep = (struct ep){ EP_LISTEN, c->egress_listen, 0 };
	l->proto = IPPROTO_TCP;
	l->egress = true;
	l->next = w->listeners;
	w->listeners = l;
	w->map = c->egress_map;
	w->index = c->index;
	w->flows_max = c->egress_flows;
	w->queue = (struct ep){ EP_QUEUE, c->egress_queue, 0 };
	if ((r = ep_set(w->epfd, &l->ep, listen_events(w, l))) < 0)
		return r;
	return ep_set(w->epfd, &w->queue, EPOLLIN);
}

/* Serve forwards until the supervisor hangs up */
static int serve(const struct fwd_worker_cfg *cfg, int sock, struct qerr *e)
{
	int index = cfg->index;
	const char *what = cfg->egress ? "egress" : "forward";
	struct epoll_event ev[EVENTS_MAX];
	struct worker *w;
	int i, n, r;

	nofile_raise();	/* every relay holds two fds */
	/* the process ends when this returns: nothing here is freed */
	if (!(w = calloc(1, sizeof(*w))))
		return qerr_set(e, ENOMEM, "%s worker %d: starting", what, index);
	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (w->epfd < 0)
		return qerr_set(e, errno, "%s worker %d: epoll", what, index);
	w->spare = fcntl(w->epfd, F_DUPFD_CLOEXEC, 0);
	w->flow_idle_ms = flow_idle_ms();
	w->ctl = (struct ep){ EP_CTL, sock, 0 };
	if ((r = ep_set(w->epfd, &w->ctl, EPOLLIN)) < 0)
		return qerr_set(e, -r, "%s worker %d: epoll", what, index);
	if (cfg->egress && (r = egress_watch(w, cfg)) < 0)
		return qerr_set(e, -r, "egress worker %d: epoll", index);
	for (;;) {
		n = epoll_wait(w->epfd, ev, EVENTS_MAX, wait_timeout(w));
		if (n < 0 && errno != EINTR)
			return qerr_set(e, errno, "%s worker %d: epoll_wait",
					what, index);
		for (i = 0; i < n; i++)
			on_event(w, ev[i].data.ptr);
		if ((r = after_batch(w)) <= 0)
			return r == 0 ? 0 :
			       qerr_set(e, -r, "%s worker %d: messages from the "
					       "supervisor", what, index);
	}
}

int fwd_worker_main(void *arg, int sock, struct qerr *e)
{
	const struct fwd_worker_cfg *c = arg;
	int r;

	if ((r = child_confine(c->filters, c->filters->worker, e)) < 0)
		return r;
	if ((r = child_ready(sock)) < 0)
		return qerr_set(e, -r, "%s worker %d: reporting",
				c->egress ? "egress" : "forward", c->index);
	return serve(c, sock, e);
}
