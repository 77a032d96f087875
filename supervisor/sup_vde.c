// SPDX-License-Identifier: MIT
/*
 * sup_vde.c - the relays of a sandbox's vde NICs (dataplane/vde_relay.h)
 *
 * At NET_READY each vde NIC's uplink TAP gets a relay; a relay that cannot
 * start then fails the run (a plugin not installed, a local port in use,
 * a switch that is not there: the user's to mend). Later the relay may
 * end: its plug's far end went (VDE_RELAY_GONE), or something worse. The
 * sandbox runs on, its NIC's link carrying nothing; the supervisor keeps
 * the TAP and starts a relay again after VDE_RETRY_FIRST_MS, doubling
 * the wait up to VDE_RETRY_MAX_MS while the far end stays away, so the
 * link comes back by itself when the far end does. `qbox ps --json` shows
 * each plug's state, restarts and last failure.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"
#include "supervisor/sup.h"

#define VDE_RETRY_FIRST_MS 200
#define VDE_RETRY_MAX_MS 5000

static int64_t now_ms(void)
{
	return now_ns() / 1000000;
}

/* Start NIC @i's relay; 0, or -errno with @e */
static int relay_start(struct sup *s, int i, struct qerr *e)
{
	const struct nic_plan *n = &s->plan->nics[i];
	const struct net_spec *sp = n->spec;
	struct sup_vde *v = &s->vde[i];
	struct qerr ignored;

	snprintf(v->descr, sizeof(v->descr), "qbox %s nic%d", s->plan->name, i);
	/* checked as the plan was made: here only for its scheme */
	vde_locator_check(sp->locator, v->scheme, &ignored);
	v->cfg = (struct vde_relay_cfg){
		.locator = sp->locator, .descr = v->descr, .text = n->text,
		.scheme = v->scheme, .package = vde_scheme_package(v->scheme),
		.tapfd = s->upfd[i], .filters = s->filters };
	if (sp->udp) {
		v->cfg.local = &sp->tunnel.local;
		v->cfg.lport = sp->tunnel.lport;
		v->cfg.remote = &sp->tunnel.remote;
		v->cfg.rport = sp->tunnel.rport;
	}
	return vde_relay_start(&v->cfg, &v->ch, e);
}

int sup_vde_start(struct sup *s, struct qerr *e)
{
	int i, r;

	for (i = 0; i < s->plan->n_nics; i++) {
		if (s->plan->nics[i].mode != NET_VDE)
			continue;
		if (s->upfd[i] < 0)
			return qerr_set(e, EPROTO, "sandbox sent no uplink for "
						   "NIC %d", i);
		if ((r = relay_start(s, i, e)) < 0)
			return r;
		s->vde[i].on = true;
	}
	return 0;
}

/* The relay of NIC @i has ended with wait status @status: try again */
static void relay_ended(struct sup *s, int i, int status)
{
	struct sup_vde *v = &s->vde[i];

	close(v->ch.sock);
	v->ch = (struct child){ .sock = -1 };
	if (WIFEXITED(status) && WEXITSTATUS(status) == VDE_RELAY_GONE)
		snprintf(v->last, sizeof(v->last), "the far end hung up");
	else
		status_describe(status, v->last, sizeof(v->last));
	v->wait_ms = VDE_RETRY_FIRST_MS;
	v->retry_at_ms = now_ms() + v->wait_ms;
}

void sup_vde_reap(struct sup *s)
{
	int i, status;

	for (i = 0; i < MAX_NICS; i++) {
		struct sup_vde *v = &s->vde[i];

		if (v->ch.pid > 0 &&
		    waitpid(v->ch.pid, &status, WNOHANG) == v->ch.pid)
			relay_ended(s, i, status);
	}
}

void sup_vde_clock(struct sup *s)
{
	int64_t now = now_ms();
	struct qerr e = { 0 };
	int i;

	for (i = 0; i < MAX_NICS; i++) {
		struct sup_vde *v = &s->vde[i];

		if (!v->on || v->ch.pid > 0 || now < v->retry_at_ms)
			continue;
		if (relay_start(s, i, &e) == 0) {
			v->restarts++;
			continue;
		}
		snprintf(v->last, sizeof(v->last), "%.255s", e.msg);
		v->ch = (struct child){ .sock = -1 };
		v->wait_ms = v->wait_ms * 2 > VDE_RETRY_MAX_MS ?
				     VDE_RETRY_MAX_MS : v->wait_ms * 2;
		v->retry_at_ms = now_ms() + v->wait_ms;
	}
}

int64_t sup_vde_next_ms(const struct sup *s)
{
	int64_t next = 0;
	int i;

	for (i = 0; i < MAX_NICS; i++) {
		const struct sup_vde *v = &s->vde[i];

		if (v->on && v->ch.pid <= 0 && (!next || v->retry_at_ms < next))
			next = v->retry_at_ms;
	}
	return next;
}

void sup_vde_json(const struct sup *s, int i, struct strbuf *b)
{
	const struct sup_vde *v = &s->vde[i];

	sb_puts(b, ",\"locator\":");
	sb_json_str(b, s->plan->nics[i].spec->locator);
	sb_printf(b, ",\"plug\":{\"up\":%s,\"pid\":%d,\"restarts\":%u,"
		     "\"last_error\":",
		  v->ch.pid > 0 ? "true" : "false",
		  v->ch.pid > 0 ? (int)v->ch.pid : 0, v->restarts);
	sb_json_str(b, v->last);
	sb_puts(b, "}");
}

void sup_vde_stop(struct sup *s)
{
	int i;

	for (i = 0; i < MAX_NICS; i++) {
		struct sup_vde *v = &s->vde[i];

		v->on = false;
		if (v->ch.pid > 0) {
			kill(v->ch.pid, SIGKILL);
			while (waitpid(v->ch.pid, NULL, 0) < 0 && errno == EINTR)
				;
		}
		if (v->ch.sock >= 0)
			close(v->ch.sock);
		v->ch = (struct child){ .sock = -1 };
	}
}
