/* SPDX-License-Identifier: MIT */
/*
 * member.h - a sandbox's side of named networks: find or start the hub
 * join it, keep the connection
 */
#ifndef QBOX_MEMBER_H
#define QBOX_MEMBER_H

#include "common/err.h"
#include "netns/sandbox.h"
#include "plan/plan.h"

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
 * networks (they end with the membership). The pidfds in @cfg are closed
 * by sandbox_cfg_release() once the sandbox exists.
 * Return: 0 or -errno; on error nothing stays open
 */
int member_join(int dirfd, const struct plan *p, struct sandbox_cfg *cfg,
		int conn[MAX_NICS], struct qerr *e);

/* Leave the networks: hang up the held connections */
void member_leave(int conn[MAX_NICS]);

#endif /* QBOX_MEMBER_H */
