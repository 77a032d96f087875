// SPDX-License-Identifier: MIT
/*
 * supervisor.c - the process that stays in the host's namespaces
 *
 * Theory of operation: after the plan is checked, the supervisor compiles
 * the seccomp filters (seccomp/filter.h) and opens bridged NICs' TAPs,
 * before any namespace exists; its role starts (a sandbox joins its
 * networks, a hub finds the user's user namespace: role.h); it spawns the
 * sandbox (netns/sandbox.h), then takes the sandbox's name (NAME.lock) and
 * opens its control socket (NAME.sock). It then runs one poll loop until
 * the sandbox's init exits:
 *
 *   setup    uplink TAP fds arrive over the message socket; at NET_READY
 *            the supervisor forks the NAT engine (dataplane/nat_engine.c:
 *            one libslirp uplink per NIC the plan gives one, in a confined
 *            process of its own), lets its role start what it serves,
 *            binds the plan's forwards (fwd_engine.c forks the forward
 *            workers with the first one), and sends GO;
 *   running  frames and host sockets are served by the engine, forwarded
 *            connections by the workers inside the sandbox, requests by
 *            the control socket (sup_control.c, the role's answers first);
 *            SIGINT, SIGTERM and SIGHUP are passed to init, which passes
 *            them on; a worker's death (the worker is ours to reap) ends
 *            the run; the engine's death takes the NAT down and is
 *            reported, the sandbox runs on;
 *   ending   init reports the payload's wait status; the supervisor
 *            releases the name and hangs up, init exits and is reaped (or
 *            the role says it is time to end: a hub without members).
 *
 * Every exit path goes through one cleanup: the name first (while init
 * lives to cover for us), then the sandbox is killed if it still runs,
 * the role ends (and says the exit status), and the engines (forwards,
 * NAT) are stopped. If the supervisor itself is SIGKILLed, init notices
 * and removes the files, and the NAT engine dies with it (PDEATHSIG).
 */
#include "supervisor/supervisor.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/pollset.h"
#include "common/rundir.h"
#include "common/util.h"
#include "netns/tap.h"
#include "supervisor/qmp.h"
#include "supervisor/sup.h"

_Static_assert(MAX_NICS <= NAT_ENGINE_UPLINKS, "an uplink per NIC");

/* Whether the run has a NAT engine: a NIC the plan gives libslirp */
static bool needs_engine(const struct plan *p)
{
	int i;

	for (i = 0; i < p->n_nics; i++)
		if (p->nics[i].nat.on)
			return true;
	return false;
}

/* The uplinks' configurations, and the NAT engine that runs them */
static int start_engine(struct sup *s, struct qerr *e)
{
	const struct plan *p = s->plan;
	struct nat_engine_cfg pc = { .filters = s->filters };
	int i, k;

	for (i = 0; i < p->n_nics; i++) {
		const struct nic_plan *n = &p->nics[i];

		if (!n->nat.on)
			continue;
		if (s->upfd[i] < 0) {
			for (k = 0; k < pc.n; k++)
				close(pc.tapfd[k]);
			return qerr_set(e, EPROTO, "sandbox sent no uplink for "
						   "NIC %d", i);
		}
		pc.cfg[pc.n] = (struct uplink_cfg){
			.net = n->net, .prefix = n->prefix,
			.gateway = n->nat.host, .dns = n->nat.dns,
			.dhcp_start = n->nat.dhcp_start,
			.no_dhcp = !n->nat.dhcp, .host_only = n->nat.host_only,
			.hostname = p->name, .mtu = n->mtu,
			.tftp = n->nat.tftp, .bootfile = n->nat.bootfile,
			.domain = n->nat.domain,
			.no_hostloop = n->nat.no_hostloop,
			.ipv6 = n->nat.ipv6, .prefix6 = n->nat.prefix6,
			.gateway6 = n->nat.host6, .dns6 = n->nat.dns6,
			.egress = n->nat.egress };
		pc.tapfd[pc.n++] = steal_fd(&s->upfd[i]);
	}
	return pc.n ? nat_engine_start(&pc, &s->engine, e) : 0;
}

/* NET_READY: the engine, the role's services, the plan's forwards */
static int start_uplinks(struct sup *s, struct qerr *e)
{
	const struct plan *p = s->plan;
	int i, r;

	if ((r = start_engine(s, e)) < 0 || (r = sup_egress_start(s, e)) < 0)
		return r;
	if (s->role->net_ready && (r = s->role->net_ready(s, e)) < 0)
		return r;
	for (i = 0; i < p->n_fwds; i++) {
		const struct fwd_plan *f = &p->fwds[i];

		/* a member's forward to its network is the hub's (it dials
		   the guest from the segment), asked for as it joined */
		if (net_mode_named(p->nics[f->nic].mode))
			continue;
		r = fwd_engine_add(s->fwd, &f->spec, &f->guest, f->text, e);
		if (r < 0) {
			qerr_prefix(e, "--fwd %s", f->text);
			return r;
		}
	}
	return 0;
}

/*
 * Bridged NICs: open each administrator's TAP here, in the network
 * namespace qbox was started in and with the user's own credentials,
 * before any namespace exists. Init inherits the fds and hands them to
 * QEMU as it does its own VM TAPs; QEMU stays as confined as in any other
 * mode. A TAP that is missing, not a TAP, another user's or in use fails
 * the run here (status 2), with nothing to undo.
 */
static int bridged_open(const struct plan *p, int fd[MAX_NICS], struct qerr *e)
{
	int i;

	for (i = 0; i < p->n_nics; i++) {
		if (p->nics[i].mode != NET_BRIDGED)
			continue;
		if ((fd[i] = tap_attach(p->nics[i].spec->device, e)) < 0) {
			int r = fd[i];

			qerr_prefix(e, "--net %s", p->nics[i].text);
			fd[i] = -1;
			return r;
		}
	}
	return 0;
}

static void release_name(struct sup *s)
{
	if (s->lockfd < 0)
		return;
	rundir_unlock(s->dirfd, s->plan->name);
	close(s->lockfd);
	s->lockfd = -1;
}

/* Uplinks run, forwards listen, the payload started: tell who waits */
static void ready(struct sup *s)
{
	fault_point(s->role->fault, "started");
	if (s->ctl)
		ctl_server_ready(s->ctl);
	if (s->ready_fd >= 0) {
		const char line[] = "ready\n";

		if (write(s->ready_fd, line, sizeof(line) - 1) < 0) {
			/* whoever waited is gone; nothing else to tell */
		}
		close(s->ready_fd);
		s->ready_fd = -1;
	}
}

static int on_uplink(struct sup *s, const struct sbmsg *m, int fd,
		     struct qerr *e)
{
	if (m->nic < 0 || m->nic >= s->plan->n_nics || s->upfd[m->nic] >= 0 ||
	    fd < 0) {
		if (fd >= 0)
			close(fd);
		return qerr_set(e, EPROTO, "bad uplink message");
	}
	s->upfd[m->nic] = fd;
	return 0;
}

/*
 * A VM's QMP monitor of qbox's own (qmp.h): NAME.qmp, bound now that the
 * name is ours, its listening socket for QEMU (-1: not a VM)
 */
static int qmp_listen(struct sup *s, struct qerr *e)
{
	char file[128];
	int fd;

	if (!s->plan->vm || s->plan->hub)
		return -1;
	qmp_socket_name(s->plan->name, file, sizeof(file));
	if ((fd = ctl_listen_at(s->dirfd, file, e)) >= 0)
		s->qmp = true;
	return fd;
}

/* The uplinks run, forwards listen: GO, with QEMU's monitor socket */
static int on_net_ready(struct sup *s, struct qerr *e)
{
	struct sbmsg go = { .type = SBMSG_GO };
	cleanup_fd int qmp = -1;
	int r;

	if ((r = start_uplinks(s, e)) < 0 ||
	    (r = sup_vde_start(s, e)) < 0 ||
	    (r = sup_pcap_start(s, e)) < 0 ||
	    (r = sup_impair_start(s, e)) < 0 ||
	    (r = sup_links_start(s, false, e)) < 0)
		return r;
	fault_point(s->role->fault, "uplinks");
	s->forwarding = true;
	if ((qmp = qmp_listen(s, e)) < 0 && s->plan->vm && !s->plan->hub)
		return qmp;
	if ((r = sbmsg_send(s->sb.sock, &go, qmp)) < 0)
		return qerr_set(e, -r, "starting the sandbox");
	return 0;
}

/* One message from init; returns <0 with @e on a setup failure */
static int on_message(struct sup *s, struct qerr *e)
{
	struct sbmsg m;
	int fd, r;

	r = sbmsg_recv(s->sb.sock, &m, &fd);
	if (r < 0)
		return qerr_set(e, -r, "reading from the sandbox");
	if (r == 0)
		return 0;	/* init is gone: SIGCHLD tells how */
	switch (m.type) {
	case SBMSG_UPLINK:
		return on_uplink(s, &m, fd, e);
	case SBMSG_NET_READY:
		return on_net_ready(s, e);
	case SBMSG_EGRESS:
	case SBMSG_EGRESS_OFF:
		return sup_egress_message(s, &m, fd, e);
	case SBMSG_STARTED:
		s->started = true;
		if ((r = sup_links_start(s, true, e)) < 0)
			return r;
		ready(s);
		return 0;
	case SBMSG_ERROR:
		*e = m.err;
		return -EIO;
	case SBMSG_EXIT:
		s->have_status = true;
		s->status = m.value;
		/* init leaves once we hang up: release the name first */
		release_name(s);
		close(s->sb.sock);
		s->sb.sock = -1;
		return 0;
	}
	if (s->role->message)
		return s->role->message(s, &m, fd, e);
	if (fd >= 0)
		close(fd);
	return qerr_set(e, EPROTO, "unknown message %u from the sandbox",
			m.type);
}

/* A signal for the supervisor; returns <0 with @e to abort the run */
static int on_signal(struct sup *s, struct qerr *e)
{
	struct signalfd_siginfo si;
	char how[256];
	int status, r;

	if (read(s->sigfd, &si, sizeof(si)) != sizeof(si))
		return 0;
	if (si.ssi_signo == SIGCHLD) {
		/* one SIGCHLD may stand for several children */
		if (nat_engine_reap(&s->engine) && !s->have_status &&
		    !s->init_reaped && s->role->engine_died) {
			nat_engine_describe(s->engine.status, how, sizeof(how));
			s->role->engine_died(s, how);
		}
		sup_vde_reap(s);
		if (waitpid(s->sb.pid, &status, WNOHANG) == s->sb.pid) {
			s->init_reaped = true;
			s->init_status = status;
		}
		/* a forward worker's death ends the run, as init's would;
		   so does the egress worker's */
		if ((r = sup_egress_reap(s, e)) < 0)
			return r;
		return fwd_engine_reap(s->fwd, e);
	}
	if (!s->started) {
		/* nobody to pass it to yet: give up the start */
		s->abort_signal = (int)si.ssi_signo;
		return 0;
	}
	/* init passes it to the payload; without one, init ends */
	kill(s->sb.pid, (int)si.ssi_signo);
	return 0;
}

/* One turn of the loop: <0 with @e ends the run, 1 when it is time */
static int turn(struct sup *s, struct pollset *ps, struct qerr *e)
{
	const struct role *role = s->role;
	int r;

	pollset_reset(ps);
	pollset_add(ps, s->sigfd, POLLIN);
	pollset_add(ps, s->sb.sock, POLLIN);
	if (s->ctl)
		ctl_server_poll_fill(s->ctl, ps);
	if (role->poll_fill)
		role->poll_fill(s, ps);
	sup_vde_poll_fill(s, ps);
	if (role->should_end && role->should_end(s))
		return 1;
	if (sup_stop_next_ms(s))
		pollset_timeout(ps, sup_stop_next_ms(s) - now_ns() / 1000000);
	if (sup_vde_next_ms(s))
		pollset_timeout(ps, sup_vde_next_ms(s) - now_ns() / 1000000);
	if (ps->n < 2 || ps->fds == NULL)
		return qerr_set(e, ENOMEM, "event loop");
	if (poll(ps->fds, (nfds_t)ps->n, ps->timeout_ms) < 0 && errno != EINTR)
		return qerr_set(e, errno, "event loop: poll");
	if (s->ctl)
		ctl_server_poll_done(s->ctl, ps);
	if (role->poll_done && (r = role->poll_done(s, ps, e)) < 0)
		return r;
	sup_vde_poll_done(s, ps);
	sup_stop_clock(s);
	sup_vde_clock(s);
	if (ps->fds[1].revents && (r = on_message(s, e)) < 0)
		return r;
	if (ps->fds[0].revents && (r = on_signal(s, e)) < 0)
		return r;
	return s->abort_signal ? 1 : 0;	/* interrupted during setup */
}

static int loop(struct sup *s, struct qerr *e)
{
	struct pollset ps = { 0 };
	int r = 0;

	while (!s->init_reaped && (r = turn(s, &ps, e)) == 0)
		;
	pollset_free(&ps);
	return r < 0 ? r : 0;
}

static int block_signals(sigset_t *old, struct sigaction *oldpipe,
			 struct qerr *e)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, old) < 0)
		return qerr_set(e, errno, "blocking signals");
	fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (fd < 0)
		return qerr_set(e, errno, "creating signalfd");
	/* host sockets of the uplink may be closed under us */
	sigaction(SIGPIPE, &(struct sigaction){ .sa_handler = SIG_IGN },
		  oldpipe);
	return fd;
}

/*
 * Take the whole hard limit, for the control socket's connections and a
 * hub's members. (The guest's connections cost the supervisor nothing:
 * the NAT engine holds them under its own limit, UPLINK_NOFILE, and the
 * forward workers hold forwarded ones, each with its own.) The payload
 * gets the original limit back.
 */
static void raise_nofile(struct rlimit *orig)
{
	struct rlimit r;

	getrlimit(RLIMIT_NOFILE, orig);
	r = *orig;
	r.rlim_cur = r.rlim_max;
	setrlimit(RLIMIT_NOFILE, &r);
}

/* ctl_leave_fn: a connection the role held hung up */
static void on_leave(void *opaque, long id)
{
	struct sup *s = opaque;

	if (s->role->leave)
		s->role->leave(s, id);
}

/*
 * The sandbox, then its name and control socket. Init exists before the
 * name lock does, so whenever a lock file exists, someone is there to
 * remove it, even after kill -9 of qbox.
 */
static int spawn(struct sup *s, struct sandbox_cfg *cfg, struct qerr *e)
{
	int r;

	if ((r = s->sigfd = block_signals(&cfg->sigmask, &cfg->sigpipe, e)) < 0)
		return r;
	raise_nofile(&cfg->nofile);
	cfg->sup_sigfd = s->sigfd;
	r = sandbox_spawn(cfg, &s->sb, e);
	sandbox_cfg_release(cfg);	/* init holds its own copies */
	if (r < 0)
		return r;
	fwd_engine_set_sandbox(s->fwd, s->sb.pid, s->filters);
	fault_point(s->role->fault, "spawned");
	if ((r = s->lockfd = rundir_lock(s->dirfd, s->plan->name, e)) < 0)
		return r;
	fault_point(s->role->fault, "named");
	if (!(s->ctl = ctl_server_new(s->dirfd, s->plan->name, sup_handle, s,
				      e)))
		return -EIO;
	ctl_server_on_leave(s->ctl, on_leave);
	fault_point(s->role->fault, "listening");
	return 0;
}

/* Everything before the loop: 0, or -errno with @e */
static int setup(struct sup *s, struct sandbox_cfg *cfg, char *dir,
		 size_t size, struct qerr *e)
{
	int r;

	if ((r = bridged_open(s->plan, cfg->tapfd, e)) < 0 ||
	    (r = rundir_path(getuid(), dir, size, e)) < 0 ||
	    (r = s->dirfd = rundir_open(dir, getuid(), e)) < 0)
		return r;
	s->rundir = dir;
	cfg->rundir_fd = s->dirfd;
	if (!(s->fwd = fwd_engine_new(e)))
		return -ENOMEM;
	/* before our signals are blocked: a hub it starts must not inherit */
	if (s->role->start && (r = s->role->start(s, cfg, e)) < 0)
		return r;
	return spawn(s, cfg, e);
}

/* The one cleanup; the role's end says the run's exit status */
static int cleanup(struct sup *s, struct sandbox_cfg *cfg, int r,
		   struct qerr *e)
{
	struct qerr end_e = { 0 };
	int i, status = 0;

	/* name first: while init lives, a death of ours here is covered */
	release_name(s);
	if (s->sb.pid > 0 && !s->init_reaped) {
		kill(s->sb.pid, SIGKILL);
		waitpid(s->sb.pid, NULL, 0);
	}
	sup_pcap_stop(s);
	if (s->ready_fd >= 0)
		close(s->ready_fd);
	if (s->role->end)
		status = s->role->end(s, &end_e);
	fwd_engine_free(s->fwd);
	sup_egress_stop(s);
	nat_engine_stop(&s->engine);
	sup_vde_stop(s);
	for (i = 0; i < MAX_NICS; i++)
		if (s->upfd[i] >= 0)
			close(s->upfd[i]);
	if (s->sb.sock >= 0)
		close(s->sb.sock);
	if (s->sigfd >= 0)
		close(s->sigfd);
	if (s->dirfd >= 0)
		close(s->dirfd);
	/* last: a `qbox stop` waiting on it returns when all else is closed */
	ctl_server_free(s->ctl);
	sandbox_cfg_release(cfg);
	if (r < 0)
		return r;
	if (status < 0)
		*e = end_e;
	return status;
}

int supervise(const struct plan *p, const struct role *role, void *arg,
	      struct qerr *e)
{
	struct sup s = { .plan = p, .role = role, .role_arg = arg,
			 .sigfd = -1, .lockfd = -1,
			 .dirfd = -1, .ready_fd = p->ready_fd,
			 .started_at = time(NULL),
			 .sb = { .pid = -1, .sock = -1 },
			 .engine = { .fd = -1 } };
	char dir[4096];
	struct filters filters = { 0 };
	struct sandbox_cfg cfg = { .plan = p, .role = role->init,
				   .filters = &filters, .userns_pidfd = -1,
				   .sup_lockfd = -1, .uid = getuid(),
				   .gid = getgid() };
	int i, r;

	for (i = 0; i < 2 * EGRESS_WORKERS_MAX; i++)
		s.egress_fd[i] = -1;
	for (i = 0; i < EGRESS_WORKERS_MAX; i++)
		s.egress[i].sock = -1;
	for (i = 0; i < NET_LINKS_MAX; i++)
		s.links[i] = (struct sup_vde){ .tapfd = -1, .ch = { .sock = -1 },
					       .poll_idx = -1 };
	for (i = 0; i < MAX_NICS; i++) {
		s.link_down[i] = p->nics[i].link_down;
		s.pcap_fd[i] = -1;
		s.upfd[i] = -1;
		s.vde[i] = (struct sup_vde){ .tapfd = -1, .ch = { .sock = -1 },
					     .poll_idx = -1 };
		cfg.join[i].pidfd = -1;
		cfg.tapfd[i] = -1;
	}
	if ((r = filters_build(p->policy, p->policy_log ? FILTER_LOG : 0,
			       &filters, e)) < 0)
		return r;
	if (needs_engine(p) && (r = filters_build_engine(&filters, e)) < 0) {
		filters_free(&filters);
		return r;
	}
	s.filters = &filters;
	r = setup(&s, &cfg, dir, sizeof(dir), e);
	if (r == 0)
		r = loop(&s, e);
	r = cleanup(&s, &cfg, r, e);
	filters_free(&filters);
	return r;
}
