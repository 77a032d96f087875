// SPDX-License-Identifier: MIT
/*
 * sup_control.c - what the supervisor answers on NAME.sock
 *
 * The JSON written here is the stable interface of `qbox ps --json` and
 * `qbox fwd --list --json`; docs/qbox.1 documents its fields. New fields
 * may be added; existing ones keep their names and meanings.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/util.h"
#include "supervisor/sup.h"

/* "KEY":"ADDR", or "KEY":"" for none (0.0.0.0) */
static void addr_json(struct strbuf *b, const char *key, struct in_addr a)
{
	char s[INET_ADDRSTRLEN] = "";

	if (a.s_addr)
		inet_ntop(AF_INET, &a, s, sizeof(s));
	sb_printf(b, "\"%s\":\"%s\"", key, s);
}

void sup_fwd_json(struct strbuf *b, const struct fwd_spec *f,
		     struct in_addr guest, const char *text)
{
	char host[INET6_ADDRSTRLEN];

	if (f->host_family == AF_INET6)
		inet_ntop(AF_INET6, &f->host6, host, sizeof(host));
	else
		inet_ntop(AF_INET, &f->host4, host, sizeof(host));
	sb_printf(b, "{\"proto\":\"%s\",\"host\":\"%s\",\"host_port\":%u,",
		  f->proto == IPPROTO_UDP ? "udp" : "tcp", host, f->host_port);
	addr_json(b, "guest", guest);
	sb_printf(b, ",\"guest_port\":%u,\"spec\":", f->guest_port);
	sb_json_str(b, text);
	sb_puts(b, "}");
}

void sup_fwds_json(struct sup *s, struct strbuf *b)
{
	int i, n = fwd_engine_count(s->fwd);

	sb_puts(b, "[");
	for (i = 0; i < n; i++) {
		struct in_addr guest;
		const char *text;
		const struct fwd_spec *f = fwd_engine_nth(s->fwd, i, &guest,
							  &text);

		sb_puts(b, i ? "," : "");
		sup_fwd_json(b, f, guest, text);
	}
	sb_puts(b, "]");
}

/* A NIC's address: a NAT NIC's from the plan, a command member's from its
 * hub; 0 when the address is the guest's own business (a VM's lease) */
static struct in_addr nic_addr(const struct sup *s, int i)
{
	const struct nic_plan *n = &s->plan->nics[i];

	return n->mode == NET_NAT ? n->guest : s->member_addr[i];
}

static void nics_json(struct sup *s, struct strbuf *b)
{
	const struct plan *p = s->plan;
	int i;

	sb_puts(b, "[");
	for (i = 0; i < p->n_nics; i++) {
		const struct nic_plan *n = &p->nics[i];
		struct in_addr a = nic_addr(s, i);
		char net[INET_ADDRSTRLEN], mac[18];

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
			sb_printf(b, ",\"mac\":\"%s\"}", mac_format(n->mac, mac));
			continue;
		}
		if (net_mode_named(n->mode)) {
			sb_puts(b, ",\"network\":");
			sb_json_str(b, n->spec->name);
		}
		inet_ntop(AF_INET, &n->net, net, sizeof(net));
		sb_printf(b, ",\"subnet\":\"%s/%u\",", net, n->prefix);
		addr_json(b, "gateway", n->gateway);
		sb_puts(b, ",");
		addr_json(b, "dns", n->dns);
		sb_puts(b, ",");
		addr_json(b, "address", a);
		sb_printf(b, ",\"mac\":\"%s\",\"link\":\"qbr%d\"}",
			  mac_format(n->mac, mac), i);
	}
	sb_puts(b, "]");
}

void sup_engine_json(struct sup *s, struct strbuf *b)
{
	char how[256];

	if (s->engine.pid <= 0)
		return;
	sb_printf(b, ",\"nat_engine\":{\"pid\":%d,\"running\":%s",
		  (int)s->engine.pid, s->engine.ended ? "false" : "true");
	if (s->engine.ended) {
		nat_engine_describe(s->engine.status, how, sizeof(how));
		sb_puts(b, ",\"ended\":");
		sb_json_str(b, how);
	}
	sb_puts(b, "}");
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
		inet_ntop(AF_INET, &addr, a, sizeof(a));
		if (addr.s_addr)
			sb_printf(b, "%s%s", p->nics[i].mode == NET_NAT ? ":" : "@", a);
	}
	sb_puts(b, "\t");
	n = fwd_engine_count(s->fwd);
	for (i = 0; i < n; i++) {
		struct in_addr guest;
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

static int fwd_add(struct sup *s, const char *text, struct strbuf *out,
		   struct qerr *e)
{
	struct fwd_spec spec;
	struct fwd_plan f;
	int r;

	if ((r = fwd_spec_parse(text, &spec, e)) < 0 ||
	    (r = fwd_resolve(s->plan, &spec, &f, e)) < 0 ||
	    (r = fwd_engine_add(s->fwd, &f.spec, f.guest, text, e)) < 0)
		return r;
	sup_fwd_json(out, &f.spec, f.guest, text);
	return 0;
}

static int fwd_remove(struct sup *s, const char *text, struct qerr *e)
{
	char host[INET6_ADDRSTRLEN];
	struct fwd_spec spec;
	int r;

	/* the host side, or a whole spec whose host side is meant */
	if ((r = fwd_host_parse(text, &spec, e)) < 0 &&
	    fwd_spec_parse(text, &spec, NULL) < 0)
		return r;
	if (fwd_engine_remove(s->fwd, &spec) == 0)
		return 0;
	if (spec.host_family == AF_INET6)
		inet_ntop(AF_INET6, &spec.host6, host, sizeof(host));
	else
		inet_ntop(AF_INET, &spec.host4, host, sizeof(host));
	return qerr_usage(e, "no forward on %s%s%s:%u/%s",
			  spec.host_family == AF_INET6 ? "[" : "", host,
			  spec.host_family == AF_INET6 ? "]" : "",
			  spec.host_port,
			  spec.proto == IPPROTO_UDP ? "udp" : "tcp");
}

void sup_stop(struct sup *s, unsigned int seconds)
{
	int64_t deadline = now_ns() / 1000000 + (int64_t)seconds * 1000;

	if (!s->started) {	/* nothing to power down yet */
		kill(s->sb.pid, SIGKILL);
		s->stop_killed = true;
		return;
	}
	kill(s->sb.pid, SIGTERM);	/* init passes it to the payload */
	if (!s->stop_deadline_ms || deadline < s->stop_deadline_ms)
		s->stop_deadline_ms = deadline;
}

int sup_handle(void *opaque, const struct ctl_req *req, struct strbuf *out,
	       int *fd, long *hold, struct qerr *e)
{
	struct sup *s = opaque;

	if (s->plan->hub && (req->verb == CTL_JOIN ||
			     req->verb == CTL_NET_INFO ||
			     req->verb == CTL_NET_RM ||
			     (req->verb == CTL_FWD_ADD && s->fwd)))
		return hub_handle(s, req, out, fd, hold, e);
	switch (req->verb) {
	case CTL_INFO:
		info_json(s, out);
		return 0;
	case CTL_SUMMARY:
		summary(s, out);
		return 0;
	case CTL_WAIT:
		return 0;
	case CTL_STOP:
		sup_stop(s, req->seconds);
		return 0;
	case CTL_NS:
		*fd = (int)syscall(SYS_pidfd_open, s->sb.pid, 0);
		if (*fd < 0)
			return qerr_set(e, errno, "opening the sandbox");
		return 0;
	default:
		break;
	}
	if (!s->forwarding)
		return qerr_set(e, EAGAIN, "the sandbox is still starting "
					   "(qbox wait %s)", s->plan->name);
	switch (req->verb) {
	case CTL_FWD_LIST:
		sup_fwds_json(s, out);
		return 0;
	case CTL_FWD_ADD:
		return fwd_add(s, req->arg, out, e);
	case CTL_FWD_REMOVE:
		return fwd_remove(s, req->arg, e);
	case CTL_JOIN:
	case CTL_NET_INFO:
	case CTL_NET_RM:
		return qerr_usage(e, "'%s' is a sandbox, not a network",
				  s->plan->name);
	default:
		return qerr_usage(e, "unsupported request");
	}
}
