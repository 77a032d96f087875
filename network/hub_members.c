// SPDX-License-Identifier: MIT
/*
 * hub_members.c - a named network's members: who joins, with which MAC and
 * address, and who leaves (hub.h)
 *
 *   join     a member's supervisor says who it is (sandbox, MAC, VM or
 *            command: supervisor/member.c); the hub checks the network's
 *            mode and subnet, makes the MAC the member's own (a second
 *            member with it is refused) and reserves its address: a
 *            command's, or the DHCP lease of a VM's, so that its
 *            anti-spoofing rules know it before it sends. The answer
 *            names the hub's end of the member's veth pair and carries a
 *            pidfd of the hub's init, through which the member's init
 *            enters the user namespace and visits the hub's network
 *            namespace to plug the veth into the bridge. The connection
 *            stays open: its hang-up is the member's leaving.
 *   leave    the reserved address and the member's own forwards go with
 *            it; the network ends with its last member, unless it lingers.
 *
 * A client of the network's generic socket is a member too (kind
 * "socket", hub_stream.c), whose MAC is its first frame's.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "common/util.h"
#include "network/hub_members.h"
#include "network/leases.h"

int64_t hub_now_s(void)
{
	return (int64_t)time(NULL);
}

struct hub_member *hub_member_find(struct hub *h, long id)
{
	int i;

	for (i = 0; i < h->n_members; i++)
		if (h->members[i].id == id)
			return &h->members[i];
	return NULL;
}

/* "MODE,SUBNET|-,SANDBOX,MAC,vm|cmd[,IP|-]" (IP: ip=, in want->ip) */
static int join_parse(char *arg, struct net_spec *want, char *sandbox,
		      size_t size, uint8_t mac[6], enum member_kind *kind,
		      struct qerr *e)
{
	char *f[6], *save = NULL;
	int n;

	for (n = 0; n < 6; n++)
		if (!(f[n] = strtok_r(n ? NULL : arg, ",", &save)) && n < 5)
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
	if (f[5] && strcmp(f[5], "-")) {
		want->has_ip = true;
		if (inet_pton(AF_INET, f[5], &want->ip) != 1)
			return qerr_usage(e, "join: bad address '%s'", f[5]);
	}
	return 0;
}

int hub_member_join(struct sup *s, const char *text, struct strbuf *out,
		    int *fd, long *hold, struct qerr *e)
{
	struct hub *h = hub_of(s);
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
	if (!h->leases)
		return qerr_set(e, EAGAIN, "network '%s' is still starting",
				h->spec.name);
	if (want.has_ip)
		m.want = want.ip;
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
			leases_unreserve(h->leases, m.mac, hub_now_s());
		return r;
	}
	*hold = m.id;
	/* egress: the network's NAT's TCP path out, for the member's ps */
	sb_printf(out, "{\"member\":%ld,\"peer\":\"m%ld\",\"address\":\"%s\","
		       "\"mac\":\"%s\",\"egress\":\"%s\"}",
		  m.id, m.id, m.addr.s_addr ? inet_ntop(AF_INET, &m.addr, a,
							sizeof(a)) : "",
		  mac_format(m.mac, mac),
		  s->plan->nics[0].nat.on ? sup_egress_path(s, 0) : "");
	return 0;
}

void hub_member_label(const struct hub_member *m, char *buf, size_t size)
{
	if (member_is_client(m->kind))
		snprintf(buf, size, "%s qs%ld (%s, pid %d)",
			 m->kind == MEMBER_VDE ? "vde" : "socket", m->id,
			 m->command, (int)m->pid);
	else
		snprintf(buf, size, "%s", m->sandbox);
}

/* ip=@want is another's: whose, for the message */
static int addr_taken(struct hub *h, struct in_addr want, struct qerr *e)
{
	char a[INET_ADDRSTRLEN], who[SANDBOX_NAME_MAX + 64] = "";
	int i;

	for (i = 0; i < h->n_members; i++)
		if (h->members[i].addr.s_addr == want.s_addr)
			hub_member_label(&h->members[i], who, sizeof(who));
	inet_ntop(AF_INET, &want, a, sizeof(a));
	if (who[0])
		return qerr_usage(e, "network '%s': ip=%s is taken (by %s)",
				  h->spec.name, a, who);
	return qerr_usage(e, "network '%s': ip=%s is taken (a DHCP client's "
			     "lease)", h->spec.name, a);
}

int hub_member_claim(struct sup *s, struct hub_member *m, struct qerr *e)
{
	struct hub *h = hub_of(s);
	const struct net_layout *l = &s->plan->nics[0].layout;
	char mac[18], who[SANDBOX_NAME_MAX + 64], a[INET_ADDRSTRLEN];
	uint8_t engine[NAT_ENGINE_MACS + 1][6];	/* the NAT engine's, then
						   the hub's */
	int i, r, k = nat_engine_macs(&s->plan->nics[0].nat, engine);

	if (mac_unclaimable(m->mac))
		return qerr_usage(e, "network '%s': MAC %s is %s, no member's",
				  h->spec.name, mac_format(m->mac, mac),
				  m->mac[0] & 1 ? "a group address" : "zero");
	if (hub_bridge_mac(l, engine[k]) && !memcmp(engine[k], m->mac, 6))
		return qerr_usage(e, "network '%s': MAC %s is its hub's, no "
				     "member's", h->spec.name,
				  mac_format(m->mac, mac));
	for (i = 0; i < k; i++)
		if (!memcmp(engine[i], m->mac, 6))
			return qerr_usage(e, "network '%s': MAC %s is its NAT "
					     "engine's (the %s), no member's",
					  h->spec.name, mac_format(m->mac, mac),
					  i == 1 || i == 3 ? "DNS forwarder" :
					  i == 4 ? "router" : "gateway");
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
	if (m->kind != MEMBER_CMD && !l->dhcp)
		return 0;
	hub_leases_read(h);
	r = leases_reserve(h->leases, m->mac, member_is_client(m->kind) ?
			   m->command : m->sandbox, m->want, hub_now_s(),
			   &m->addr);
	if (r == 0)
		hub_leases_settle(s);
	if (r == -EADDRINUSE)
		return addr_taken(h, m->want, e);
	if (r == -EDOM)
		return qerr_usage(e, "network '%s': ip=%s is not one of its "
				     "members' addresses", h->spec.name,
				  inet_ntop(AF_INET, &m->want, a, sizeof(a)));
	if (r < 0)
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
	hub_names_update(h);
	return 0;
}

void hub_names_update(struct hub *h)
{
	struct names_host *hosts;
	struct strbuf text = { 0 }, dhcp_hosts = { 0 };
	int i, r;

	if (!h->names)
		return;
	hosts = calloc((size_t)h->n_members + 1, sizeof(*hosts));
	if (!hosts) {
		fprintf(stderr, "qbox: network '%s': the members' names: out "
				"of memory\n", h->spec.name);
		return;
	}
	for (i = 0; i < h->n_members; i++)
		hosts[i] = (struct names_host){ h->members[i].addr,
						h->members[i].sandbox };
	r = names_hosts(h->dns.cfg.domain, h->names_host, hosts, h->n_members,
			&text);
	if (h->dhcp)
		leases_hostsfile(h->leases, &dhcp_hosts);
	if (r == 0 && (text.oom || dhcp_hosts.oom))
		r = -ENOMEM;
	if (r == 0)
		r = dnsmasq_names(&h->dns, text.s ? text.s : "",
				  h->dhcp ? (dhcp_hosts.s ? dhcp_hosts.s : "")
					  : NULL);
	if (r < 0)
		fprintf(stderr, "qbox: network '%s': the members' names: %s\n",
			h->spec.name, strerror(-r));
	sb_free(&text);
	sb_free(&dhcp_hosts);
	free(hosts);
}

void hub_leases_read(struct hub *h)
{
	struct strbuf text = { 0 };

	if (!h->dhcp)
		return;
	/* an empty or missing file is no lease at all */
	if (dnsmasq_leases(&h->dns, &text) == 0)
		leases_read(h->leases, text.s ? text.s : "");
	sb_free(&text);
}

/*
 * A member's new address still leased, in dnsmasq's memory and file, to
 * a member that left (leases.h): dnsmasq would not hand it over while
 * that lease runs, so it starts again on a file without it. Rare: only
 * ip= of a departed member's address, or a pool so full that a departed
 * member's claim is taken.
 */
void hub_leases_settle(struct sup *s)
{
	struct hub *h = hub_of(s);
	struct strbuf text = { 0 }, kept = { 0 };
	struct qerr e = { 0 };
	int64_t now = hub_now_s();

	if (!h->dhcp || !leases_conflict(h->leases, now))
		return;
	if (dnsmasq_leases(&h->dns, &text) == 0 && text.s) {
		leases_prune(h->leases, text.s, now, &kept);
		if (dnsmasq_replace_leases(&h->dns, kept.s ? kept.s : "",
					   s->sb.pid, &e) < 0)
			fprintf(stderr, "qbox: network '%s': %s\n",
				h->spec.name, e.msg);
		hub_leases_read(h);
	}
	sb_free(&text);
	sb_free(&kept);
}

void hub_member_release(struct hub_member *m)
{
	if (!m->vde)
		return;
	close(m->vde_ctl);
	unlink(m->vde_path);
	m->vde = false;
}

void hub_member_leave(struct sup *s, long id)
{
	struct hub *h = hub_of(s);
	struct hub_member *m = hub_member_find(h, id);
	int i;

	if (!m)
		return;
	if (m->addr.s_addr && h->leases)
		leases_unreserve(h->leases, m->mac, hub_now_s());
	hub_member_release(m);
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
	hub_names_update(h);
	/* the last one gone: the hub ends once no request is on its way
	   (hub_should_end), at once rather than after HUB_IDLE_MS */
	if (!h->n_members && !h->linger)
		h->idle_deadline_ms = now_ns() / 1000000;
}
