// SPDX-License-Identifier: MIT
/*
 * sup_link.c - a sandbox's cables and its clean stop: `qbox link`,
 * link=down, `qbox stop` (sup.h)
 *
 * A VM's NIC is plugged and unplugged by QEMU (QMP set_link on its
 * netdev): the guest's driver sees its carrier go and come back. A
 * command's NIC by the port of its bridge that leads out
 * (netns/link.h). link=down NICs are unplugged before the payload can
 * use them: a command's at NET_READY, before GO; a VM's once QEMU runs,
 * which qbox then started with -S (plan->vm_hold) and now lets go on.
 *
 * `qbox stop` of a VM first asks the guest to power off (QMP
 * system_powerdown, an ACPI power button press); a guest still running
 * after the timeout gets SIGTERM, and SIGKILL after the timeout again. A
 * command, `--force`, or a QEMU whose monitor does not answer, starts at
 * SIGTERM.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "common/util.h"
#include "netns/link.h"
#include "netns/segment.h"
#include "supervisor/qmp.h"
#include "supervisor/sup.h"

/* QEMU answers QMP from its main loop; one that takes longer is hung.
 * At its start it first builds the machine: give it longer. */
#define QMP_TIMEOUT_MS 5000
#define QMP_START_MS 20000

/* NIC @i's cable for its kernel egress path, once @down and @im; NULL
 * for a NIC not on the path */
static const struct link_cable *cable_of(const struct sup *s, int i,
					 bool down,
					 const struct net_impair *im,
					 struct link_cable *c, char dev[16])
{
	char up[16], vm[16];

	if (!(s->egress_nics & (1U << i)) || s->plan->nics[i].mode != NET_NAT)
		return NULL;
	segment_names(i, dev, up, vm);
	*c = (struct link_cable){ .dev = dev, .local = !s->plan->vm,
				  .bypass = down || net_impair_any(im),
				  .down = down };
	return c;
}

/* Plug NIC @i in or out, as its payload sees it */
static int link_set(struct sup *s, int i, bool up, struct qerr *e)
{
	char cmd[QMP_CMD_MAX], port[16], dev[16];
	const char *cmds[] = { cmd };
	struct link_cable c;

	if (s->plan->vm) {
		qmp_set_link(cmd, i, up);
		return qmp_run(s->dirfd, s->plan->name, cmds, 1,
			       QMP_TIMEOUT_MS, e);
	}
	if (!link_port_name(s->plan, i, port))
		return qerr_usage(e, "nic%d has no link to %s", i,
				  up ? "plug in" : "unplug");
	return link_port_set(s->sb.pid, port, up,
			     cable_of(s, i, !up, &s->impair[i], &c, dev), e);
}

int sup_links_start(struct sup *s, bool vm, struct qerr *e)
{
	const struct plan *p = s->plan;
	char cmd[MAX_NICS + 1][QMP_CMD_MAX];
	const char *cmds[MAX_NICS + 1];
	int i, n = 0, r;

	if (vm != p->vm || !plan_links_down(p))
		return 0;
	for (i = 0; i < p->n_nics; i++) {
		if (!p->nics[i].link_down)
			continue;
		if (vm) {
			qmp_set_link(cmd[n], i, false);
			cmds[n] = cmd[n];
			n++;
		} else if ((r = link_set(s, i, false, e)) < 0) {
			qerr_prefix(e, "--net %s", p->nics[i].text);
			return r;
		}
	}
	if (vm && p->vm_hold) {
		snprintf(cmd[n], QMP_CMD_MAX, "{\"execute\":\"cont\"}");
		cmds[n] = cmd[n];
		n++;
	}
	if (vm && (r = qmp_run(s->dirfd, s->plan->name, cmds, n,
			       QMP_START_MS, e)) < 0) {
		qerr_prefix(e, "link=down");
		return r;
	}
	return 0;
}

/* Whether NIC @n is on network @sel, MODE:NAME */
static bool on_network(const struct nic_plan *n, const char *sel)
{
	const char *colon = strchr(sel, ':');
	const char *mode = net_mode_name(n->mode);

	return net_mode_named(n->mode) && colon &&
	       (size_t)(colon - sel) == strlen(mode) &&
	       !strncmp(sel, mode, strlen(mode)) &&
	       !strcmp(n->spec->name, colon + 1);
}

/* @sel: "nicN", "MODE:NETWORK", or NULL (every NIC): the NICs it names,
 * as bits */
static int link_select(struct sup *s, const char *sel, unsigned int *mask,
		       struct qerr *e)
{
	const struct plan *p = s->plan;
	unsigned long k;
	int i;

	*mask = 0;
	if (!sel) {
		for (i = 0; i < p->n_nics; i++)
			if (p->nics[i].mode != NET_NONE)
				*mask |= 1u << i;
		return *mask ? 0 : qerr_usage(e, "'%s' has no NIC (--net "
						 "none)", p->name);
	}
	if (!strncmp(sel, "nic", 3) && parse_uint(sel + 3, MAX_NICS, &k) == 0) {
		if ((int)k >= p->n_nics || p->nics[k].mode == NET_NONE)
			return qerr_usage(e, "'%s' has no %s (see qbox ps "
					     "--json)", p->name, sel);
		*mask = 1u << k;
		return 0;
	}
	for (i = 0; i < p->n_nics; i++)
		if (on_network(&p->nics[i], sel))
			*mask |= 1u << i;
	return *mask ? 0 : qerr_usage(e, "'%s' is not a member of network "
					 "%s", p->name, sel);
}

/* NIC @i's impairment made @im, replacing its last */
static int impair_set(struct sup *s, int i, const struct net_impair *im,
		      struct qerr *e)
{
	char port[16], br[16], up[16], vm[16], dev[16];
	struct link_cable c;
	int r;

	if (!link_port_name(s->plan, i, port))
		return qerr_usage(e, "nic%d is bridged: its TAP is the "
				     "administrator's (tc there)", i);
	segment_names(i, br, up, vm);
	r = link_impair(s->sb.pid, port, s->plan->vm ? vm : NULL, im,
			cable_of(s, i, s->link_down[i], im, &c, dev), e);
	if (r == 0)
		s->impair[i] = *im;
	return r;
}

int sup_impair_start(struct sup *s, struct qerr *e)
{
	const struct plan *p = s->plan;
	int i, r;

	for (i = 0; i < p->n_nics; i++) {
		if (!net_impair_any(&p->nics[i].impair))
			continue;
		if ((r = impair_set(s, i, &p->nics[i].impair, e)) < 0) {
			qerr_prefix(e, "--net %s", p->nics[i].text);
			return r;
		}
	}
	return 0;
}

/* NIC @i's impairment after @c: cleared first, then what it sets */
static struct net_impair impair_after(const struct sup *s, int i,
				      const struct link_change *c)
{
	struct net_impair im = c->clear ? (struct net_impair){ 0 } :
					  s->impair[i];

	if (c->set.rate_bps)
		im.rate_bps = c->set.rate_bps;
	if (c->set.loss_bp)
		im.loss_bp = c->set.loss_bp;
	if (c->set.delay_ms)
		im.delay_ms = c->set.delay_ms;
	if (c->set.jitter_ms)
		im.jitter_ms = c->set.jitter_ms;
	return im;
}

/* One selected NIC's change: its cable, then its impairment */
static int link_change(struct sup *s, int i, const struct link_change *c,
		       struct qerr *e)
{
	struct net_impair im = impair_after(s, i, c);
	int r;

	if (c->cable >= 0) {
		if ((r = link_set(s, i, c->cable, e)) < 0)
			return r;
		s->link_down[i] = !c->cable;
	}
	if (!c->clear && !net_impair_any(&c->set))
		return 0;
	if (im.jitter_ms && !im.delay_ms)
		return qerr_usage(e, "jitter= goes with delay=");
	return impair_set(s, i, &im, e);
}

int sup_link(struct sup *s, const char *arg, struct qerr *e)
{
	const char *comma = strchr(arg, ',');
	char words[CTL_LINE_MAX];
	struct link_change c;
	unsigned int mask;
	int i, r;

	snprintf(words, sizeof(words), "%.*s",
		 (int)(comma ? (size_t)(comma - arg) : strlen(arg)), arg);
	if ((r = link_words_parse(words, &c, e)) < 0 ||
	    (r = link_select(s, comma ? comma + 1 : NULL, &mask, e)) < 0)
		return r;
	for (i = 0; i < s->plan->n_nics; i++) {
		if (!(mask & 1u << i))
			continue;
		if ((r = link_change(s, i, &c, e)) < 0) {
			qerr_prefix(e, "nic%d", i);
			return r;
		}
	}
	return 0;
}

/* SIGTERM now (init passes it on), SIGKILL after @seconds */
static void stop_term(struct sup *s, unsigned int seconds)
{
	int64_t deadline = now_ns() / 1000000 + (int64_t)seconds * 1000;

	s->powerdown_deadline_ms = 0;
	kill(s->sb.pid, SIGTERM);
	if (!s->stop_deadline_ms || deadline < s->stop_deadline_ms)
		s->stop_deadline_ms = deadline;
}

void sup_stop(struct sup *s, unsigned int seconds, bool force)
{
	const char *cmds[] = { "{\"execute\":\"system_powerdown\"}" };
	struct qerr e = { 0 };

	if (!s->started) {	/* nothing to power down yet */
		kill(s->sb.pid, SIGKILL);
		s->stop_killed = true;
		return;
	}
	s->stop_seconds = seconds;
	if (force || !s->plan->vm || s->stop_deadline_ms) {
		stop_term(s, seconds);
		return;
	}
	if (s->powerdown_deadline_ms)	/* asked already: the first clock */
		return;
	if (qmp_run(s->dirfd, s->plan->name, cmds, 1, QMP_TIMEOUT_MS,
		    &e) < 0) {
		fprintf(stderr, "qbox: sandbox '%s': the guest could not be "
				"asked to power off (%s): stopping QEMU\n",
			s->plan->name, e.msg);
		stop_term(s, seconds);
		return;
	}
	s->powerdown_deadline_ms = now_ns() / 1000000 +
				   (int64_t)seconds * 1000;
}

void sup_stop_clock(struct sup *s)
{
	int64_t now = now_ns() / 1000000;

	if (s->powerdown_deadline_ms && now >= s->powerdown_deadline_ms) {
		stop_term(s, s->stop_seconds);
		return;
	}
	if (!s->stop_deadline_ms || now < s->stop_deadline_ms)
		return;
	kill(s->sb.pid, SIGKILL);
	s->stop_deadline_ms = 0;
	s->stop_killed = true;
}

int64_t sup_stop_next_ms(const struct sup *s)
{
	return s->powerdown_deadline_ms ? s->powerdown_deadline_ms :
					  s->stop_deadline_ms;
}
