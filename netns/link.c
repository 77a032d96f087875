// SPDX-License-Identifier: MIT
/* link.c - a command's NIC unplugged and plugged again (link.h) */
#include "netns/link.h"

#include <errno.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "netns/egress_nft.h"
#include "netns/impair.h"
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

/* What the child does inside the sandbox's namespaces, with rtnetlink */
struct link_job {
	int (*fn)(struct nl *nl, const struct link_job *j, struct qerr *e);
	const char *port, *vmdev;
	bool up;
	const struct net_impair *im;
	const struct link_cable *cable;
};

static int port_updown(struct nl *nl, const struct link_job *j,
		       struct qerr *e)
{
	struct nl_link_change c = { .up = j->up, .down = !j->up };

	return nl_link_set(nl, j->port, &c, e);
}

static int port_impair(struct nl *nl, const struct link_job *j,
		       struct qerr *e)
{
	return impair_apply(nl, j->port, j->vmdev, j->im, e);
}

/* In the child, inside the sandbox's namespaces */
static int job_main(void *arg, int sock, struct qerr *e)
{
	const struct link_job *j = arg;
	struct nl nl = { 0 };
	int r;

	(void)sock;
	if ((r = nl_open(&nl, e)) < 0)
		return r;
	r = j->fn(&nl, j, e);
	nl_close(&nl);
	if (r == 0 && j->cable &&
	    (r = egress_nft_cable(j->cable->dev, j->cable->local,
				  j->cable->bypass, j->cable->down)) < 0)
		r = qerr_set(e, -r, "telling %s's egress path", j->cable->dev);
	return r;
}

/* Run @j in a short-lived child that enters the sandbox of @init (its
 * user namespace gives it the power there) */
static int in_sandbox(pid_t init, const struct link_job *j, const char *what,
		      struct qerr *e)
{
	struct child_spec spec = { .name = "qbox-link", .main = job_main,
				   .arg = (void *)j };
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
		return qerr_set(e, EPROTO, "%s", what);
	}
	if (r == -ECHILD && WIFEXITED(c.status) && !WEXITSTATUS(c.status))
		return 0;
	if (r == -EIO)
		return r;
	return qerr_set(e, r == -ECHILD ? EIO : -r, "%s", what);
}

int link_port_set(pid_t init, const char *ifname, bool up,
		  const struct link_cable *cable, struct qerr *e)
{
	struct link_job j = { .fn = port_updown, .port = ifname, .up = up,
			      .cable = cable };
	char what[64];

	snprintf(what, sizeof(what), "setting %s %s", ifname,
		 up ? "up" : "down");
	return in_sandbox(init, &j, what, e);
}

int link_impair(pid_t init, const char *port, const char *vmdev,
		const struct net_impair *im, const struct link_cable *cable,
		struct qerr *e)
{
	struct link_job j = { .fn = port_impair, .port = port,
			      .vmdev = vmdev, .im = im, .cable = cable };

	return in_sandbox(init, &j, "impairing the link", e);
}
