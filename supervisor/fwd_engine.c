// SPDX-License-Identifier: MIT
/*
 * fwd_engine.c - port forwards: host listeners, handed to the forward workers
 *
 * Theory of operation. Every forward has a listening socket on the host,
 * made here in the supervisor, so that binding errors are reported before
 * the payload starts (and at run time, to `qbox fwd`). The guest cannot be
 * reached from the host's network namespace; the forward workers, in the
 * sandbox's namespaces, can (dataplane/fwd_worker.c). The supervisor forks
 * them (spawn_worker()) when the first forward is added, so a
 * sandbox without forwards costs no worker, and passes each listening
 * socket to the workers over their
 * message sockets (SBMSG_LISTEN, SCM_RIGHTS): TCP listeners to every
 * worker, which all accept from the one socket; UDP listeners to worker 0
 * alone, since a UDP flow must live in one process. The supervisor keeps
 * its own copy only to list the forward and to stop it.
 *
 * Adding and removing are synchronous: each worker answers SBMSG_DONE, and
 * the call returns when all have. So when `qbox fwd --remove` returns,
 * every copy of the listener is closed and new connections are refused;
 * relays already open finish on their own. A worker answers in
 * milliseconds; one that does not answer within ACK_MS counts as failed.
 */
#include "supervisor/fwd_engine.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/sbmsg.h"
#include "common/util.h"
#include "dataplane/fwd_worker.h"
#include "plan/plan.h"
#include "seccomp/child.h"

#define ACK_MS 5000

struct listener {
	struct listener *next;
	uint32_t id;		/* the workers' name for it */
	int fd;			/* the supervisor's copy */
	struct fwd_spec spec;
	struct ipaddr guest;
	char *text;		/* as the user wrote it */
};

struct fwd_engine {
	struct listener *listeners;
	struct child *workers;	/* pid 0 once reaped */
	int n_workers;
	pid_t sandbox;		/* its init: the workers enter its namespaces */
	const struct filters *filters;
	uint32_t next_id;
};

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

static void listener_free(struct listener *l)
{
	if (l->fd >= 0)
		close(l->fd);
	free(l->text);
	free(l);
}

/* ---- the workers ------------------------------------------------------- */

/* TCP listeners go to every worker, UDP ones to worker 0 alone */
static bool serves(const struct listener *l, int w)
{
	return l->spec.proto != IPPROTO_UDP || w == 0;
}

/*
 * Wait for worker @w's SBMSG_DONE for forward @id, skipping late answers
 * to earlier requests. Returns 0, or -errno with @e (which may be NULL).
 */
static int await_done(struct fwd_engine *fe, int w, uint32_t id,
		      struct qerr *e)
{
	int64_t deadline = now_ns() / 1000000 + ACK_MS;
	struct sbmsg m;
	int fd, r;

	for (;;) {
		struct pollfd p = { fe->workers[w].sock, POLLIN, 0 };
		int64_t left = deadline - now_ns() / 1000000;

		if (left <= 0)
			return qerr_set(e, ETIMEDOUT, "forward worker %d did "
						      "not answer", w);
		r = poll(&p, 1, (int)left);
		if (r < 0 && errno != EINTR)
			return qerr_set(e, errno, "waiting for forward worker "
						  "%d", w);
		if (r <= 0)
			continue;
		r = sbmsg_recv(fe->workers[w].sock, &m, &fd);
		if (fd >= 0)
			close(fd);
		if (r <= 0)
			return qerr_set(e, r ? -r : EPIPE, "forward worker %d "
							   "is gone", w);
		if (m.type == SBMSG_ERROR) {
			if (e)
				*e = m.err;
			return -EIO;
		}
		if (m.type == SBMSG_DONE && (uint32_t)m.value == id)
			return m.errnum ? qerr_set(e, m.errnum, "forward "
						   "worker %d could not take "
						   "the listener", w) : 0;
	}
}

/*
 * Tell every worker serving @l about it (SBMSG_LISTEN, with the listener
 * attached, or SBMSG_UNLISTEN) and wait for each answer. Stops at the
 * first failure for LISTEN; goes on through all for UNLISTEN.
 */
static int tell(struct fwd_engine *fe, const struct listener *l,
		enum sbmsg_type type, struct qerr *e)
{
	struct sbmsg m = { .type = type, .nic = l->spec.proto,
			   .value = (int32_t)l->id, .port = l->spec.guest_port,
			   .family = (uint16_t)l->guest.family };
	int w, r, ret = 0;

	if (l->guest.family == AF_INET6)
		memcpy(m.addr6, &l->guest.v6, 16);
	else
		m.addr = l->guest.v4.s_addr;
	for (w = 0; w < fe->n_workers; w++) {
		if (!serves(l, w))
			continue;
		r = sbmsg_send(fe->workers[w].sock, &m,
			       type == SBMSG_LISTEN ? l->fd : -1);
		if (r < 0)
			r = qerr_set(e, -r, "passing the forward to forward "
					    "worker %d", w);
		else
			r = await_done(fe, w, l->id, e);
		if (r < 0 && type == SBMSG_LISTEN)
			return r;
		if (r < 0 && !ret) {
			ret = r;
			e = NULL;	/* keep the first message */
		}
	}
	return ret;
}

void fwd_engine_set_sandbox(struct fwd_engine *fe, pid_t init,
			    const struct filters *f)
{
	fe->sandbox = init;
	fe->filters = f;
}

/*
 * Worker @index: a child of ours (the supervisor reaps it) in the user and
 * network namespaces of the sandbox's init, not its PID namespace (the
 * payload cannot name a worker to signal it), confined as a payload
 * would be, plus the worker filter (seccomp/child.h starts it)
 */
static int spawn_worker(struct fwd_engine *fe, struct child *w, int index,
			struct qerr *e)
{
	struct fwd_worker_cfg cfg = { .index = index, .filters = fe->filters };
	char name[16], how[256];
	struct child_spec spec = { .name = name, .fault = "fwd",
				   .main = fwd_worker_main, .arg = &cfg };
	struct child c;
	int r;

	snprintf(name, sizeof(name), "qbox-fwd%d", index);
	spec.enter_pidfd = (int)syscall(SYS_pidfd_open, fe->sandbox, 0);
	if (spec.enter_pidfd < 0)
		return qerr_set(e, errno, "starting %s: opening the sandbox",
				name);
	r = child_start(&spec, &c, e);
	close(spec.enter_pidfd);
	if (r == -ECHILD) {
		status_describe(c.status, how, sizeof(how));
		return qerr_set(e, 0, "forward worker %d ended while starting "
				      "(%s)", index, how);
	}
	if (r < 0 && r != -EIO)
		return qerr_set(e, -r, "starting %s", name);
	if (r < 0)
		return r;
	*w = c;
	return 0;
}

/* The workers, forked with the first forward: fwd_worker_count() */
static int ensure_workers(struct fwd_engine *fe, struct qerr *e)
{
	int want = fwd_worker_count();
	struct child *w;
	int r;

	if (!fe->sandbox && fe->n_workers < want)
		return qerr_set(e, ENOTSUP, "this sandbox has no forward "
					    "workers");
	while (fe->n_workers < want) {
		w = realloc(fe->workers, (size_t)(fe->n_workers + 1) *
						 sizeof(*w));
		if (!w)
			return qerr_set(e, ENOMEM, "starting forward workers");
		fe->workers = w;
		w += fe->n_workers;
		if ((r = spawn_worker(fe, w, fe->n_workers, e)) < 0)
			return r;
		fe->n_workers++;
	}
	return 0;
}

/*
 * Worker @index died with wait status @status: @e tells what it said
 * before dying (an SBMSG_ERROR on its socket), or how it ended.
 */
static int worker_died(struct fwd_engine *fe, int index, struct qerr *e)
{
	int status = fe->workers[index].status;

	if (child_last_words(&fe->workers[index], e) < 0)
		return -EIO;
	if (WIFSIGNALED(status))
		return qerr_set(e, 0, "forward worker %d was killed by signal "
				      "%d (%s); the sandbox is stopped", index,
				WTERMSIG(status), strsignal(WTERMSIG(status)));
	return qerr_set(e, 0, "forward worker %d exited with status %d; the "
			      "sandbox is stopped", index,
			WIFEXITED(status) ? WEXITSTATUS(status) : status);
}

int fwd_engine_reap(struct fwd_engine *fe, struct qerr *e)
{
	int i = child_reap_any(fe->workers, fe->n_workers);

	return i < 0 ? 0 : worker_died(fe, i, e);
}

/* ---- forwards ----------------------------------------------------------- */

int fwd_engine_add(struct fwd_engine *fe, const struct fwd_spec *spec,
		   const struct ipaddr *guest, const char *text,
		   struct qerr *e)
{
	struct listener *l, **tail;
	int fd, r;

	if ((l = find_listener(fe, spec, NULL)))
		return qerr_usage(e, "that host port is already forwarded "
				     "(%s)", l->text);
	if ((fd = listen_socket(spec, e)) < 0)
		return fd;
	if ((r = ensure_workers(fe, e)) < 0) {
		close(fd);
		return r;
	}
	l = calloc(1, sizeof(*l));
	if (!l || !(l->text = strdup(text))) {
		free(l);
		close(fd);
		return qerr_set(e, ENOMEM, "adding a forward");
	}
	l->id = ++fe->next_id;
	l->fd = fd;
	l->spec = *spec;
	l->guest = *guest;
	if ((r = tell(fe, l, SBMSG_LISTEN, e)) < 0) {
		tell(fe, l, SBMSG_UNLISTEN, NULL);
		listener_free(l);
		return r;
	}
	for (tail = &fe->listeners; *tail; tail = &(*tail)->next)
		;
	*tail = l;	/* in the order they were added, for listings */
	return 0;
}

int fwd_engine_remove(struct fwd_engine *fe, const struct fwd_spec *host)
{
	struct listener **link, *l = find_listener(fe, host, &link);

	if (!l)
		return -ENOENT;
	*link = l->next;
	/*
	 * Our copy first: the last copy to close is then a worker's, which
	 * accepts what the kernel had already queued before closing it.
	 */
	close(l->fd);
	l->fd = -1;
	tell(fe, l, SBMSG_UNLISTEN, NULL);
	listener_free(l);
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
				      struct ipaddr *guest, const char **text)
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

struct fwd_engine *fwd_engine_new(struct qerr *e)
{
	struct fwd_engine *fe = calloc(1, sizeof(*fe));

	if (!fe)
		qerr_set(e, ENOMEM, "starting forwards");
	return fe;
}

void fwd_engine_free(struct fwd_engine *fe)
{
	struct listener *l;
	int i;

	if (!fe)
		return;
	while ((l = fe->listeners)) {
		fe->listeners = l->next;
		listener_free(l);
	}
	/* a worker would leave on the hang-up; it may be busy: no waiting */
	for (i = 0; i < fe->n_workers; i++)
		child_kill(&fe->workers[i]);
	free(fe->workers);
	free(fe);
}
