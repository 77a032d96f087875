// SPDX-License-Identifier: MIT
/* sbmsg.c - supervisor <-> sandbox messages with SCM_RIGHTS */
#include "common/sbmsg.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/fdio.h"

/* Only SBMSG_ERROR and SBMSG_EGRESS_OFF carry .err (sbmsg.h) */
static size_t sbmsg_len(const struct sbmsg *m)
{
	return m->type == SBMSG_ERROR || m->type == SBMSG_EGRESS_OFF ?
	       sizeof(*m) : offsetof(struct sbmsg, err);
}

int sbmsg_send(int sock, const struct sbmsg *m, int fd)
{
	ssize_t n = send_fd(sock, m, sbmsg_len(m), fd, 0);

	return n < 0 ? (int)n : 0;
}

int sbmsg_write(int sock, const struct sbmsg *m)
{
	size_t len = sbmsg_len(m);
	ssize_t n;

	do
		n = write(sock, m, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

int sbmsg_recv(int sock, struct sbmsg *m, int *fd)
{
	int flags;
	ssize_t n = recv_fd(sock, m, sizeof(*m), fd, &flags);

	if (n < 0)
		return n == -ECONNRESET ? 0 : (int)n;
	if (n == 0)
		return 0;
	if (flags & MSG_CTRUNC) {
		/* out of fds: the message stands, its fd was lost */
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		if (!m->errnum)
			m->errnum = EMFILE;
	}
	if ((size_t)n < offsetof(struct sbmsg, err) || (flags & MSG_TRUNC)) {
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
