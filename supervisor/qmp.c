// SPDX-License-Identifier: MIT
/*
 * qmp.c - commands on qbox's QMP monitor of a VM (qmp.h)
 *
 * QMP speaks one JSON object per line. Before a command's answer, QEMU may
 * send events (SHUTDOWN, NIC_RX_FILTER_CHANGED, ...): they are skipped. A
 * line is read whole into a bounded buffer; one that does not fit is an
 * error, not a reason to grow without end.
 */
#include "supervisor/qmp.h"

#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "control/ctl_client.h"
#include "plan/qemu_argv.h"

#define QMP_LINE_MAX 16384

struct qmp {
	int fd;
	int64_t deadline_ms;
	char buf[QMP_LINE_MAX];
	size_t len;
};

void qmp_socket_name(const char *name, char *buf, size_t size)
{
	snprintf(buf, size, "%s.qmp", name);
}

void qmp_set_link(char *buf, int nic, bool up)
{
	snprintf(buf, QMP_CMD_MAX,
		 "{\"execute\":\"set_link\",\"arguments\":{\"name\":\""
		 QEMU_NETDEV_ID "\",\"up\":%s}}", nic, up ? "true" : "false");
}

/* The next line, parsed: a JSON object, or NULL with @e */
static json_t *qmp_line(struct qmp *q, struct qerr *e)
{
	char *nl;
	json_t *j;

	while (!(nl = memchr(q->buf, '\n', q->len))) {
		struct pollfd p = { q->fd, POLLIN, 0 };
		int64_t left = q->deadline_ms - now_ns() / 1000000;
		ssize_t n;

		if (q->len == sizeof(q->buf)) {
			qerr_set(e, EMSGSIZE, "QMP: a line over %d bytes",
				 QMP_LINE_MAX);
			return NULL;
		}
		if (left <= 0 || poll(&p, 1, (int)left) == 0) {
			qerr_set(e, ETIMEDOUT, "QEMU did not answer on its "
					       "monitor");
			return NULL;
		}
		n = read(q->fd, q->buf + q->len, sizeof(q->buf) - q->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			qerr_set(e, n < 0 ? errno : ECONNRESET,
				 "QEMU's monitor hung up");
			return NULL;
		}
		q->len += (size_t)n;
	}
	j = json_loadb(q->buf, (size_t)(nl - q->buf), 0, NULL);
	q->len -= (size_t)(nl + 1 - q->buf);
	memmove(q->buf, nl + 1, q->len);
	if (!json_is_object(j)) {
		json_decref(j);
		qerr_set(e, EPROTO, "QMP: not a JSON object");
		return NULL;
	}
	return j;
}

/* Send @cmd and wait for its answer, past any events. 0 or -errno. */
static int qmp_exec(struct qmp *q, const char *cmd, struct qerr *e)
{
	json_t *j, *err;
	int r = 0;

	if (write_all(q->fd, cmd, strlen(cmd)) < 0 ||
	    write_all(q->fd, "\n", 1) < 0)
		return qerr_set(e, errno, "QMP: sending a command");
	for (;;) {
		if (!(j = qmp_line(q, e)))
			return -e->errnum;
		if (json_object_get(j, "return"))
			break;
		if ((err = json_object_get(j, "error"))) {
			const char *desc = json_string_value(
				json_object_get(err, "desc"));

			r = qerr_set(e, EREMOTEIO, "QEMU: %s",
				     desc ? desc : "an error");
			break;
		}
		json_decref(j);		/* an event */
	}
	json_decref(j);
	return r;
}

static int qmp_session(struct qmp *q, const char *const *cmds, int n,
		       struct qerr *e)
{
	json_t *greeting = qmp_line(q, e);
	int i, r;

	if (!greeting)
		return -e->errnum;
	r = json_object_get(greeting, "QMP") ? 0 :
		qerr_set(e, EPROTO, "QMP: no greeting");
	json_decref(greeting);
	if (r == 0)
		r = qmp_exec(q, "{\"execute\":\"qmp_capabilities\"}", e);
	for (i = 0; i < n && r == 0; i++)
		r = qmp_exec(q, cmds[i], e);
	return r;
}

int qmp_run(int dirfd, const char *name, const char *const *cmds, int n,
	    int timeout_ms, struct qerr *e)
{
	static struct qmp q;	/* 16 KiB: off the stack */
	char file[128];
	int r;

	qmp_socket_name(name, file, sizeof(file));
	q = (struct qmp){ .deadline_ms = now_ns() / 1000000 + timeout_ms };
	if ((q.fd = ctl_open(dirfd, file)) < 0)
		return qerr_set(e, -q.fd, "connecting to QEMU's monitor");
	r = qmp_session(&q, cmds, n, e);
	close(q.fd);
	return r;
}
