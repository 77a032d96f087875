// SPDX-License-Identifier: MIT
/*
 * sup_egress.c - the kernel egress path's workers (dataplane/egress.h)
 *
 * Init makes the path in the sandbox's network namespace (netns/egress.h)
 * and hands over a listener and a queue per worker (SBMSG_EGRESS), or
 * says why it could not (SBMSG_EGRESS_OFF: the NICs' TCP stays libslirp's, and the
 * user is told once, here). At NET_READY the supervisor starts the egress
 * workers, forward workers in egress mode (dataplane/fwd_worker.c), in
 * the host's namespaces and with the user's credentials (their verdicts on
 * the sandbox's queue are checked against the ownership of the sandbox's
 * user namespace: netns/egress.c), confined as the forward workers are.
 * A worker's death ends the run, as a forward worker's does: SYNs would
 * wait in a queue nobody reads.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/json.h"
#include "common/util.h"
#include "dataplane/fwd_worker.h"
#include "supervisor/sup.h"

_Static_assert(MAX_NICS <= EGRESS_NICS, "a map per NIC");

int sup_egress_message(struct sup *s, const struct sbmsg *m, int fd,
		       struct qerr *e)
{
	if (m->type == SBMSG_EGRESS_OFF) {
		s->egress_off = (unsigned int)m->nic;
		fprintf(stderr, "qbox: %s; NAT egress goes through libslirp\n",
			m->err.msg);
		return 0;
	}
	if (m->value < 0 || m->value >= 2 * EGRESS_WORKERS_MAX || fd < 0 ||
	    s->egress_fd[m->value] >= 0) {
		if (fd >= 0)
			close(fd);
		return qerr_set(e, EPROTO, "a stray egress path from the "
					   "sandbox");
	}
	s->egress_fd[m->value] = fd;
	if (m->value / 2 + 1 > s->n_egress)
		s->n_egress = m->value / 2 + 1;
	s->egress_nics = (unsigned int)m->nic;
	return 0;
}

/* The NICs on the path, for the workers' map: subnet, alias, policy */
static void nic_map(const struct sup *s, struct egress_map *map)
{
	int i;

	for (i = 0; i < s->plan->n_nics; i++) {
		const struct nic_plan *n = &s->plan->nics[i];
		struct egress_nic_map *m = &map->nic[map->n];

		if (!(s->egress_nics & (1U << i)))
			continue;
		m->net = n->net;
		m->prefix = n->prefix;
		if (!n->nat.no_hostloop)
			m->alias = n->nat.host;
		/* as the NAT engine completes it (dataplane/uplink.c) */
		m->policy = n->nat.egress;
		m->policy.gateway = n->nat.host;
		m->policy.dns = n->nat.dns;
		map->n++;
	}
}

/* Worker @j, on its listener and queue */
static int worker_start(struct sup *s, int j, const struct egress_map *map,
			struct qerr *e)
{
	struct fwd_worker_cfg cfg = { .index = j, .filters = s->filters,
				      .egress = true,
				      .egress_listen = s->egress_fd[2 * j],
				      .egress_queue = s->egress_fd[2 * j + 1],
				      .egress_flows = EGRESS_FLOWS_MAX /
						      s->n_egress,
				      .egress_map = *map };
	char name[32], how[256];
	struct child_spec spec = { .name = name, .fault = "egress",
				   .enter_pidfd = -1,
				   .keep = &s->egress_fd[2 * j], .n_keep = 2,
				   .main = fwd_worker_main, .arg = &cfg };
	int r;

	if (s->egress_fd[2 * j] < 0 || s->egress_fd[2 * j + 1] < 0)
		return qerr_set(e, EPROTO, "the sandbox sent half an egress "
					   "path");
	snprintf(name, sizeof(name), "qbox-egress%d", j);
	r = child_start(&spec, &s->egress[j], e);
	/* the worker's now */
	close(steal_fd(&s->egress_fd[2 * j]));
	close(steal_fd(&s->egress_fd[2 * j + 1]));
	if (r == -ECHILD) {
		status_describe(s->egress[j].status, how, sizeof(how));
		return qerr_set(e, 0, "egress worker %d ended while starting "
				      "(%s)", j, how);
	}
	if (r < 0 && r != -EIO)
		return qerr_set(e, -r, "starting %s", name);
	return r;
}

int sup_egress_start(struct sup *s, struct qerr *e)
{
	struct egress_map map = { 0 };
	int j, r;

	nic_map(s, &map);
	for (j = 0; j < s->n_egress; j++)
		if ((r = worker_start(s, j, &map, e)) < 0)
			return r;
	return 0;
}

int sup_egress_reap(struct sup *s, struct qerr *e)
{
	int j = child_reap_any(s->egress, s->n_egress);
	char how[128];

	if (j < 0)
		return 0;
	if (child_last_words(&s->egress[j], e) < 0)
		return -EIO;
	status_describe(s->egress[j].status, how, sizeof(how));
	return qerr_set(e, 0, "egress worker %d was %s; the sandbox is "
			      "stopped", j, how);
}

void sup_egress_stop(struct sup *s)
{
	int i;

	for (i = 0; i < 2 * EGRESS_WORKERS_MAX; i++)
		if (s->egress_fd[i] >= 0)
			close(steal_fd(&s->egress_fd[i]));
	for (i = 0; i < s->n_egress; i++)
		child_kill(&s->egress[i]);
}

const char *sup_egress_path(const struct sup *s, int nic)
{
	return s->egress_nics & (1U << nic) ? "kernel" : "slirp";
}
