// SPDX-License-Identifier: MIT
/*
 * hub.c - a named network's hub: the supervisor's hub_role (see hub.h)
 *
 * Theory of operation. The first `qbox run --net natnet:lab0` (or `qbox net
 * create`) finds no $RUNDIR/net@lab0.sock and starts a hub:
 * `qbox __hub`, detached from the terminal (control/hub_client.c), which
 * is a supervisor in this role with a payload-less plan (plan_hub()). Its
 * sandbox's init builds the segment (hub_init.c). The role:
 *
 *   start    the hub enters the user namespace of the user's other hubs,
 *            if one runs: members may join several networks, and a veth
 *            pair can only link namespaces that one user namespace has
 *            power over. The search, and the new hub's socket, happen
 *            under a lock on the runtime directory, so two hubs starting
 *            at once cannot both make a user namespace of their own;
 *   ready    at NET_READY: the lease table (network/leases.h), the
 *            generic socket (hub_stream.c) and the network's DNS and DHCP
 *            server (network/dnsmasq.h); then the lock goes: others may
 *            find us now;
 *   control  join (hub_members.c), net-info, net-rm, forwards with an
 *            owner; forwards on a network dial the guest from the hub's
 *            namespace, and those a member asked for (--fwd) go when it
 *            leaves;
 *   ending   a hub without members ends (after HUB_IDLE_MS if its starter
 *            never joined), unless it lingers (net create, linger=on);
 *            `qbox net rm` ends it, refusing while members run unless
 *            forced, and so does a signal (its init ends, having no
 *            payload to pass it to). Its end takes the namespaces, and so
 *            the members' veth pairs, with it; members notice the hang-up.
 *
 * Tenants are kept apart by the kernel: a user's hubs live in that user's
 * runtime directory (0700, SO_PEERCRED on every connection) and in user
 * namespaces only that user may enter.
 */
#include "network/hub.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "common/util.h"
#include "control/ctl_client.h"
#include "network/hub_init.h"
#include "network/hub_links.h"
#include "network/hub_members.h"
#include "network/hub_owners.h"
#include "network/hub_stream.h"
#include "network/hub_vde.h"
#include "network/leases.h"
#include "supervisor/supervisor.h"


/* A hub that was started for a member that never came ends after this */
#define HUB_IDLE_MS 10000

/*
 * The user namespace of the user's other hubs (a pidfd of one's init, in
 * *@found, or -1: this hub makes one), found under the runtime
 * directory's lock (*@lockfd)
 */
static int hub_userns(int dirfd, int *lockfd, int *found, struct qerr *e)
{
	struct ctl_req req = { .verb = CTL_NS };
	struct dirent *d;
	int pidfd = -1, dfd;
	DIR *dir;

	/* the directory itself is the lock: no file to leave behind */
	*lockfd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*lockfd < 0 || flock(*lockfd, LOCK_EX) < 0)
		return qerr_set(e, errno, "locking the runtime directory");
	if ((dfd = dup(dirfd)) < 0 || !(dir = fdopendir(dfd))) {
		if (dfd >= 0)
			close(dfd);
		return qerr_set(e, errno, "reading the runtime directory");
	}
	while (pidfd < 0 && (d = readdir(dir))) {
		struct strbuf out = { 0 };
		size_t len = strlen(d->d_name);
		int fd;

		if (strncmp(d->d_name, HUB_FILE_PREFIX,
			    strlen(HUB_FILE_PREFIX)) ||
		    len < 5 || strcmp(d->d_name + len - 5, ".sock"))
			continue;
		if ((fd = ctl_open(dirfd, d->d_name)) < 0)
			continue;
		if (ctl_call(fd, &req, &out, &pidfd, 5000, NULL) < 0 &&
		    pidfd >= 0) {
			close(pidfd);
			pidfd = -1;
		}
		sb_free(&out);
		close(fd);
	}
	closedir(dir);
	*found = pidfd;
	return 0;
}

/*
 * A network with an address of its own has a DNS server for its members'
 * names (network/dnsmasq.c), made ready here, before any namespace: on a
 * natnet it forwards other names to the NAT engine's forwarder
 */
static int hub_names_prepare(struct sup *s, struct qerr *e)
{
	const struct nic_plan *n = &s->plan->nics[0];
	struct dnsmasq_cfg c = { .listen = n->layout.hub, .domain = n->domain };
	struct hub *h = hub_of(s);
	char dir[PATH_MAX];

	if (!n->layout.hub.s_addr)
		return 0;
	snprintf(dir, sizeof(dir), "%s/%s.dns", s->rundir, s->plan->name);
	c.dir = dir;
	if (n->mode == NET_NATNET)
		c.upstream = n->nat.dns;
	/* IPv6: names over IPv6 too; on an internal network (no NAT engine
	   to advertise it) the /64's router advertisements are dnsmasq's */
	if (n->layout.ipv6) {
		c.listen6 = &n->layout.hub6;
		if (!n->layout.uplink)
			c.ra6 = &n->layout.net6;
	}
	if (n->layout.dhcp) {
		/* the lease table's pool, cut as the table cuts it */
		uint32_t first = ntohl(n->layout.pool_first.s_addr);
		uint32_t last = ntohl(n->layout.pool_last.s_addr);

		if (last - first >= LEASES_POOL_MAX)
			last = first + LEASES_POOL_MAX - 1;
		c.pool_first = n->layout.pool_first;
		c.pool_last.s_addr = htonl(last);
		c.prefix = n->prefix;
		c.router = n->layout.gateway;
		c.opts = n->spec->dhcp_opts;
		c.n_opts = n->spec->n_dhcp_opts;
		h->dhcp = true;
	}
	/* PXE: checked here, where the network starts, so that a typo is
	   the starter's error (exit 2) */
	if (net_tftp_resolve(&h->spec, e) < 0)
		return -EINVAL;
	if (h->spec.tftp[0])
		c.tftp = h->spec.tftp;
	if (h->spec.bootfile[0])
		c.bootfile = h->spec.bootfile;
	h->names = true;
	h->names_host = n->layout.host;
	return dnsmasq_prepare(&h->dns, &c, s->filters->baseline, e);
}

static int hub_start(struct sup *s, struct sandbox_cfg *cfg, struct qerr *e)
{
	struct hub *h = calloc(1, sizeof(*h));
	int r;

	if (!h)
		return qerr_set(e, ENOMEM, "starting the network");
	s->role_data = h;
	h->stream_fd = h->relay_fd = h->dir_lock = h->vde_fd = -1;
	h->dns = (struct dnsmasq){ .pidfd = -1, .poll_idx = -1 };
	h->spec = *s->plan->nics[0].spec;
	h->linger = h->spec.linger;
	if ((r = hub_names_prepare(s, e)) < 0)
		return r;
	r = hub_userns(s->dirfd, &h->dir_lock, &cfg->userns_pidfd, e);
	/* init closes its copy: the lock is one open file, shared */
	cfg->sup_lockfd = h->dir_lock;
	return r;
}

/* The lease table: members' addresses, and dnsmasq's leases */
static int hub_leases_start(struct sup *s, struct qerr *e)
{
	const struct net_layout *l = &s->plan->nics[0].layout;
	struct hub *h = hub_of(s);

	/* an internal network without DHCP numbers its command members */
	h->leases = leases_new(l->pool_first, l->pool_last);
	if (!h->leases)
		return qerr_set(e, ENOMEM, "the network's lease table");
	return 0;
}

static int hub_net_ready(struct sup *s, struct qerr *e)
{
	struct hub *h = hub_of(s);
	int r;

	if ((r = hub_leases_start(s, e)) < 0 ||
	    (r = hub_stream_listen(s, e)) < 0 || (r = hub_vde_listen(s, e)) < 0)
		return r;
	if (h->names) {
		hub_names_update(h);
		if ((r = dnsmasq_start(&h->dns, s->sb.pid, e)) < 0)
			return r;
	}
	close(steal_fd(&h->dir_lock));	/* others may find us now */
	return 0;
}

/* a request on its way to the hub (ctl_server_busy) */
static bool hub_busy(const struct sup *s)
{
	return s->ctl && ctl_server_busy(s->ctl);
}

static void hub_poll_fill(struct sup *s, struct pollset *ps)
{
	struct hub *h = hub_of(s);
	int64_t now = now_ns() / 1000000;

	hub_stream_poll_fill(s, ps);
	hub_vde_poll_fill(s, ps);
	/* the links it was created with, once init serves requests */
	if (s->started && !h->links_started) {
		h->links_started = true;
		hub_links_start(s);
	}
	if (h->names) {
		h->dns.poll_idx = h->dns.pidfd >= 0 ?
			pollset_add(ps, h->dns.pidfd, POLLIN) : -1;
		if (dnsmasq_due_ms(&h->dns) >= 0)
			pollset_timeout(ps, dnsmasq_due_ms(&h->dns));
	}
	/* without members (and not lingering): idle, for HUB_IDLE_MS */
	if (h->linger || h->n_members) {
		h->idle_deadline_ms = 0;
		return;
	}
	if (!h->idle_deadline_ms)
		h->idle_deadline_ms = now + HUB_IDLE_MS;
	/* a request on its way wakes us itself, and may be a joining member */
	if (!hub_busy(s))
		pollset_timeout(ps, h->idle_deadline_ms - now);
}

static int hub_poll_done(struct sup *s, struct pollset *ps, struct qerr *e)
{
	struct hub *h = hub_of(s);

	hub_stream_poll_done(s, ps);
	hub_vde_poll_done(s, ps);
	if (h->names)
		dnsmasq_tend(&h->dns, h->dns.poll_idx >= 0 ?
				ps->fds[h->dns.poll_idx].revents : 0, s->sb.pid);
	return 0;
}

static bool hub_should_end(struct sup *s)
{
	struct hub *h = hub_of(s);

	return h->done || (h->idle_deadline_ms &&
			   now_ns() / 1000000 >= h->idle_deadline_ms &&
			   !hub_busy(s));
}

/* Init's messages about the network: the relay's socket,
 * socket members' TAPs and guards */
static int hub_message(struct sup *s, const struct sbmsg *m, int fd,
		       struct qerr *e)
{
	switch (m->type) {
	case SBMSG_RELAY:
		return hub_stream_relay(s, fd, e);
	case SBMSG_RELAY_EXIT:
		return hub_stream_relay_died(s, m->value, e);
	case SBMSG_TAP:
		if (m->nic == HUB_TAP_LINK)
			hub_link_tap(s, m, fd);
		else
			hub_stream_tap(s, m, fd);
		return 0;
	case SBMSG_GUARD:
		hub_stream_guarded(s, m);
		return 0;
	}
	if (fd >= 0)
		close(fd);
	return qerr_set(e, EPROTO, "bad message %u from the network's init",
			m->type);
}

/* Member @m's IPv6 addresses: a command's own (its MAC's EUI-64), then
 * those the network binds to its MAC (@owners), link-local ones last */
static void member_json6(const struct nic_plan *n, const struct hub_member *m,
			 const struct as_owner *owners, int n_owners,
			 struct strbuf *b)
{
	bool own = n->layout.ipv6 && m->kind == MEMBER_CMD, ll;
	struct in6_addr a = { 0 };
	char t[INET6_ADDRSTRLEN];
	const char *sep = "";
	int i;

	sb_puts(b, ",\"ipv6\":[");
	if (own) {
		a = subnet6_eui64(&n->layout.net6, m->mac);
		sb_printf(b, "\"%s\"", inet_ntop(AF_INET6, &a, t, sizeof(t)));
		sep = ",";
	}
	for (ll = false; ; ll = true) {
		for (i = 0; i < n_owners; i++) {
			const struct as_owner *o = &owners[i];

			if (memcmp(o->mac, m->mac, 6) ||
			    IN6_IS_ADDR_LINKLOCAL(&o->addr) != ll ||
			    (own && !memcmp(&o->addr, &a, sizeof(a))))
				continue;
			sb_printf(b, "%s\"%s\"", sep,
				  inet_ntop(AF_INET6, &o->addr, t, sizeof(t)));
			sep = ",";
		}
		if (ll)
			break;
	}
	sb_puts(b, "]");
}

/* The network's IPv6: its /64 (members adopt it), the gateway, DNS and
 * the hub's own address; "" for each without IPv6 */
static void hub_info6(const struct net_layout *l, struct strbuf *b)
{
	const struct in6_addr *a[] = { &l->gateway6, &l->dns6, &l->hub6 };
	static const char *const keys[] = { "gateway6", "dns6", "hub6" };
	char t[INET6_ADDRSTRLEN] = "";
	size_t i;

	if (l->ipv6)
		inet_ntop(AF_INET6, &l->net6, t, sizeof(t));
	sb_printf(b, "\"subnet6\":\"%s%s\",", t, l->ipv6 ? "/64" : "");
	for (i = 0; i < ARRAY_SIZE(a); i++) {
		t[0] = '\0';	/* none: a host-only network's gateway */
		if (l->ipv6 && !IN6_IS_ADDR_UNSPECIFIED(a[i]))
			inet_ntop(AF_INET6, a[i], t, sizeof(t));
		sb_printf(b, "\"%s\":\"%s\",", keys[i], t);
	}
}

static void net_json(struct sup *s, bool owners6, struct strbuf *b)
{
	const struct hub *h = hub_of(s);
	const struct nic_plan *n = &s->plan->nics[0];
	const struct net_layout *l = &n->layout;
	char a[INET_ADDRSTRLEN], mac[18], label[NET_NAME_MAX + 1];
	char opts[NET_DHCP_OPTS_TEXT], egress[NET_EGRESS_TEXT];
	char vde[PATH_MAX + 16];
	struct as_owner *owners = NULL;
	struct qerr ignored = { 0 };
	int i, n_owners = 0;

	/* what the members' guests chose: the hub's bindings (a network
	   that cannot say shows none) */
	if (owners6 && l->ipv6 &&
	    (n_owners = hub_owners(s, &owners, &ignored)) < 0)
		n_owners = 0;
#define ADDR(x) ((x).s_addr ? inet_ntop(AF_INET, &(x), a, sizeof(a)) : "")
	sb_puts(b, "{\"name\":");
	sb_json_str(b, h->spec.name);
	sb_printf(b, ",\"mode\":\"%s\",\"pid\":%d,\"linger\":%s,",
		  net_mode_name(h->spec.mode), (int)getpid(),
		  h->linger ? "true" : "false");
	sb_printf(b, "\"subnet\":\"%s/%u\",", ADDR(n->net), n->prefix);
	hub_info6(l, b);
	sb_printf(b, "\"gateway\":\"%s\",", ADDR(l->gateway));
	sb_printf(b, "\"host\":\"%s\",", ADDR(l->host));
	/* the members' DNS server: the network's own, where it has one */
	sb_printf(b, "\"dns\":\"%s\",", ADDR(*(h->names ? &l->hub : &l->dns)));
	sb_printf(b, "\"hub\":\"%s\",\"dhcp\":%s,", ADDR(l->hub),
		  l->dhcp ? "true" : "false");
	net_dhcp_opts_format(&h->spec, opts, sizeof(opts));
	sb_puts(b, "\"dhcp_options\":");
	sb_json_str(b, opts);
	sb_printf(b, ",\"hostloop\":%s",
		  h->spec.no_hostloop ? "false" : "true");
	net_egress_format(&h->spec, egress, sizeof(egress));
	sb_puts(b, ",\"egress\":");
	sb_json_str(b, egress);
	/* its NAT's TCP out: the kernel's path or libslirp's ("": none) */
	sb_printf(b, ",\"egress_path\":\"%s\"",
		  !n->nat.on ? "" : sup_egress_path(s, 0));
	sb_puts(b, ",\"tftp\":");
	sb_json_str(b, h->spec.tftp);
	sb_puts(b, ",\"bootfile\":");
	sb_json_str(b, h->spec.bootfile);
	sb_puts(b, ",\"socket\":");
	sb_json_str(b, h->stream_path ? h->stream_path : "");
	/* its VDE switch's locator (hub_vde.c), "" while it has none */
	vde[0] = '\0';
	if (h->vde_fd >= 0)
		snprintf(vde, sizeof(vde), "vde://%s/%s.vde", s->rundir,
			 s->plan->name);
	sb_puts(b, ",\"vde\":");
	sb_json_str(b, vde);
	sb_puts(b, ",");
	hub_links_json(s, b);
	sb_puts(b, ",\"members\":[");
	for (i = 0; i < h->n_members; i++) {
		const struct hub_member *m = &h->members[i];
		static const char *const kinds[] = { [MEMBER_CMD] = "command",
						     [MEMBER_VM] = "vm",
						     [MEMBER_SOCKET] = "socket",
						     [MEMBER_VDE] = "vde" };

		sb_printf(b, "%s{\"sandbox\":", i ? "," : "");
		sb_json_str(b, m->sandbox);
		sb_printf(b, ",\"kind\":\"%s\",\"mac\":\"%s\",\"vm\":%s,"
			     "\"address\":\"%s\"", kinds[m->kind],
			  mac_format(m->mac, mac),
			  m->kind == MEMBER_VM ? "true" : "false",
			  ADDR(m->addr));
		/* its name on the network's DNS server (plan/names.h) */
		label[0] = '\0';
		if (h->names && m->addr.s_addr && m->sandbox[0])
			names_label(m->sandbox, label);
		sb_printf(b, ",\"name\":\"%s\"", label);
		member_json6(n, m, owners, n_owners, b);
		if (member_is_client(m->kind)) {
			sb_printf(b, ",\"tap\":\"qs%ld\",\"pid\":%d,"
				     "\"command\":", m->id, (int)m->pid);
			sb_json_str(b, m->command);
		}
		sb_puts(b, "}");
	}
	sb_puts(b, "],\"leases\":[");
	if (h->leases) {
		struct lease_info li;
		size_t cur = 0;
		bool first = true;

		hub_leases_read(hub_of(s));
		while (leases_next(h->leases, hub_now_s(), &cur, &li)) {
			sb_printf(b, "%s{\"mac\":\"%s\",\"address\":\"%s\","
				     "\"state\":\"%s\",\"member\":%s,"
				     "\"expires\":%lld,\"hostname\":",
				  first ? "" : ",", mac_format(li.mac, mac),
				  ADDR(li.addr), lease_state_name(li.state),
				  li.member ? "true" : "false",
				  (long long)li.expires);
			sb_json_str(b, li.name);
			sb_puts(b, "}");
			first = false;
		}
	}
	sb_puts(b, "],");
	if (h->names) {
		dnsmasq_json(&h->dns, b);
		sb_puts(b, ",");
	}
	sb_puts(b, "\"forwards\":");
	sup_fwds_json(s, b);
	sup_engine_json(s, b);
	sb_puts(b, "}");
	free(owners);
#undef ADDR
}

static int net_rm(struct sup *s, bool force, struct qerr *e)
{
	struct hub *h = hub_of(s);
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

/* A forward on the network, and whose it is: a member's goes with it */
static int hub_fwd_add(struct sup *s, const char *text, long owner,
		       struct strbuf *out, struct qerr *e)
{
	struct hub *h = hub_of(s);
	struct fwd_spec spec;
	int r;

	if (h->n_fwds >= MAX_FWDS)
		return qerr_usage(e, "network '%s' has %d forwards, its most",
				  h->spec.name, MAX_FWDS);
	if ((r = sup_fwd_add(s, text, &spec, out, e)) < 0)
		return r;
	h->fwds[h->n_fwds++] = (struct hub_fwd){ .spec = spec, .owner = owner };
	return 0;
}

/* A forward removed (qbox fwd --remove): out of the record too, so that its
 * slot comes back and its owner's leaving cannot take a later one */
static int hub_fwd_remove(struct sup *s, const char *text, struct qerr *e)
{
	struct hub *h = hub_of(s);
	struct fwd_spec spec;
	int i, r;

	if ((r = sup_fwd_remove(s, text, &spec, e)) < 0)
		return r;
	for (i = 0; i < h->n_fwds; i++)
		if (fwd_same_host_side(&h->fwds[i].spec, &spec)) {
			h->fwds[i] = h->fwds[--h->n_fwds];
			break;
		}
	return 0;
}

static int hub_control(struct sup *s, const struct ctl_req *req,
		       struct strbuf *out, int *fd, long *hold, struct qerr *e)
{
	switch (req->verb) {
	case CTL_JOIN:
		if (*hold)
			return qerr_usage(e, "join: already a member");
		return hub_member_join(s, req->arg, out, fd, hold, e);
	case CTL_NET_INFO:
	case CTL_NET_INSPECT:
		net_json(s, req->verb == CTL_NET_INSPECT, out);
		return 0;
	case CTL_NET_RM:
		return net_rm(s, req->force, e);
	case CTL_FWD_ADD:	/* a member's (*hold), or qbox fwd -n's */
		return hub_fwd_add(s, req->arg, *hold, out, e);
	case CTL_FWD_REMOVE:
		return hub_fwd_remove(s, req->arg, e);
	case CTL_NET_LINK:
		return hub_link_add(s, req->arg, e);
	case CTL_NET_UNLINK:
		return hub_link_remove(s, req->arg, e);
	default:
		return -ENOTSUP;
	}
}

/*
 * The NAT engine died: the hub runs on, its members keep their segment,
 * its DNS and DHCP server and the network's forwards; only the way out is gone
 * (`net inspect` says so: sup_engine_json()). Its stderr is /dev/null.
 */
static void hub_engine_died(struct sup *s, const char *how)
{
	fprintf(stderr, "qbox: network '%s': the NAT engine died (%s): its way "
			"out is down; members keep their segment\n",
		hub_of(s)->spec.name, how);
}

static int hub_end(struct sup *s, struct qerr *e)
{
	struct hub *h = hub_of(s);

	if (!h)
		return 0;
	hub_stream_free(s);
	hub_vde_free(s);
	dnsmasq_free(&h->dns);
	while (h->n_members)
		hub_member_release(&h->members[--h->n_members]);
	free(h->members);
	leases_free(h->leases);
	if (h->dir_lock >= 0)
		close(h->dir_lock);
	free(h);
	s->role_data = NULL;
	return 0;
}

const struct role hub_role = {
	.fault = "hub",
	.init = &hub_init_role,
	.start = hub_start,
	.net_ready = hub_net_ready,
	.poll_fill = hub_poll_fill,
	.poll_done = hub_poll_done,
	.message = hub_message,
	.control = hub_control,
	.leave = hub_member_leave,
	.should_end = hub_should_end,
	.engine_died = hub_engine_died,
	.end = hub_end,
};

int hub_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "linger", no_argument, NULL, 'l' },
		{ "ready-fd", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	static char *hub_argv[] = { "(network hub)", NULL };
	struct net_spec spec;
	struct plan p;
	struct qerr e = { 0 };
	unsigned long fd;
	bool linger = false;
	int c, errfd = -1, r = -EINVAL;

	optind = 0;
	p.ready_fd = -1;
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
	spec.linger = spec.linger || linger;
	fd = (unsigned long)p.ready_fd;
	plan_hub(&spec, hub_argv, &p);
	p.ready_fd = (int)fd;
	r = supervise(&p, &hub_role, NULL, &e);
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
