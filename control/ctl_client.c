// SPDX-License-Identifier: MIT
/* ctl_client.c - talking to a control socket (ctl_client.h) */
#include "control/ctl_client.h"

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/fdio.h"
#include "common/util.h"
#include "common/rundir.h"

int ctl_rundir(struct qerr *e)
{
	char dir[4096];
	int r;

	if ((r = rundir_path(getuid(), dir, sizeof(dir), e)) < 0)
		return r;
	return rundir_open(dir, getuid(), e);
}

int ctl_open(int dirfd, const char *file)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, err;

	/* through the directory's fd: its path may exceed sun_path */
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s",
		 dirfd, file);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return fd;
	err = errno;
	close(fd);
	return err == ENOENT || err == ECONNREFUSED ? -ENOENT : -err;
}

int ctl_call(int fd, const struct ctl_req *req, struct strbuf *out,
		    int *passfd, int timeout_ms, struct qerr *e)
{
	char line[CTL_LINE_MAX + 16];
	const char *text;
	int n, status;

	if (passfd)
		*passfd = -1;
	if ((n = ctl_req_format(req, line, sizeof(line))) < 0)
		return qerr_usage(e, "request too long");
	if (write_all(fd, line, (size_t)n) < 0)
		return qerr_set(e, errno, "sending the request");
	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		char chunk[4096];
		int got, flags;
		ssize_t r;
		char *nl;

		if (poll(&p, 1, timeout_ms) == 0)
			return qerr_set(e, ETIMEDOUT, "waiting for an answer");
		r = recv_fd(fd, chunk, sizeof(chunk), &got, &flags);
		if (r <= 0)
			return r < 0 ? qerr_set(e, (int)-r, "reading the answer")
				     : -EPIPE;
		if (got >= 0 && passfd)
			*passfd = got;
		else if (got >= 0)
			close(got);
		if (!out->oom)
			sb_printf(out, "%.*s", (int)r, chunk);
		if (!out->s || !(nl = memchr(out->s, '\n', out->len)))
			continue;
		*nl = '\0';
		out->len = (size_t)(nl - out->s);
		break;
	}
	/* parsed in place: an answer (net inspect of a busy network, say)
	   may be far longer than any message */
	if (ctl_answer_parse(out->s, &status, &text) < 0)
		return qerr_set(e, EPROTO, "unexpected answer on the control socket");
	if (status) {
		if (status == 2)
			return qerr_usage(e, "%s", text);
		return qerr_set(e, 0, "%s", text);
	}
	/* keep only the payload; @text points into @out->s or is "" */
	out->len = strlen(text);
	memmove(out->s, text, out->len + 1);
	return 0;
}


static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int ctl_list(int dirfd, const char *prefix, char **names, int max)
{
	size_t plen = strlen(prefix);
	int dfd = dup(dirfd), n = 0;
	struct dirent *d;
	DIR *dir;

	if (dfd < 0 || !(dir = fdopendir(dfd))) {
		if (dfd >= 0)
			close(dfd);
		return 0;
	}
	while ((d = readdir(dir)) && n < max) {
		size_t len = strlen(d->d_name);
		int fd;

		if (strncmp(d->d_name, prefix, plen) || len <= plen + 5)
			continue;
		if (!strcmp(d->d_name + len - 5, ".lock")) {
			/* a sandbox killed with its init (a machine that went
			 * down) leaves its files; no lock holder: reap them */
			d->d_name[len - 5] = '\0';
			rundir_reap(dirfd, d->d_name, 0);
			continue;
		}
		if (strcmp(d->d_name + len - 5, ".sock"))
			continue;
		if ((fd = ctl_open(dirfd, d->d_name)) < 0)
			continue;	/* stale: nobody serves it */
		close(fd);
		d->d_name[len - 5] = '\0';
		if ((names[n] = strdup(d->d_name + plen)))
			n++;
	}
	closedir(dir);
	qsort(names, (size_t)n, sizeof(*names), cmp_names);
	return n;
}
