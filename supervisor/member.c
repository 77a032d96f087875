// SPDX-License-Identifier: MIT
/*
 * member.c - joining named networks (member.h; the hub's side is hub.c)
 *
 * A hub is found by its socket, net@NAME.sock. When nobody serves it, the
 * joining sandbox starts one: fork, setsid and fork again, so that the hub
 * belongs to no terminal and no parent of ours, then exec of qbox itself
 * (`qbox __hub`). The hub reports on a pipe: "ready" once its socket
 * serves, or "err STATUS MESSAGE". Two sandboxes starting the same hub at
 * once race for its name lock; the loser's hub says "exists" and the loser
 * joins the winner's.
 */
#include "supervisor/member.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"
#include "control/ctl_client.h"
#include "network/hub.h"

/* How long a starting hub may take to answer */
#define HUB_START_MS 15000

int hub_open(int dirfd, const char *name)
{
	char file[NET_NAME_MAX + 16];

	snprintf(file, sizeof(file), HUB_FILE_PREFIX "%s.sock", name);
	return ctl_open(dirfd, file);
}

/* In the grandchild: become the hub */
static __attribute__((noreturn)) void hub_exec(const char *spec_text,
					       bool linger, int wr)
{
	char fd[16];
	char *argv[] = { "qbox", "__hub", "--ready-fd", fd,
			 linger ? "--linger" : (char *)spec_text,
			 linger ? (char *)spec_text : NULL, NULL };
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
	}
	snprintf(fd, sizeof(fd), "%d", wr);
	fcntl(wr, F_SETFD, 0);
	execv("/proc/self/exe", argv);
	_exit(127);
}

/* Read the hub's first line: "ready", "exists" or "err N MSG" */
static int hub_report(int rd, const char *spec_text, struct qerr *e)
{
	char line[QERR_MSG_MAX + 32];
	size_t len = 0;

	for (;;) {
		struct pollfd p = { rd, POLLIN, 0 };
		ssize_t n;

		if (poll(&p, 1, HUB_START_MS) == 0)
			return qerr_set(e, ETIMEDOUT, "network %s: its hub did "
						      "not start", spec_text);
		n = read(rd, line + len, sizeof(line) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (memchr(line, '\n', len) || len == sizeof(line) - 1)
			break;
	}
	line[len] = '\0';
	line[strcspn(line, "\n")] = '\0';
	if (!strcmp(line, "ready"))
		return 0;
	if (!strcmp(line, "exists"))	/* another hub won the race */
		return -EEXIST;
	if (!strncmp(line, "err ", 4) && line[4] && line[5] == ' ') {
		if (line[4] == '2')
			return qerr_usage(e, "%s", line + 6);
		return qerr_set(e, 0, "%s", line + 6);
	}
	return qerr_set(e, 0, "network %s: its hub ended while starting",
			spec_text);
}

int hub_start(int dirfd, const char *spec_text, bool linger, struct qerr *e)
{
	int fds[2], r, status;
	pid_t pid;

	(void)dirfd;
	if (pipe2(fds, O_CLOEXEC) < 0)
		return qerr_set(e, errno, "starting network %s", spec_text);
	pid = fork();
	if (pid < 0) {
		r = qerr_set(e, errno, "starting network %s", spec_text);
		close(fds[0]);
		close(fds[1]);
		return r;
	}
	if (pid == 0) {
		close(fds[0]);
		setsid();
		pid = fork();
		if (pid != 0)
			_exit(pid < 0);
		hub_exec(spec_text, linger, fds[1]);
	}
	close(fds[1]);
	waitpid(pid, &status, 0);
	r = hub_report(fds[0], spec_text, e);
	close(fds[0]);
	return r;
}

int hub_connect(int dirfd, const char *text, const struct net_spec *n,
		struct qerr *e)
{
	int tries, fd, r;

	for (tries = 0; tries < 5; tries++) {
		if ((fd = hub_open(dirfd, n->name)) >= 0)
			return fd;
		if (fd != -ENOENT)
			return qerr_set(e, -fd, "connecting to network '%s'",
					n->name);
		r = hub_start(dirfd, text, false, e);
		if (r < 0 && r != -EEXIST)
			return r;
	}
	return qerr_set(e, EAGAIN, "network '%s': its hub keeps going away",
			n->name);
}

static int join_one(int dirfd, const struct plan *p, int i,
		    struct sandbox_join *j, int *conn, struct qerr *e)
{
	const struct nic_plan *n = &p->nics[i];
	struct ctl_req req = { .verb = CTL_JOIN };
	struct strbuf out = { 0 };
	char net[32], mac[18], addr[INET_ADDRSTRLEN];
	int fd, r, k;

	if ((fd = hub_connect(dirfd, n->text, n->spec, e)) < 0)
		return fd;
	if (n->spec->has_subnet)
		snprintf(net, sizeof(net), "%s/%u", inet_ntoa(n->net), n->prefix);
	else
		strcpy(net, "-");
	snprintf(req.arg, sizeof(req.arg), "%s,%s,%s,%s,%s",
		 net_mode_name(n->mode), net, p->name, mac_format(n->mac, mac),
		 p->vm ? "vm" : "cmd");
	r = ctl_call(fd, &req, &out, &j->pidfd, HUB_START_MS, e);
	if (r == -EPIPE || r == -ECONNRESET)
		r = qerr_set(e, 0, "network '%s': its hub ended while this "
				   "sandbox joined it", n->spec->name);
	if (r == 0 && j->pidfd < 0)
		r = qerr_set(e, EPROTO, "network '%s' sent no handle",
			     n->spec->name);
	if (r == 0) {
		json_field(out.s, "peer", j->peer, sizeof(j->peer));
		json_field(out.s, "address", addr, sizeof(addr));
		if (addr[0])
			inet_pton(AF_INET, addr, &j->addr);
	}
	/* forwards to this network last as long as our membership */
	for (k = 0; r == 0 && k < p->n_fwds; k++) {
		if (p->fwds[k].nic != i)
			continue;
		req = (struct ctl_req){ .verb = CTL_FWD_ADD };
		snprintf(req.arg, sizeof(req.arg), "%s", p->fwds[k].text);
		out.len = 0;
		r = ctl_call(fd, &req, &out, NULL, HUB_START_MS, e);
		if (r < 0)
			qerr_prefix(e, "--fwd %s", p->fwds[k].text);
	}
	sb_free(&out);
	if (r < 0) {
		close(fd);
		return r;
	}
	*conn = fd;
	return 0;
}

int member_join(int dirfd, const struct plan *p, struct sandbox_cfg *cfg,
		int conn[MAX_NICS], struct qerr *e)
{
	int i, r;

	cfg->userns_pidfd = -1;
	for (i = 0; i < MAX_NICS; i++) {
		conn[i] = -1;
		cfg->join[i].pidfd = -1;
	}
	for (i = 0; i < p->n_nics; i++) {
		if (!net_mode_named(p->nics[i].mode))
			continue;
		r = join_one(dirfd, p, i, &cfg->join[i], &conn[i], e);
		if (r < 0) {
			qerr_prefix(e, "--net %s", p->nics[i].text);
			member_close_handles(cfg);
			member_leave(conn);
			return r;
		}
		if (cfg->userns_pidfd < 0)
			cfg->userns_pidfd = cfg->join[i].pidfd;
	}
	return 0;
}

void member_close_handles(struct sandbox_cfg *cfg)
{
	int i;

	for (i = 0; i < MAX_NICS; i++) {
		if (cfg->join[i].pidfd >= 0)
			close(cfg->join[i].pidfd);
		cfg->join[i].pidfd = -1;
	}
	cfg->userns_pidfd = -1;
}

void member_leave(int conn[MAX_NICS])
{
	int i;

	for (i = 0; i < MAX_NICS; i++) {
		if (conn[i] >= 0)
			close(conn[i]);
		conn[i] = -1;
	}
}
