// SPDX-License-Identifier: MIT
/*
 * spawn.c - the sandbox's namespaces, and its init started in them
 *
 * In the supervisor: a fork-like raw clone(CLONE_NEWUSER | CLONE_NEWNET |
 * CLONE_NEWPID), as bubblewrap does, whose child is the sandbox's init
 * (init.c). A failure here is almost always a host that forbids
 * unprivileged user namespaces; the message names the sysctls. A member of
 * named networks (and a hub other than the user's first) is cloned inside
 * the user namespace the user's networks share instead (spawn_in_userns):
 * a veth pair can only link network namespaces that one user namespace
 * has power over.
 */
#include "netns/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"
#include "netns/init.h"

/* Why clone(CLONE_NEWUSER) failed, with the sysctls that decide it */
static int userns_error(int err, struct qerr *e)
{
	static const char *const knobs[][2] = {
		{ "/proc/sys/kernel/unprivileged_userns_clone",
		  "kernel.unprivileged_userns_clone" },
		{ "/proc/sys/user/max_user_namespaces",
		  "user.max_user_namespaces" },
		{ "/proc/sys/kernel/apparmor_restrict_unprivileged_userns",
		  "kernel.apparmor_restrict_unprivileged_userns" },
	};
	char hint[512] = "", val[32];
	size_t i, len = 0;

	for (i = 0; i < ARRAY_SIZE(knobs); i++) {
		if (read_file(knobs[i][0], val, sizeof(val)) < 0)
			continue;
		val[strcspn(val, "\n")] = '\0';
		len += (size_t)snprintf(hint + len, sizeof(hint) - len,
					"%s%s = %s", len ? ", " : "",
					knobs[i][1], val);
		if (len >= sizeof(hint))
			break;
	}
	if (err != EPERM && err != ENOSPC && err != EUSERS && err != EINVAL)
		return qerr_set(e, err, "creating the sandbox's namespaces");
	qerr_usage(e, "cannot create a user namespace (%s): unprivileged user "
		      "namespaces are disabled or exhausted on this host. "
		      "Check the sysctls (%s): user.max_user_namespaces must be "
		      "above 0 and kernel.unprivileged_userns_clone (Debian) "
		      "must be 1; in a container, its seccomp profile may "
		      "forbid them", strerror(err), hint);
	return -err;
}

/*
 * Spawn init inside the user namespace of @cfg->userns_pidfd. Only a
 * process already in that namespace may create PID and network
 * namespaces owned by it, and the supervisor must stay where it is: a
 * short-lived child enters the namespace and clones init with
 * CLONE_PARENT, so init is still the supervisor's child (its SIGCHLD,
 * its waitpid, its PDEATHSIG). The child reports init's pid on a pipe.
 */
static pid_t spawn_in_userns(const struct sandbox_cfg *cfg, int sv[2],
			     struct qerr *e)
{
	int fds[2], status;
	pid_t mid, pid = -1;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return qerr_set(e, errno, "creating a pipe");
	mid = fork();
	if (mid == 0) {
		/* init must see EOF when the supervisor closes its end */
		close(sv[0]);
		close(fds[0]);
		if (setns(cfg->userns_pidfd, CLONE_NEWUSER) < 0) {
			pid = -errno;
		} else {
			pid = (pid_t)syscall(SYS_clone, CLONE_PARENT |
					     CLONE_NEWPID | CLONE_NEWNET |
					     SIGCHLD, NULL, NULL, NULL, NULL);
			if (pid == 0) {
				close(fds[1]);
				init_main(cfg, sv[1]);
			}
			if (pid < 0)
				pid = -errno;
		}
		_exit(write(fds[1], &pid, sizeof(pid)) != sizeof(pid));
	}
	close(fds[1]);
	if (mid < 0 || waitpid(mid, &status, 0) != mid ||
	    read(fds[0], &pid, sizeof(pid)) != sizeof(pid))
		pid = -EIO;
	close(fds[0]);
	if (pid == -ESRCH)	/* the pidfd's process is gone */
		return qerr_set(e, 0, "a network's hub ended while this "
				      "sandbox joined it");
	if (pid == -EPERM)	/* not ours to enter: we are not its parent's */
		return qerr_usage(e, "entering the user namespace of your "
				     "networks: %s (their hubs run in another "
				     "user namespace than this qbox, outside "
				     "a container, say: give this one a runtime "
				     "directory of its own, XDG_RUNTIME_DIR)",
				  strerror(EPERM));
	if (pid < 0)
		return qerr_set(e, -pid, "entering the user namespace of your "
					 "networks");
	return pid;
}

int sandbox_spawn(const struct sandbox_cfg *cfg, struct sandbox *sb,
		  struct qerr *e)
{
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return qerr_set(e, errno, "creating the sandbox socket");
	if (cfg->userns_pidfd >= 0) {
		pid = spawn_in_userns(cfg, sv, e);
		close(sv[1]);
		if (pid < 0) {
			close(sv[0]);
			return pid;
		}
		sb->pid = pid;
		sb->sock = sv[0];
		return 0;
	}
	/* A fork-like clone: no stack, the child continues here. */
	pid = (pid_t)syscall(SYS_clone, CLONE_NEWUSER | CLONE_NEWNET |
						CLONE_NEWPID | SIGCHLD,
			     NULL, NULL, NULL, NULL);
	if (pid < 0) {
		int err = errno;

		close(sv[0]);
		close(sv[1]);
		return userns_error(err, e);
	}
	if (pid == 0) {
		close(sv[0]);
		init_main(cfg, sv[1]);
	}
	close(sv[1]);
	sb->pid = pid;
	sb->sock = sv[0];
	return 0;
}

void sandbox_cfg_release(struct sandbox_cfg *cfg)
{
	bool shared = false;
	int i;

	for (i = 0; i < MAX_NICS; i++) {
		if (cfg->join[i].pidfd >= 0) {
			/* a member's user namespace is its first hub's */
			shared |= cfg->join[i].pidfd == cfg->userns_pidfd;
			close(cfg->join[i].pidfd);
		}
		cfg->join[i].pidfd = -1;
		if (cfg->tapfd[i] >= 0)
			close(cfg->tapfd[i]);
		cfg->tapfd[i] = -1;
	}
	if (cfg->userns_pidfd >= 0 && !shared)
		close(cfg->userns_pidfd);
	cfg->userns_pidfd = -1;
}
