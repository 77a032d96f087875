// SPDX-License-Identifier: MIT
/* fdio.c - messages with an fd attached (see fdio.h) */
#include "common/fdio.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/*
 * Room for one fd, which rounds up to room for two: a peer that sends two
 * or more in one message gets them installed here (the kernel drops only
 * what does not fit), so every one past the first must be closed
 */
union fd_cmsg {
	char buf[CMSG_SPACE(sizeof(int))];
	struct cmsghdr align;
};

/* The fds of SCM_RIGHTS message @c: the first kept in *@fd (if it has
 * none yet), every other closed */
static void keep_first(struct cmsghdr *c, int *fd)
{
	size_t i, n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
	int got;

	for (i = 0; i < n; i++) {
		memcpy(&got, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
		if (*fd < 0)
			*fd = got;
		else
			close(got);
	}
}

ssize_t send_fd(int sock, const void *buf, size_t len, int fd, int flags)
{
	struct iovec iov = { (void *)buf, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	union fd_cmsg u;
	ssize_t n;

	if (fd >= 0) {
		struct cmsghdr *c;

		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = sizeof(u.buf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	while ((n = sendmsg(sock, &mh, MSG_NOSIGNAL | flags)) < 0)
		if (errno != EINTR)
			return -errno;
	return n;
}

ssize_t recv_fd(int sock, void *buf, size_t len, int *fd, int *msg_flags)
{
	struct iovec iov = { buf, len };
	union fd_cmsg u;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c;
	ssize_t n;

	*fd = -1;
	while ((n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC)) < 0)
		if (errno != EINTR)
			return -errno;
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			keep_first(c, fd);
	*msg_flags = mh.msg_flags;
	return n;
}
