// SPDX-License-Identifier: MIT
/* resolv.c - a command payload's resolv.conf (see payload.h) */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "common/json.h"
#include "common/util.h"
#include "netns/payload.h"

/*
 * A command payload reads the host's /etc/resolv.conf. When that names a
 * resolver on the host's loopback (systemd-resolved's 127.0.0.53, say),
 * the sandbox's own loopback has none: give the payload a private mount
 * namespace in which /etc/resolv.conf names the NIC's DNS forwarder
 * instead, keeping the host's search and options lines. A payload with a
 * view of its own gets the text in its view (view_enter() writes it into
 * the view's /etc, init keeps it in @in->resolv until then). With the
 * host's view (--fs host), the file is made in the runtime directory,
 * bind-mounted in a mount namespace of init's, which the payload inherits,
 * and unlinked at once: the mount keeps it alive, nothing is left to
 * clean up.
 */
int resolv_private(struct init *in, struct qerr *e)
{
	const struct plan *p = in->cfg->plan;
	char host[8192], name[96], proc[32], dns[INET_ADDRSTRLEN], src[4096];
	struct strbuf out = { 0 };
	const struct nic_plan *nat = NULL;
	bool loopback = false;
	char *line, *save;
	cleanup_fd int fd = -1;
	int i, r = 0;
	ssize_t n;

	for (i = 0; i < p->n_nics && !nat; i++)
		if (p->nics[i].mode != NET_NONE && p->nics[i].dns.s_addr)
			nat = &p->nics[i];
	if (p->vm || !nat || read_file("/etc/resolv.conf", host,
				       sizeof(host)) < 0)
		return 0;
	inet_ntop(AF_INET, &nat->dns, dns, sizeof(dns));
	sb_printf(&out, "# qbox: the host's resolver is on its loopback; "
			"DNS goes through the NAT's forwarder\nnameserver %s\n",
		  dns);
	for (line = strtok_r(host, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "nameserver", 10)) {
			sb_printf(&out, "%s\n", line);
			continue;
		}
		line += 10 + strspn(line + 10, " \t");
		if (!strncmp(line, "127.", 4) || !strncmp(line, "::1", 3))
			loopback = true;
	}
	if (!loopback || out.oom)
		goto done;
	if (in->cfg->view && !in->cfg->view->host) {
		if (!(in->resolv = strdup(out.s)))
			r = qerr_set(e, ENOMEM, "the sandbox's resolv.conf");
		goto done;
	}
	snprintf(name, sizeof(name), "%s.resolv.conf", p->name);
	fd = openat(in->cfg->rundir_fd, name,
		    O_RDWR | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		r = qerr_set(e, errno, "creating %s", name);
		goto done;
	}
	/*
	 * By path, not through the fd: after unshare() the fd's mount belongs
	 * to the old namespace, and a bind mount from there is refused.
	 */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	n = readlink(proc, src, sizeof(src) - 1);
	if (n <= 0) {
		r = qerr_set(e, n < 0 ? errno : EIO, "locating %s", name);
	} else {
		src[n] = '\0';
		if (write_all(fd, out.s, out.len) < 0 ||
		    unshare(CLONE_NEWNS) < 0 ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
		    mount(src, "/etc/resolv.conf", NULL, MS_BIND, NULL) < 0)
			r = qerr_set(e, errno, "giving the sandbox its "
					       "resolv.conf");
	}
	unlinkat(in->cfg->rundir_fd, name, 0);
done:
	sb_free(&out);
	return r;
}
