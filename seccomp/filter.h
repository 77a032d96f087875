/* SPDX-License-Identifier: MIT */
/*
 * filter.h - the payload's confinement: capabilities, no_new_privs, seccomp
 *
 * The filter is compiled in the supervisor before any namespace exists (a
 * filter that cannot be built is an error before side effects), and loaded
 * in the sandbox as the last step before the payload is started.
 */
#ifndef QBOX_FILTER_H
#define QBOX_FILTER_H

#include <seccomp.h>

#include "../common/err.h"

/**
 * filter_build() - compile qbox's baseline seccomp filter
 * @out:	libseccomp context, to be passed to confine_self()
 * @e:		error naming the rule that failed
 *
 * Default allow; denied with EPERM: namespace creation (unshare, setns,
 * clone with any CLONE_NEW* flag), the mount API, ptrace and cross-process
 * memory access, keyctl, bpf, perf_event_open, kexec and module loading,
 * and a few host-wide knobs. clone3 answers ENOSYS because its flags sit
 * in memory a filter cannot read; glibc then falls back to clone, whose
 * flags the filter does check. Foreign architectures are killed.
 * Return: 0 or -errno
 */
int filter_build(scmp_filter_ctx *out, struct qerr *e);

/**
 * confine_self() - drop every capability, set no_new_privs, load @ctx
 * @ctx:	filter from filter_build()
 * @e:		error naming the step
 *
 * Clears the bounding and ambient sets first (they need CAP_SETPCAP, held
 * until the end), then permitted, effective and inheritable.
 * Return: 0 or -errno
 */
int confine_self(scmp_filter_ctx ctx, struct qerr *e);

#endif /* QBOX_FILTER_H */
