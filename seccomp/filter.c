// SPDX-License-Identifier: MIT
/*
 * filter.c - baseline confinement of every payload
 *
 * Theory of operation: the payload runs as the user's own uid inside a user
 * namespace where, before this step, it would hold every capability. That
 * power is what built the sandbox's links; the payload needs none of it.
 * confine_self() gives it all up in an order that cannot be undone:
 * capabilities first (so nothing can regain them on execve), then
 * no_new_privs (so no setuid binary or file capability can), then the
 * seccomp filter (which no_new_privs allows an unprivileged task to load).
 * The filter closes what capabilities do not: an unprivileged process may
 * still create new user namespaces, and from there regain capabilities over
 * new objects. The full policy language comes with policies/.
 */
#include "filter.h"

#include <errno.h>
#include <sched.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>

#include "../common/util.h"

/* Denied outright with EPERM */
static const char *const denied[] = {
	/* namespaces */
	"unshare", "setns",
	/* the mount API: no new views of the filesystem */
	"mount", "umount2", "pivot_root", "chroot", "open_tree", "move_mount",
	"fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr",
	/* other processes' memory */
	"ptrace", "process_vm_readv", "process_vm_writev",
	/* kernel attack surface a VM never needs */
	"keyctl", "add_key", "request_key", "bpf", "perf_event_open",
	"userfaultfd", "kexec_load", "kexec_file_load", "init_module",
	"finit_module", "delete_module",
	/* host-wide knobs */
	"acct", "swapon", "swapoff", "reboot", "syslog", "quotactl",
	"settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
	"sethostname", "setdomainname", "iopl", "ioperm",
};

static const unsigned long clone_ns_flags[] = {
	CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER,
	CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWCGROUP,
#ifdef CLONE_NEWTIME
	CLONE_NEWTIME,
#endif
};

static const unsigned long tty_ioctls[] = { TIOCSTI, TIOCLINUX };

int filter_build(scmp_filter_ctx *out, struct qerr *e)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	size_t i;
	int r, nr;

	if (!ctx)
		return qerr_set(e, ENOMEM, "seccomp: creating filter");
	for (i = 0; i < ARRAY_SIZE(denied); i++) {
		nr = seccomp_syscall_resolve_name(denied[i]);
		if (nr == __NR_SCMP_ERROR)
			continue;	/* not on this architecture */
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
		if (r < 0)
			goto fail_rule;
	}
	/* One rule per flag: a masked test can only compare for equality */
	for (i = 0; i < ARRAY_SIZE(clone_ns_flags); i++) {
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM),
				     SCMP_SYS(clone), 1,
				     SCMP_A0(SCMP_CMP_MASKED_EQ,
					     clone_ns_flags[i],
					     clone_ns_flags[i]));
		if (r < 0) {
			seccomp_release(ctx);
			return qerr_set(e, -r, "seccomp: clone flag rule");
		}
	}
	r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	if (r < 0) {
		seccomp_release(ctx);
		return qerr_set(e, -r, "seccomp: clone3 rule");
	}
	/*
	 * The payload shares the user's terminal: TIOCSTI would let it type
	 * commands into the shell that started qbox (CVE-2017-5226).
	 */
	for (i = 0; i < ARRAY_SIZE(tty_ioctls); i++) {
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl),
				     1, SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffUL,
						tty_ioctls[i]));
		if (r < 0) {
			seccomp_release(ctx);
			return qerr_set(e, -r, "seccomp: ioctl rule");
		}
	}
	*out = ctx;
	return 0;
fail_rule:
	seccomp_release(ctx);
	return qerr_set(e, -r, "seccomp: rule for %s", denied[i]);
}

static int drop_capabilities(struct qerr *e)
{
	cap_t empty;
	cap_value_t c;
	int r;

	/* Up to 64: the running kernel may know more than our headers */
	for (c = 0; c < 64; c++)
		if (cap_drop_bound(c) < 0 && errno != EINVAL)
			return qerr_set(e, errno, "dropping capability %d from "
						  "the bounding set", c);
	if (cap_reset_ambient() < 0 && errno != EINVAL)
		return qerr_set(e, errno, "clearing ambient capabilities");
	empty = cap_init();
	if (!empty)
		return qerr_set(e, errno, "dropping capabilities");
	r = cap_set_proc(empty);
	cap_free(empty);
	if (r < 0)
		return qerr_set(e, errno, "dropping capabilities");
	return 0;
}

int confine_self(scmp_filter_ctx ctx, struct qerr *e)
{
	int r;

	if ((r = drop_capabilities(e)) < 0)
		return r;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return qerr_set(e, errno, "setting no_new_privs");
	if ((r = seccomp_load(ctx)) < 0)
		return qerr_set(e, -r, "loading seccomp filter");
	return 0;
}
