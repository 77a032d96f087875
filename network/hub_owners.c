// SPDX-License-Identifier: MIT
/* hub_owners.c - which member holds which IPv6 address (hub_owners.h) */
#include "network/hub_owners.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/sbmsg.h"
#include "seccomp/child.h"

struct owners_job {
	const struct filters *filters;
	struct as_owner *buf;	/* HUB_OWNERS_MAX of them, the child's */
};

/* In the child, in the network's namespaces: read, confine, send */
static int owners_main(void *arg, int sock, struct qerr *e)
{
	struct owners_job *j = arg;
	struct sbmsg m = { .type = SBMSG_OWNER };
	int i, n, r;

	/* the kernel's answer, in a fixed form: read before confinement,
	   which takes the capability it needs */
	if ((n = antispoof_network_owners(j->buf, HUB_OWNERS_MAX, e)) < 0)
		return n;
	if ((r = child_confine(j->filters, NULL, e)) < 0 ||
	    (r = child_ready(sock)) < 0)
		return r;
	for (i = 0; i < n; i++) {
		memcpy(m.addr6, &j->buf[i].addr, 16);
		memcpy(m.mac, j->buf[i].mac, 6);
		if ((r = sbmsg_send(sock, &m, -1)) < 0)
			return qerr_set(e, -r, "sending the network's owners");
	}
	return 0;
}

/* The child's bindings until it hangs up, into @out (room for max) */
static int owners_read(int sock, struct as_owner *out, int max)
{
	struct sbmsg m;
	int fd, n = 0;

	while (sbmsg_recv(sock, &m, &fd) > 0) {
		if (fd >= 0)
			close(fd);
		if (m.type != SBMSG_OWNER || n >= max)
			continue;
		memcpy(&out[n].addr, m.addr6, 16);
		memcpy(out[n].mac, m.mac, 6);
		n++;
	}
	return n;
}

int hub_owners(struct sup *s, struct as_owner **out, struct qerr *e)
{
	struct as_owner *buf = calloc(HUB_OWNERS_MAX, sizeof(*buf));
	struct owners_job job = { .filters = s->filters, .buf = buf };
	struct child_spec spec = { .name = "qbox-owners", .main = owners_main,
				   .arg = &job };
	struct child c;
	int n, r;

	*out = NULL;
	if (!buf)
		return qerr_set(e, ENOMEM, "reading the network's owners");
	spec.enter_pidfd = (int)syscall(SYS_pidfd_open, s->sb.pid, 0);
	if (spec.enter_pidfd < 0) {
		free(buf);
		return qerr_set(e, errno, "entering the network");
	}
	r = child_start(&spec, &c, e);
	close(spec.enter_pidfd);
	if (r < 0) {
		free(buf);
		return r == -EIO ? r : qerr_set(e, r == -ECHILD ? EIO : -r,
						"reading the network's owners");
	}
	n = owners_read(c.sock, buf, HUB_OWNERS_MAX);
	close(c.sock);
	while (waitpid(c.pid, NULL, 0) < 0 && errno == EINTR)
		;
	if (!n)
		free(buf);
	else
		*out = buf;
	return n;
}
