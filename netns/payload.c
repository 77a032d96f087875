// SPDX-License-Identifier: MIT
/*
 * payload.c - the init of a sandbox that runs a payload (init_payload_role)
 *
 * Its links are the plan's NICs (nics.c), its preparation a command's
 * resolv.conf (resolv.c). At GO init forks the payload, which builds its
 * view of the filesystem with init's capabilities, enters a user namespace
 * of its own, confines itself (every capability dropped, no_new_privs,
 * qbox's baseline filter, Landlock) and loads its own policy as the very
 * last step before execve (seccomp/filter.h says why there and not in
 * init); init meanwhile confines itself. QEMU's argv gets the NICs' TAP
 * fds (plan/qemu_argv.h). Once the supervisor knows the payload runs,
 * init loads the helper filter.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"
#include "netns/payload.h"
#include "netns/view.h"
#include "seccomp/filter.h"

/*
 * A user namespace of the payload's own, nested under the sandbox's: no
 * two payloads share one, so a payload holds no capability over any other
 * process of qbox's (the kernel's commoncap wants the same user namespace,
 * or a capability in the target's, to ptrace it or open its memory), not
 * even another member's of the same networks, whose sandboxes share the
 * networks' user namespace. The user stays the user: its own ids mapped to
 * themselves, the only map a process may write for itself.
 */
static int nest_userns(const struct sandbox_cfg *cfg, struct qerr *e)
{
	char map[64];
	int r;

	if (unshare(CLONE_NEWUSER) < 0)
		return qerr_set(e, errno, "the payload's user namespace");
	if ((r = write_file("/proc/self/setgroups", "deny")) < 0)
		return qerr_set(e, -r, "the payload's user namespace: "
				       "setgroups");
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned int)cfg->uid,
		 (unsigned int)cfg->uid);
	if ((r = write_file("/proc/self/uid_map", map)) < 0)
		return qerr_set(e, -r, "the payload's user namespace: uid_map");
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned int)cfg->gid,
		 (unsigned int)cfg->gid);
	if ((r = write_file("/proc/self/gid_map", map)) < 0)
		return qerr_set(e, -r, "the payload's user namespace: gid_map");
	return 0;
}

/*
 * The payload's own confinement, in its process, in this order: its view
 * of the filesystem (netns/view.h: it needs init's capabilities over the
 * sandbox's namespaces, still held here), its own user namespace (which
 * gives them up), qbox's baseline (every capability dropped,
 * no_new_privs, the baseline filter), Landlock over the view's paths, and
 * the policy, last, just before execve (seccomp/filter.h says why there).
 */
static int payload_confine(struct init *in, struct qerr *e)
{
	const struct sandbox_cfg *cfg = in->cfg;
	int r;

	if ((cfg->view && (r = view_enter(cfg->view, in->resolv, e)) < 0) ||
	    (r = nest_userns(cfg, e)) < 0 ||
	    (r = confine_self(cfg->filters->baseline, e)) < 0)
		return r;
	if (cfg->view && (r = view_landlock(cfg->view, e)) < 0)
		return r;
	return 0;
}

/* In the payload's process, between fork and exec; a failure goes to init
 * on @errpipe, as a struct qerr */
static __attribute__((noreturn)) void payload_exec(struct init *in,
						   char **argv, int errpipe)
{
	const struct plan *p = in->cfg->plan;
	struct qerr e = { 0 };
	int i;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != 1)	/* init died before we set PDEATHSIG */
		_exit(1);
	if (payload_confine(in, &e) == 0) {
		/* it starts as qbox was started: same mask, same SIGPIPE */
		sigprocmask(SIG_SETMASK, &in->cfg->sigmask, NULL);
		sigaction(SIGPIPE, &in->cfg->sigpipe, NULL);
		setrlimit(RLIMIT_NOFILE, &in->cfg->nofile);
		for (i = 0; i < p->n_nics; i++)
			if (in->nics[i].fd >= 0)
				fcntl(in->nics[i].fd, F_SETFD, 0);
		if (in->go_fd >= 0)
			fcntl(in->go_fd, F_SETFD, 0);
		/* the last step: from here on, only what the policy allows */
		if (filter_load(in->cfg->filters->policy, &e) < 0) {
			qerr_set(&e, e.errnum, "loading the seccomp policy %s",
				 p->policy);
		} else {
			execvp(argv[0], argv);
			qerr_set(&e, errno, "executing '%s'", p->argv[0]);
		}
	}
	if (write(errpipe, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

/* QEMU's argv gets the NICs' TAP fds and qbox's QMP monitor; NULL: none
 * to add, or no memory */
static char **payload_argv(struct init *in, bool *oom)
{
	const struct plan *p = in->cfg->plan;
	struct qemu_extra x = { .qmp_fd = in->go_fd, .hold = p->vm_hold };
	char **qargv;

	*oom = false;
	if (!p->vm)
		return NULL;
	if (p->nics[0].mode == NET_NONE)
		in->nics[0].fd = -1;
	qargv = qemu_argv_build(p->argv, in->nics, p->n_nics, &x);
	*oom = !qargv;
	return qargv;
}

/*
 * Fork the payload; then init confines itself (the payload needed its
 * capabilities for its view) and waits until the payload runs or says why
 * it could not
 */
static int payload_go(struct init *in, struct qerr *e)
{
	const struct plan *p = in->cfg->plan;
	cleanup_fd int rd = -1;
	cleanup_fd int wr = -1;
	char **qargv;
	struct qerr got;
	int pipefd[2], i, r;
	bool oom;
	ssize_t n;

	qargv = payload_argv(in, &oom);
	if (oom)
		return qerr_set(e, ENOMEM, "building QEMU's arguments");
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		qemu_argv_free(qargv);
		return qerr_set(e, errno, "creating exec status pipe");
	}
	rd = pipefd[0];
	wr = pipefd[1];
	in->payload = fork();
	if (in->payload == 0)
		payload_exec(in, qargv ? qargv : p->argv, wr);
	qemu_argv_free(qargv);
	if (in->payload < 0)
		return qerr_set(e, errno, "forking the payload");
	close(steal_fd(&wr));
	for (i = 0; i < p->n_nics; i++)
		if (in->nics[i].fd >= 0)
			close(in->nics[i].fd);
	if (in->go_fd >= 0)
		close(steal_fd(&in->go_fd));
	if ((r = confine_self(in->cfg->filters->baseline, e)) < 0)
		return r;
	do
		n = read(rd, &got, sizeof(got));
	while (n < 0 && errno == EINTR);
	if (n != sizeof(got))
		return 0;	/* EOF: execve closed the pipe */
	waitpid(in->payload, NULL, 0);
	in->payload = 0;
	*e = got;
	return -EIO;
}

/*
 * From here on, init only does what the helper filter allows: a payload of
 * the same uid that took init over (ptrace, /proc/PID/mem) gains nothing
 * its own policy refuses.
 */
static int payload_running(struct init *in, struct qerr *e)
{
	return filter_load(in->cfg->filters->helper, e);
}

const struct init_role init_payload_role = {
	.fault = "init",
	.links = nics_build,
	.prepare = resolv_private,
	.go = payload_go,
	.running = payload_running,
};
