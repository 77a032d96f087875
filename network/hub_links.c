// SPDX-License-Identifier: MIT
/*
 * hub_links.c - a named network's links (see hub_links.h)
 *
 * Theory of operation. A link K is a slot of the supervisor's links[]
 * (supervisor/sup_vde.c) and a state here: asked (its TAP requested from
 * init, SBMSG_TAP_REQ with .nic HUB_TAP_LINK), plugged (init's TAP came,
 * with its chain, and a relay runs on it, or will again), or failed (why,
 * shown until the link is removed). Frames between the segment and the
 * far side never pass the supervisor: the bridge switches them to and
 * from qlK in the hub's namespace, the relay moves them between qlK and
 * the VDE plug in the host's.
 *
 * One side serves the network (serve=on, the default): its NAT engine,
 * DHCP and DNS answer for members on every side. A side with serve=off
 * runs none of them and has no address on the segment; its members lease
 * from the serving side, and its command members are numbered below that
 * side's pool (plan/plan.c: layout_serve_off). The link's chain keeps
 * what is one side's its own: no frame from the far side may carry this
 * side's NAT engine's or hub's MAC, and where this side serves, no DHCP
 * server or router may answer from the far side.
 */
#include "network/hub_links.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "network/hub_init.h"
#include "network/hub_members.h"

/* The slot of the link to @locator, or -1 */
static int link_find(struct sup *s, const char *locator)
{
	struct hub *h = hub_of(s);
	int k;

	for (k = 0; k < NET_LINKS_MAX; k++)
		if (h->link_state[k] != HUB_LINK_NONE &&
		    !strcmp(s->links[k].locator, locator))
			return k;
	return -1;
}

/* Ask init for link @k's TAP */
static int link_ask(struct sup *s, int k, const char *locator,
		    struct qerr *e)
{
	struct hub *h = hub_of(s);
	struct sbmsg m = { .type = SBMSG_TAP_REQ, .nic = HUB_TAP_LINK,
			   .value = k };
	int r;

	snprintf(s->links[k].locator, sizeof(s->links[k].locator), "%s",
		 locator);
	s->links[k].last[0] = '\0';
	if ((r = sbmsg_send(s->sb.sock, &m, -1)) < 0)
		return qerr_set(e, -r, "link=%s: asking for its TAP", locator);
	h->link_state[k] = HUB_LINK_ASKED;
	return 0;
}

void hub_links_start(struct sup *s)
{
	const struct net_spec *sp = &hub_of(s)->spec;
	struct qerr e;
	int k;

	for (k = 0; k < sp->n_links; k++)
		if (link_ask(s, k, sp->links[k], &e) < 0) {
			snprintf(s->links[k].last, sizeof(s->links[k].last),
				 "%.255s", e.msg);	/* names link= */
			hub_of(s)->link_state[k] = HUB_LINK_FAILED;
		}
}

void hub_link_tap(struct sup *s, const struct sbmsg *m, int fd)
{
	struct hub *h = hub_of(s);
	int k = m->value;
	struct qerr e = { 0 };
	char locator[VDE_LOCATOR_MAX + 1];

	if (k < 0 || k >= NET_LINKS_MAX || h->link_state[k] != HUB_LINK_ASKED) {
		if (fd >= 0)	/* removed meanwhile: its TAP goes too */
			close(fd);
		return;
	}
	snprintf(locator, sizeof(locator), "%s", s->links[k].locator);
	if (fd < 0) {
		snprintf(s->links[k].last, sizeof(s->links[k].last),
			 "link=%.200s: its TAP: %s", locator,
			 strerror(m->errnum ? m->errnum : EIO));
		h->link_state[k] = HUB_LINK_FAILED;
		return;
	}
	if (sup_link_add(s, k, locator, fd, &e) < 0) {
		struct sbmsg del = { .type = SBMSG_TAP_DEL,
				     .nic = HUB_TAP_LINK, .value = k };

		/* sup_link_add() left the slot clean: its locator and why */
		snprintf(s->links[k].locator, sizeof(s->links[k].locator),
			 "%s", locator);
		snprintf(s->links[k].last, sizeof(s->links[k].last), "%.255s",
			 e.msg);
		h->link_state[k] = HUB_LINK_FAILED;
		sbmsg_send(s->sb.sock, &del, -1);
		return;
	}
	h->link_state[k] = HUB_LINK_PLUGGED;
}

int hub_link_add(struct sup *s, const char *locator, struct qerr *e)
{
	struct hub *h = hub_of(s);
	char scheme[VDE_SCHEME_MAX + 1];
	int k;

	if (vde_locator_check(locator, scheme, e) < 0) {
		qerr_prefix(e, "net link %s", locator);
		return -EINVAL;
	}
	if (link_find(s, locator) >= 0)
		return qerr_usage(e, "network '%s' already links to %s",
				  h->spec.name, locator);
	for (k = 0; k < NET_LINKS_MAX; k++)
		if (h->link_state[k] == HUB_LINK_NONE)
			return link_ask(s, k, locator, e);
	return qerr_usage(e, "network '%s' has %d links, its most",
			  h->spec.name, NET_LINKS_MAX);
}

int hub_link_remove(struct sup *s, const char *locator, struct qerr *e)
{
	struct hub *h = hub_of(s);
	struct sbmsg del = { .type = SBMSG_TAP_DEL, .nic = HUB_TAP_LINK };
	int k = link_find(s, locator);

	if (k < 0)
		return qerr_usage(e, "network '%s' has no link to %s",
				  h->spec.name, locator);
	/* an asked TAP that comes later is closed (hub_link_tap) and its
	   device deleted by this same request, which init takes after the
	   one that makes it */
	if (h->link_state[k] != HUB_LINK_FAILED) {
		del.value = k;
		sbmsg_send(s->sb.sock, &del, -1);
	}
	sup_link_remove(s, k);
	h->link_state[k] = HUB_LINK_NONE;
	return 0;
}

void hub_links_json(struct sup *s, struct strbuf *b)
{
	static const char *const states[] = {
		[HUB_LINK_ASKED] = "starting", [HUB_LINK_PLUGGED] = "plugged",
		[HUB_LINK_FAILED] = "failed" };
	struct hub *h = hub_of(s);
	bool first = true;
	int k;

	sb_printf(b, "\"serve\":%s,\"links\":[",
		  h->spec.serve_off ? "false" : "true");
	for (k = 0; k < NET_LINKS_MAX; k++) {
		if (h->link_state[k] == HUB_LINK_NONE)
			continue;
		sb_printf(b, "%s{\"tap\":\"ql%d\",\"state\":\"%s\",\"plug\":",
			  first ? "" : ",", k, states[h->link_state[k]]);
		sup_vde_json(&s->links[k], b);
		sb_puts(b, "}");
		first = false;
	}
	sb_puts(b, "]");
}
