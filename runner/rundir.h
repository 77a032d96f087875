/* SPDX-License-Identifier: MIT */
/*
 * rundir.h - the per-user runtime directory and sandbox name locks
 *
 * $XDG_RUNTIME_DIR/qbox, else /tmp/qbox-$UID. The directory is created 0700
 * and, whether new or old, must be a real directory (never a symlink) owned
 * by the user with no group or other permissions: /tmp is shared, and a
 * directory another user made for us would let them read or replace our
 * sockets.
 */
#ifndef QBOX_RUNDIR_H
#define QBOX_RUNDIR_H

#include <stddef.h>
#include <sys/types.h>

#include "../common/err.h"

/* Compute the runtime directory path for @uid from the environment */
int rundir_path(uid_t uid, char *buf, size_t size, struct qerr *e);

/**
 * rundir_open() - create (if needed), verify and open a runtime directory
 * @path:	the directory; its parent must exist
 * @uid:	the owner it must have
 * @e:		error (usage: the user must fix the directory)
 *
 * Return: an O_DIRECTORY fd (O_CLOEXEC), or -errno
 */
int rundir_open(const char *path, uid_t uid, struct qerr *e);

/**
 * rundir_lock() - claim sandbox @name: create and lock NAME.lock
 * @dirfd:	runtime directory
 * @name:	sandbox name
 * @e:		usage error when a sandbox of that name is running
 *
 * The lock is an flock() on the file, so it dies with the last holder of
 * the fd; the file carries the supervisor's pid for messages.
 * Return: the lock fd (O_CLOEXEC), or -errno
 */
int rundir_lock(int dirfd, const char *name, struct qerr *e);

/* Remove NAME.lock; called by the holder of the lock only */
void rundir_unlock(int dirfd, const char *name);

#endif /* QBOX_RUNDIR_H */
