// SPDX-License-Identifier: MIT
/*
 * sandbox_role.c - `qbox run`: the supervisor of a sandbox with a payload
 * (role.h)
 *
 *   start    join the plan's named networks (member.c): each hub's
 *            connection is held for the sandbox's life, its pidfd lets
 *            init enter the user namespace of the user's networks;
 *   running  a hub's hang-up means its network ended (killed, or `qbox net
 *            rm --force`): the payload runs on, told on stderr;
 *   control  `qbox ps` and `ps --json` (info, summary): the stable JSON
 *            docs/qbox.1 documents; new fields may be added, existing ones
 *            keep their names and meanings;
 *   end      leave the networks; the exit status is the payload's (128+N
 *            for a signal N), or says why there is none.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/util.h"
#include "supervisor/member.h"
#include "supervisor/sup.h"

/* What the role keeps: its memberships */
struct sandbox_state {
	int conn[MAX_NICS];		/* held join connections, or -1 */
	struct in_addr addr[MAX_NICS];	/* a command member's address on its
					   network, or 0 */
	int idx[MAX_NICS];		/* ... in the poll set, or -1 */
	char egress[MAX_NICS][8];	/* its network's NAT's TCP path out,
					   as its hub said */
};

static int sandbox_start(struct sup *s, struct sandbox_cfg *cfg,
			 struct qerr *e)
{
	struct sandbox_state *st = calloc(1, sizeof(*st));
	int i, r;

	if (!st)
		return qerr_set(e, ENOMEM, "starting the sandbox");
	s->role_data = st;
	cfg->view = s->role_arg;	/* view_build(): the payload's view */
	for (i = 0; i < MAX_NICS; i++)
		st->conn[i] = st->idx[i] = -1;
	if ((r = member_join(s->dirfd, s->plan, cfg, st->conn, e)) < 0)
		return r;
	fault_point("sup", "joined");
	for (i = 0; i < MAX_NICS; i++) {
		st->addr[i] = cfg->join[i].addr;
		memcpy(st->egress[i], cfg->join[i].egress,
		       sizeof(st->egress[i]));
	}
	return 0;
}

static void sandbox_poll_fill(struct sup *s, struct pollset *ps)
{
	struct sandbox_state *st = s->role_data;
	int i;

	for (i = 0; i < MAX_NICS; i++)
		st->idx[i] = st->conn[i] >= 0 ?
			pollset_add(ps, st->conn[i], POLLIN) : -1;
}

/*
 * A network's hub hung up on us: it ended (killed, or `qbox net rm
 * --force`), and with its namespaces went our veth pair's far end. The
 * payload runs on; its link to that network is gone, so say so.
 */
static int sandbox_poll_done(struct sup *s, struct pollset *ps,
			     struct qerr *e)
{
	struct sandbox_state *st = s->role_data;
	char c;
	int i;

	for (i = 0; i < MAX_NICS; i++) {
		if (st->idx[i] < 0 || !ps->fds[st->idx[i]].revents ||
		    read(st->conn[i], &c, 1) > 0)
			continue;	/* the hub sends nothing after its answers */
		fprintf(stderr, "qbox: network '%s' ended (its hub is gone): "
				"%s's link to it is down\n",
			s->plan->nics[i].spec->name, s->plan->name);
		close(st->conn[i]);
		st->conn[i] = -1;
	}
	return 0;
}

/* A NIC's address: a NAT NIC's from the plan, a command member's from its
 * hub; 0 when the address is the guest's own business (a VM's lease) */
static struct in_addr nic_addr(const struct sup *s, int i)
{
	const struct nic_plan *n = &s->plan->nics[i];

	const struct sandbox_state *st = s->role_data;

	return n->mode == NET_NAT || n->mode == NET_VDE ? n->guest : st->addr[i];
}

/* "ipv6": a NAT NIC's prefix and addresses (a VM's own is its choice), or
 * null without IPv6 (ipv6=off, or a network without a NAT) */
static void nic6_json(const struct nic_plan *n, struct strbuf *b)
{
	const struct in6_addr *a[] = { &n->gateway6, &n->dns6, &n->guest6 };
	const char *key[] = { "gateway", "dns", "address" };
	char s[INET6_ADDRSTRLEN];
	size_t i;

	if (!n->ipv6) {
		sb_puts(b, ",\"ipv6\":null");
		return;
	}
	sb_printf(b, ",\"ipv6\":{\"prefix\":\"%s/64\"",
		  inet_ntop(AF_INET6, &n->net6, s, sizeof(s)));
	for (i = 0; i < ARRAY_SIZE(a); i++) {
		s[0] = '\0';
		if (!IN6_IS_ADDR_UNSPECIFIED(a[i]))
			inet_ntop(AF_INET6, a[i], s, sizeof(s));
		sb_printf(b, ",\"%s\":\"%s\"", key[i], s);
	}
	sb_puts(b, "}");
}

static void nics_json(struct sup *s, struct strbuf *b)
{
	const struct plan *p = s->plan;
	const struct sandbox_state *st = s->role_data;
	int i;

	sb_puts(b, "[");
	for (i = 0; i < p->n_nics; i++) {
		const struct nic_plan *n = &p->nics[i];
		struct in_addr a = nic_addr(s, i);
		char net[INET_ADDRSTRLEN], mac[18], im[96];

		sb_printf(b, "%s{\"index\":%d,\"mode\":\"%s\"", i ? "," : "", i,
			  net_mode_name(n->mode));
		if (n->mode == NET_NONE) {
			sb_puts(b, "}");
			continue;
		}
		if (n->mode == NET_BRIDGED) {
			/* on the administrator's LAN: no subnet or link of ours */
			sb_puts(b, ",\"device\":");
			sb_json_str(b, n->spec->device);
			sb_printf(b, ",\"mac\":\"%s\",\"link_up\":%s}",
				  mac_format(n->mac, mac),
				  s->link_down[i] ? "false" : "true");
			continue;
		}
		if (net_mode_named(n->mode)) {
			sb_puts(b, ",\"network\":");
			sb_json_str(b, n->spec->name);
		}
		if (n->mode == NET_VDE) {
			sb_puts(b, ",\"locator\":");
			sb_json_str(b, n->spec->locator);
			sb_puts(b, ",\"plug\":");
			sup_vde_json(&s->vde[i], b);
		}
		/* a named network's: its hub's NAT's, as its hub said */
		if (n->mode == NET_NAT)
			sb_printf(b, ",\"egress\":\"%s\"",
				  sup_egress_path(s, i));
		else if (net_mode_named(n->mode) && st->egress[i][0])
			sb_printf(b, ",\"egress\":\"%s\"", st->egress[i]);
		inet_ntop(AF_INET, &n->net, net, sizeof(net));
		sb_printf(b, ",\"subnet\":\"%s/%u\",", net, n->prefix);
		sup_addr_json(b, "gateway", n->gateway);
		sb_puts(b, ",");
		sup_addr_json(b, "dns", n->dns);
		sb_puts(b, ",");
		sup_addr_json(b, "address", a);
		net_impair_format(&s->impair[i], im, sizeof(im));
		sb_printf(b, ",\"mac\":\"%s\",\"link\":\"qbr%d\","
			     "\"link_up\":%s,\"impairment\":",
			  mac_format(n->mac, mac), i,
			  s->link_down[i] ? "false" : "true");
		sb_json_str(b, im);
		nic6_json(n, b);
		sb_puts(b, "}");
	}
	sb_puts(b, "]");
}

static void info_json(struct sup *s, struct strbuf *b)
{
	char when[32];
	struct tm tm;
	int i;

	gmtime_r(&s->started_at, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	sb_puts(b, "{\"name\":");
	sb_json_str(b, s->plan->name);
	sb_printf(b, ",\"pid\":%d,\"started\":\"%s\",\"started_unix\":%lld,"
		     "\"ready\":%s,\"vm\":%s,\"command\":[",
		  (int)getpid(), when, (long long)s->started_at,
		  s->started ? "true" : "false", s->plan->vm ? "true" : "false");
	for (i = 0; s->plan->argv[i]; i++) {
		sb_puts(b, i ? "," : "");
		sb_json_str(b, s->plan->argv[i]);
	}
	sb_puts(b, "],\"nics\":");
	nics_json(s, b);
	sb_puts(b, ",\"forwards\":");
	sup_fwds_json(s, b);
	sup_engine_json(s, b);
	sb_puts(b, "}");
}

/* NAME PID STARTED NETWORKS FORWARDS COMMAND, tab-separated, for `qbox ps` */
static void summary(struct sup *s, struct strbuf *b)
{
	const struct plan *p = s->plan;
	char when[32], a[INET_ADDRSTRLEN];
	struct tm tm;
	int i, n;

	localtime_r(&s->started_at, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	sb_printf(b, "%s\t%d\t%s\t", p->name, (int)getpid(), when);
	for (i = 0; i < p->n_nics; i++) {
		if (p->nics[i].mode == NET_NONE) {
			sb_puts(b, "none");
			continue;
		}
		struct in_addr addr = nic_addr(s, i);

		sb_printf(b, "%s%s", i ? "," : "", net_mode_name(p->nics[i].mode));
		if (net_mode_named(p->nics[i].mode))
			sb_printf(b, ":%s", p->nics[i].spec->name);
		else if (p->nics[i].mode == NET_BRIDGED)
			sb_printf(b, ":%s", p->nics[i].spec->device);
		else if (p->nics[i].mode == NET_VDE)
			sb_printf(b, ":%s", p->nics[i].spec->locator);
		inet_ntop(AF_INET, &addr, a, sizeof(a));
		if (addr.s_addr)
			sb_printf(b, "%s%s", p->nics[i].mode == NET_NAT ? ":" : "@", a);
		if (s->link_down[i])
			sb_puts(b, "(down)");	/* its cable out: qbox link */
	}
	sb_puts(b, "\t");
	n = fwd_engine_count(s->fwd);
	for (i = 0; i < n; i++) {
		struct ipaddr guest;
		const char *text;

		fwd_engine_nth(s->fwd, i, &guest, &text);
		sb_printf(b, "%s%s", i ? "," : "", text);
	}
	sb_puts(b, n ? "\t" : "-\t");
	for (i = 0; p->argv[i]; i++) {
		const char *c;

		sb_puts(b, i ? " " : "");
		for (c = p->argv[i]; *c; c++)	/* one line, whatever argv holds */
			sb_printf(b, "%c", *c == '\t' || *c == '\n' ? ' ' : *c);
	}
}

static int sandbox_control(struct sup *s, const struct ctl_req *req,
			   struct strbuf *out, int *fd, long *hold,
			   struct qerr *e)
{
	switch (req->verb) {
	case CTL_INFO:
		info_json(s, out);
		return 0;
	case CTL_SUMMARY:
		summary(s, out);
		return 0;
	default:
		return -ENOTSUP;
	}
}

/*
 * The NAT engine died while the sandbox ran: its NAT is down, as a hub's
 * death takes a member's link to that network, and the payload runs on.
 */
static void sandbox_engine_died(struct sup *s, const char *how)
{
	fprintf(stderr, "qbox: sandbox '%s': the NAT engine died (%s): its NAT "
			"network is down; the payload runs on\n",
		s->plan->name, how);
}

static int exit_status(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}

static int sandbox_end(struct sup *s, struct qerr *e)
{
	struct sandbox_state *st = s->role_data;
	char how[256];

	if (st) {
		member_leave(st->conn);
		free(st);
		s->role_data = NULL;
	}
	if (s->abort_signal)
		return 128 + s->abort_signal;
	if (!s->have_status && s->stop_killed)
		return 128 + SIGKILL;	/* `qbox stop` had to kill */
	if (!s->have_status) {
		status_describe(s->init_status, how, sizeof(how));
		return qerr_set(e, 0, "sandbox '%s': its init died (%s) "
				      "before the payload ended", s->plan->name,
				how);
	}
	return exit_status(s->status);
}

const struct role sandbox_role = {
	.fault = "sup",
	.init = &init_payload_role,
	.start = sandbox_start,
	.poll_fill = sandbox_poll_fill,
	.poll_done = sandbox_poll_done,
	.control = sandbox_control,
	.engine_died = sandbox_engine_died,
	.end = sandbox_end,
};
