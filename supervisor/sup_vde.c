// SPDX-License-Identifier: MIT
/*
 * sup_vde.c - VDE plugs: a sandbox's vde NICs and a network's links
 * (dataplane/vde_relay.h)
 *
 * A plug is a TAP and a relay that joins it to a VDE network: a vde NIC's
 * uplink TAP in a sandbox (s->vde[], started at NET_READY), or a link of
 * a named network's segment, a TAP on its hub's bridge (s->links[],
 * network/hub_links.c adds and removes them). A NIC's relay that cannot
 * start fails the run (a plugin not installed, a local port in use, a
 * switch that is not there: the user's to mend); a link's failure fails
 * only the request that added it. Later a relay may end: its plug's far
 * end went (VDE_RELAY_GONE), or something worse. The sandbox or network
 * runs on, the plug's TAP carrying nothing; the supervisor keeps the TAP
 * and starts a relay again after VDE_RETRY_FIRST_MS, doubling the wait up
 * to VDE_RETRY_MAX_MS while the far end stays away, so the plug comes
 * back by itself when the far end does. Each relay reports its counters
 * (SBMSG_PLUG_STATS) while they change; `qbox ps --json` and `qbox net
 * inspect` show each plug's state, counters, restarts and last failure.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"
#include "supervisor/sup.h"

#define VDE_RETRY_FIRST_MS 200
#define VDE_RETRY_MAX_MS 5000
/* A relay that served this long before it ended starts the back-off
 * afresh; one that ended sooner (a plug that fails at once) goes on
 * with it, so that it is not started five times a second forever */
#define VDE_SERVED_MS 10000

static int64_t now_ms(void)
{
	return now_ns() / 1000000;
}

/* Every plug of the supervisor: NICs' first, then links' (NULL past them) */
static struct sup_vde *plug_nth(struct sup *s, int i)
{
	if (i < MAX_NICS)
		return &s->vde[i];
	if (i < MAX_NICS + NET_LINKS_MAX)
		return &s->links[i - MAX_NICS];
	return NULL;
}

#define for_each_plug(s, v, i) \
	for ((i) = 0; ((v) = plug_nth((s), (i))); (i)++)

/* Start @v's relay on its TAP; 0, or -errno with @e */
static int relay_start(struct sup *s, struct sup_vde *v, struct qerr *e)
{
	struct qerr ignored;

	/* checked as the plan was made: here only for its scheme */
	vde_locator_check(v->locator, v->scheme, &ignored);
	v->cfg.locator = v->locator;
	v->cfg.descr = v->descr;
	v->cfg.text = v->text;
	v->cfg.scheme = v->scheme;
	v->cfg.package = vde_scheme_package(v->scheme);
	v->cfg.tapfd = v->tapfd;
	v->cfg.filters = s->filters;
	v->cfg.vxlan_vni = vde_vxlan_vni(v->locator);
	v->started_ms = now_ms();
	return vde_relay_start(&v->cfg, &v->ch, e);
}

/* Set plug @v up on @tapfd (its own when @own_tap) and start it */
static int plug_on(struct sup *s, struct sup_vde *v, const char *locator,
		   const char *text, int tapfd, bool own_tap, struct qerr *e)
{
	int r;

	snprintf(v->locator, sizeof(v->locator), "%s", locator);
	snprintf(v->text, sizeof(v->text), "%s", text);
	v->tapfd = tapfd;
	v->own_tap = own_tap;
	if ((r = relay_start(s, v, e)) < 0)
		return r;
	v->on = true;
	return 0;
}

int sup_vde_start(struct sup *s, struct qerr *e)
{
	char text[sizeof(s->vde[0].text)];
	int i, r;

	for (i = 0; i < s->plan->n_nics; i++) {
		const struct nic_plan *n = &s->plan->nics[i];
		const struct net_spec *sp = n->spec;
		struct sup_vde *v = &s->vde[i];

		if (n->mode != NET_VDE)
			continue;
		if (s->upfd[i] < 0)
			return qerr_set(e, EPROTO, "sandbox sent no uplink for "
						   "NIC %d", i);
		snprintf(v->descr, sizeof(v->descr), "qbox %s nic%d",
			 s->plan->name, i);
		if (sp->udp) {
			v->cfg.local = &sp->tunnel.local;
			v->cfg.lport = sp->tunnel.lport;
			v->cfg.remote = &sp->tunnel.remote;
			v->cfg.rport = sp->tunnel.rport;
		}
		snprintf(text, sizeof(text), "--net %s", n->text);
		/* the TAP stays s->upfd[i]'s: closed with the others */
		if ((r = plug_on(s, v, sp->locator, text, s->upfd[i], false,
				 e)) < 0)
			return r;
	}
	return 0;
}

int sup_link_add(struct sup *s, int k, const char *locator, int tapfd,
		 struct qerr *e)
{
	struct sup_vde *v = &s->links[k];
	char text[sizeof(v->text)];
	int r;

	snprintf(v->descr, sizeof(v->descr), "qbox network %s link%d",
		 s->plan->name, k);
	snprintf(text, sizeof(text), "link=%s", locator);
	if ((r = plug_on(s, v, locator, text, tapfd, true, e)) < 0) {
		close(tapfd);
		v->tapfd = -1;
	}
	return r;
}

/* The plug's relay, if it runs, ends; its TAP is kept */
static void relay_kill(struct sup_vde *v)
{
	if (v->ch.pid > 0) {
		kill(v->ch.pid, SIGKILL);
		while (waitpid(v->ch.pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (v->ch.sock >= 0)
		close(v->ch.sock);
	v->ch = (struct child){ .sock = -1 };
}

/* Plug @v off: its relay, and its TAP if its own; back to zero */
static void plug_off(struct sup_vde *v)
{
	relay_kill(v);
	if (v->own_tap && v->tapfd >= 0)
		close(v->tapfd);
	*v = (struct sup_vde){ .tapfd = -1, .ch = { .sock = -1 } };
}

void sup_link_remove(struct sup *s, int k)
{
	plug_off(&s->links[k]);
}

static void back_off(struct sup_vde *v)
{
	v->wait_ms = v->wait_ms * 2 > VDE_RETRY_MAX_MS ? VDE_RETRY_MAX_MS :
							 v->wait_ms * 2;
}

/* Plug @v's relay has ended with wait status @status: try again */
static void relay_ended(struct sup_vde *v, int status)
{
	close(v->ch.sock);
	v->ch = (struct child){ .sock = -1 };
	if (WIFEXITED(status) && WEXITSTATUS(status) == VDE_RELAY_GONE)
		snprintf(v->last, sizeof(v->last), "the far end hung up");
	else
		status_describe(status, v->last, sizeof(v->last));
	if (now_ms() - v->started_ms >= VDE_SERVED_MS || !v->wait_ms)
		v->wait_ms = VDE_RETRY_FIRST_MS;
	else
		back_off(v);
	v->retry_at_ms = now_ms() + v->wait_ms;
}

void sup_vde_reap(struct sup *s)
{
	struct sup_vde *v;
	int i, status;

	for_each_plug(s, v, i)
		if (v->ch.pid > 0 &&
		    waitpid(v->ch.pid, &status, WNOHANG) == v->ch.pid)
			relay_ended(v, status);
}

void sup_vde_clock(struct sup *s)
{
	int64_t now = now_ms();
	struct qerr e = { 0 };
	struct sup_vde *v;
	int i;

	for_each_plug(s, v, i) {
		if (!v->on || v->ch.pid > 0 || now < v->retry_at_ms)
			continue;
		if (relay_start(s, v, &e) == 0) {
			v->restarts++;
			continue;
		}
		snprintf(v->last, sizeof(v->last), "%.255s", e.msg);
		v->ch = (struct child){ .sock = -1 };
		back_off(v);
		v->retry_at_ms = now_ms() + v->wait_ms;
	}
}

int64_t sup_vde_next_ms(struct sup *s)
{
	int64_t next = 0;
	struct sup_vde *v;
	int i;

	for_each_plug(s, v, i)
		if (v->on && v->ch.pid <= 0 && (!next || v->retry_at_ms < next))
			next = v->retry_at_ms;
	return next;
}

void sup_vde_poll_fill(struct sup *s, struct pollset *ps)
{
	struct sup_vde *v;
	int i;

	for_each_plug(s, v, i)
		v->poll_idx = v->ch.pid > 0 ? pollset_add(ps, v->ch.sock, POLLIN)
					    : -1;
}

void sup_vde_poll_done(struct sup *s, const struct pollset *ps)
{
	struct sup_vde *v;
	struct sbmsg m;
	int i, fd;

	for_each_plug(s, v, i) {
		if (v->poll_idx < 0 || !(ps->fds[v->poll_idx].revents & POLLIN))
			continue;
		/* its counters; a hang-up is its end, which SIGCHLD tells */
		if (sbmsg_recv(v->ch.sock, &m, &fd) <= 0)
			continue;
		if (fd >= 0)
			close(fd);
		if (m.type == SBMSG_PLUG_STATS)
			memcpy(&v->stats, m.addr6, sizeof(v->stats));
	}
}

void sup_vde_json(const struct sup_vde *v, struct strbuf *b)
{
	sb_puts(b, "{\"locator\":");
	sb_json_str(b, v->locator);
	sb_printf(b, ",\"up\":%s,\"pid\":%d,\"restarts\":%u,"
		     "\"frames_in\":%llu,\"frames_out\":%llu,\"last_error\":",
		  v->ch.pid > 0 ? "true" : "false",
		  v->ch.pid > 0 ? (int)v->ch.pid : 0, v->restarts,
		  (unsigned long long)v->stats[0],
		  (unsigned long long)v->stats[1]);
	sb_json_str(b, v->last);
	sb_puts(b, "}");
}

void sup_vde_stop(struct sup *s)
{
	struct sup_vde *v;
	int i;

	for_each_plug(s, v, i)
		plug_off(v);
}
