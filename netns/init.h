/* SPDX-License-Identifier: MIT */
/*
 * init.h - a sandbox's init (pid 1 of its PID namespace), and its roles
 *
 * Every init does the same things in the same order (init.c): it ties
 * itself to the supervisor, sets up its user namespace, brings lo up and
 * makes its role's links, says NET_READY, waits for GO, confines itself and
 * starts what it runs, then forwards signals, reaps orphans and serves the
 * supervisor's messages until it ends. What is particular to a kind of
 * sandbox is its role, a struct init_role whose hooks init.c calls at
 * those steps. There are two:
 *
 *   init_payload_role   a sandbox that runs a payload (netns/payload.c):
 *                       its NICs, its resolv.conf, QEMU's or a command's
 *                       start, the helper filter once it runs;
 *   hub_init_role       a named network's hub (network/hub_init.c): the
 *                       network's segment and DHCP socket, the stream
 *                       relay, and a TAP per client of its socket.
 */
#ifndef QBOX_INIT_H
#define QBOX_INIT_H

#include <sys/types.h>

#include "common/err.h"
#include "common/sbmsg.h"
#include "netns/nl.h"
#include "netns/sandbox.h"
#include "plan/qemu_argv.h"

struct init {
	const struct sandbox_cfg *cfg;
	int sock;			/* to the supervisor */
	struct qemu_nic nics[MAX_NICS];	/* the payload's NIC fds (-1: none) */
	pid_t payload;			/* 0: none (yet, or any more) */
	int go_fd;			/* what came with GO: a VM's QMP
					   listening socket, for QEMU; -1 */
	char *resolv;			/* a payload's own resolv.conf, for
					   its view (resolv.c), or NULL */
};

/* Every hook may be NULL: nothing to do at that step */
struct init_role {
	const char *fault;	/* its role for fault_point(): the stages
				   links, net-ready, go, running */
	/* Make the role's links; lo is up. 0 or -errno with @e. */
	int (*links)(struct init *in, struct nl *nl, struct qerr *e);
	/* After the links, before NET_READY: helpers, a private mount. */
	int (*prepare)(struct init *in, struct qerr *e);
	/* At GO: confine init, start what it runs. */
	int (*go)(struct init *in, struct qerr *e);
	/* Once the supervisor knows it runs: the last of init's confinement */
	int (*running)(struct init *in, struct qerr *e);
	/* A message from the supervisor while running (its fd is closed) */
	void (*message)(struct init *in, const struct sbmsg *m);
	/* A child other than the payload ended with @status */
	void (*reaped)(struct init *in, pid_t pid, int status);
};

/* init's body: never returns (spawn.c calls it in the new namespaces) */
__attribute__((noreturn)) void init_main(const struct sandbox_cfg *cfg,
					 int sock);

#endif /* QBOX_INIT_H */
