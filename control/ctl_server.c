// SPDX-License-Identifier: MIT
/*
 * ctl_server.c - serving NAME.sock
 *
 * Clients are few and short-lived (one request each), so they live in a
 * small list and join the supervisor's poll set while their request line
 * is still arriving. A "wait" or "join" client is parked until
 * ctl_server_ready(), then served; a "stop" client is parked until the
 * supervisor exits, whose closing of the socket tells the client that the
 * sandbox is gone.
 *
 * Bounded, so that no client can stall the loop that runs the sandbox: a
 * client has CTL_REQUEST_MS to send its request line, or is closed; at
 * most CTL_READERS_MAX are reading at once (the rest wait in the listen
 * backlog: the listener leaves the poll set meanwhile); and when accept(2)
 * fails for want of fds or memory, the listener leaves the poll set for
 * CTL_STARVED_MS, as a forward worker's do, rather than staying readable
 * and spinning the loop. A member's connection to its hub, which stays
 * open and sends later requests (its forwards), has no deadline and does
 * not count.
 */
#include "control/ctl_server.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/fdio.h"
#include "common/util.h"

enum client_state { READING, WAITING, HOLDING };

#define CTL_READERS_MAX 32
#define CTL_REQUEST_MS 5000
#define CTL_STARVED_MS 100

struct client {
	struct client *next;
	int fd;
	enum client_state state;
	size_t len;
	char buf[CTL_LINE_MAX];
	int idx;		/* in the current poll set, or -1 */
	long hold;		/* a held member's id, 0: none */
	int64_t deadline_ms;	/* for its request line; 0: none (a member) */
};

struct ctl_server {
	int fd;
	int idx;
	int dirfd;
	char file[128];
	ctl_handle_fn handle;
	ctl_leave_fn leave;
	void *opaque;
	bool ready;
	struct client *clients;
	int64_t starved_until_ms;	/* accept(2) ran out: not before */
};

static int64_t now_ms(void)
{
	return now_ns() / 1000000;
}

/* Clients still sending a request line under a deadline */
static int readers(const struct ctl_server *cs)
{
	const struct client *c;
	int n = 0;

	for (c = cs->clients; c; c = c->next)
		n += c->state == READING && c->deadline_ms;
	return n;
}

void ctl_socket_name(const char *name, char *buf, size_t size)
{
	snprintf(buf, size, "%s.sock", name);
}

/*
 * sun_path holds 108 bytes, a runtime directory path may be longer: bind
 * through the directory fd's /proc/self/fd entry instead.
 */
static int at_path(int dirfd, const char *file, struct sockaddr_un *sa)
{
	int n;

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	n = snprintf(sa->sun_path, sizeof(sa->sun_path), "/proc/self/fd/%d/%s",
		     dirfd, file);
	return n < 0 || (size_t)n >= sizeof(sa->sun_path) ? -ENAMETOOLONG : 0;
}

int ctl_listen_at(int dirfd, const char *file, struct qerr *e)
{
	struct sockaddr_un sa;
	cleanup_fd int fd = -1;
	int r;

	if ((r = at_path(dirfd, file, &sa)) < 0)
		return qerr_set(e, -r, "socket %s", file);
	/* the caller holds the name's lock: a socket file left here is stale */
	unlinkat(dirfd, file, 0);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 64) < 0) {
		r = qerr_set(e, errno, "creating socket %s", file);
		unlinkat(dirfd, file, 0);
		return r;
	}
	/* its mode follows the umask: the 0700 directory is the wall */
	return steal_fd(&fd);
}

struct ctl_server *ctl_server_new(int dirfd, const char *name,
				  ctl_handle_fn handle, void *opaque,
				  struct qerr *e)
{
	struct ctl_server *cs = calloc(1, sizeof(*cs));

	if (!cs) {
		qerr_set(e, ENOMEM, "creating the control socket");
		return NULL;
	}
	cs->dirfd = dirfd;
	cs->handle = handle;
	cs->opaque = opaque;
	ctl_socket_name(name, cs->file, sizeof(cs->file));
	if ((cs->fd = ctl_listen_at(dirfd, cs->file, e)) < 0) {
		free(cs);
		return NULL;
	}
	return cs;
}

static void client_close(struct ctl_server *cs, struct client *c)
{
	struct client **pp;

	if (c->hold > 0 && cs->leave)
		cs->leave(cs->opaque, c->hold);
	for (pp = &cs->clients; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	close(c->fd);
	free(c);
}

static void send_line(int fd, const char *line, int passfd)
{
	/* one send: an answer must fit the socket's send buffer
	   (net.core.wmem_default, 208 KiB unless lowered); net inspect of
	   a full 1024-address pool is about 90 KiB. A client that does not
	   read loses its answer */
	send_fd(fd, line, strlen(line), passfd, MSG_DONTWAIT);
}

static void answer_error(int fd, const struct qerr *e)
{
	char line[QERR_MSG_MAX + 16];

	snprintf(line, sizeof(line), "err %d %s\n", qerr_status(e), e->msg);
	send_line(fd, line, -1);
}

static void serve(struct ctl_server *cs, struct client *c)
{
	struct strbuf out = { 0 }, line = { 0 };
	struct qerr e = { 0 };
	struct ctl_req req;
	long hold = c->hold;	/* a member's later requests are its own */
	int fd = -1, r;

	c->buf[c->len] = '\0';
	r = ctl_req_parse(c->buf, &req, &e);
	if (r == 0 && !cs->ready &&
	    (req.verb == CTL_WAIT || req.verb == CTL_JOIN)) {
		/* served once ready (ctl_server_ready): a second member
		   that finds a network while the first still starts it */
		c->state = WAITING;
		return;
	}
	if (r < 0 || cs->handle(cs->opaque, &req, &out, &fd, &hold, &e) < 0) {
		answer_error(c->fd, &e);
		client_close(cs, c);
		sb_free(&out);
		return;
	}
	sb_printf(&line, "ok%s%s\n", out.len ? " " : "", out.len ? out.s : "");
	send_line(c->fd, line.oom ? "err 1 out of memory\n" : line.s, fd);
	sb_free(&line);
	c->hold = hold;
	if (hold > 0) {
		/* a member's connection: it sends its forwards (qbox run
		   --fwd) on it after joining, and its hang-up is its leaving */
		c->state = READING;
		c->len = 0;
		c->deadline_ms = 0;
	} else if (req.verb == CTL_STOP) {
		c->state = HOLDING;
	} else {
		client_close(cs, c);
	}
	if (fd >= 0)
		close(fd);
	sb_free(&out);
}

static void accept_clients(struct ctl_server *cs)
{
	int i;

	for (i = 0; i < 16 && readers(cs) < CTL_READERS_MAX; i++) {
		int fd = accept4(cs->fd, NULL, NULL,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct ucred cred;
		socklen_t len = sizeof(cred);
		struct client *c;

		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM)
				cs->starved_until_ms = now_ms() + CTL_STARVED_MS;
			return;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 ||
		    cred.uid != getuid()) {
			send_line(fd, "err 2 this sandbox belongs to another "
				      "user\n", -1);
			close(fd);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			return;
		}
		c->fd = fd;
		c->idx = -1;
		c->deadline_ms = now_ms() + CTL_REQUEST_MS;
		c->next = cs->clients;
		cs->clients = c;
	}
}

static void read_request(struct ctl_server *cs, struct client *c)
{
	ssize_t n = read(c->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len);

	if (n <= 0) {
		if (n == 0 || errno != EAGAIN)
			client_close(cs, c);
		return;
	}
	c->len += (size_t)n;
	if (memchr(c->buf, '\n', c->len) || c->len == sizeof(c->buf) - 1)
		serve(cs, c);
}

void ctl_server_on_leave(struct ctl_server *cs, ctl_leave_fn leave)
{
	cs->leave = leave;
}

void ctl_server_drop(struct ctl_server *cs, long id)
{
	struct client *c;

	for (c = cs->clients; c; c = c->next)
		if (c->hold == id) {
			client_close(cs, c);
			return;
		}
}

bool ctl_server_busy(const struct ctl_server *cs)
{
	struct pollfd p = { cs->fd, POLLIN, 0 };
	const struct client *c;

	for (c = cs->clients; c; c = c->next)
		if (c->state == WAITING ||
		    (c->state == READING && !c->hold))
			return true;
	return poll(&p, 1, 0) > 0 && (p.revents & POLLIN);
}

void ctl_server_poll_fill(struct ctl_server *cs, struct pollset *ps)
{
	int64_t now = now_ms();
	struct client *c;

	cs->idx = -1;
	if (now < cs->starved_until_ms)
		pollset_timeout(ps, cs->starved_until_ms - now);
	else if (readers(cs) < CTL_READERS_MAX)
		cs->idx = pollset_add(ps, cs->fd, POLLIN);
	for (c = cs->clients; c; c = c->next) {
		/* parked clients are watched for hang-ups only */
		c->idx = pollset_add(ps, c->fd, c->state == READING ? POLLIN : 0);
		if (c->state == READING && c->deadline_ms)
			pollset_timeout(ps, c->deadline_ms - now);
	}
}

void ctl_server_poll_done(struct ctl_server *cs, struct pollset *ps)
{
	struct client *c, *next;

	for (c = cs->clients; c; c = next) {
		short rev = c->idx >= 0 ? ps->fds[c->idx].revents : 0;

		next = c->next;
		if (c->state == READING && (rev & POLLIN))
			read_request(cs, c);
		else if (rev & (POLLHUP | POLLERR))
			client_close(cs, c);
		else if (c->state == READING && c->deadline_ms &&
			 now_ms() >= c->deadline_ms)
			client_close(cs, c);	/* no request in time */
	}
	if (cs->idx >= 0 && (ps->fds[cs->idx].revents & POLLIN))
		accept_clients(cs);
}

void ctl_server_ready(struct ctl_server *cs)
{
	struct client *c, *next;

	cs->ready = true;
	for (c = cs->clients; c; c = next) {
		next = c->next;
		if (c->state == WAITING)
			serve(cs, c);	/* its request line is still in buf */
	}
}

/*
 * The socket file is not removed here but with the name's lock
 * (rundir_unlock): once the lock is gone, the name, and NAME.sock with it,
 * may already belong to a new sandbox.
 */
void ctl_server_free(struct ctl_server *cs)
{
	if (!cs)
		return;
	cs->leave = NULL;	/* the hub is going: nobody to tell */
	while (cs->clients)
		client_close(cs, cs->clients);
	close(cs->fd);
	free(cs);
}
