// SPDX-License-Identifier: MIT
/*
 * init.c - what every sandbox's init does (see init.h)
 *
 * Theory of operation, in the order things happen:
 *
 *  1. user namespace: PDEATHSIG, then the uid/gid maps, our own ids mapped
 *     to themselves, setgroups denied (required before an unprivileged
 *     gid_map). Init now holds every capability, but only over its new
 *     namespaces. A sandbox cloned inside the user namespace of the user's
 *     networks (spawn.c) has no maps to write.
 *  2. links: lo up, br_netfilter off, then the role's (segment.h builds
 *     each bridge and its ports).
 *  3. the role's preparation (a hub's stream relay, a command's
 *     resolv.conf), then NET_READY; then wait for GO: the supervisor has
 *     started the uplinks, bound the forwards and handed them to the
 *     workers, so the payload never races an unready network.
 *  4. go: the role confines init (every capability dropped, no_new_privs,
 *     qbox's baseline filter; a hub's keeps CAP_NET_ADMIN) and starts what
 *     it runs; STARTED tells the supervisor; the role's last step (the
 *     helper filter, seccomp/filter.h).
 *  5. running: forward SIGINT/SIGTERM/SIGHUP to the payload (without one,
 *     a signal ends init, as the payload's end would), reap orphans, pass
 *     the supervisor's messages to the role, and report the payload's
 *     wait status.
 *
 * Who notices a death: the payload gets SIGKILL when init dies
 * (PDEATHSIG, and anyway the PID namespace dies with its pid 1). Init
 * learns of the supervisor's death from EOF on the message socket, with
 * PDEATHSIG (SIGUSR1) as a wake-up; the socket is also the race check,
 * since in a new PID namespace getppid() is always 0. Init always ends
 * the same way (init_exit): it waits for that EOF, which a living
 * supervisor sends only after releasing the sandbox's name, removes the
 * name lock if the supervisor died holding it, and exits, taking the
 * payload along.
 */
#include "netns/init.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/rundir.h"
#include "common/util.h"

/*
 * The only way out of init. It waits for the supervisor to close the
 * message socket (its last act after releasing the sandbox's name), or to
 * die; in the second case the name lock is left, and init removes it. Init's
 * exit then ends the PID namespace and everything in it.
 */
static __attribute__((noreturn)) void init_exit(struct init *in, int code)
{
	struct sbmsg m;
	int fd, r;

	if (in->payload > 0)
		kill(in->payload, SIGKILL);
	while ((r = sbmsg_recv(in->sock, &m, &fd)) > 0)
		if (fd >= 0)
			close(fd);
	rundir_reap(in->cfg->rundir_fd, in->cfg->plan->name, 2000);
	_exit(code);
}

/* Report a setup failure to the supervisor and end the sandbox */
static __attribute__((noreturn)) void init_fail(struct init *in,
						struct qerr *e)
{
	struct sbmsg m = { .type = SBMSG_ERROR, .err = *e };

	sbmsg_send(in->sock, &m, -1);
	init_exit(in, 1);
}

static bool supervisor_gone(int sock)
{
	struct pollfd p = { sock, POLLIN, 0 };

	return poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR));
}

/* A fresh user namespace: our own ids mapped to themselves */
static int init_maps(struct init *in, struct qerr *e)
{
	char map[64];
	int r;

	if ((r = write_file("/proc/self/setgroups", "deny")) < 0)
		return qerr_set(e, -r, "writing /proc/self/setgroups");
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned int)in->cfg->uid,
		 (unsigned int)in->cfg->uid);
	if ((r = write_file("/proc/self/uid_map", map)) < 0)
		return qerr_set(e, -r, "writing /proc/self/uid_map");
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned int)in->cfg->gid,
		 (unsigned int)in->cfg->gid);
	if ((r = write_file("/proc/self/gid_map", map)) < 0)
		return qerr_set(e, -r, "writing /proc/self/gid_map");
	return 0;
}

static int init_user(struct init *in, struct qerr *e)
{
	if (prctl(PR_SET_PDEATHSIG, SIGUSR1) < 0)
		return qerr_set(e, errno, "setting the parent-death signal");
	if (supervisor_gone(in->sock))
		init_exit(in, 1);
	/* cloned inside the user namespace of the user's networks: mapped */
	if (in->cfg->userns_pidfd >= 0)
		return 0;
	return init_maps(in, e);
}

/*
 * Where br_netfilter is loaded (Docker loads it, and this module's
 * sysctls are per network namespace), every IPv4 and IPv6 frame our
 * bridges pass is also handed to the iptables hooks, which this
 * namespace has no rule for: qbox filters with nftables' netdev family
 * (antispoof_nft.c), which needs none of it. Turning it off here bought
 * VM-to-VM on a natnet a quarter more throughput (three bridges on the
 * way). Best effort: without the module the files do not exist, and
 * before Linux 5.3 they are the host's and not ours to write.
 */
static void bridge_nf_off(void)
{
	static const char *const calls[] = { "iptables", "ip6tables",
					     "arptables" };
	char path[64];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(calls); i++) {
		snprintf(path, sizeof(path),
			 "/proc/sys/net/bridge/bridge-nf-call-%s", calls[i]);
		write_file(path, "0");
	}
}

static int init_links(struct init *in, struct qerr *e)
{
	const struct init_role *role = in->cfg->role;
	struct nl nl = { 0 };
	int r;

	if ((r = nl_open(&nl, e)) < 0)
		return r;
	bridge_nf_off();
	r = nl_link_up(&nl, "lo", 0, 0, 0, e);
	if (r == 0 && role->links)
		r = role->links(in, &nl, e);
	nl_close(&nl);
	return r;
}

static void init_wait_go(struct init *in)
{
	struct sbmsg m;
	int fd, r;

	r = sbmsg_recv(in->sock, &m, &fd);
	if (r <= 0 || m.type != SBMSG_GO) {
		if (fd >= 0)
			close(fd);
		init_exit(in, 1);
	}
	in->go_fd = fd;		/* a VM's QMP listener, or -1 */
}

/* A message from the supervisor while running; its EOF ends init */
static void init_message(struct init *in)
{
	struct sbmsg m;
	int fd, r = sbmsg_recv(in->sock, &m, &fd);

	if (fd >= 0)
		close(fd);
	if (r <= 0)
		init_exit(in, 1);
	if (in->cfg->role->message)
		in->cfg->role->message(in, &m);
}

/* SIGCHLD: the payload's end is reported and ends init; others are the
 * role's, or orphans of the payload's */
static void init_reap(struct init *in)
{
	struct sbmsg m = { .type = SBMSG_EXIT };
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (pid != in->payload) {
			if (in->cfg->role->reaped)
				in->cfg->role->reaped(in, pid, status);
			continue;
		}
		in->payload = 0;
		m.value = status;
		sbmsg_send(in->sock, &m, -1);
		init_exit(in, 0);
	}
}

/*
 * A signal, and nothing to pass it to (a hub's init: the supervisor
 * passes its SIGTERM on, as to a payload's): init ends as a payload's end
 * would end it, told to the supervisor, which then lets it go.
 */
static __attribute__((noreturn)) void init_told_to_end(struct init *in)
{
	struct sbmsg m = { .type = SBMSG_EXIT };

	sbmsg_send(in->sock, &m, -1);
	init_exit(in, 0);
}

static int signals_open(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	return signalfd(-1, &set, SFD_CLOEXEC);
}

/* Forward signals, reap orphans, report the payload's end */
static __attribute__((noreturn)) void init_loop(struct init *in, int sfd)
{
	for (;;) {
		struct pollfd pfd[2] = { { sfd, POLLIN, 0 },
					 { in->sock, POLLIN, 0 } };
		struct signalfd_siginfo si;

		if (poll(pfd, 2, -1) < 0)
			continue;
		if (pfd[1].revents)
			init_message(in);
		if (!pfd[0].revents ||
		    read(sfd, &si, sizeof(si)) != sizeof(si))
			continue;
		if (si.ssi_signo == SIGUSR1) {
			if (supervisor_gone(in->sock))
				init_exit(in, 1);
		} else if (si.ssi_signo == SIGCHLD) {
			init_reap(in);
		} else if (in->payload > 0) {
			kill(in->payload, (int)si.ssi_signo);
		} else {
			init_told_to_end(in);
		}
	}
}

/* STARTED, then the role's last confinement, then the loop */
static __attribute__((noreturn)) void init_run(struct init *in)
{
	const struct init_role *role = in->cfg->role;
	struct sbmsg m = { .type = SBMSG_STARTED, .value = in->payload };
	struct qerr e = { 0 };
	int sfd = signals_open();

	if (sfd < 0) {
		if (in->payload > 0)
			kill(in->payload, SIGKILL);
		_exit(1);
	}
	/* at once: until the supervisor knows, a signal abandons the start */
	sbmsg_send(in->sock, &m, -1);
	fault_point(role->fault, "running");
	if (role->running && role->running(in, &e) < 0)
		init_fail(in, &e);
	init_loop(in, sfd);
}

void init_main(const struct sandbox_cfg *cfg, int sock)
{
	struct init in = { .cfg = cfg, .sock = sock, .go_fd = -1 };
	const struct init_role *role = cfg->role;
	struct sbmsg ready = { .type = SBMSG_NET_READY };
	struct qerr e = { 0 };
	int i;

	for (i = 0; i < MAX_NICS; i++)
		in.nics[i].fd = -1;
	/*
	 * The supervisor's own fds that a fork hands down: --ready-fd must
	 * reach EOF when the supervisor closes it, and a starting hub's lock
	 * on the runtime directory (one open file, shared by the fork) must
	 * not last as long as the hub. The user's other fds stay, for the
	 * payload.
	 */
	if (cfg->plan->ready_fd >= 0)
		close(cfg->plan->ready_fd);
	if (cfg->sup_sigfd >= 0)
		close(cfg->sup_sigfd);
	if (cfg->sup_lockfd >= 0)
		close(cfg->sup_lockfd);

	if (init_user(&in, &e) < 0 || init_links(&in, &e) < 0)
		init_fail(&in, &e);
	fault_point(role->fault, "links");
	if (role->prepare && role->prepare(&in, &e) < 0)
		init_fail(&in, &e);
	fault_point(role->fault, "net-ready");
	sbmsg_send(sock, &ready, -1);
	init_wait_go(&in);
	fault_point(role->fault, "go");
	if (role->go && role->go(&in, &e) < 0)
		init_fail(&in, &e);
	init_run(&in);
}
