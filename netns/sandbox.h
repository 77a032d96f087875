/* SPDX-License-Identifier: MIT */
/*
 * sandbox.h - the sandbox: a user, network and PID namespace around a payload
 *
 * sandbox_spawn() (spawn.c) forks the sandbox's init, pid 1 of a new PID
 * namespace inside new user and network namespaces. Init (init.c) builds
 * the links, hands each NAT NIC's uplink TAP fd to the supervisor, waits
 * for SBMSG_GO, confines itself, starts what it runs, forwards signals and
 * reports the payload's wait status. Because init is pid 1, every process
 * the payload leaves behind dies with it. What init makes and runs is its
 * role's (init.h): a sandbox's payload and NICs (init_payload_role), or a
 * named network's segment (network/hub_init.c), chosen by whoever fills
 * the struct sandbox_cfg.
 */
#ifndef QBOX_SANDBOX_H
#define QBOX_SANDBOX_H

#include <signal.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "common/err.h"
#include "netns/view.h"
#include "plan/plan.h"
#include "seccomp/filter.h"

/* A NIC's attachment to a named network's hub (supervisor/member.c) */
struct sandbox_join {
	int pidfd;		/* the hub's init: its user and net namespaces;
				   -1: this NIC joins no network */
	char peer[16];		/* the hub's end of our veth pair */
	struct in_addr addr;	/* a command payload's address, or the one
				   the hub's DHCP keeps for a VM; INADDR_ANY:
				   none (a VM on a network without DHCP) */
	char egress[8];		/* the network's NAT's TCP path out:
				   "kernel", "slirp", or "" (no NAT) */
};

struct init_role;

struct sandbox_cfg {
	const struct plan *plan;
	const struct init_role *role;	/* what init makes and runs */
	const struct view *view;	/* the payload's, or NULL (a hub) */
	/*
	 * Enter this process's user namespace instead of making one: a
	 * member of a named network, or a hub when the user already has
	 * one (all of a user's hubs and members share one user namespace,
	 * which is what lets a veth pair link their network namespaces).
	 * -1: a new user namespace.
	 */
	int userns_pidfd;
	struct sandbox_join join[MAX_NICS];
	/*
	 * Bridged NICs: the administrator's TAP, opened by the supervisor
	 * in the host's network namespace before this sandbox existed;
	 * init inherits it and hands it to QEMU. -1 for other NICs.
	 */
	int tapfd[MAX_NICS];
	const struct filters *filters;
	uid_t uid;
	gid_t gid;
	int rundir_fd;		/* init cleans up if the supervisor dies */
	int sup_sigfd;		/* the supervisor's signalfd: init closes it */
	/*
	 * A starting hub's lock on the runtime directory (or -1): init
	 * closes its copy, or the lock (one open file, shared by the fork)
	 * would last as long as the hub and block the user's next hub.
	 */
	int sup_lockfd;
	struct sigaction sigpipe; /* the disposition qbox was started with */
	sigset_t sigmask;	/* the signal mask qbox was started with */
	struct rlimit nofile;	/* RLIMIT_NOFILE qbox was started with */
};

struct sandbox {
	pid_t pid;		/* init, as the supervisor sees it */
	int sock;		/* supervisor's end of the message socket */
};

/**
 * sandbox_spawn() - create the namespaces and start init in them
 * @cfg:	what to build
 * @sb:		filled on success
 * @e:		usage error when user namespaces are unavailable (names the
 *		sysctl), runtime error otherwise
 *
 * The caller must have blocked SIGCHLD, SIGINT, SIGTERM and SIGHUP: init
 * inherits the mask and reads them from a signalfd.
 * Return: 0 or -errno
 */
int sandbox_spawn(const struct sandbox_cfg *cfg, struct sandbox *sb,
		  struct qerr *e);

/*
 * Close the handles @cfg gives init (the hubs' pidfds, bridged NICs'
 * TAPs): once init exists it holds its own copies, and a TAP must be free
 * again when QEMU ends. Idempotent.
 */
void sandbox_cfg_release(struct sandbox_cfg *cfg);

/* A hub's bridge, in the hub's netns */
#define HUB_BRIDGE "qbr0"

/* The role of a sandbox that runs a payload (netns/payload.c) */
extern const struct init_role init_payload_role;

#endif /* QBOX_SANDBOX_H */
