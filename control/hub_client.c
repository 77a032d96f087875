// SPDX-License-Identifier: MIT
/*
 * hub_client.c - a named network's hub, from the outside (hub_client.h)
 *
 * A hub is found by its socket, net@NAME.sock. When nobody serves it, the
 * caller starts one: fork, setsid and fork again, so that the hub belongs
 * to no terminal and no parent of ours, then exec of qbox itself (`qbox
 * __hub`). The hub reports on a pipe: "ready" once its socket serves, or
 * "err STATUS MESSAGE". Two callers starting the same hub at once race for
 * its name lock; the loser's hub says "exists" and the loser connects to
 * the winner's.
 */
#include "control/hub_client.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "control/ctl_client.h"
#include "plan/plan.h"

int hub_client_open(int dirfd, const char *name)
{
	char file[NET_NAME_MAX + 16];

	snprintf(file, sizeof(file), HUB_FILE_PREFIX "%s.sock", name);
	return ctl_open(dirfd, file);
}

/* In the grandchild: become the hub */
static __attribute__((noreturn)) void hub_exec(const char *spec_text,
					       bool linger, int wr)
{
	char fd[16];
	char *argv[] = { "qbox", "__hub", "--ready-fd", fd,
			 linger ? "--linger" : (char *)spec_text,
			 linger ? (char *)spec_text : NULL, NULL };
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
	}
	snprintf(fd, sizeof(fd), "%d", wr);
	fcntl(wr, F_SETFD, 0);
	execv("/proc/self/exe", argv);
	_exit(127);
}

/* Read the hub's first line: "ready", "exists" or "err N MSG" */
static int hub_report(int rd, const char *spec_text, struct qerr *e)
{
	char line[QERR_MSG_MAX + 32];
	size_t len = 0;

	for (;;) {
		struct pollfd p = { rd, POLLIN, 0 };
		ssize_t n;

		if (poll(&p, 1, HUB_START_MS) == 0)
			return qerr_set(e, ETIMEDOUT, "network %s: its hub did "
						      "not start", spec_text);
		n = read(rd, line + len, sizeof(line) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (memchr(line, '\n', len) || len == sizeof(line) - 1)
			break;
	}
	line[len] = '\0';
	line[strcspn(line, "\n")] = '\0';
	if (!strcmp(line, "ready"))
		return 0;
	if (!strcmp(line, "exists"))	/* another hub won the race */
		return -EEXIST;
	if (!strncmp(line, "err ", 4) && line[4] && line[5] == ' ') {
		if (line[4] == '2')
			return qerr_usage(e, "%s", line + 6);
		return qerr_set(e, 0, "%s", line + 6);
	}
	return qerr_set(e, 0, "network %s: its hub ended while starting",
			spec_text);
}

int hub_client_start(int dirfd, const char *spec_text, bool linger, struct qerr *e)
{
	int fds[2], r, status;
	pid_t pid;

	(void)dirfd;
	if (pipe2(fds, O_CLOEXEC) < 0)
		return qerr_set(e, errno, "starting network %s", spec_text);
	pid = fork();
	if (pid < 0) {
		r = qerr_set(e, errno, "starting network %s", spec_text);
		close(fds[0]);
		close(fds[1]);
		return r;
	}
	if (pid == 0) {
		close(fds[0]);
		setsid();
		pid = fork();
		if (pid != 0)
			_exit(pid < 0);
		hub_exec(spec_text, linger, fds[1]);
	}
	close(fds[1]);
	waitpid(pid, &status, 0);
	r = hub_report(fds[0], spec_text, e);
	close(fds[0]);
	return r;
}

int hub_client_connect(int dirfd, const char *text, const struct net_spec *n,
		struct qerr *e)
{
	int tries, fd, r;

	for (tries = 0; tries < 5; tries++) {
		if ((fd = hub_client_open(dirfd, n->name)) >= 0)
			return fd;
		if (fd != -ENOENT)
			return qerr_set(e, -fd, "connecting to network '%s'",
					n->name);
		r = hub_client_start(dirfd, text, false, e);
		if (r < 0 && r != -EEXIST)
			return r;
	}
	return qerr_set(e, EAGAIN, "network '%s': its hub keeps going away",
			n->name);
}
