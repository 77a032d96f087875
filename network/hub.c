// SPDX-License-Identifier: MIT
/*
 * hub.c - a named network's hub (see hub.h)
 *
 * Theory of operation. The first `qbox run --net natnet:lab0` (or `qbox net
 * create`) finds no $RUNDIR/net@lab0.sock and starts a hub: `qbox __hub`,
 * detached from the terminal, which is a supervisor with a payload-less
 * plan. Its sandbox's init builds the segment: a bridge, the uplink TAP
 * (natnet and hostonly), and the hub's own address. Members then join:
 *
 *   join     the member's supervisor says who it is (sandbox, MAC, VM or
 *            command); the hub answers with a name for the hub's end of
 *            the member's veth pair, the member's address (a command's,
 *            or the lease its DHCP server keeps for a VM), and a pidfd of
 *            its init, through which the member's init enters the user
 *            namespace (shared by all of a user's hubs and members: a veth
 *            pair can only link two network namespaces that one process
 *            has power over) and visits the hub's network namespace to
 *            plug the veth into the bridge. The member's connection then
 *            stays open: its hang-up is the member's leaving, whichever
 *            way it ended.
 *   forwards on a network dial the guest from the hub's namespace; those a
 *            member asked for (--fwd) go when it leaves.
 *   ending   a hub without members ends, unless it lingers (net create,
 *            linger=on); `qbox net rm` ends it, refusing while members
 *            run unless forced. Its end takes the namespaces, and so the
 *            members' veth pairs, with it; members notice the hang-up.
 *
 * Tenants are kept apart by the kernel: a user's hubs live in that user's
 * runtime directory (0700, SO_PEERCRED on every connection) and in user
 * namespaces only that user may enter.
 */
#include "network/hub.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/util.h"
#include "network/dhcp.h"
#include "network/hub_stream.h"
#include "supervisor/sup.h"
#include "supervisor/supervisor.h"

/* A hub that was started for a member that never came ends after this */
#define HUB_IDLE_MS 10000

struct hub_member *hub_member_find(struct hub *h, long id)
{
	int i;

	for (i = 0; i < h->n_members; i++)
		if (h->members[i].id == id)
			return &h->members[i];
	return NULL;
}

static int64_t now_s(void)
{
	return now_ns() / 1000000000;
}

int hub_dhcp_start(struct sup *s, struct qerr *e)
{
	const struct nic_plan *n = &s->plan->nics[0];
	const struct net_layout *l = &n->layout;
	struct dhcp_config c = {
		.net = n->net, .prefix = n->prefix,
		/* an internal network without DHCP has no address of its
		   own; the table then only numbers command members */
		.server = l->hub.s_addr ? l->hub : subnet_host(n->net, 1),
		.router = l->gateway,
		.pool_first = l->pool_first, .pool_last = l->pool_last,
	};

	if (l->dns.s_addr)
		c.dns[c.n_dns++] = l->dns;
	s->hub.dhcp = dhcp_new(&c, e);
	return s->hub.dhcp ? 0 : -EINVAL;
}

void hub_poll_fill(struct sup *s, struct pollset *ps)
{
	struct hub *h = &s->hub;

	h->dhcp_idx = h->dhcp && h->dhcp_fd >= 0 ?
		pollset_add(ps, h->dhcp_fd, POLLIN) : -1;
	hub_stream_poll_fill(s, ps);
}

void hub_poll_done(struct sup *s, struct pollset *ps)
{
	struct hub *h = &s->hub;

	if (h->dhcp_idx >= 0 && (ps->fds[h->dhcp_idx].revents & POLLIN))
		dhcp_serve(h->dhcp, h->dhcp_fd, now_s(), NULL);
	hub_stream_poll_done(s, ps);
}

/* "MODE,SUBNET|-,SANDBOX,MAC,vm|cmd" */
static int join_parse(char *arg, struct net_spec *want, char *sandbox,
		      size_t size, uint8_t mac[6], enum member_kind *kind,
		      struct qerr *e)
{
	char *f[5], *save = NULL;
	int n;

	for (n = 0; n < 5; n++)
		if (!(f[n] = strtok_r(n ? NULL : arg, ",", &save)))
			return qerr_usage(e, "join: malformed request");
	memset(want, 0, sizeof(*want));
	if (!strcmp(f[0], "natnet"))
		want->mode = NET_NATNET;
	else if (!strcmp(f[0], "hostonly"))
		want->mode = NET_HOSTONLY;
	else if (!strcmp(f[0], "internal"))
		want->mode = NET_INTERNAL;
	else
		return qerr_usage(e, "join: unknown mode '%s'", f[0]);
	if (strcmp(f[1], "-")) {
		want->has_subnet = true;
		if (cidr_parse(f[1], &want->subnet, &want->prefix, e) < 0)
			return -EINVAL;
	}
	if (name_check(f[2], "join: sandbox", e) < 0 ||
	    mac_parse(f[3], mac, e) < 0)
		return -EINVAL;
	snprintf(sandbox, size, "%s", f[2]);
	*kind = !strcmp(f[4], "vm") ? MEMBER_VM : MEMBER_CMD;
	return 0;
}

static int join(struct sup *s, const char *text, struct strbuf *out, int *fd,
		long *hold, struct qerr *e)
{
	struct hub *h = &s->hub;
	const struct nic_plan *n = &s->plan->nics[0];
	struct hub_member m = { 0 };
	struct net_spec want;
	char arg[CTL_LINE_MAX], a[INET_ADDRSTRLEN], mac[18];
	int r;

	snprintf(arg, sizeof(arg), "%s", text);
	if (join_parse(arg, &want, m.sandbox, sizeof(m.sandbox), m.mac,
		       &m.kind, e) < 0)
		return -EINVAL;
	if (want.mode != h->spec.mode)
		return qerr_usage(e, "network '%s' is a %s network, not %s",
				  h->spec.name, net_mode_name(h->spec.mode),
				  net_mode_name(want.mode));
	if (want.has_subnet && (want.subnet.s_addr != n->net.s_addr ||
				want.prefix != n->prefix))
		return qerr_usage(e, "network '%s' runs on %s/%u, not the "
				     "subnet= given",
				  h->spec.name,
				  inet_ntop(AF_INET, &n->net, a, sizeof(a)),
				  n->prefix);
	if (!h->dhcp)
		return qerr_set(e, EAGAIN, "network '%s' is still starting",
				h->spec.name);
	if ((r = hub_member_claim(s, &m, e)) < 0)
		return r;
	*fd = (int)syscall(SYS_pidfd_open, s->sb.pid, 0);
	if (*fd < 0 || hub_member_add(h, &m, e) < 0) {
		/* full, or out of memory: the address goes back */
		r = *fd < 0 ? qerr_set(e, errno, "opening network '%s'",
				       h->spec.name) : -ENOSPC;
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		if (m.addr.s_addr)
			dhcp_unreserve(h->dhcp, m.mac, now_s());
		return r;
	}
	*hold = m.id;
	sb_printf(out, "{\"member\":%ld,\"peer\":\"m%ld\",\"address\":\"%s\","
		       "\"mac\":\"%s\"}",
		  m.id, m.id, m.addr.s_addr ? inet_ntop(AF_INET, &m.addr, a,
							sizeof(a)) : "",
		  mac_format(m.mac, mac));
	return 0;
}

void hub_member_label(const struct hub_member *m, char *buf, size_t size)
{
	if (m->kind == MEMBER_SOCKET)
		snprintf(buf, size, "socket qs%ld (%s, pid %d)", m->id,
			 m->command, (int)m->pid);
	else
		snprintf(buf, size, "%s", m->sandbox);
}

int hub_member_claim(struct sup *s, struct hub_member *m, struct qerr *e)
{
	struct hub *h = &s->hub;
	const struct net_layout *l = &s->plan->nics[0].layout;
	char mac[18], who[SANDBOX_NAME_MAX + 64];
	int i;

	for (i = 0; i < h->n_members; i++) {
		if (&h->members[i] == m || memcmp(h->members[i].mac, m->mac, 6))
			continue;
		hub_member_label(&h->members[i], who, sizeof(who));
		return qerr_usage(e, "network '%s' already has a member with "
				     "MAC %s (%s)", h->spec.name,
				  mac_format(m->mac, mac), who);
	}
	/*
	 * A command's address, and a VM's or socket member's DHCP lease,
	 * fixed now: their anti-spoofing rules (netns/antispoof.c) must know
	 * it before they send. Without DHCP they pick their own; only the MAC
	 * is known.
	 */
	if ((m->kind == MEMBER_CMD || l->dhcp) &&
	    dhcp_reserve(h->dhcp, m->mac, m->kind == MEMBER_SOCKET ?
			 m->command : m->sandbox, now_s(), &m->addr) < 0)
		return qerr_set(e, ENOSPC, "network '%s' has no free address",
				h->spec.name);
	return 0;
}

int hub_member_add(struct hub *h, struct hub_member *m, struct qerr *e)
{
	struct hub_member *grown;

	if (h->n_members >= HUB_MEMBERS_MAX)
		return qerr_usage(e, "network '%s' has %d members, its most",
				  h->spec.name, HUB_MEMBERS_MAX);
	grown = realloc(h->members, sizeof(*grown) * (size_t)(h->n_members + 1));
	if (!grown)
		return qerr_set(e, ENOMEM, "joining network '%s'",
				h->spec.name);
	h->members = grown;
	m->id = ++h->next_id;
	h->members[h->n_members++] = *m;
	h->idle_deadline_ms = 0;
	return 0;
}

void hub_leave(void *opaque, long id)
{
	struct sup *s = opaque;
	struct hub *h = &s->hub;
	struct hub_member *m = hub_member_find(h, id);
	int i;

	if (!m)
		return;
	if (m->addr.s_addr && h->dhcp)
		dhcp_unreserve(h->dhcp, m->mac, now_s());
	*m = h->members[--h->n_members];
	/* the member's own forwards go with it */
	for (i = 0; i < h->n_fwds;) {
		if (h->fwds[i].owner != id) {
			i++;
			continue;
		}
		if (s->fwd)
			fwd_engine_remove(s->fwd, &h->fwds[i].spec);
		h->fwds[i] = h->fwds[--h->n_fwds];
	}
	if (!h->n_members && !h->linger)
		h->done = true;
}

static void net_json(struct sup *s, struct strbuf *b)
{
	const struct hub *h = &s->hub;
	const struct nic_plan *n = &s->plan->nics[0];
	const struct net_layout *l = &n->layout;
	char a[INET_ADDRSTRLEN], mac[18];
	int i;

#define ADDR(x) ((x).s_addr ? inet_ntop(AF_INET, &(x), a, sizeof(a)) : "")
	sb_puts(b, "{\"name\":");
	sb_json_str(b, h->spec.name);
	sb_printf(b, ",\"mode\":\"%s\",\"pid\":%d,\"linger\":%s,",
		  net_mode_name(h->spec.mode), (int)getpid(),
		  h->linger ? "true" : "false");
	sb_printf(b, "\"subnet\":\"%s/%u\",", ADDR(n->net), n->prefix);
	sb_printf(b, "\"gateway\":\"%s\",", ADDR(l->gateway));
	sb_printf(b, "\"host\":\"%s\",", ADDR(l->host));
	sb_printf(b, "\"dns\":\"%s\",", ADDR(l->dns));
	sb_printf(b, "\"hub\":\"%s\",\"dhcp\":%s,", ADDR(l->hub),
		  l->dhcp ? "true" : "false");
	sb_puts(b, "\"socket\":");
	sb_json_str(b, h->stream_path ? h->stream_path : "");
	sb_puts(b, ",\"members\":[");
	for (i = 0; i < h->n_members; i++) {
		const struct hub_member *m = &h->members[i];
		static const char *const kinds[] = { [MEMBER_CMD] = "command",
						     [MEMBER_VM] = "vm",
						     [MEMBER_SOCKET] = "socket" };

		sb_printf(b, "%s{\"sandbox\":", i ? "," : "");
		sb_json_str(b, m->sandbox);
		sb_printf(b, ",\"kind\":\"%s\",\"mac\":\"%s\",\"vm\":%s,"
			     "\"address\":\"%s\"", kinds[m->kind],
			  mac_format(m->mac, mac),
			  m->kind == MEMBER_VM ? "true" : "false",
			  ADDR(m->addr));
		if (m->kind == MEMBER_SOCKET) {
			sb_printf(b, ",\"tap\":\"qs%ld\",\"pid\":%d,"
				     "\"command\":", m->id, (int)m->pid);
			sb_json_str(b, m->command);
		}
		sb_puts(b, "}");
	}
	sb_puts(b, "],\"leases\":[");
	if (h->dhcp) {
		struct dhcp_lease_info li;
		size_t cur = 0;
		bool first = true;

		while (dhcp_lease_next(h->dhcp, now_s(), &cur, &li)) {
			sb_printf(b, "%s{\"mac\":\"%s\",\"address\":\"%s\","
				     "\"state\":\"%s\",\"hostname\":",
				  first ? "" : ",", mac_format(li.mac, mac),
				  ADDR(li.addr), dhcp_lease_state_name(li.state));
			sb_json_str(b, li.hostname);
			sb_puts(b, "}");
			first = false;
		}
	}
	sb_puts(b, "],\"forwards\":");
	sup_fwds_json(s, b);
	sup_engine_json(s, b);
	sb_puts(b, "}");
#undef ADDR
}

static int net_rm(struct sup *s, bool force, struct qerr *e)
{
	struct hub *h = &s->hub;
	struct strbuf names = { 0 };
	int i;

	if (h->n_members && !force) {
		for (i = 0; i < h->n_members; i++) {
			char who[SANDBOX_NAME_MAX + 64];

			hub_member_label(&h->members[i], who, sizeof(who));
			sb_printf(&names, "%s%s", i ? ", " : "", who);
		}
		qerr_usage(e, "network '%s' has %d member%s (%s): stop them "
			      "first, or use --force", h->spec.name,
			   h->n_members, h->n_members == 1 ? "" : "s",
			   names.s ? names.s : "");
		sb_free(&names);
		return -EBUSY;
	}
	h->done = true;
	return 0;
}

/* A forward on the network: the guest address is always named */
static int hub_fwd_add(struct sup *s, const char *text, long owner,
		       struct strbuf *out, struct qerr *e)
{
	struct hub *h = &s->hub;
	struct fwd_spec spec;
	struct fwd_plan f;
	int r;

	if (h->n_fwds >= MAX_FWDS)
		return qerr_usage(e, "network '%s' has %d forwards, its most",
				  h->spec.name, MAX_FWDS);
	if ((r = fwd_spec_parse(text, &spec, e)) < 0 ||
	    (r = fwd_resolve(s->plan, &spec, &f, e)) < 0 ||
	    (r = fwd_engine_add(s->fwd, &f.spec, f.guest, text, e)) < 0)
		return r;
	h->fwds[h->n_fwds++] = (struct hub_fwd){ .spec = f.spec,
						 .owner = owner };
	sup_fwd_json(out, &f.spec, f.guest, text);
	return 0;
}

int hub_handle(struct sup *s, const struct ctl_req *req, struct strbuf *out,
	       int *fd, long *hold, struct qerr *e)
{
	switch (req->verb) {
	case CTL_JOIN:
		if (*hold)
			return qerr_usage(e, "join: already a member");
		return join(s, req->arg, out, fd, hold, e);
	case CTL_NET_INFO:
		net_json(s, out);
		return 0;
	case CTL_NET_RM:
		return net_rm(s, req->force, e);
	case CTL_FWD_ADD:
		return hub_fwd_add(s, req->arg, *hold, out, e);
	default:
		return qerr_usage(e, "unsupported request");
	}
}

bool hub_should_end(struct sup *s, int64_t *deadline_ms)
{
	struct hub *h = &s->hub;
	int64_t now = now_ns() / 1000000;

	if (h->done)
		return true;
	if (h->linger || h->n_members)
		return false;
	if (!h->idle_deadline_ms)
		h->idle_deadline_ms = now + HUB_IDLE_MS;
	*deadline_ms = h->idle_deadline_ms;
	return now >= h->idle_deadline_ms;
}

int hub_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "linger", no_argument, NULL, 'l' },
		{ "ready-fd", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	static char *hub_argv[] = { "(network hub)", NULL };
	struct net_spec spec;
	/* no payload runs: the policy only fills the filter set */
	struct plan p = { .hub = true, .n_nics = 1, .argv = hub_argv,
			  .policy = "default", .ready_fd = -1 };
	struct nic_plan *n = &p.nics[0];
	struct qerr e = { 0 };
	unsigned long fd;
	bool linger = false;
	int c, errfd = -1, r = -EINVAL;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		if (c == 'l')
			linger = true;
		else if (c == 'r' && parse_uint(optarg, 1024, &fd) == 0)
			p.ready_fd = (int)fd;
		else
			die(2, "__hub: bad arguments");
	}
	if (optind + 1 != argc || p.ready_fd < 0)
		die(2, "__hub: bad arguments");
	fcntl(p.ready_fd, F_SETFD, FD_CLOEXEC);
	/* errors go back to whoever started us, on the ready pipe */
	errfd = fcntl(p.ready_fd, F_DUPFD_CLOEXEC, 0);
	if (net_spec_parse(argv[optind], &spec, &e) < 0 ||
	    !net_mode_named(spec.mode)) {
		qerr_usage(&e, "__hub: '%s' is no named network", argv[optind]);
		goto fail;
	}
	snprintf(p.name, sizeof(p.name), HUB_FILE_PREFIX "%s", spec.name);
	n->mode = spec.mode;
	n->spec = &spec;
	net_layout(&spec, &n->net, &n->prefix, &n->layout);
	n->gateway = n->layout.gateway;
	n->dns = n->layout.dns;
	spec.linger = spec.linger || linger;
	r = supervise(&p, &e);
	if (r >= 0)
		return 0;
fail:
	if (errfd >= 0) {
		char line[QERR_MSG_MAX + 16];

		if (r == -EEXIST)	/* lost the race for the name */
			snprintf(line, sizeof(line), "exists\n");
		else
			snprintf(line, sizeof(line), "err %d %s\n",
				 qerr_status(&e), e.msg);
		if (write(errfd, line, strlen(line)) < 0)
			return 1;	/* nobody waits for it */
	}
	return 1;
}
