// SPDX-License-Identifier: MIT
/*
 * member.c - a sandbox joining named networks (member.h; the hub's side is
 * network/hub_members.c)
 *
 * For each NIC on a named network, the supervisor connects to its hub,
 * starting it when none runs (control/hub_client.h), and asks to join:
 * the hub answers with the member's address, the name of the hub's end of
 * its veth pair and a pidfd of the hub's init, through which the sandbox's
 * init is cloned inside the user namespace of the user's networks and
 * visits the hub's network namespace (netns/nics.c). The connection then
 * stays open: it is the membership, and its hang-up the member's leaving.
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
#include "control/hub_client.h"

/* joins hung up on by an ending hub before we give up (join_one) */
#define JOIN_TRIES 5

static int join_one(int dirfd, const struct plan *p, int i,
		    struct sandbox_join *j, int *conn, struct qerr *e)
{
	const struct nic_plan *n = &p->nics[i];
	struct ctl_req req = { .verb = CTL_JOIN };
	struct strbuf out = { 0 };
	char net[32], mac[18], addr[INET_ADDRSTRLEN], ip[INET_ADDRSTRLEN] = "-";
	int fd, r, k;

	if (n->spec->has_subnet)
		snprintf(net, sizeof(net), "%s/%u", inet_ntoa(n->net), n->prefix);
	else
		strcpy(net, "-");
	if (n->spec->has_ip)
		inet_ntop(AF_INET, &n->spec->ip, ip, sizeof(ip));
	snprintf(req.arg, sizeof(req.arg), "%s,%s,%s,%s,%s,%s",
		 net_mode_name(n->mode), net, p->name, mac_format(n->mac, mac),
		 p->vm ? "vm" : "cmd", ip);
	/*
	 * A hub that hangs up unanswered was ending as we came (its last
	 * member left; it serves a request on its way, but one may connect
	 * between its last look and its name's removal): it did nothing
	 * for us, and the next try finds, or starts, the network's next hub.
	 */
	for (k = 0;; k++) {
		if ((fd = hub_client_connect(dirfd, n->text, n->spec, e)) < 0) {
			sb_free(&out);
			return fd;
		}
		out.len = 0;
		r = ctl_call(fd, &req, &out, &j->pidfd, HUB_START_MS, e);
		if ((r != -EPIPE && r != -ECONNRESET) || k == JOIN_TRIES - 1)
			break;
		close(fd);
		usleep(10000);
	}
	if (r == -EPIPE || r == -ECONNRESET)
		r = qerr_set(e, 0, "network '%s': its hub ended while this "
				   "sandbox joined it", n->spec->name);
	if (r == 0 && j->pidfd < 0)
		r = qerr_set(e, EPROTO, "network '%s' sent no handle",
			     n->spec->name);
	if (r == 0) {
		json_field(out.s, "peer", j->peer, sizeof(j->peer));
		json_field(out.s, "address", addr, sizeof(addr));
		json_field(out.s, "egress", j->egress, sizeof(j->egress));
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
			sandbox_cfg_release(cfg);
			member_leave(conn);
			return r;
		}
		if (cfg->userns_pidfd < 0)
			cfg->userns_pidfd = cfg->join[i].pidfd;
	}
	return 0;
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
