// SPDX-License-Identifier: MIT
/*
 * payload.c - the init of a sandbox that runs a payload (init_payload_role)
 *
 * Its links are the plan's NICs (nics.c), its preparation a command's
 * resolv.conf (resolv.c). At GO init confines itself (every capability
 * dropped, no_new_privs, qbox's baseline filter; the payload inherits all
 * three across fork and exec) and forks the payload, which loads its own
 * policy as the very last step before execve (seccomp/filter.h says why
 * there and not in init). QEMU's argv gets the NICs' TAP fds
 * (plan/qemu_argv.h). Once the supervisor knows the payload runs, init
 * loads the helper filter.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"
#include "netns/payload.h"
#include "seccomp/filter.h"

/* Why the payload did not start: the errno, and of which step */
struct exec_failure {
	int err;
	bool policy;		/* loading the policy, else execve */
};

/* In the payload's process, between fork and exec */
static __attribute__((noreturn)) void payload_exec(struct init *in,
						   char **argv, int errpipe)
{
	struct exec_failure f = { 0 };
	struct qerr e;
	int i;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != 1)	/* init died before we set PDEATHSIG */
		_exit(1);
	/* the payload starts as qbox was started: same mask, same SIGPIPE */
	sigprocmask(SIG_SETMASK, &in->cfg->sigmask, NULL);
	sigaction(SIGPIPE, &in->cfg->sigpipe, NULL);
	setrlimit(RLIMIT_NOFILE, &in->cfg->nofile);
	for (i = 0; i < in->cfg->plan->n_nics; i++)
		if (in->nics[i].fd >= 0)
			fcntl(in->nics[i].fd, F_SETFD, 0);
	/* the last step: from here on, only what the policy allows */
	if (filter_load(in->cfg->filters->policy, &e) < 0) {
		f.err = e.errnum;
		f.policy = true;
	} else {
		execvp(argv[0], argv);
		f.err = errno;
	}
	if (write(errpipe, &f, sizeof(f)) < 0)
		_exit(127);
	_exit(127);
}

/* Fork the payload and wait until it runs or says why it could not */
static int payload_start(struct init *in, struct qerr *e)
{
	const struct plan *p = in->cfg->plan;
	char **argv = p->argv, **qargv = NULL;
	cleanup_fd int rd = -1;
	cleanup_fd int wr = -1;
	struct exec_failure f;
	int pipefd[2], i;
	ssize_t n;

	if (p->vm) {
		int nn = p->n_nics;

		if (p->nics[0].mode == NET_NONE)
			in->nics[0].fd = -1;
		qargv = qemu_argv_build(argv, in->nics, nn);
		if (!qargv)
			return qerr_set(e, ENOMEM, "building QEMU's arguments");
		argv = qargv;
	}
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return qerr_set(e, errno, "creating exec status pipe");
	rd = pipefd[0];
	wr = pipefd[1];
	in->payload = fork();
	if (in->payload < 0)
		return qerr_set(e, errno, "forking the payload");
	if (in->payload == 0)
		payload_exec(in, argv, wr);
	close(steal_fd(&wr));
	qemu_argv_free(qargv);
	for (i = 0; i < p->n_nics; i++)
		if (in->nics[i].fd >= 0)
			close(in->nics[i].fd);
	do
		n = read(rd, &f, sizeof(f));
	while (n < 0 && errno == EINTR);
	if (n == sizeof(f)) {
		waitpid(in->payload, NULL, 0);
		in->payload = 0;
		if (f.policy)
			return qerr_set(e, f.err, "loading the seccomp policy "
						  "%s", p->policy);
		return qerr_set(e, f.err, "executing '%s'", p->argv[0]);
	}
	return 0;
}

static int payload_go(struct init *in, struct qerr *e)
{
	int r;

	if ((r = confine_self(in->cfg->filters->baseline, e)) < 0)
		return r;
	return payload_start(in, e);
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
