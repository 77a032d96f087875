// SPDX-License-Identifier: MIT
/* link.c - a command's NIC unplugged and plugged again (link.h) */
#include "netns/link.h"

#include <errno.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "netns/nl.h"
#include "netns/segment.h"
#include "seccomp/child.h"

bool link_port_name(const struct plan *p, int i, char name[16])
{
	char br[16], vm[16];

	if (p->nics[i].mode == NET_NAT) {
		segment_names(i, br, name, vm);
		return true;
	}
	if (net_mode_named(p->nics[i].mode)) {
		snprintf(name, 16, "qnv%d", i);
		return true;
	}
	return false;
}

struct port_change {
	const char *ifname;
	bool up;
};

/* In the child, inside the sandbox's namespaces: one netlink request */
static int port_main(void *arg, int sock, struct qerr *e)
{
	const struct port_change *pc = arg;
	struct nl_link_change c = { .up = pc->up, .down = !pc->up };
	struct nl nl = { 0 };
	int r;

	(void)sock;
	if ((r = nl_open(&nl, e)) < 0)
		return r;
	r = nl_link_set(&nl, pc->ifname, &c, e);
	nl_close(&nl);
	return r;
}

int link_port_set(pid_t init, const char *ifname, bool up, struct qerr *e)
{
	struct port_change pc = { ifname, up };
	struct child_spec spec = { .name = "qbox-link", .main = port_main,
				   .arg = &pc };
	struct child c;
	int r;

	spec.enter_pidfd = (int)syscall(SYS_pidfd_open, init, 0);
	if (spec.enter_pidfd < 0)
		return qerr_set(e, errno, "entering the sandbox");
	r = child_start(&spec, &c, e);
	close(spec.enter_pidfd);
	if (r == 0) {		/* it ends without a word: never here */
		close(c.sock);
		waitpid(c.pid, NULL, 0);
		return qerr_set(e, EPROTO, "setting %s %s", ifname,
				up ? "up" : "down");
	}
	if (r == -ECHILD && WIFEXITED(c.status) && !WEXITSTATUS(c.status))
		return 0;
	if (r == -EIO)
		return r;
	return qerr_set(e, r == -ECHILD ? EIO : -r, "setting %s %s", ifname,
			up ? "up" : "down");
}
