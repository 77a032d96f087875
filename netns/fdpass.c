// SPDX-License-Identifier: MIT
/* fdpass.c - supervisor <-> sandbox messages with SCM_RIGHTS */
#include "fdpass.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int send_flags(int sock, const struct sbmsg *m, int fd, int flags);

int sbmsg_send(int sock, const struct sbmsg *m, int fd)
{
	return send_flags(sock, m, fd, 0);
}

int sbmsg_send_nowait(int sock, const struct sbmsg *m)
{
	return send_flags(sock, m, -1, MSG_DONTWAIT);
}

static int send_flags(int sock, const struct sbmsg *m, int fd, int flags)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	size_t len = m->type == SBMSG_ERROR ? sizeof(*m) :
					      offsetof(struct sbmsg, err);
	struct iovec iov = { (void *)m, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

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
	while (sendmsg(sock, &mh, MSG_NOSIGNAL | flags) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

int sbmsg_recv(int sock, struct sbmsg *m, int *fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { m, sizeof(*m) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c;
	ssize_t n;

	*fd = -1;
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == ECONNRESET ? 0 : -errno;
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			memcpy(fd, CMSG_DATA(c), sizeof(int));
	if (n == 0)
		return 0;
	if (mh.msg_flags & MSG_CTRUNC) {
		/* out of fds: the message stands, its fd was lost */
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		if (!m->errnum)
			m->errnum = EMFILE;
	}
	if ((size_t)n < offsetof(struct sbmsg, err) ||
	    (mh.msg_flags & MSG_TRUNC)) {
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		return -EPROTO;
	}
	if ((size_t)n < sizeof(*m))
		memset(&m->err, 0, sizeof(m->err));
	m->err.msg[sizeof(m->err.msg) - 1] = '\0';
	return 1;
}
