/* SPDX-License-Identifier: MIT */
/*
 * supervisor.h - from a plan to a running, supervised sandbox: `qbox run`
 * (sandbox_role) and a network's hub (network/hub.c's hub_role)
 */
#ifndef QBOX_SUPERVISOR_H
#define QBOX_SUPERVISOR_H

#include "plan/plan.h"
#include "supervisor/role.h"

/**
 * supervise() - run the sandbox of @p in role @role until it ends
 * @p:		the plan, fully checked
 * @role:	what the run is for (role.h)
 * @arg:	the role's own argument (sandbox_role: the payload's view,
 *		netns/view.h), in struct sup's role_arg
 * @e:		error of a failed step
 *
 * Return: the exit status for qbox (the role's: a payload's status,
 * 128+signal), or a negative errno with @e filled.
 */
int supervise(const struct plan *p, const struct role *role, void *arg,
	      struct qerr *e);

#endif /* QBOX_SUPERVISOR_H */
