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

#include "common/err.h"

/*
 * Compute the runtime directory path for @uid from the environment. The
 * /tmp fallback is named after the uid as the parent user namespace sees it
 * (host_uid()), so "qbox inside unshare -Ur" does not take /tmp/qbox-0.
 */
int rundir_path(uid_t uid, char *buf, size_t size, struct qerr *e);

/**
 * uid_map_outer() - translate @uid through the text of a uid_map
 * @map:	contents of /proc/self/uid_map ("inside outside count" lines)
 * @uid:	an id in this namespace
 *
 * Return: the id in the parent namespace, or @uid when no line maps it
 */
uid_t uid_map_outer(const char *map, uid_t uid);

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

/* Remove NAME.sock (NAME.stream) and NAME.lock; by the lock's holder only */
void rundir_unlock(int dirfd, const char *name);

/**
 * rundir_reap() - remove NAME.sock, NAME.stream and NAME.lock if nobody
 *		   holds the lock
 * @dirfd:	runtime directory
 * @name:	sandbox name
 * @wait_ms:	how long to keep trying while the lock is held
 *
 * Safe for anyone to call: the file is removed only while the caller holds
 * its lock itself, so a live sandbox's lock is never touched. Waiting
 * covers a holder that is dying: its fds, and so its lock, are released a
 * moment after its death can be seen.
 */
void rundir_reap(int dirfd, const char *name, int wait_ms);

/* Directory @dir under @dirfd, and every file in it, removed (a hub's
 * VDE switch: its sockets, the ports' and the clients') */
void rundir_rmdir(int dirfd, const char *dir);

#endif /* QBOX_RUNDIR_H */
