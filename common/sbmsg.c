// SPDX-License-Identifier: MIT
/* sbmsg.c - supervisor <-> sandbox messages with SCM_RIGHTS */
#include "common/sbmsg.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/fdio.h"

int sbmsg_send(int sock, const struct sbmsg *m, int fd)
{
	size_t len = m->type == SBMSG_ERROR ? sizeof(*m) :
					      offsetof(struct sbmsg, err);
	ssize_t n = send_fd(sock, m, len, fd, 0);

	return n < 0 ? (int)n : 0;
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
