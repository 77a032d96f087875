/* SPDX-License-Identifier: MIT */
/* supervisor.h - `qbox run`: from a plan to a running, supervised sandbox */
#ifndef QBOX_SUPERVISOR_H
#define QBOX_SUPERVISOR_H

#include "plan/plan.h"

/**
 * supervise() - run the sandbox of @p until its payload ends
 * @p:		the plan, fully checked
 * @e:		error of a failed step
 *
 * Return: the exit status for qbox (payload's status, 128+signal), or a
 * negative errno with @e filled.
 */
int supervise(const struct plan *p, struct qerr *e);

#endif /* QBOX_SUPERVISOR_H */
