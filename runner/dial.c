// SPDX-License-Identifier: MIT
/*
 * dial.c - a TCP connection from inside a sandbox's namespace (dial.h)
 */
#include "runner/dial.h"

#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/util.h"
#include "seccomp/filter.h"

void dial_exit(const char *cmd, int status, const char *fmt, ...)
{
	va_list ap;

	if (fmt) {
		fprintf(stderr, "qbox: %s: ", cmd);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	_exit(status);
}

void dial_enter(const char *cmd, const char *name, int pidfd)
{
	scmp_filter_ctx filter;	/* the baseline, as for exec and the workers */
	scmp_filter_ctx allow;	/* and what a dialler does: filter_nc() */
	struct qerr e = { 0 };

	if (filter_baseline(&filter, &e) < 0 || filter_nc(&allow, &e) < 0) {
		qerr_prefix(&e, "%s", cmd);
		qerr_die(&e);
	}
	if (setns(pidfd, CLONE_NEWUSER | CLONE_NEWNET) < 0)
		die(1, "%s: entering '%s': %s", cmd, name, strerror(errno));
	signal(SIGPIPE, SIG_IGN);
	if (confine_self(filter, &e) < 0 || filter_load(allow, &e) < 0)
		dial_exit(cmd, 1, "%s", e.msg);
}

int dial_once(const struct sockaddr_storage *to, int timeout_ms, int pidfd)
{
	int fd = socket(to->ss_family,
			SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int err = 0, n;
	socklen_t len = sizeof(err);

	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)to,
		    to->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
						sizeof(struct sockaddr_in)) < 0) {
		struct pollfd p[2] = { { fd, POLLOUT, 0 }, { pidfd, POLLIN, 0 } };

		if (errno != EINPROGRESS) {
			err = errno;
		} else {
			while ((n = poll(p, 2, timeout_ms)) < 0 && errno == EINTR)
				;
			if (n == 0)
				err = ETIMEDOUT;
			else if (p[1].revents)
				err = ESRCH;
			else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err,
					    &len) < 0)
				err = errno;
		}
	}
	if (!err)
		return fd;
	close(fd);
	return -err;
}
