/* SPDX-License-Identifier: MIT */
/*
 * fdio.h - one message with an optional fd attached (SCM_RIGHTS)
 *
 * Used by the supervisor<->sandbox messages (common/sbmsg.c) and by the
 * control socket (control/ctl_server.c, runner/client.c).
 */
#ifndef QBOX_FDIO_H
#define QBOX_FDIO_H

#include <stddef.h>
#include <sys/types.h>

/* Send @len bytes with @fd attached when >= 0; retries EINTR. Bytes sent
 * or -errno. @flags adds to MSG_NOSIGNAL (e.g. MSG_DONTWAIT). */
ssize_t send_fd(int sock, const void *buf, size_t len, int fd, int flags);

/*
 * Receive into @buf; *@fd gets an attached fd (close-on-exec) or -1, and
 * *@msg_flags the message flags (MSG_CTRUNC: an fd was lost, MSG_TRUNC: the
 * message was longer). Retries EINTR. Bytes received, 0 at EOF, or -errno.
 */
ssize_t recv_fd(int sock, void *buf, size_t len, int *fd, int *msg_flags);

#endif /* QBOX_FDIO_H */
