// SPDX-License-Identifier: MIT
/* util.c - small helpers shared by every part of qbox */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "err.h"

int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (!s || !*s)
		return -EINVAL;
	for (; *s; s++) {
		unsigned long d;

		if (!isdigit((unsigned char)*s))
			return -EINVAL;
		d = (unsigned long)(*s - '0');
		/* v * 10 + d <= max, without overflow (and with max < 9) */
		if (v > max / 10 || d > max - v * 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int write_file(const char *path, const char *text)
{
	cleanup_fd int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	return write_all(fd, text, strlen(text));
}

ssize_t read_file(const char *path, char *buf, size_t size)
{
	cleanup_fd int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return n;
}

void nofile_raise(void)
{
	struct rlimit r;

	if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
		r.rlim_cur = r.rlim_max;
		setrlimit(RLIMIT_NOFILE, &r);
	}
}

int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Whether @cmd can be executed: a path, or a name found in $PATH */
int command_check(const char *cmd, struct qerr *e)
{
	const char *path = getenv("PATH");
	char buf[4096];

	if (strchr(cmd, '/')) {
		if (access(cmd, X_OK) == 0)
			return 0;
		return qerr_usage(e, "command '%s': %s", cmd, strerror(errno));
	}
	if (!path)
		path = "/bin:/usr/bin";	/* what execvp() uses then */
	while (*path) {
		size_t len = strcspn(path, ":");

		if (snprintf(buf, sizeof(buf), "%.*s/%s", (int)len, path,
			     cmd) < (int)sizeof(buf) &&
		    access(buf, X_OK) == 0)
			return 0;
		path += len;
		if (*path == ':')
			path++;
	}
	return qerr_usage(e, "command '%s' not found in PATH", cmd);
}

void fault_point(const char *role, const char *stage)
{
	const char *f = getenv("QBOX_TEST_FAULT");
	size_t n = strlen(role);

	if (!f || strncmp(f, role, n) || f[n] != ':' || strcmp(f + n + 1, stage))
		return;
	/*
	 * kill(2), not raise(3): raise uses tgkill, which a confined init
	 * may not call. A PID namespace's init ignores signals from inside
	 * it, even SIGKILL: it leaves at once instead, running no cleanup,
	 * which is what the others see of a SIGKILL.
	 */
	if (getpid() == 1)
		_exit(128 + SIGKILL);
	kill(getpid(), SIGKILL);
}
