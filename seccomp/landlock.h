/* SPDX-License-Identifier: MIT */
/*
 * landlock.h - a process's wall against the filesystem (Landlock LSM)
 *
 * seccomp sees a system call's numbers, not the path an openat names, so
 * it cannot say "this file and no other". Landlock can, and any process
 * may use it on itself once no_new_privs is set.
 */
#ifndef QBOX_LANDLOCK_H
#define QBOX_LANDLOCK_H

#include <stdbool.h>

#include "common/err.h"

enum landlock_access {
	LANDLOCK_LIST,		/* list directories beneath, nothing else */
	LANDLOCK_READ,		/* read and execute files, list directories */
	LANDLOCK_WRITE,		/* everything: write, make, remove, ... */
};

struct landlock_rule {
	const char *path;	/* a file or a directory (and all beneath) */
	enum landlock_access access;
};

/**
 * landlock_wall() - forbid the calling process every filesystem access
 * but reading @files
 * @files:	NULL-terminated paths that stay readable; each is resolved
 *		now (a symlink to its target), so the rule is on the file
 *		that is there now; one that does not exist is skipped
 * @e:		error naming the step
 *
 * Every access right the running kernel's Landlock knows is handled
 * (ABI 1 to 5: reading, writing, executing, making and removing files of
 * every kind, linking and renaming across directories, truncating, device
 * ioctls), so nothing outside @files can be opened, made or changed, and
 * the wall holds for this process and its children for good. The caller
 * must have set no_new_privs. Descriptors already open stay usable.
 *
 * Return: the Landlock ABI version in force (1 or more), 0 when the kernel
 * has no Landlock (not built, or not enabled at boot), or -errno
 */
int landlock_wall(const char *const *files, struct qerr *e);

/* The Landlock ABI version of the running kernel: 0 when it has none (not
 * built, or not enabled at boot), -errno when asking failed otherwise */
int landlock_abi(void);

/* On a kernel without Landlock, say so on stderr, once per process: the
 * runner calls it before it starts a payload or a network, so the user
 * reads it once, not from each process that would have used it */
void landlock_note_missing(void);

/**
 * landlock_restrict() - forbid the calling process every filesystem access
 * but what @rules allow
 * @rules:	paths and access, each resolved now (a symlink to its
 *		target); one that does not exist is skipped; a rule on a
 *		file gets only the rights that mean something for a file
 * @n:		how many
 * @e:		error naming the step and the path
 *
 * As landlock_wall(), with the access of each rule.
 * Return: the Landlock ABI version in force, 0 without Landlock, or -errno
 */
int landlock_restrict(const struct landlock_rule *rules, int n,
		      struct qerr *e);

#endif /* QBOX_LANDLOCK_H */
