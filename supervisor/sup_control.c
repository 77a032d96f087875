// SPDX-License-Identifier: MIT
/*
 * sup_control.c - what the supervisor answers on NAME.sock, whatever its
 * role (the role answers first: role.h): wait, stop, ns and the forwards
 *
 * The JSON written here is the stable interface of `qbox fwd --list
 * --json`, and part of `qbox ps --json` and `qbox net inspect --json`;
 * docs/qbox.1 documents its fields. New fields may be added; existing ones
 * keep their names and meanings.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/util.h"
#include "supervisor/sup.h"

void sup_addr_json(struct strbuf *b, const char *key, struct in_addr a)
{
	char s[INET_ADDRSTRLEN] = "";

	if (a.s_addr)
		inet_ntop(AF_INET, &a, s, sizeof(s));
	sb_printf(b, "\"%s\":\"%s\"", key, s);
}

void sup_fwd_json(struct strbuf *b, const struct fwd_spec *f,
		  const struct ipaddr *guest, const char *text)
{
	char host[INET6_ADDRSTRLEN], g[INET6_ADDRSTRLEN];

	if (f->host_family == AF_INET6)
		inet_ntop(AF_INET6, &f->host6, host, sizeof(host));
	else
		inet_ntop(AF_INET, &f->host4, host, sizeof(host));
	sb_printf(b, "{\"proto\":\"%s\",\"host\":\"%s\",\"host_port\":%u,",
		  f->proto == IPPROTO_UDP ? "udp" : "tcp", host, f->host_port);
	sb_printf(b, "\"guest\":\"%s\",\"guest_port\":%u,\"spec\":",
		  ipaddr_str(guest, g), f->guest_port);
	sb_json_str(b, text);
	sb_puts(b, "}");
}

void sup_fwds_json(struct sup *s, struct strbuf *b)
{
	int i, n = fwd_engine_count(s->fwd);

	sb_puts(b, "[");
	for (i = 0; i < n; i++) {
		struct ipaddr guest;
		const char *text;
		const struct fwd_spec *f = fwd_engine_nth(s->fwd, i, &guest,
							  &text);

		sb_puts(b, i ? "," : "");
		sup_fwd_json(b, f, &guest, text);
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

int sup_fwd_add(struct sup *s, const char *text, struct fwd_spec *spec,
		struct strbuf *out, struct qerr *e)
{
	struct fwd_plan f;
	int r;

	if ((r = fwd_spec_parse(text, spec, e)) < 0 ||
	    (r = fwd_resolve(s->plan, spec, &f, e)) < 0 ||
	    (r = fwd_engine_add(s->fwd, &f.spec, &f.guest, text, e)) < 0)
		return r;
	*spec = f.spec;
	sup_fwd_json(out, &f.spec, &f.guest, text);
	return 0;
}

int sup_fwd_remove(struct sup *s, const char *text, struct fwd_spec *spec,
		   struct qerr *e)
{
	char host[INET6_ADDRSTRLEN];
	int r;

	/* the host side, or a whole spec whose host side is meant */
	if ((r = fwd_host_parse(text, spec, e)) < 0 &&
	    fwd_spec_parse(text, spec, NULL) < 0)
		return r;
	if (fwd_engine_remove(s->fwd, spec) == 0)
		return 0;
	if (spec->host_family == AF_INET6)
		inet_ntop(AF_INET6, &spec->host6, host, sizeof(host));
	else
		inet_ntop(AF_INET, &spec->host4, host, sizeof(host));
	return qerr_usage(e, "no forward on %s%s%s:%u/%s",
			  spec->host_family == AF_INET6 ? "[" : "", host,
			  spec->host_family == AF_INET6 ? "]" : "",
			  spec->host_port,
			  spec->proto == IPPROTO_UDP ? "udp" : "tcp");
}

int sup_handle(void *opaque, const struct ctl_req *req, struct strbuf *out,
	       int *fd, long *hold, struct qerr *e)
{
	struct sup *s = opaque;
	struct fwd_spec spec;
	int r;

	if (s->role->control &&
	    (r = s->role->control(s, req, out, fd, hold, e)) != -ENOTSUP)
		return r;
	switch (req->verb) {
	case CTL_WAIT:
		return 0;
	case CTL_STOP:
		sup_stop(s, req->seconds, req->force);
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
		return sup_fwd_add(s, req->arg, &spec, out, e);
	case CTL_FWD_REMOVE:
		return sup_fwd_remove(s, req->arg, &spec, e);
	case CTL_LINK:
		if (s->plan->hub)
			break;
		return sup_link(s, req->arg, e);
	case CTL_JOIN:
	case CTL_NET_INFO:
	case CTL_NET_INSPECT:
	case CTL_NET_RM:
		return qerr_usage(e, "'%s' is a sandbox, not a network",
				  s->plan->name);
	default:
		break;
	}
	return qerr_usage(e, "unsupported request");
}
