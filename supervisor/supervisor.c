// SPDX-License-Identifier: MIT
/*
 * supervisor.c - the process that stays in the host's namespaces
 *
 * Theory of operation: after the plan is checked, the supervisor compiles
 * the seccomp filters (seccomp/filter.h), spawns the sandbox
 * (netns/sandbox.c), then takes the sandbox's name (NAME.lock) and opens
 * its control socket (NAME.sock). It then runs one poll loop until the
 * sandbox's init exits:
 *
 *   setup    uplink TAP fds arrive over the message socket; at NET_READY
 *            the supervisor forks the NAT engine (dataplane/nat_engine.c:
 *            one libslirp uplink per NAT NIC, in a confined process of
 *            its own), binds the forwards' host listeners, forks the
 *            forward workers with the first one (sandbox_fork_worker())
 *            and hands the listeners to them, and sends GO;
 *   running  frames and host sockets are served by the engine, forwarded
 *            connections by the workers inside the sandbox, requests by
 *            the control socket; SIGINT, SIGTERM and SIGHUP are passed to
 *            init, which passes them on; a worker's death (the worker
 *            is ours to reap) ends the run; the engine's death takes the
 *            NAT down and is reported, the payload runs on;
 *   ending   init reports the payload's wait status; the supervisor
 *            releases the name and hangs up, init exits and is reaped.
 *
 * Every exit path goes through one cleanup: the name first (while init
 * lives to cover for us), then the sandbox is killed if it still runs,
 * and the engines (forwards, NAT) are stopped. If the supervisor itself
 * is SIGKILLed, init notices and removes the files, and the NAT engine
 * dies with it (PDEATHSIG).
 */
#include "supervisor/supervisor.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/pollset.h"
#include "common/util.h"
#include "network/dhcp.h"
#include "common/sbmsg.h"
#include "netns/sandbox.h"
#include "netns/tap.h"
#include "dataplane/nat_engine.h"
#include "seccomp/filter.h"
#include "control/ctl_client.h"
#include "supervisor/forward.h"
#include "network/hub.h"
#include "network/hub_init.h"
#include "network/hub_stream.h"
#include "supervisor/member.h"
#include "common/rundir.h"
#include "supervisor/sup.h"

/* Whether the run has a NAT engine: a NAT NIC, or a hub with a way out */
static bool needs_engine(const struct plan *p)
{
	int i;

	for (i = 0; i < p->n_nics; i++)
		if (p->hub ? p->nics[i].layout.uplink :
			     p->nics[i].mode == NET_NAT)
			return true;
	return false;
}

_Static_assert(MAX_NICS <= NAT_ENGINE_UPLINKS, "an uplink per NIC");

/* The uplinks' configurations, and the NAT engine that runs them */
static int start_engine(struct sup *s, struct qerr *e)
{
	const struct plan *p = s->plan;
	struct nat_engine_cfg pc = { .filters = s->filters };
	int i, k;

	for (i = 0; i < p->n_nics; i++) {
		const struct nic_plan *n = &p->nics[i];
		struct uplink_cfg c = { .net = n->net, .prefix = n->prefix,
					.gateway = n->gateway, .dns = n->dns,
					.dhcp_start = n->dhcp_start,
					.hostname = p->name,
					.mtu = n->mtu };

		if (p->hub) {
			/* the network's NAT: DHCP is the hub's own */
			if (!n->layout.uplink)
				continue;
			c.gateway = n->layout.host;
			c.dns = n->layout.dns.s_addr ? n->layout.dns :
						       subnet_host(n->net, 3);
			c.dhcp_start = n->layout.pool_first;
			c.no_dhcp = true;
			c.host_only = n->mode == NET_HOSTONLY;
		} else if (n->mode != NET_NAT) {
			continue;
		}
		if (s->upfd[i] < 0) {
			for (k = 0; k < pc.n; k++)
				close(pc.tapfd[k]);
			return qerr_set(e, EPROTO, "sandbox sent no uplink for "
						   "NIC %d", i);
		}
		pc.cfg[pc.n] = c;
		pc.tapfd[pc.n++] = steal_fd(&s->upfd[i]);
	}
	return pc.n ? nat_engine_start(&pc, &s->engine, e) : 0;
}

static int start_uplinks(struct sup *s, struct qerr *e)
{
	const struct plan *p = s->plan;
	int i, r;

	if ((r = start_engine(s, e)) < 0)
		return r;
	if (p->hub && (r = hub_dhcp_start(s, e)) < 0)
		return r;
	for (i = 0; i < p->n_fwds; i++) {
		const struct fwd_plan *f = &p->fwds[i];

		/* a member's forward to its network is the hub's (it dials
		   the guest from the segment), asked for as it joined */
		if (!p->hub && net_mode_named(p->nics[f->nic].mode))
			continue;
		r = fwd_engine_add(s->fwd, &f->spec, f->guest, f->text, e);
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

/* The supervisor's copies: init has its own once it is spawned */
static void bridged_close(int fd[MAX_NICS])
{
	int i;

	for (i = 0; i < MAX_NICS; i++) {
		if (fd[i] >= 0)
			close(fd[i]);
		fd[i] = -1;
	}
}

/* Who this supervisor is, for fault_point() */
static const char *sup_role(const struct plan *p)
{
	return p->hub ? "hub" : "sup";
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
	fault_point(sup_role(s->plan), "started");
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

/* One message from init; returns <0 with @e on a setup failure */
static int on_message(struct sup *s, struct qerr *e)
{
	struct sbmsg m;
	struct sbmsg go = { .type = SBMSG_GO };
	int fd, r;

	r = sbmsg_recv(s->sb.sock, &m, &fd);
	if (r < 0)
		return qerr_set(e, -r, "reading from the sandbox");
	if (r == 0)
		return 0;	/* init is gone: SIGCHLD tells how */
	switch (m.type) {
	case SBMSG_UPLINK:
		if (m.nic < 0 || m.nic >= s->plan->n_nics || s->upfd[m.nic] >= 0
		    || fd < 0) {
			if (fd >= 0)
				close(fd);
			return qerr_set(e, EPROTO, "bad uplink message");
		}
		s->upfd[m.nic] = fd;
		return 0;
	case SBMSG_NET_READY:
		if ((r = start_uplinks(s, e)) < 0)
			return r;
		fault_point(sup_role(s->plan), "uplinks");
		s->forwarding = true;
		if ((r = sbmsg_send(s->sb.sock, &go, -1)) < 0)
			return qerr_set(e, -r, "starting the sandbox");
		return 0;
	case SBMSG_DHCP:
		if (!s->plan->hub || s->hub.dhcp_fd >= 0 || fd < 0) {
			if (fd >= 0)
				close(fd);
			return qerr_set(e, EPROTO, "bad DHCP message");
		}
		s->hub.dhcp_fd = fd;
		return 0;
	case SBMSG_RELAY:
		return hub_stream_relay(s, fd, e);
	case SBMSG_RELAY_EXIT:
		if (!s->plan->hub)
			return qerr_set(e, EPROTO, "bad relay message");
		return hub_stream_relay_died(s, m.value, e);
	case SBMSG_TAP:
		if (!s->plan->hub) {
			if (fd >= 0)
				close(fd);
			return qerr_set(e, EPROTO, "bad TAP message");
		}
		hub_stream_tap(s, &m, fd);
		return 0;
	case SBMSG_GUARD:
		if (s->plan->hub)
			hub_stream_guarded(s, &m);
		return 0;
	case SBMSG_STARTED:
		s->started = true;
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
	if (fd >= 0)
		close(fd);
	return qerr_set(e, EPROTO, "unknown message %u from the sandbox",
			m.type);
}

/*
 * The NAT engine died while the sandbox ran: its NAT is down, as a hub's
 * death takes a member's link to that network (hub_gone()), and the
 * payload runs on. A hub keeps its segment: members still reach each
 * other, its DHCP server and forwards; `net inspect` shows the engine's
 * end (sup_engine_json()).
 */
static void engine_died(struct sup *s)
{
	char how[256];

	if (s->have_status || s->init_reaped)
		return;	/* the sandbox is ending anyway */
	nat_engine_describe(s->engine.status, how, sizeof(how));
	if (s->plan->hub)
		fprintf(stderr, "qbox: network '%s': the NAT engine died (%s): "
				"its way out is down; members keep their "
				"segment\n", s->hub.spec.name, how);
	else
		fprintf(stderr, "qbox: sandbox '%s': the NAT engine died (%s): "
				"its NAT network is down; the payload runs "
				"on\n", s->plan->name, how);
}

/* A signal for the supervisor; returns <0 with @e to abort the run */
static int on_signal(struct sup *s, struct qerr *e)
{
	struct signalfd_siginfo si;
	int status;

	if (read(s->sigfd, &si, sizeof(si)) != sizeof(si))
		return 0;
	if (si.ssi_signo == SIGCHLD) {
		/* one SIGCHLD may stand for several children */
		if (nat_engine_reap(&s->engine))
			engine_died(s);
		if (waitpid(s->sb.pid, &status, WNOHANG) == s->sb.pid) {
			s->init_reaped = true;
			s->init_status = status;
		}
		/* a forward worker's death ends the run, as init's would */
		return fwd_engine_reap(s->fwd, e);
	}
	if (!s->started) {
		/* nobody to pass it to yet: give up the start */
		s->abort_signal = (int)si.ssi_signo;
		return 0;
	}
	if (s->plan->hub) {
		/* no payload to pass it to: the hub ends, as by net rm --force */
		s->hub.done = true;
		return 0;
	}
	kill(s->sb.pid, (int)si.ssi_signo);
	return 0;
}

/*
 * A network's hub hung up on us: it ended (killed, or `qbox net rm
 * --force`), and with its namespaces went our veth pair's far end. The
 * payload runs on; its link to that network is gone, so say so.
 */
static void hub_gone(struct sup *s, int i)
{
	char c;

	if (read(s->member_fd[i], &c, 1) > 0)
		return;	/* the hub sends nothing after its answers */
	fprintf(stderr, "qbox: network '%s' ended (its hub is gone): %s's "
			"link to it is down\n", s->plan->nics[i].spec->name,
		s->plan->name);
	close(s->member_fd[i]);
	s->member_fd[i] = -1;
}

static int loop(struct sup *s, struct qerr *e)
{
	struct pollset ps = { 0 };
	int midx[MAX_NICS];
	int i, r = 0;

	while (!s->init_reaped) {
		pollset_reset(&ps);
		pollset_add(&ps, s->sigfd, POLLIN);
		pollset_add(&ps, s->sb.sock, POLLIN);
		if (s->ctl)
			ctl_server_poll_fill(s->ctl, &ps);
		for (i = 0; i < MAX_NICS; i++)
			midx[i] = s->member_fd[i] >= 0 ?
				pollset_add(&ps, s->member_fd[i], POLLIN) : -1;
		if (s->plan->hub) {
			int64_t idle = 0;

			hub_poll_fill(s, &ps);
			if (hub_should_end(s, &idle))
				break;
			if (idle)
				pollset_timeout(&ps, idle - now_ns() / 1000000);
		}
		if (s->stop_deadline_ms)
			pollset_timeout(&ps, s->stop_deadline_ms -
						     now_ns() / 1000000);
		if (ps.n < 2 || ps.fds == NULL) {
			r = qerr_set(e, ENOMEM, "event loop");
			break;
		}
		if (poll(ps.fds, (nfds_t)ps.n, ps.timeout_ms) < 0 &&
		    errno != EINTR) {
			r = qerr_set(e, errno, "event loop: poll");
			break;
		}
		if (s->ctl)
			ctl_server_poll_done(s->ctl, &ps);
		for (i = 0; i < MAX_NICS; i++)
			if (midx[i] >= 0 && ps.fds[midx[i]].revents)
				hub_gone(s, i);
		if (s->plan->hub)
			hub_poll_done(s, &ps);
		if (s->stop_deadline_ms &&
		    now_ns() / 1000000 >= s->stop_deadline_ms) {
			/* the payload ignored SIGTERM: end the sandbox */
			kill(s->sb.pid, SIGKILL);
			s->stop_deadline_ms = 0;
			s->stop_killed = true;
		}
		if (ps.fds[1].revents && (r = on_message(s, e)) < 0)
			break;
		if (ps.fds[0].revents && (r = on_signal(s, e)) < 0)
			break;
		if (s->abort_signal)
			break;	/* interrupted during setup */
	}
	pollset_free(&ps);
	return r;
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

static int exit_status(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}

/*
 * A new hub enters the user namespace of the user's other hubs, if one
 * runs: members may join several networks, and a veth pair can only link
 * namespaces that one user namespace has power over. The search and the
 * new hub's socket happen under a lock on the runtime directory, so two hubs starting at once
 * cannot both make a user namespace of their own.
 */
static int hub_userns(int dirfd, int *lockfd, int *found, struct qerr *e)
{
	struct ctl_req req = { .verb = CTL_NS };
	struct dirent *d;
	int pidfd = -1, dfd;
	DIR *dir;

	/* the directory itself is the lock: no file to leave behind */
	*lockfd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*lockfd < 0 || flock(*lockfd, LOCK_EX) < 0)
		return qerr_set(e, errno, "locking the runtime directory");
	if ((dfd = dup(dirfd)) < 0 || !(dir = fdopendir(dfd))) {
		if (dfd >= 0)
			close(dfd);
		return qerr_set(e, errno, "reading the runtime directory");
	}
	while (pidfd < 0 && (d = readdir(dir))) {
		struct strbuf out = { 0 };
		size_t len = strlen(d->d_name);
		int fd;

		if (strncmp(d->d_name, HUB_FILE_PREFIX,
			    strlen(HUB_FILE_PREFIX)) ||
		    len < 5 || strcmp(d->d_name + len - 5, ".sock"))
			continue;
		if ((fd = ctl_open(dirfd, d->d_name)) < 0)
			continue;
		if (ctl_call(fd, &req, &out, &pidfd, 5000, NULL) < 0 &&
		    pidfd >= 0) {
			close(pidfd);
			pidfd = -1;
		}
		sb_free(&out);
		close(fd);
	}
	closedir(dir);
	*found = pidfd;
	return 0;
}

int supervise(const struct plan *p, struct qerr *e)
{
	struct sup s = { .plan = p, .sigfd = -1, .lockfd = -1,
			 .ready_fd = p->ready_fd, .started_at = time(NULL),
			 .sb = { .pid = -1, .sock = -1 },
			 .engine = { .fd = -1 } };
	char dir[4096];
	cleanup_fd int dirfd = -1;
	cleanup_fd int hubs_lock = -1;
	struct filters filters = { 0 };
	struct sandbox_cfg cfg = { .plan = p, .filters = &filters,
				   .userns_pidfd = -1,
				   .role = p->hub ? &hub_init_role :
						    &init_payload_role };
	int i, r;

	for (i = 0; i < MAX_NICS; i++) {
		s.upfd[i] = -1;
		s.member_fd[i] = -1;
		cfg.join[i].pidfd = -1;
		cfg.tapfd[i] = -1;
	}
	s.hub.dhcp_fd = s.hub.stream_fd = s.hub.relay_fd = -1;
	if (p->hub) {
		s.hub.spec = *p->nics[0].spec;
		s.hub.linger = s.hub.spec.linger;
	}
	if ((r = filters_build(p->policy, p->policy_log ? FILTER_LOG : 0,
				 &filters, e)) < 0)
		return r;
	if (needs_engine(p) && (r = filters_build_engine(&filters, e)) < 0) {
		filters_free(&filters);
		return r;
	}
	s.filters = &filters;
	if ((r = bridged_open(p, cfg.tapfd, e)) < 0 ||
	    (r = rundir_path(getuid(), dir, sizeof(dir), e)) < 0 ||
	    (r = dirfd = rundir_open(dir, getuid(), e)) < 0) {
		filters_free(&filters);
		goto out_taps;
	}
	s.dirfd = dirfd;
	s.rundir = dir;
	if (!(s.fwd = fwd_engine_new(e))) {
		r = -ENOMEM;
		goto out;
	}
	cfg.uid = getuid();
	cfg.gid = getgid();
	cfg.rundir_fd = dirfd;
	/* before our signals are blocked: a hub we start must not inherit */
	if (p->hub)
		r = hub_userns(dirfd, &hubs_lock, &cfg.userns_pidfd, e);
	else
		r = member_join(dirfd, p, &cfg, s.member_fd, e);
	if (r < 0)
		goto out;
	if (!p->hub)
		fault_point("sup", "joined");
	for (i = 0; i < MAX_NICS; i++)
		s.member_addr[i] = cfg.join[i].addr;
	if ((r = s.sigfd = block_signals(&cfg.sigmask, &cfg.sigpipe, e)) < 0)
		goto out;
	raise_nofile(&cfg.nofile);
	cfg.sup_sigfd = s.sigfd;
	cfg.sup_lockfd = hubs_lock;
	/*
	 * Init exists before the name lock does, so whenever a lock file
	 * exists, someone is there to remove it, even after kill -9 of qbox.
	 */
	r = sandbox_spawn(&cfg, &s.sb, e);
	if (p->hub && cfg.userns_pidfd >= 0)
		close(cfg.userns_pidfd);
	member_close_handles(&cfg);
	bridged_close(cfg.tapfd);
	if (r < 0)
		goto out;
	fwd_engine_set_sandbox(s.fwd, s.sb.pid, s.filters);
	fault_point(sup_role(p), "spawned");
	if ((r = s.lockfd = rundir_lock(dirfd, p->name, e)) < 0)
		goto out;
	fault_point(sup_role(p), "named");
	if (!(s.ctl = ctl_server_new(dirfd, p->name, sup_handle, &s, e))) {
		r = -EIO;
		goto out;
	}
	fault_point(sup_role(p), "listening");
	if (p->hub) {
		ctl_server_on_leave(s.ctl, hub_leave);
		if ((r = hub_stream_listen(&s, e)) < 0)
			goto out;
		close(steal_fd(&hubs_lock));	/* others may find us now */
	}
	r = loop(&s, e);
out:
	/* name first: while init lives, a death of ours here is covered */
	release_name(&s);
	if (s.sb.pid > 0 && !s.init_reaped) {
		kill(s.sb.pid, SIGKILL);
		waitpid(s.sb.pid, NULL, 0);
	}
	if (s.ready_fd >= 0)
		close(s.ready_fd);
	member_leave(s.member_fd);
	fwd_engine_free(s.fwd);
	nat_engine_stop(&s.engine);
	for (i = 0; i < MAX_NICS; i++)
		if (s.upfd[i] >= 0)
			close(s.upfd[i]);
	if (s.sb.sock >= 0)
		close(s.sb.sock);
	if (s.sigfd >= 0)
		close(s.sigfd);
	filters_free(&filters);
	/* last: a `qbox stop` waiting on it returns when all else is closed */
	ctl_server_free(s.ctl);
	hub_stream_free(&s);
	free(s.hub.members);
	dhcp_free(s.hub.dhcp);
	if (s.hub.dhcp_fd >= 0)
		close(s.hub.dhcp_fd);
out_taps:
	bridged_close(cfg.tapfd);
	if (r < 0)
		return r;
	if (p->hub)
		return 0;
	if (s.abort_signal)
		return 128 + s.abort_signal;
	if (!s.have_status && s.stop_killed)
		return 128 + SIGKILL;	/* `qbox stop` had to kill */
	if (!s.have_status) {
		char how[256];

		status_describe(s.init_status, how, sizeof(how));
		return qerr_set(e, 0, "sandbox '%s': its init died (%s) "
				      "before the payload ended", p->name, how);
	}
	return exit_status(s.status);
}
