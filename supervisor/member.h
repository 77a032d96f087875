/* SPDX-License-Identifier: MIT */
/*
 * member.h - a sandbox's side of named networks: find or start the hub,
 * join it, keep the connection
 */
#ifndef QBOX_MEMBER_H
#define QBOX_MEMBER_H

#include "common/err.h"
#include "netns/sandbox.h"
#include "plan/plan.h"

/**
 * hub_start() - start the hub of network @spec_text, detached
 * @dirfd:	runtime directory
 * @spec_text:	"natnet:lab0,subnet=..." as the user wrote it
 * @linger:	the hub stays without members (qbox net create)
 * @e:		the hub's own error when it could not start
 *
 * Return: 0 once the hub serves net@NAME.sock; -EEXIST when another hub
 * of that name won a race to start (connect to it instead), or -errno.
 */
int hub_start(int dirfd, const char *spec_text, bool linger, struct qerr *e);

/**
 * member_join() - join every named network of plan @p
 * @dirfd:	runtime directory
 * @p:		the sandbox's plan
 * @cfg:	filled: userns_pidfd and join[] for sandbox_spawn()
 * @conn:	filled: the held connection of each joined NIC, or -1
 * @addr:	filled: a command payload's address on each joined NIC
 * @e:		error naming the --net flag
 *
 * Starts hubs that do not run yet, and adds the plan's forwards to
 * networks (they end with the membership).
 * Return: 0 or -errno; on error nothing stays open
 */
int member_join(int dirfd, const struct plan *p, struct sandbox_cfg *cfg,
		int conn[MAX_NICS], struct qerr *e);

/* Close the hubs' pidfds once the sandbox's init holds its own copies */
void member_close_handles(struct sandbox_cfg *cfg);

/* Leave the networks: hang up the held connections */
void member_leave(int conn[MAX_NICS]);

/*
 * Connect to network @n's hub (@text as the user wrote it), starting it
 * when none serves. Return: the hub's control socket, or -errno with @e
 */
int hub_connect(int dirfd, const char *text, const struct net_spec *n,
		struct qerr *e);

/* The hub of network @name: its control socket, or -ENOENT */
int hub_open(int dirfd, const char *name);

#endif /* QBOX_MEMBER_H */
