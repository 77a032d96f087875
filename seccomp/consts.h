/* SPDX-License-Identifier: MIT */
/*
 * consts.h - names a policy may use for numbers
 *
 * An explicit table (consts.c) of the constants the shipped policies need
 * and the common families around them: O_*, F_*, AT_*, PROT_*, MAP_*,
 * MADV_*, CLONE_*, AF_*, SOCK_*, IPPROTO_*, PR_*, FUTEX_*, the TUN*,
 * SIOC*, FIO*, TC*, TIOC*, BLK* and KVM_* ioctls, and more. Values come
 * from the system headers qbox is built with, so they match the kernel ABI
 * of the native architecture.
 */
#ifndef QBOX_CONSTS_H
#define QBOX_CONSTS_H

#include <stddef.h>
#include <stdint.h>

/* Value of constant @name (as long as @len); 0, or -ENOENT if unknown */
int policy_const(const char *name, size_t len, uint64_t *value);

/* errno value of a name such as "EPERM"; -ENOENT if unknown */
int policy_errno(const char *name, size_t len);

/* Name of errno @err ("EPERM"), or NULL */
const char *policy_errno_name(int err);

#endif /* QBOX_CONSTS_H */
