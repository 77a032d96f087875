// SPDX-License-Identifier: MIT
/* util.c - small helpers shared by every part of qbox */
#include "common/util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/err.h"

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

void status_describe(int status, char *buf, size_t size)
{
	if (WIFSIGNALED(status))
		snprintf(buf, size, "killed by signal %d, SIG%s",
			 WTERMSIG(status), sigabbrev_np(WTERMSIG(status)));
	else
		snprintf(buf, size, "exited with status %d",
			 WEXITSTATUS(status));
}

bool fault_wanted(const char *role, const char *stage)
{
	const char *f = getenv("QBOX_TEST_FAULT");
	size_t n = strlen(role);

	return f && !strncmp(f, role, n) && f[n] == ':' &&
	       !strcmp(f + n + 1, stage);
}

void fault_point(const char *role, const char *stage)
{
	if (fault_wanted(role, stage))
		fault_die();
}

void fault_spin(void)
{
	int64_t give_up = now_ns() + 10 * (int64_t)1000000000;

	/* the clock is read in the vDSO: this is user time, all of it */
	while (now_ns() < give_up)
		;
	fprintf(stderr, "qbox: test fault: no SIGKILL came at the CPU limit\n");
	_exit(1);
}

void fault_die(void)
{
	static const struct rlimit none = { 0, 0 };

	/*
	 * kill(2), not raise(3): raise uses tgkill, which a confined init
	 * may not call. The signal is delivered before kill returns, to any
	 * process but one: the kernel drops a signal that a PID namespace's
	 * init sends itself (or that any process of that namespace sends
	 * it), even SIGKILL, unless init has a handler for it, which
	 * SIGKILL cannot have. A SIGKILL the kernel sends of its own accord
	 * is forced through: at the hard RLIMIT_CPU it does, at the first
	 * timer tick the process runs past the limit, and a limit of 0 is
	 * past already.
	 */
	kill(getpid(), SIGKILL);
	if (setrlimit(RLIMIT_CPU, &none) == 0)
		fault_spin();
	fprintf(stderr, "qbox: test fault: cannot die by SIGKILL: "
			"RLIMIT_CPU: %s\n", strerror(errno));
	_exit(1);
}

int fault_arm(void)
{
	struct rusage ru;
	struct rlimit lim;
	int64_t used_ms;

	if (getrusage(RUSAGE_SELF, &ru) < 0)
		return -1;
	used_ms = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * (int64_t)1000 +
		  (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000;
	/* in whole seconds, at least half a second ahead */
	lim.rlim_cur = lim.rlim_max = (rlim_t)((used_ms + 500) / 1000 + 1);
	return setrlimit(RLIMIT_CPU, &lim);
}

void path_parent(const char *path, char *out)
{
	const char *slash = strrchr(path, '/');

	snprintf(out, PATH_MAX, "%.*s", slash > path ? (int)(slash - path) : 1,
		 path);
}

int split_fields(char *s, char *field[], int max)
{
	int n = 0, depth = 0;

	field[n++] = s;
	for (; *s; s++) {
		if (*s == '[') {
			depth++;
		} else if (*s == ']') {
			if (--depth < 0)
				return -1;
		} else if (*s == ':' && !depth) {
			if (n == max)
				return -1;
			*s = '\0';
			field[n++] = s + 1;
		}
	}
	return depth ? -1 : n;
}
