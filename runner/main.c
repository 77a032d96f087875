// SPDX-License-Identifier: MIT
/*
 * main.c - qbox's entry point: subcommand dispatch
 *
 * The main path is short and linear: parse, plan, supervise. Errors from
 * below arrive as a struct qerr and leave through qerr_die(), which picks
 * exit status 2 (usage) or 1 (runtime); see common/err.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/err.h"
#include "common/util.h"
#include "netns/tap.h"
#include "netns/view.h"
#include "runner/cli.h"
#include "runner/client.h"
#include "control/ctl_client.h"
#include "network/hub.h"
#include "runner/netcmd.h"
#include "plan/plan.h"
#include "runner/policy_cmd.h"
#include "seccomp/landlock.h"
#include "supervisor/supervisor.h"

#ifndef QBOX_VERSION
#define QBOX_VERSION "0.1"
#endif

/* Named networks that run: their subnets and domains (netcmd_adopt());
 * 0, or -EINVAL with @e: a domain= that is not the network's */
static int adopt_networks(struct run_opts *o, struct qerr *e)
{
	struct qerr ignored = { 0 };
	int i, r = 0, dirfd = -1;

	for (i = 0; i < o->n_nets && r == 0; i++) {
		if (!net_mode_named(o->nets[i].mode))
			continue;
		/* no runtime directory: qbox run says why, later */
		if (dirfd < 0 && (dirfd = ctl_rundir(&ignored)) < 0)
			return 0;
		if ((r = netcmd_adopt(dirfd, &o->nets[i], e)) < 0)
			qerr_prefix(e, "--net %s", o->net_text[i]);
	}
	if (dirfd >= 0)
		close(dirfd);
	return r;
}

/* tftp=DIR of each NIC that has one, made absolute and checked
 * (net_tftp_resolve()) */
static int tftp_resolve(struct run_opts *o, struct qerr *e)
{
	int i, r;

	for (i = 0; i < o->n_nets; i++)
		if ((r = net_tftp_resolve(&o->nets[i], e)) < 0) {
			qerr_prefix(e, "--net %s", o->net_text[i]);
			return r;
		}
	return 0;
}

static int cmd_run(int argc, char **argv)
{
	struct run_opts o;
	struct view view;
	struct plan p;
	struct qerr e = { 0 };
	char defname[32];
	int r, i;
	bool nat = false;

	r = run_opts_parse(argc, argv, &o, &e);
	if (r == CLI_HELP) {
		fputs(run_usage, stdout);
		return 0;
	}
	if (r < 0)
		qerr_die(&e);
	if (tftp_resolve(&o, &e) < 0 || adopt_networks(&o, &e) < 0)
		qerr_die(&e);
	snprintf(defname, sizeof(defname), "qbox-%d", (int)getpid());
	if (plan_build(&o, defname, &p, &e) < 0 ||
	    command_check(p.argv[0], &e) < 0 ||
	    view_build(&p, &view, &e) < 0)
		qerr_die(&e);
	if (p.ready_fd >= 0 && fcntl(p.ready_fd, F_SETFD, FD_CLOEXEC) < 0)
		die(2, "--ready-fd %d: not an open file descriptor",
		    p.ready_fd);
	for (i = 0; i < p.n_nics; i++)
		nat |= p.nics[i].mode != NET_NONE;
	if (nat && tap_check_access(&e) < 0)
		qerr_die(&e);
	if (nat || !view.host)
		landlock_note_missing();
	r = supervise(&p, &sandbox_role, &view, &e);
	view_free(&view);
	if (r < 0)
		qerr_die(&e);
	if (r == 128 + SIGSYS)
		policy_cmd_kill_hint(p.argv[0], p.policy);
	return r;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	if (!cmd) {
		fputs(main_usage, stderr);
		return 2;
	}
	if (!strcmp(cmd, "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(cmd, "ps"))
		return cmd_ps(argc - 1, argv + 1);
	if (!strcmp(cmd, "fwd"))
		return cmd_fwd(argc - 1, argv + 1);
	if (!strcmp(cmd, "stop"))
		return cmd_stop(argc - 1, argv + 1);
	if (!strcmp(cmd, "capture"))
		return cmd_capture(argc - 1, argv + 1);
	if (!strcmp(cmd, "link"))
		return cmd_link(argc - 1, argv + 1);
	if (!strcmp(cmd, "wait"))
		return cmd_wait(argc - 1, argv + 1);
	if (!strcmp(cmd, "exec"))
		return cmd_exec(argc - 1, argv + 1);
	if (!strcmp(cmd, "nc"))
		return cmd_nc(argc - 1, argv + 1);
	if (!strcmp(cmd, "net"))
		return cmd_net(argc - 1, argv + 1);
	if (!strcmp(cmd, "__hub"))	/* started by hub_client_start(), not users */
		return hub_main(argc - 1, argv + 1);
	if (!strcmp(cmd, "policy"))
		return cmd_policy(argc - 1, argv + 1);
	if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") ||
	    !strcmp(cmd, "-h")) {
		fputs(main_usage, stdout);
		return 0;
	}
	if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
		printf("qbox %s\n", QBOX_VERSION);
		return 0;
	}
	die(2, "unknown command '%s' (see qbox --help)", cmd);
}
