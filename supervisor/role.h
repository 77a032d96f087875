/* SPDX-License-Identifier: MIT */
/*
 * role.h - what a supervisor is for: a sandbox's payload, or a network
 *
 * supervisor.c runs every run the same way: filters, runtime directory,
 * the sandbox, its name and control socket, one poll loop, one cleanup
 * (see there). What is particular to a kind of run is its role, whose
 * hooks supervisor.c calls at those steps; it names no role itself. Two:
 *
 *   sandbox_role   `qbox run` (supervisor/sandbox_role.c): a payload;
 *                  joins named networks as a member, answers `qbox ps`,
 *                  passes signals on, exits with the payload's status;
 *   hub_role       `qbox __hub` (network/hub.c): a named network, no
 *                  payload; members, their forwards, DHCP, the generic
 *                  socket's clients; ends when its last member leaves.
 *
 * Every hook may be NULL: nothing to do there. Each gets the supervisor's
 * state (sup.h), whose role_data is the role's own.
 */
#ifndef QBOX_ROLE_H
#define QBOX_ROLE_H

#include <stdbool.h>
#include <stdint.h>

#include "common/json.h"
#include "common/pollset.h"
#include "common/sbmsg.h"
#include "control/ctl_proto.h"
#include "netns/sandbox.h"

struct sup;

struct role {
	const char *fault;		/* for fault_point(): "sup", "hub" */
	const struct init_role *init;	/* what its sandbox's init does */
	/*
	 * Before the sandbox exists and before signals are blocked (a hub
	 * started here must not inherit them): fill @cfg's user namespace
	 * and joins. 0 or -errno with @e; the run then fails.
	 */
	int (*start)(struct sup *s, struct sandbox_cfg *cfg, struct qerr *e);
	/* At NET_READY, the NAT engine running: what must run before GO */
	int (*net_ready)(struct sup *s, struct qerr *e);
	/* Its fds in the poll set, and a deadline (pollset_timeout) */
	void (*poll_fill)(struct sup *s, struct pollset *ps);
	/* After poll: serve them. <0 with @e ends the run. */
	int (*poll_done)(struct sup *s, struct pollset *ps, struct qerr *e);
	/* A message from init that is not the supervisor's own; @fd its
	 * attached fd, the hook's to close. <0 with @e ends the run. */
	int (*message)(struct sup *s, const struct sbmsg *m, int fd,
		       struct qerr *e);
	/* A control request: as ctl_handle_fn (control/ctl_server.h), or
	 * -ENOTSUP, without a message, for the supervisor's own answers */
	int (*control)(struct sup *s, const struct ctl_req *req,
		       struct strbuf *out, int *fd, long *hold,
		       struct qerr *e);
	/* A connection it held (*hold) hung up */
	void (*leave)(struct sup *s, long id);
	/* Whether to end now, though the sandbox runs */
	bool (*should_end)(struct sup *s);
	/* The NAT engine died while the sandbox ran: @how it ended */
	void (*engine_died)(struct sup *s, const char *how);
	/* The end: free what it holds, and the exit status of the run */
	int (*end)(struct sup *s, struct qerr *e);
};

extern const struct role sandbox_role;

#endif /* QBOX_ROLE_H */
