/* SPDX-License-Identifier: MIT */
/*
 * store.h - where policies come from: files, the install dir, the binary
 *
 * A policy is named on the command line (--policy, qbox policy ...) and
 * in @include either as a FILE or as the NAME of a shipped policy:
 *
 *   - an argument with a '/' or ending in ".policy" is a FILE; in
 *     @include, a relative FILE is relative to the including file;
 *   - anything else is a NAME, such as "qemu": NAME.policy in the policy
 *     directory (QBOX_POLICY_DIR in the environment, else the install dir,
 *     $(PREFIX)/share/qbox/policies), else the copy compiled into qbox.
 *
 * The directory comes first so that an administrator can adapt a shipped
 * policy to the host (another QEMU build, another C library) without
 * rebuilding qbox; the compiled-in copy keeps a bare binary confined.
 * Messages name a compiled-in policy "<built-in>/qemu.policy"; a FILE it
 * includes is looked up among the compiled-in ones.
 */
#ifndef QBOX_STORE_H
#define QBOX_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "seccomp/policy.h"

/* The policies compiled into qbox (build/policies.c, from policies/) */
struct embedded_policy {
	const char *file;	/* "qemu.policy" */
	const char *text;
};
extern const struct embedded_policy embedded_policies[];
extern const size_t n_embedded_policies;

/* Whether @spec names a FILE rather than a shipped policy's NAME */
bool policy_spec_is_file(const char *spec);

/* The directory searched for NAME.policy before the compiled-in copies;
 * "" when none */
const char *policy_dir(void);

/**
 * policy_load() - parse the policy @spec (FILE or NAME) and its includes
 * @spec:	as the user wrote it
 * @p:		filled on success; policy_free() it
 * @e:		usage error: FILE:LINE and token, or the FILE that cannot be
 *		read, or the unknown NAME with the names that exist
 *
 * Return: 0 or -errno
 */
int policy_load(const char *spec, struct policy *p, struct qerr *e);

#endif /* QBOX_STORE_H */
