// SPDX-License-Identifier: MIT
/*
 * exec.c - qbox exec: a command inside a running sandbox or network
 *
 * A pidfd of the sandbox's init (from the supervisor, which cannot hand
 * out a recycled pid: init is its unreaped child; a network's hub hands
 * out its own init's) lets one setns() enter its user, network and PID
 * namespaces at once. The client then confines itself like a payload's
 * init (baseline filter) and forks the command, which loads its policy
 * (`default` unless --policy) just before execve and thus dies with the
 * sandbox; the parent then loads the helper filter and only waits,
 * passing signals on. After confinement every exit is _exit: exit-time
 * machinery such as LeakSanitizer's (which ptraces) would hang under the
 * filter.
 */
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"
#include "control/ctl_client.h"
#include "runner/cli.h"
#include "runner/client.h"
#include "runner/policy_cmd.h"
#include "seccomp/filter.h"

struct exec_args {
	const char *name;	/* the sandbox, or MODE:NETWORK */
	char **cmd;
	const char *policy;
	unsigned int flags;	/* FILTER_LOG with --policy-log */
};

/* [--policy P] [--policy-log] NAME -- COMMAND...; dies on a usage error */
static void exec_parse(int argc, char **argv, struct exec_args *a)
{
	enum { OPT_POLICY = 256, OPT_POLICY_LOG };
	static const struct option longopts[] = {
		{ "policy", required_argument, NULL, OPT_POLICY },
		{ "policy-log", no_argument, NULL, OPT_POLICY_LOG },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*a = (struct exec_args){ .policy = "default" };
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:h", longopts, NULL)) != -1) {
		if (c == OPT_POLICY)
			a->policy = optarg;
		else if (c == OPT_POLICY_LOG)
			a->flags |= FILTER_LOG;
		else
			client_bad_option(c, argv, exec_usage);
	}
	if (optind + 2 > argc || strcmp(argv[optind + 1], "--") ||
	    optind + 3 > argc)
		die(2, "exec: usage: qbox exec NAME -- COMMAND [ARGS...] "
		       "(options before NAME: see qbox exec --help)");
	a->name = argv[optind];
	a->cmd = &argv[optind + 2];
}

/* Into sandbox @name's namespaces; dies on failure */
static void exec_enter(const char *name)
{
	struct qerr e = { 0 };
	int dirfd, pidfd;

	if ((dirfd = ctl_rundir(&e)) < 0 ||
	    client_ns(dirfd, name, &pidfd, &e) < 0)
		qerr_die(&e);
	if (setns(pidfd, CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWPID) < 0)
		die(1, "exec: entering sandbox '%s': %s", name,
		    strerror(errno));
	/*
	 * The sandbox's mount namespace, where it has one of its own (its
	 * resolv.conf); otherwise it is the host's, which we are in already
	 * and which setns refuses to a user namespace's member.
	 */
	if (setns(pidfd, CLONE_NEWNS) < 0 && errno != EPERM)
		die(1, "exec: entering sandbox '%s': %s", name,
		    strerror(errno));
	close(pidfd);
	close(dirfd);
}

/* In the command's process: its policy last, then execve */
static __attribute__((noreturn)) void exec_child(const struct exec_args *a,
						 const struct filters *f,
						 const sigset_t *mask)
{
	struct qerr e = { 0 };

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	sigprocmask(SIG_SETMASK, mask, NULL);
	if (filter_load(f->policy, &e) < 0) {
		fprintf(stderr, "qbox: exec: %s\n", e.msg);
		_exit(127);
	}
	execvp(a->cmd[0], a->cmd);
	fprintf(stderr, "qbox: exec: executing '%s': %s\n", a->cmd[0],
		strerror(errno));
	_exit(127);
}

/* Wait for @pid, passing signals on; exit with its status */
static __attribute__((noreturn)) void exec_wait(const struct exec_args *a,
						pid_t pid, int sfd)
{
	for (;;) {
		struct signalfd_siginfo si;
		int status;

		if (read(sfd, &si, sizeof(si)) != sizeof(si))
			continue;
		if (si.ssi_signo != SIGCHLD) {
			kill(pid, (int)si.ssi_signo);
			continue;
		}
		if (waitpid(pid, &status, WNOHANG) != pid)
			continue;
		fflush(stdout);
		if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS)
			policy_cmd_kill_hint(a->cmd[0], a->policy);
		_exit(WIFEXITED(status) ? WEXITSTATUS(status) :
					  128 + WTERMSIG(status));
	}
}

int cmd_exec(int argc, char **argv)
{
	struct exec_args a;
	struct filters filters;
	struct qerr e = { 0 };
	sigset_t set, old;
	int sfd;
	pid_t pid;

	exec_parse(argc, argv, &a);
	if (command_check(a.cmd[0], &e) < 0 ||
	    filters_build(a.policy, a.flags, &filters, &e) < 0)
		qerr_die(&e);
	exec_enter(a.name);
	if (confine_self(filters.baseline, &e) < 0)
		qerr_die(&e);
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, &old);
	if ((sfd = signalfd(-1, &set, SFD_CLOEXEC)) < 0)
		die(1, "exec: signalfd: %s", strerror(errno));
	if ((pid = fork()) < 0)
		die(1, "exec: fork: %s", strerror(errno));
	if (pid == 0)
		exec_child(&a, &filters, &old);
	/* waiting is all this process does now: the helper filter */
	if (filter_load(filters.helper, &e) < 0) {
		kill(pid, SIGKILL);
		fprintf(stderr, "qbox: exec: %s\n", e.msg);
		_exit(1);
	}
	exec_wait(&a, pid, sfd);
}
