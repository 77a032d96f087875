// SPDX-License-Identifier: MIT
/*
 * filter.c - the baseline, helper and worker filters, and confinement
 *
 * Theory of operation: the payload runs as the user's own uid inside a user
 * namespace where, before this step, it would hold every capability. That
 * power is what built the sandbox's links; the payload needs none of it.
 * confine_self() gives it all up in an order that cannot be undone:
 * capabilities first (so nothing can regain them on execve), then
 * no_new_privs (so no setuid binary or file capability can), then the
 * baseline filter (which no_new_privs allows an unprivileged task to
 * load). The baseline closes what capabilities do not: an unprivileged
 * process may still create new user namespaces, and from there regain
 * capabilities over new objects. The payload's own policy (compile.c) is
 * stacked on top by the payload's process just before execve, and the
 * helper filter on qbox's own processes once they only wait, the worker
 * filter on the forward workers before they serve (filter.h).
 */
#include "seccomp/filter.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>

#include "common/util.h"
#include "seccomp/store.h"

static const unsigned long clone_ns_flags[] = {
	CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER,
	CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWCGROUP,
#ifdef CLONE_NEWTIME
	CLONE_NEWTIME,
#endif
};

static const unsigned long tty_ioctls[] = { TIOCSTI, TIOCLINUX };

int filter_baseline(scmp_filter_ctx *out, struct qerr *e)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	size_t i;
	int r;

	if (!ctx)
		return qerr_set(e, ENOMEM, "seccomp: creating filter");
	r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
			     SCMP_ACT_KILL_PROCESS);
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM),
				     SCMP_SYS(unshare), 0);
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM),
				     SCMP_SYS(setns), 0);
	/* One rule per flag: a masked test can only compare for equality */
	for (i = 0; r == 0 && i < ARRAY_SIZE(clone_ns_flags); i++)
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM),
				     SCMP_SYS(clone), 1,
				     SCMP_A0(SCMP_CMP_MASKED_EQ,
					     clone_ns_flags[i],
					     clone_ns_flags[i]));
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS),
				     SCMP_SYS(clone3), 0);
	/*
	 * The payload shares the user's terminal: TIOCSTI would let it type
	 * commands into the shell that started qbox (CVE-2017-5226). The
	 * kernel reads the request as 32 bits: compare only those.
	 */
	for (i = 0; r == 0 && i < ARRAY_SIZE(tty_ioctls); i++)
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl),
				     1, SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffUL,
						tty_ioctls[i]));
	if (r < 0) {
		seccomp_release(ctx);
		return qerr_set(e, -r, "seccomp: building the baseline filter");
	}
	*out = ctx;
	return 0;
}

/*
 * What the C library and the sanitizers' runtime of the test build do in
 * any of qbox's confined helpers: memory, time, identity, signals' return
 * and the end; a system call interrupted by a stop (SIGSTOP, ptrace)
 * resumes with restart_syscall.
 */
#define RUNTIME_RULES \
	"mmap: 1\n" \
	"munmap: 1\n" \
	"mremap: 1\n" \
	"madvise: 1\n" \
	"brk: 1\n" \
	"futex: 1\n" \
	"clock_gettime: 1\n" \
	"getpid: 1\n" \
	"gettid: 1\n" \
	"sched_yield: 1\n" \
	"sigaltstack: 1\n" \
	"rt_sigprocmask: 1\n" \
	"rt_sigreturn: 1\n" \
	"restart_syscall: 1\n" \
	"exit: 1\n" \
	"exit_group: 1\n"

/*
 * What init (netns/init.c: init_loop and what its role calls) and the parent
 * of `qbox exec` (runner/client.c) do once the payload runs, with margin
 * for the C library's choices (poll or ppoll, nanosleep or clock_nanosleep)
 * and the sanitizers' runtime of the test build. Anything else fails with
 * ENOSYS rather than killing: a refused call shows up as a failed step.
 */
const char filter_helper_policy[] =
	"@default errno ENOSYS\n"
	/* signals, children, the payload's end */
	"read: 1\n"
	"write: 1\n"
	"close: 1\n"
	"poll: 1\n"
	"ppoll: 1\n"
	"kill: 1\n"
	"wait4: 1\n"
	/* messages to and from the supervisor, fds for forwards */
	"recvmsg: 1\n"
	"sendmsg: 1\n"
	"socket: arg0 == AF_INET\n"
	"connect: 1\n"
	/* removing the name lock when the supervisor died (rundir_reap) */
	"openat: arg2 in O_NOFOLLOW|O_CLOEXEC\n"
	"flock: 1\n"
	"fstat: 1\n"
	"newfstatat: 1\n"
	"unlinkat: 1\n"
	"nanosleep: 1\n"
	"clock_nanosleep: 1\n"
	RUNTIME_RULES;

/*
 * What a forward worker (dataplane/fwd_worker.c) does once it serves: it
 * accepts on the host's listeners, dials the guest over IPv4 or IPv6,
 * moves bytes with splice(2) (or copies them when out of fds), and talks
 * to the supervisor over its message socket. The payload runs beside it as the
 * same uid in the same user namespace, so it could write the worker's
 * memory (/proc/PID/mem) and make the worker call what the payload's own
 * policy refuses; under this allowlist a worker so taken over can do no
 * more than relay. With the C library's variants and the sanitizers'
 * runtime of the test build; anything else answers ENOSYS, as for the
 * helper filter, so a sanitizer's report still gets written.
 */
const char filter_worker_policy[] =
	"@default errno ENOSYS\n"
	/* the relays */
	"accept: 1\n"
	"accept4: 1\n"
	"socket: arg0 == AF_INET || arg0 == AF_INET6\n"
	"connect: 1\n"
	"getsockopt: 1\n"
	"setsockopt: 1\n"
	"shutdown: 1\n"
	"splice: 1\n"
	"pipe2: 1\n"
	"recvfrom: 1\n"
	"sendto: 1\n"
	"read: 1\n"
	"write: 1\n"
	"close: 1\n"
	"close_range: 1\n"
	"fcntl: 1\n"
	"epoll_create1: 1\n"
	"epoll_ctl: 1\n"
	"epoll_wait: 1\n"
	"epoll_pwait: 1\n"
	/* listeners from the supervisor, answers to it (SCM_RIGHTS) */
	"recvmsg: 1\n"
	"sendmsg: 1\n"
	/* its fd limit, raised once */
	"getrlimit: 1\n"
	"setrlimit: 1\n"
	"prlimit64: arg0 == 0\n"
	RUNTIME_RULES;

/*
 * What a hub's stream relay (dataplane/stream_relay.c) does once it
 * serves: frames between its clients' sockets and their TAPs, fds from
 * the supervisor, its word back. Clients of the network's generic socket
 * are programs qbox does not run (a plain qemu), whose length fields it
 * parses: taken over, it can do no more than relay.
 */
const char filter_relay_policy[] =
	"@default errno ENOSYS\n"
	"read: 1\n"
	"write: 1\n"
	"sendto: 1\n"
	"close: 1\n"
	"fcntl: 1\n"
	"epoll_create1: 1\n"
	"epoll_ctl: 1\n"
	"epoll_wait: 1\n"
	"epoll_pwait: 1\n"
	"recvmsg: 1\n"
	"sendmsg: 1\n"
	RUNTIME_RULES;

/*
 * What a vde NIC's relay (dataplane/vde_relay.c) does once its plug is
 * open: frames between its TAP and the plug's sockets (a datagram socket
 * for vde://, udp://, vxlan:// and vxvde://, a stream or a pipe for
 * cmd:// and ptp://; vxvde:// waits on its two sockets in an epoll set
 * of its own), its control socket's EOF, the supervisor's hang-up.
 * It reads frames from other machines: taken over, it can do no more
 * than relay. Gathered with strace -f from relays of every kind the
 * tests plug (tests/integration/vde.sh) and the ASan/UBSan build.
 */
const char filter_vde_policy[] =
	"@default errno ENOSYS\n"
	"poll: 1\n"
	"ppoll: 1\n"
	"read: 1\n"
	"write: 1\n"
	"writev: 1\n"
	"recvfrom: 1\n"
	"sendto: 1\n"
	"recvmsg: 1\n"
	"sendmsg: 1\n"
	"close: 1\n"
	"epoll_wait: 1\n"
	"epoll_pwait: 1\n"
	"time: 1\n"
	"gettimeofday: 1\n"
	RUNTIME_RULES;

/*
 * What `qbox nc` does once it has entered the sandbox or network and
 * confined itself: one IPv4 or IPv6 connection made and relayed to its stdin and
 * stdout, a word on stderr at the end. It reads what the far end sends,
 * in a namespace where the payloads are.
 */
const char filter_nc_policy[] =
	"@default errno ENOSYS\n"
	"socket: arg0 == AF_INET || arg0 == AF_INET6\n"
	"connect: 1\n"
	"getsockopt: 1\n"
	"shutdown: 1\n"
	"poll: 1\n"
	"ppoll: 1\n"
	"read: 1\n"
	"write: 1\n"
	"recvfrom: 1\n"
	"sendto: 1\n"
	"close: 1\n"
	"rt_sigaction: 1\n"
	RUNTIME_RULES;

/* A built-in policy comes from memory, not from a file: @ctx is its text */
static int builtin_load(void *ctx, const struct policy_text *from,
			const char *what, struct policy_text *out,
			struct qerr *e)
{
	if (asprintf(&out->name, "qbox-%s (built in)", what) < 0)
		out->name = NULL;
	out->id = strdup(what);
	out->text = strdup(ctx);
	if (from || !out->name || !out->id || !out->text) {
		free(out->name);
		free(out->id);
		free(out->text);
		return from ? qerr_usage(e, "includes nothing") :
			      qerr_set(e, ENOMEM, "reading the %s policy",
				       what);
	}
	return 0;
}

/* Compile the built-in policy @text, called @what in messages */
static int filter_builtin(const char *what, const char *text,
			  scmp_filter_ctx *out, struct qerr *e)
{
	struct policy p;
	int r;

	if ((r = policy_parse(what, builtin_load, (void *)text, &p, e)) < 0)
		return r;
	r = filter_compile(&p, 0, out, e);
	policy_free(&p);
	return r;
}

int filter_helper(scmp_filter_ctx *out, struct qerr *e)
{
	return filter_builtin("helper", filter_helper_policy, out, e);
}

int filter_worker(scmp_filter_ctx *out, struct qerr *e)
{
	return filter_builtin("worker", filter_worker_policy, out, e);
}

int filter_relay(scmp_filter_ctx *out, struct qerr *e)
{
	return filter_builtin("relay", filter_relay_policy, out, e);
}

int filter_vde(scmp_filter_ctx *out, struct qerr *e)
{
	return filter_builtin("vde", filter_vde_policy, out, e);
}

int filter_nc(scmp_filter_ctx *out, struct qerr *e)
{
	return filter_builtin("nc", filter_nc_policy, out, e);
}

/* Whether CAP_SETPCAP is effective: the bounding set can be changed */
static bool may_bound(void)
{
	cap_t caps = cap_get_proc();
	cap_flag_value_t v = CAP_CLEAR;

	if (caps)
		cap_get_flag(caps, CAP_SETPCAP, CAP_EFFECTIVE, &v);
	cap_free(caps);
	return v == CAP_SET;
}

/*
 * Drop every capability but @keep (-1: none) from every set. A process
 * that never had capabilities (the egress worker of an unprivileged
 * user, in the host's user namespace) cannot change its bounding set,
 * and need not: no_new_privs, set next, keeps any exec from gaining one.
 */
static int drop_capabilities(uint64_t keep, struct qerr *e)
{
	cap_value_t c;
	cap_t caps;
	int r = 0;

	/* Up to 64: the running kernel may know more than our headers */
	for (c = 0; c < 64 && may_bound(); c++)
		if (!(keep & CAP_BIT(c)) && cap_drop_bound(c) < 0 &&
		    errno != EINVAL)
			return qerr_set(e, errno, "dropping capability %d from "
						  "the bounding set", c);
	if (cap_reset_ambient() < 0 && errno != EINVAL)
		return qerr_set(e, errno, "clearing ambient capabilities");
	caps = cap_init();
	if (!caps)
		return qerr_set(e, errno, "dropping capabilities");
	for (c = 0; c < 64 && r == 0; c++)
		if (keep & CAP_BIT(c))
			r = cap_set_flag(caps, CAP_PERMITTED, 1, &c, CAP_SET) ?:
			    cap_set_flag(caps, CAP_EFFECTIVE, 1, &c, CAP_SET);
	if (r == 0)
		r = cap_set_proc(caps);
	cap_free(caps);
	if (r < 0)
		return qerr_set(e, errno, "dropping capabilities");
	return 0;
}

static int drop_privileges_keeping(uint64_t keep, struct qerr *e)
{
	int r;

	if ((r = drop_capabilities(keep, e)) < 0)
		return r;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return qerr_set(e, errno, "setting no_new_privs");
	return 0;
}

int drop_privileges(struct qerr *e)
{
	return drop_privileges_keeping(0, e);
}

int cap_through_exec(uint64_t keep, struct qerr *e)
{
	cap_t caps = cap_get_proc();
	cap_value_t c;
	int r = 0;

	if (!caps)
		return qerr_set(e, errno, "reading capabilities");
	for (c = 0; c < 64 && r == 0; c++)
		if (keep & CAP_BIT(c))
			r = cap_set_flag(caps, CAP_INHERITABLE, 1, &c, CAP_SET);
	if (r == 0)
		r = cap_set_proc(caps);
	cap_free(caps);
	for (c = 0; c < 64 && r == 0; c++)
		if (keep & CAP_BIT(c) && cap_set_ambient(c, CAP_SET) < 0)
			return qerr_set(e, errno, "keeping %s through exec",
					cap_to_name(c));
	if (r < 0)
		return qerr_set(e, errno, "keeping capabilities through exec");
	return 0;
}

int confine_keeping(scmp_filter_ctx baseline, uint64_t keep, struct qerr *e)
{
	int r;

	if ((r = drop_privileges_keeping(keep, e)) < 0)
		return r;
	return filter_load(baseline, e);
}

int confine_self(scmp_filter_ctx baseline, struct qerr *e)
{
	return confine_keeping(baseline, 0, e);
}

int filter_load(scmp_filter_ctx ctx, struct qerr *e)
{
	int r = seccomp_load(ctx);

	return r < 0 ? qerr_set(e, -r, "loading a seccomp filter") : 0;
}

bool filter_is_engine(const char *spec)
{
	const char *base = strrchr(spec, '/');

	if (!policy_spec_is_file(spec))
		return !strcmp(spec, ENGINE_POLICY);
	return !strcmp(base ? base + 1 : spec, ENGINE_POLICY ".policy");
}

int filter_from_spec(const char *spec, unsigned int flags,
		     scmp_filter_ctx *out, struct qerr *e)
{
	struct policy p;
	int r;

	if ((r = policy_load(spec, &p, e)) < 0)
		return r;
	if (!filter_is_engine(spec))
		flags |= FILTER_PAYLOAD;
	r = filter_compile(&p, flags, out, e);
	policy_free(&p);
	return r;
}

int filters_build_engine(struct filters *f, struct qerr *e)
{
	return filter_from_spec(ENGINE_POLICY, 0, &f->engine, e);
}

int filters_build(const char *spec, unsigned int flags, struct filters *f,
		  struct qerr *e)
{
	struct policy p;
	int r;

	memset(f, 0, sizeof(*f));
	if ((r = policy_load(spec, &p, e)) < 0)
		return r;
	r = filter_compile(&p, flags | FILTER_PAYLOAD, &f->policy, e);
	policy_free(&p);
	if (r == 0)
		r = filter_baseline(&f->baseline, e);
	if (r == 0)
		r = filter_helper(&f->helper, e);
	if (r == 0)
		r = filter_worker(&f->worker, e);
	if (r == 0)
		r = filter_relay(&f->relay, e);
	if (r == 0)
		r = filter_vde(&f->vde, e);
	if (r < 0)
		filters_free(f);
	return r;
}

void filters_free(struct filters *f)
{
	if (f->baseline)
		seccomp_release(f->baseline);
	if (f->policy)
		seccomp_release(f->policy);
	if (f->helper)
		seccomp_release(f->helper);
	if (f->worker)
		seccomp_release(f->worker);
	if (f->relay)
		seccomp_release(f->relay);
	if (f->vde)
		seccomp_release(f->vde);
	if (f->engine)
		seccomp_release(f->engine);
	memset(f, 0, sizeof(*f));
}
