/* SPDX-License-Identifier: MIT */
/*
 * ctl_server.h - the sandbox's control socket, served by the supervisor
 *
 * $RUNDIR/NAME.sock, a unix stream socket in the user's 0700 runtime
 * directory; every connection is also checked with SO_PEERCRED, so only
 * the sandbox's own user is served. The protocol is in ctl_proto.h.
 */
#ifndef QBOX_CTL_SERVER_H
#define QBOX_CTL_SERVER_H

#include "common/err.h"
#include "common/json.h"
#include "common/pollset.h"
#include "control/ctl_proto.h"

struct ctl_server;

/*
 * Answer @req: fill @out with the payload (JSON) and return 0, or return
 * -errno with @e; *@fd may be set to an fd to send along (then closed).
 * CTL_WAIT and CTL_STOP are called too; the server holds those
 * connections itself. Setting *@hold to a positive id keeps the
 * connection open after the answer; its hang-up is reported to the
 * ctl_leave_fn with that id (a network's member leaving), and its further
 * requests (the member's forwards) are handled with *@hold set to it.
 */
typedef int (*ctl_handle_fn)(void *opaque, const struct ctl_req *req,
			     struct strbuf *out, int *fd, long *hold,
			     struct qerr *e);
typedef void (*ctl_leave_fn)(void *opaque, long id);

/*
 * A listening unix socket, non-blocking, at @file in runtime directory
 * @dirfd (whose path may exceed sun_path). The caller holds the lock of
 * the name @file belongs to: a file found there is stale and replaced.
 * Return: the socket, or -errno with @e
 */
int ctl_listen_at(int dirfd, const char *file, struct qerr *e);

/* Create NAME.sock in @dirfd; the caller holds the name's lock */
struct ctl_server *ctl_server_new(int dirfd, const char *name,
				  ctl_handle_fn handle, void *opaque,
				  struct qerr *e);

/* Who hears of held connections hanging up */
void ctl_server_on_leave(struct ctl_server *cs, ctl_leave_fn leave);

/* Hang up the held connection @id (a member told to go) */
void ctl_server_drop(struct ctl_server *cs, long id);

/*
 * Whether a request is on its way: a connection waits to be accepted, or
 * an accepted one (not a held member's) has not been answered. An idle
 * hub asks before it ends: a member that connected as the last one left
 * is served, not hung up on.
 */
bool ctl_server_busy(const struct ctl_server *cs);

void ctl_server_poll_fill(struct ctl_server *cs, struct pollset *ps);
void ctl_server_poll_done(struct ctl_server *cs, struct pollset *ps);

/* The sandbox is ready: answer every "wait" */
void ctl_server_ready(struct ctl_server *cs);

/* Close everything; NAME.sock goes with the name lock (rundir_unlock) */
void ctl_server_free(struct ctl_server *cs);

/* The socket's path relative to the runtime directory: NAME.sock */
void ctl_socket_name(const char *name, char *buf, size_t size);

#endif /* QBOX_CTL_SERVER_H */
