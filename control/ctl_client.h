/* SPDX-License-Identifier: MIT */
/*
 * ctl_client.h - the client's side of a control socket (ctl_proto.h)
 *
 * Used by the commands that talk to a sandbox or a network (client.c,
 * netcmd.c) and by a sandbox joining a network (member.c).
 */
#ifndef QBOX_CTL_CLIENT_H
#define QBOX_CTL_CLIENT_H

#include "common/err.h"
#include "common/json.h"
#include "control/ctl_proto.h"

/* The runtime directory, opened and checked (rundir.h) */
int ctl_rundir(struct qerr *e);

/*
 * Connect to @file (e.g. "web.sock", "net@lab0.sock") in runtime directory
 * @dirfd. Return: the socket, or -ENOENT when nobody serves it (no file,
 * or a stale one), or another -errno; no message is set.
 */
int ctl_open(int dirfd, const char *file);

/*
 * The served control sockets in @dirfd whose file names start with
 * @prefix: up to @max names (prefix and ".sock" cut, malloc'ed), sorted.
 * On the way, the files of every name whose lock nobody holds are removed
 * (rundir_reap): what a sandbox killed together with its init leaves.
 * Return: how many
 */
int ctl_list(int dirfd, const char *prefix, char **names, int max);

/*
 * Send @req on @fd and read the answer line (waiting at most @timeout_ms,
 * -1 forever). The payload goes to @out; an attached fd to *@passfd.
 * Return: 0 for "ok", else -errno with @e (the peer's own error, or -EPIPE
 * with no message when it closed without answering).
 */
int ctl_call(int fd, const struct ctl_req *req, struct strbuf *out,
	     int *passfd, int timeout_ms, struct qerr *e);

#endif /* QBOX_CTL_CLIENT_H */
