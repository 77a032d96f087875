/* SPDX-License-Identifier: MIT */
/*
 * filter.h - confinement: capabilities, no_new_privs and seccomp filters
 *
 * Four filters, stacked by the kernel (the strictest answer wins):
 *
 *   baseline  qbox's own rules, whatever the policy says: no new
 *             namespaces, clone3 answers ENOSYS, no TIOCSTI/TIOCLINUX,
 *             foreign architectures killed. Loaded by init (and by the
 *             parent of `qbox exec`) with every capability dropped; the
 *             payload inherits it.
 *   policy    the payload's policy (policies/), compiled here; loaded by
 *             the payload's own process as the last step before execve.
 *   helper    what qbox's own processes inside the sandbox still do once
 *             the payload runs (init; the parent of `qbox exec`). It keeps
 *             a payload that takes one of them over (same uid: ptrace,
 *             /proc/PID/mem) from escaping its policy into theirs.
 *   worker    the same for the forward workers, which serve while the
 *             payload runs: an allowlist of what relaying takes, loaded
 *             on top of the baseline before a worker serves anything;
 *             the relay and nc filters are its like for a hub's stream
 *             relay and for `qbox nc`.
 *
 * Every filter is compiled in the supervisor before any namespace exists,
 * so one that cannot be built is an error before side effects.
 */
#ifndef QBOX_FILTER_H
#define QBOX_FILTER_H

#include <seccomp.h>
#include <stdint.h>

#include "common/err.h"
#include "seccomp/policy.h"

enum filter_flags {
	FILTER_LOG = 1,		/* the default action becomes "log" */
	FILTER_PAYLOAD = 2,	/* a payload's: execve must be allowed */
};

/* The NAT engine's policy (dataplane/nat_engine.c): policies/uplink.policy */
#define ENGINE_POLICY "uplink"

/**
 * filter_compile() - turn a parsed policy into a libseccomp filter
 * @p:		the policy
 * @flags:	enum filter_flags
 * @out:	the filter; seccomp_release() it
 * @e:		usage error naming FILE:LINE for a rule libseccomp cannot
 *		express (see compile.c), or for a payload policy without
 *		execve
 *
 * Return: 0 or -errno
 */
int filter_compile(const struct policy *p, unsigned int flags,
		   scmp_filter_ctx *out, struct qerr *e);

/* The libseccomp action of @a (SCMP_ACT_*) */
uint32_t filter_action(const struct policy_action *a);

/**
 * filter_baseline() - compile qbox's own rules (see above)
 * @out:	libseccomp context, to be passed to confine_self()
 * @e:		error naming the rule that failed
 *
 * Default allow; EPERM for unshare, setns and clone with any CLONE_NEW*
 * flag, and for the TIOCSTI and TIOCLINUX ioctls (the payload shares the
 * user's terminal); ENOSYS for clone3, whose flags sit in memory a filter
 * cannot read (glibc then falls back to clone, whose flags it checks).
 * Return: 0 or -errno
 */
int filter_baseline(scmp_filter_ctx *out, struct qerr *e);

/**
 * filter_helper() - compile the filter of qbox's own sandboxed processes
 * @out:	libseccomp context, for filter_load() once the payload runs
 * @e:		error
 *
 * Return: 0 or -errno
 */
int filter_helper(scmp_filter_ctx *out, struct qerr *e);

/* The text of the helper's policy, for `qbox policy show` and tests */
extern const char filter_helper_policy[];

/**
 * filter_worker() - compile the filter of the forward workers
 * @out:	libseccomp context, loaded by each worker before it serves
 * @e:		error
 *
 * Return: 0 or -errno
 */
int filter_worker(scmp_filter_ctx *out, struct qerr *e);

/* The text of the workers' policy */
extern const char filter_worker_policy[];

/* The stream relay's allowlist, and `qbox nc`'s (their texts beside) */
int filter_relay(scmp_filter_ctx *out, struct qerr *e);
int filter_nc(scmp_filter_ctx *out, struct qerr *e);
/* A vde NIC's relay's allowlist (dataplane/vde_relay.h) */
int filter_vde(scmp_filter_ctx *out, struct qerr *e);
extern const char filter_vde_policy[];
extern const char filter_relay_policy[];
extern const char filter_nc_policy[];

/**
 * filter_is_engine() - whether @spec names the NAT engine's policy
 * @spec:	FILE or NAME: "uplink", or a FILE named uplink.policy (an
 *		administrator's adaptation of it)
 *
 * The engine's policy is loaded by a process that never calls execve, so
 * `qbox policy check` and `dump` compile it without FILTER_PAYLOAD.
 */
bool filter_is_engine(const char *spec);

/**
 * filter_from_spec() - load and compile the policy @spec (FILE or NAME)
 * @spec:	as the user wrote it (seccomp/store.h)
 * @flags:	enum filter_flags; FILTER_PAYLOAD is added unless @spec is
 *		the engine's policy (filter_is_engine())
 * @out:	the filter; seccomp_release() it
 * @e:		usage error naming FILE:LINE
 *
 * Return: 0 or -errno
 */
int filter_from_spec(const char *spec, unsigned int flags,
		     scmp_filter_ctx *out, struct qerr *e);

/**
 * drop_privileges() - drop every capability, then set no_new_privs
 * @e:		error naming the step
 *
 * Clears the bounding and ambient sets first (they need CAP_SETPCAP, held
 * until the end), then permitted, effective and inheritable. Afterwards
 * nothing, execve included, can give the process a privilege back.
 * Return: 0 or -errno
 */
int drop_privileges(struct qerr *e);

/**
 * confine_self() - drop every capability, set no_new_privs, load @baseline
 * @baseline:	filter from filter_baseline()
 * @e:		error naming the step
 *
 * Clears the bounding and ambient sets first (they need CAP_SETPCAP, held
 * until the end), then permitted, effective and inheritable.
 * Return: 0 or -errno
 */
int confine_self(scmp_filter_ctx baseline, struct qerr *e);

/* Capability @c's bit in a set of them (confine_keeping()'s @keep) */
#define CAP_BIT(c) (1ULL << (c))

/**
 * confine_keeping() - confine_self(), but keep the capabilities @keep
 * @baseline:	filter from filter_baseline()
 * @keep:	the capabilities (CAP_BIT()s) left in the permitted,
 *		effective and bounding sets (a hub's init: CAP_NET_ADMIN, see
 *		network/hub_init.c)
 * @e:		error naming the step
 *
 * Every other capability goes from every set; no_new_privs and the
 * baseline as for confine_self(). A process without @keep (the hub's
 * capless workers and relay, of the same uid) still cannot ptrace it:
 * the kernel wants the tracer's permitted set to cover the tracee's.
 * Return: 0 or -errno
 */
int confine_keeping(scmp_filter_ctx baseline, uint64_t keep, struct qerr *e);

/**
 * cap_through_exec() - keep capabilities @keep, held, through execve
 * @keep:	CAP_BIT()s, in the permitted set (confine_keeping()'s)
 * @e:		error naming it
 *
 * Inheritable and ambient: a program exec'd as an ordinary uid keeps it
 * (as uid 0 of a user namespace it would keep it anyway, from the
 * bounding set). A hub's dnsmasq runs as the user, who is uid 0 in its
 * user namespace only when the user is root. Return: 0 or -errno
 */
int cap_through_exec(uint64_t keep, struct qerr *e);

/* Load one more filter (no_new_privs is already set); 0 or -errno */
int filter_load(scmp_filter_ctx ctx, struct qerr *e);

/* The three filters of a sandbox (see the top of this file), and the NAT
 * engine's (filled by filters_build_engine() when the run has one) */
struct filters {
	scmp_filter_ctx baseline;
	scmp_filter_ctx policy;
	scmp_filter_ctx helper;
	scmp_filter_ctx worker;
	scmp_filter_ctx relay;
	scmp_filter_ctx vde;		/* a vde NIC's relay */
	scmp_filter_ctx engine;
};

/**
 * filters_build() - compile them all, the payload's from policy @spec
 * @spec:	FILE or NAME of the payload's policy (seccomp/store.h)
 * @flags:	FILTER_LOG to turn the policy's default action into "log"
 * @f:		filled on success; filters_free() it
 * @e:		usage error for a policy that cannot be read or compiled
 *
 * Return: 0 or -errno
 */
int filters_build(const char *spec, unsigned int flags, struct filters *f,
		  struct qerr *e);

/**
 * filters_build_engine() - compile the NAT engine's policy into @f->engine
 * @f:		built by filters_build(); the engine stacks @f->baseline too
 * @e:		usage error for a policy that cannot be read or compiled
 *
 * Return: 0 or -errno
 */
int filters_build_engine(struct filters *f, struct qerr *e);

/* Release what filters_build() made; @f may be zeroed */
void filters_free(struct filters *f);

#endif /* QBOX_FILTER_H */
