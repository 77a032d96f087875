/* SPDX-License-Identifier: MIT */
/*
 * hub_client.h - a named network's hub, from the outside: connect to its
 * control socket, or start it
 *
 * Used by a sandbox joining a network (supervisor/member.c) and by `qbox
 * net` (runner/netcmd.c). The hub itself is network/hub.c.
 */
#ifndef QBOX_HUB_CLIENT_H
#define QBOX_HUB_CLIENT_H

#include <stdbool.h>

#include "common/err.h"
#include "plan/spec.h"

/* How long a starting hub may take to answer, and a join */
#define HUB_START_MS 15000

/* The hub of network @name: its control socket, or -ENOENT */
int hub_client_open(int dirfd, const char *name);

/**
 * hub_client_start() - start the hub of network @spec_text, detached
 * @dirfd:	runtime directory
 * @spec_text:	"natnet:lab0,subnet=..." as the user wrote it
 * @linger:	the hub stays without members (qbox net create)
 * @e:		the hub's own error when it could not start
 *
 * Return: 0 once the hub serves net@NAME.sock; -EEXIST when another hub
 * of that name won a race to start (connect to it instead), or -errno.
 */
int hub_client_start(int dirfd, const char *spec_text, bool linger,
		     struct qerr *e);

/*
 * Connect to network @n's hub (@text as the user wrote it), starting it
 * when none serves. Return: the hub's control socket, or -errno with @e
 */
int hub_client_connect(int dirfd, const char *text, const struct net_spec *n,
		       struct qerr *e);

#endif /* QBOX_HUB_CLIENT_H */
