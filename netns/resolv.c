// SPDX-License-Identifier: MIT
/* resolv.c - a command payload's resolv.conf (see payload.h) */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
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
 * the sandbox's own loopback has none; and on a named network the
 * network's own server knows its members' names (network/dnsmasq.c). In
 * both cases the payload gets a private mount namespace in which
 * /etc/resolv.conf names the NIC's DNS server instead, keeping the host's
 * options lines and, behind the network's domain, its search list. A
 * payload with a view of its own gets the text in its view (view_enter()
 * writes it into the view's /etc, init keeps it in @in->resolv until
 * then). With the host's view (--fs host), the file is made in the
 * runtime directory,
 * bind-mounted in a mount namespace of init's, which the payload inherits,
 * and unlinked at once: the mount keeps it alive, nothing is left to
 * clean up.
 */

/*
 * The payload's resolv.conf from the host's text @host (modified), for a
 * NIC whose DNS server is @dns and whose network's domain is @domain ("":
 * none). Return: 1 with the text in @out when the payload needs it, 0
 * when the host's serves (no domain, no resolver on the loopback).
 */
static int resolv_text(char *host, struct in_addr dns, const char *domain,
		       struct strbuf *out)
{
	char a[INET_ADDRSTRLEN];
	bool loopback = false, searched = false;
	char *line, *save;

	inet_ntop(AF_INET, &dns, a, sizeof(a));
	if (domain[0])
		sb_printf(out, "# qbox: the NIC's DNS server, and its "
			       "network's domain first\nnameserver %s\n", a);
	else
		sb_printf(out, "# qbox: the host's resolver is on its "
			       "loopback; DNS goes through the NAT's "
			       "forwarder\nnameserver %s\n", a);
	for (line = strtok_r(host, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "nameserver", 10)) {
			line += 10 + strspn(line + 10, " \t");
			if (!strncmp(line, "127.", 4) || !strncmp(line, "::1", 3))
				loopback = true;
		} else if (domain[0] && (!strncmp(line, "search", 6) ||
					 !strncmp(line, "domain", 6))) {
			/* ours first, then the host's (once) */
			if (!searched)
				sb_printf(out, "search %s%s\n", domain,
					  line + 6);
			searched = true;
		} else {
			sb_printf(out, "%s\n", line);
		}
	}
	if (domain[0] && !searched)
		sb_printf(out, "search %s\n", domain);
	return domain[0] || loopback;
}

int resolv_private(struct init *in, struct qerr *e)
{
	const struct plan *p = in->cfg->plan;
	char host[8192], name[96], proc[32], src[4096];
	struct strbuf out = { 0 };
	const struct nic_plan *nat = NULL;
	cleanup_fd int fd = -1;
	int i, r = 0;
	ssize_t n;

	for (i = 0; i < p->n_nics && !nat; i++)
		if (p->nics[i].mode != NET_NONE && p->nics[i].dns.s_addr)
			nat = &p->nics[i];
	if (p->vm || !nat)
		return 0;
	if (read_file("/etc/resolv.conf", host, sizeof(host)) < 0)
		host[0] = '\0';
	if (!resolv_text(host, nat->dns, nat->domain, &out) || out.oom)
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
