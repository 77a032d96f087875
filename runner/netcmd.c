// SPDX-License-Identifier: MIT
/*
 * netcmd.c - qbox net ls, inspect, create and rm
 *
 * Each network is a hub serving $RUNDIR/net@NAME.sock (hub.c); these
 * commands ask it over that socket, as qbox ps asks sandboxes. The human
 * tables are read back from the hub's own JSON (a fixed layout, hub.c's
 * net_json), so both forms always say the same.
 */
#include "runner/netcmd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <sys/un.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common/json.h"
#include "common/util.h"
#include "plan/names.h"
#include "runner/cli.h"
#include "control/ctl_client.h"
#include "control/hub_client.h"
#include "seccomp/landlock.h"

#define NETS_MAX 256

/* One request to network @name's hub */
static int net_ask(int dirfd, const char *name, enum ctl_verb verb,
		   const char *arg, struct strbuf *out, struct qerr *e)
{
	struct ctl_req req = { .verb = verb };
	int fd, r;

	if (arg)
		snprintf(req.arg, sizeof(req.arg), "%s", arg);
	fd = hub_client_open(dirfd, name);
	if (fd == -ENOENT)
		return qerr_usage(e, "no network named '%s' is running (see "
				     "qbox net ls)", name);
	if (fd < 0)
		return qerr_set(e, -fd, "connecting to network '%s'", name);
	r = ctl_call(fd, &req, out, NULL, 10000, e);
	if (r == -EPIPE)
		r = qerr_set(e, 0, "network '%s' ended while answering", name);
	close(fd);
	return r;
}

int netcmd_resolve(int dirfd, const char *spec, const char *host,
		   char addr[INET_ADDRSTRLEN], struct qerr *e)
{
	struct strbuf out = { 0 };
	char name[NAMES_DOMAIN_MAX + NET_NAME_MAX + 2], domain[NAMES_DOMAIN_MAX];
	const char *m, *end;
	struct net_spec n;
	int r;

	addr[0] = '\0';
	if ((r = net_spec_parse(spec, &n, e)) < 0 ||
	    (r = net_ask(dirfd, n.name, CTL_NET_INFO, NULL, &out, e)) < 0)
		goto done;
	if ((m = strstr(out.s, "\"names\":")))
		json_field(m, "domain", domain, sizeof(domain));
	if (!m || !domain[0]) {
		r = qerr_usage(e, "network '%s' has no names (an internal "
				  "network without dhcp=on): name a member by "
				  "its address", n.name);
		goto done;
	}
	if (!strcasecmp(host, NAMES_HOST))
		json_field(out.s, "host", addr, INET_ADDRSTRLEN);
	m = strstr(out.s, "\"members\":[");
	end = m ? strstr(m, "\"leases\":") : NULL;
	while (!addr[0] && m && (m = strstr(m, "{\"sandbox\":")) &&
	       (!end || m < end)) {
		char label[NET_NAME_MAX + 1];

		json_field(m, "name", label, sizeof(label));
		snprintf(name, sizeof(name), "%s.%s", label, domain);
		if (label[0] && (!strcasecmp(host, label) ||
				 !strcasecmp(host, name)))
			json_field(m, "address", addr, INET_ADDRSTRLEN);
		m++;
	}
	if (!addr[0])
		r = qerr_usage(e, "network '%s' has no member named '%s' (see "
				  "qbox net inspect %s)", n.name, host, n.name);
done:
	sb_free(&out);
	return r;
}

int netcmd_check_mode(int dirfd, const struct net_spec *n, struct qerr *e)
{
	struct strbuf out = { 0 };
	char mode[16], subnet[32], want[32];
	int r = net_ask(dirfd, n->name, CTL_NET_INFO, NULL, &out, e);

	if (r == 0 && strcmp(json_field(out.s, "mode", mode, sizeof(mode)),
			     net_mode_name(n->mode)))
		r = qerr_usage(e, "network '%s' is a %s network, not %s",
			       n->name, mode, net_mode_name(n->mode));
	if (r == 0 && n->has_subnet) {
		snprintf(want, sizeof(want), "%s/%u", inet_ntoa(n->subnet),
			 n->prefix);
		if (strcmp(json_field(out.s, "subnet", subnet, sizeof(subnet)),
			   want))
			r = qerr_usage(e, "network '%s' runs on %s, not the "
					  "subnet= given", n->name, subnet);
	}
	sb_free(&out);
	return r;
}

/* dhcp-option= are the network's, its starter's: a member that gives
 * others than the network runs with is refused */
static int adopt_dhcp_opts(const struct net_spec *n, const char *info,
			   struct qerr *e)
{
	char mine[NET_DHCP_OPTS_TEXT], theirs[NET_DHCP_OPTS_TEXT];

	if (!n->n_dhcp_opts)
		return 0;
	net_dhcp_opts_format(n, mine, sizeof(mine));
	json_field(info, "dhcp_options", theirs, sizeof(theirs));
	if (!strcmp(mine, theirs))
		return 0;
	if (!theirs[0])
		return qerr_usage(e, "network '%s' runs with no dhcp-option=, "
				     "not the ones given (they are the "
				     "network's: give them to the member that "
				     "starts it, or to qbox net create)",
				  n->name);
	return qerr_usage(e, "network '%s' runs with dhcp-option=%s, not the "
			     "ones given", n->name, theirs);
}

/* egress= and allow= are the network's NAT's: a member that gives them
 * gives the network's own */
static int adopt_egress(const struct net_spec *n, const char *info,
			struct qerr *e)
{
	char mine[NET_EGRESS_TEXT], theirs[NET_EGRESS_TEXT];

	if (!n->egress_deny && !n->n_allow)
		return 0;
	net_egress_format(n, mine, sizeof(mine));
	json_field(info, "egress", theirs, sizeof(theirs));
	if (!strcmp(mine, theirs))
		return 0;
	return qerr_usage(e, "network '%s' runs with egress %s, not the "
			     "egress=/allow= given (they are the network's: "
			     "give them to the member that starts it, or to "
			     "qbox net create)", n->name, theirs);
}

/* tftp= and bootfile= too (tftp= made absolute by the caller) */
static int adopt_tftp(const struct net_spec *n, const char *info,
		      struct qerr *e)
{
	char dir[PATH_MAX], file[NET_BOOTFILE_MAX + 1];

	if (!n->tftp[0])
		return 0;
	json_field(info, "tftp", dir, sizeof(dir));
	json_field(info, "bootfile", file, sizeof(file));
	if (!strcmp(dir, n->tftp) && !strcmp(file, n->bootfile))
		return 0;
	return qerr_usage(e, "network '%s' runs with tftp=%s%s%s, not the "
			     "tftp= and bootfile= given (they are the "
			     "network's: give them to the member that starts "
			     "it, or to qbox net create)", n->name,
			  dir[0] ? dir : "(none)", file[0] ? ",bootfile=" : "",
			  file);
}

/* A named network's IPv6 is the network's: a member takes its /64 (or
 * its having none); ipv6= or subnet6= that says otherwise is refused */
static int adopt_ipv6(struct net_spec *n, const char *info, struct qerr *e)
{
	char have[INET6_ADDRSTRLEN + 4], want[INET6_ADDRSTRLEN];
	struct in6_addr net6;
	struct qerr ignored = { 0 };

	if (!*json_field(info, "subnet6", have, sizeof(have))) {
		if (n->has_subnet6)
			return qerr_usage(e, "network '%s' runs without IPv6 "
					     "(ipv6=off), not on the subnet6= "
					     "given", n->name);
		n->no_ipv6 = true;
		return 0;
	}
	if (n->no_ipv6)
		return qerr_usage(e, "network '%s' runs with IPv6 (%s): "
				     "ipv6=off is the network's (give it to "
				     "the member that starts it, or to qbox "
				     "net create)", n->name, have);
	if (cidr6_parse(have, &net6, &ignored) < 0)
		return 0;	/* not ours to judge: the hub's plan stands */
	if (n->has_subnet6 && memcmp(&net6, &n->subnet6, sizeof(net6)))
		return qerr_usage(e, "network '%s' runs on %s, not the "
				     "subnet6=%s/64 given", n->name, have,
				  inet_ntop(AF_INET6, &n->subnet6, want,
					    sizeof(want)));
	n->subnet6 = net6;
	n->has_subnet6 = true;
	return 0;
}

int netcmd_adopt(int dirfd, struct net_spec *n, struct qerr *e)
{
	char subnet[32], domain[NAMES_DOMAIN_MAX] = "", mine[NAMES_DOMAIN_MAX];
	struct strbuf out = { 0 };
	struct qerr ignored = { 0 };
	struct in_addr net;
	unsigned int prefix;
	const char *names;
	int r = 0;

	if (!net_mode_named(n->mode) ||
	    net_ask(dirfd, n->name, CTL_NET_INFO, NULL, &out, &ignored) < 0)
		goto done;
	if (!n->has_subnet &&
	    cidr_parse(json_field(out.s, "subnet", subnet, sizeof(subnet)),
		       &net, &prefix, &ignored) == 0) {
		n->subnet = net;
		n->prefix = prefix;
		n->has_subnet = true;
	}
	if ((r = adopt_dhcp_opts(n, out.s, e)) < 0 ||
	    (r = adopt_tftp(n, out.s, e)) < 0 ||
	    (r = adopt_egress(n, out.s, e)) < 0 ||
	    (r = adopt_ipv6(n, out.s, e)) < 0)
		goto done;
	/* hostloop=off is the network's NAT's: a member asking for it on a
	   network that runs without must know it is not so */
	if (n->no_hostloop &&
	    !strcmp(json_field(out.s, "hostloop", subnet, sizeof(subnet)),
		    "true")) {
		r = qerr_usage(e, "network '%s' runs with hostloop=on: the "
				  "host's loopback is reachable (hostloop=off "
				  "is the network's: give it to the member that "
				  "starts it, or to qbox net create)", n->name);
		goto done;
	}
	if ((names = strstr(out.s, "\"names\":")))
		json_field(names, "domain", domain, sizeof(domain));
	if (!domain[0])
		goto done;
	names_net_domain(n, mine);
	if (!n->domain[0])
		snprintf(n->domain, sizeof(n->domain), "%s", domain);
	else if (strcmp(mine, domain))
		r = qerr_usage(e, "network '%s' runs with domain %s, not the "
				  "domain= given", n->name, domain);
done:
	sb_free(&out);
	return r;
}

/* The names of the running networks, sorted */
static int networks(int dirfd, char **names, int max)
{
	return ctl_list(dirfd, HUB_FILE_PREFIX, names, max);
}

static __attribute__((noreturn)) void usage_exit(int status)
{
	fputs(net_usage, status ? stderr : stdout);
	exit(status);
}

/* [--json] [--force], the options of the net subcommands */
static void net_opts(int argc, char **argv, bool *json, bool *force)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		if (c == 'j' && json)
			*json = true;
		else if (c == 'f' && force)
			*force = true;
		else if (c == 'h')
			usage_exit(0);
		else
			die(2, "net %s: unknown option '%s' (see qbox net "
			       "--help)", argv[0], argv[optind - 1]);
	}
}

/* NAME or MODE:NAME: the network's name */
static const char *net_name(const char *arg, struct qerr *e)
{
	static struct net_spec n;

	if (!strchr(arg, ':'))
		return name_check(arg, "network name", e) < 0 ? NULL : arg;
	if (net_spec_parse(arg, &n, e) < 0 || !net_mode_named(n.mode)) {
		qerr_usage(e, "'%s' is no network name", arg);
		return NULL;
	}
	return n.name;
}

static int net_ls(int argc, char **argv)
{
	char *names[NETS_MAX];
	bool json = false, first = true;
	struct qerr e = { 0 };
	int dirfd, n, i;

	net_opts(argc, argv, &json, NULL);
	if (optind < argc)
		die(2, "net ls: unexpected argument '%s'", argv[optind]);
	if ((dirfd = ctl_rundir(&e)) < 0)
		qerr_die(&e);
	n = networks(dirfd, names, NETS_MAX);
	if (json)
		fputs("[", stdout);
	else
		printf("%-16s %-9s %-18s %-8s %s\n", "NAME", "MODE", "SUBNET",
		       "MEMBERS", "PID");
	for (i = 0; i < n; i++) {
		struct strbuf out = { 0 };
		char mode[16], subnet[32], pid[16];
		const char *m;
		int members = 0;

		if (net_ask(dirfd, names[i], CTL_NET_INFO, NULL, &out,
			    &e) < 0) {
			sb_free(&out);
			continue;	/* it ended meanwhile */
		}
		if (json) {
			printf("%s\n%s", first ? "" : ",", out.s);
			first = false;
		} else {
			for (m = strstr(out.s, "\"members\":["); m &&
			     (m = strstr(m, "{\"sandbox\":")); m++)
				members++;
			printf("%-16s %-9s %-18s %-8d %s\n", names[i],
			       json_field(out.s, "mode", mode, sizeof(mode)),
			       json_field(out.s, "subnet", subnet,
					sizeof(subnet)), members,
			       json_field(out.s, "pid", pid, sizeof(pid)));
		}
		sb_free(&out);
		free(names[i]);
	}
	if (json)
		puts(first ? "]" : "\n]");
	close(dirfd);
	return 0;
}

/* Member @i's IPv6 addresses, on a line of their own under it */
static void member_print6(json_t *members, size_t i)
{
	json_t *a, *v;
	size_t k;

	a = json_object_get(json_array_get(members, i), "ipv6");
	if (!json_array_size(a))
		return;
	printf("%-16s IPv6", "");
	json_array_foreach(a, k, v)
		printf(" %s", json_string_value(v) ?: "?");
	printf("\n");
}

/* "serve off", then a line per link: its locator, state, counters, why */
static void links_print(json_t *root)
{
	json_t *l;
	size_t k;

	if (json_is_false(json_object_get(root, "serve")))
		printf("%-10s off: another side serves the network\n", "serve");
	json_array_foreach(json_object_get(root, "links"), k, l) {
		json_t *p = json_object_get(l, "plug");
		const char *why = json_string_value(json_object_get(p,
							"last_error"));

		printf("%-10s %s (%s) %s, %s, frames in %lld out %lld, "
		       "restarts %lld%s%s\n", "link",
		       json_string_value(json_object_get(p, "locator")) ?: "",
		       json_string_value(json_object_get(l, "tap")) ?: "",
		       json_string_value(json_object_get(l, "state")) ?: "",
		       json_is_true(json_object_get(p, "up")) ? "up" : "down",
		       json_integer_value(json_object_get(p, "frames_in")),
		       json_integer_value(json_object_get(p, "frames_out")),
		       json_integer_value(json_object_get(p, "restarts")),
		       why && *why ? "; last: " : "", why ? why : "");
	}
}

static void inspect_print(const char *name, const char *json)
{
	json_t *root = json_loads(json, 0, NULL);
	json_t *members = json_object_get(root, "members");
	static const char *const keys[] = { "mode", "subnet", "gateway",
					    "host", "dns", "hub", "subnet6",
					    "gateway6", "dns6", "hub6", "dhcp",
					    "linger", "pid" };
	const char *m, *end;
	char v[64], mac[32], addr[32], kind[16], path[4096];
	size_t i;

	printf("%-10s %s\n", "name", name);
	for (i = 0; i < ARRAY_SIZE(keys); i++)
		if (*json_field(json, keys[i], v, sizeof(v)))
			printf("%-10s %s\n", keys[i], v);
	if (*json_field(json, "dhcp_options", path, sizeof(path)))
		printf("%-10s %s\n", "options", path);
	if (*json_field(json, "tftp", path, sizeof(path))) {
		printf("%-10s %s", "tftp", path);
		if (*json_field(json, "bootfile", path, sizeof(path)))
			printf(" (boot file %s)", path);
		printf("\n");
	}
	printf("%-10s %s\n", "socket", json_field(json, "socket", path,
						   sizeof(path)));
	if (*json_field(json, "vde", path, sizeof(path)))
		printf("%-10s %s\n", "vde", path);
	links_print(root);
	if ((m = strstr(json, "\"nat_engine\":"))) {
		char ended[256];

		if (*json_field(m, "ended", ended, sizeof(ended)))
			printf("%-10s down: its engine was %s\n", "nat", ended);
		else
			printf("%-10s engine pid %s\n", "nat",
			       json_field(m, "pid", v, sizeof(v)));
	}
	if ((m = strstr(json, "\"names\":"))) {
		char domain[NAMES_DOMAIN_MAX], server[32], n[16], ended[256];

		json_field(m, "domain", domain, sizeof(domain));
		json_field(m, "server", server, sizeof(server));
		json_field(m, "restarts", n, sizeof(n));
		json_field(m, "ended", ended, sizeof(ended));
		if (strcmp(json_field(m, "pid", v, sizeof(v)), "0"))
			printf("%-10s %s, served at %s by dnsmasq (pid %s", "names",
			       domain, server, v);
		else
			printf("%-10s %s: down, starting again (dnsmasq", "names",
			       domain);
		if (strcmp(n, "0"))
			printf("; restarted %s time%s, last ended: %s", n,
			       strcmp(n, "1") ? "s" : "", ended);
		printf(")\n");
	}
	printf("\n%-16s %-18s %-16s %s\n", "MEMBER", "MAC", "ADDRESS", "KIND");
	m = strstr(json, "\"members\":[");
	end = m ? strstr(m, "\"forwards\":") : NULL;
	for (i = 0; m && (m = strstr(m, "{\"sandbox\":")) && (!end || m < end);
	     i++) {
		char who[64], member[80] = "";

		json_field(m, "kind", kind, sizeof(kind));
		/* a socket member: the program and pid behind it, its TAP */
		if (!strcmp(kind, "socket"))
			snprintf(member, sizeof(member), " (%s, pid %s)",
				 json_field(m, "tap", who, sizeof(who)),
				 json_field(m, "pid", v, sizeof(v)));
		printf("%-16s %-18s %-16s %s%s\n",
		       !strcmp(kind, "socket") ? json_field(m, "command", who,
							    sizeof(who)) :
			       json_field(m, "sandbox", v, sizeof(v)),
		       json_field(m, "mac", mac, sizeof(mac)),
		       *json_field(m, "address", addr, sizeof(addr)) ? addr :
								      "(DHCP)",
		       kind, member);
		member_print6(members, i);
		m++;
	}
	json_decref(root);
	printf("\n%-24s %s\n", "FORWARD", "TO");
	for (m = end; m && (m = strstr(m, "{\"proto\":")); m++) {
		char spec[128], guest[32], port[8];

		printf("%-24s %s:%s\n", json_field(m, "spec", spec, sizeof(spec)),
		       json_field(m, "guest", guest, sizeof(guest)),
		       json_field(m, "guest_port", port, sizeof(port)));
	}
}

/* Member @m's cable and impairment on network @net, as its sandbox has
 * them (ps --json's), added to @m; nothing when it does not answer */
static void member_cable(int dirfd, const char *net, const char *sandbox,
			 json_t *m)
{
	struct ctl_req req = { .verb = CTL_INFO };
	char file[NET_NAME_MAX + 16];
	struct strbuf out = { 0 };
	json_t *info, *nic;
	struct qerr e;
	size_t k;
	int fd;

	snprintf(file, sizeof(file), "%s.sock", sandbox);
	if ((fd = ctl_open(dirfd, file)) < 0)
		return;
	if (ctl_call(fd, &req, &out, NULL, 5000, &e) == 0 &&
	    (info = json_loads(out.s, 0, NULL))) {
		json_array_foreach(json_object_get(info, "nics"), k, nic) {
			const char *n = json_string_value(
				json_object_get(nic, "network"));

			if (!n || strcmp(n, net))
				continue;
			json_object_set(m, "link_up",
					json_object_get(nic, "link_up"));
			json_object_set(m, "impairment",
					json_object_get(nic, "impairment"));
		}
		json_decref(info);
	}
	close(fd);
	sb_free(&out);
}

/*
 * The network's JSON with each sandbox member's cable (link_up) and
 * impairment: a member's, not the hub's, so asked of each member; NULL
 * when @json is no JSON
 */
static char *with_cables(int dirfd, const char *net, const char *json)
{
	json_t *j = json_loads(json, 0, NULL), *m;
	const char *sandbox;
	size_t i;
	char *s;

	if (!j)
		return NULL;
	json_array_foreach(json_object_get(j, "members"), i, m) {
		sandbox = json_string_value(json_object_get(m, "sandbox"));
		if (sandbox && *sandbox)
			member_cable(dirfd, net, sandbox, m);
	}
	s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	return s;
}

static int net_inspect(int argc, char **argv)
{
	struct strbuf out = { 0 };
	struct qerr e = { 0 };
	bool json = false;
	const char *name;
	int dirfd;

	net_opts(argc, argv, &json, NULL);
	if (optind + 1 != argc)
		die(2, "net inspect: give one network NAME (see qbox net ls)");
	if (!(name = net_name(argv[optind], &e)) ||
	    (dirfd = ctl_rundir(&e)) < 0 ||
	    net_ask(dirfd, name, CTL_NET_INSPECT, NULL, &out, &e) < 0)
		qerr_die(&e);
	if (json) {
		char *full = with_cables(dirfd, name, out.s);

		puts(full ? full : out.s);
		free(full);
	} else {
		inspect_print(name, out.s);
	}
	sb_free(&out);
	close(dirfd);
	return 0;
}

/*
 * The state of network @name's link to @locator, once it has one other
 * than "starting" (5 s at most): 0 once plugged; a usage error with the
 * link's own words when it failed, or its TAP never came
 */
static int link_wait(int dirfd, const char *name, const char *locator,
		     struct qerr *e)
{
	int i, r = 0;

	for (i = 0; i < 100 && r == 0; i++) {
		struct strbuf out = { 0 };
		json_t *j, *l;
		char state[16] = "";
		size_t k;

		if ((r = net_ask(dirfd, name, CTL_NET_INFO, NULL, &out, e)) < 0)
			break;
		j = json_loads(out.s, 0, NULL);
		sb_free(&out);
		json_array_foreach(json_object_get(j, "links"), k, l) {
			json_t *plug = json_object_get(l, "plug");

			if (strcmp(json_string_value(json_object_get(
					   plug, "locator")) ?: "", locator))
				continue;
			snprintf(state, sizeof(state), "%s",
				 json_string_value(json_object_get(l, "state"))
					 ?: "");
			/* its words start with link=LOCATOR */
			if (!strcmp(state, "failed"))
				r = qerr_usage(e, "network '%s': %s", name,
					       json_string_value(json_object_get(
						       plug, "last_error")) ?: "");
		}
		json_decref(j);
		if (!strcmp(state, "plugged"))
			return 0;
		if (r == 0)
			usleep(50000);
	}
	return r < 0 ? r : qerr_set(e, ETIMEDOUT, "network '%s': link=%s did "
						  "not start", name, locator);
}

static int net_create(int argc, char **argv)
{
	struct net_spec n;
	struct qerr e = { 0 };
	int dirfd, fd, i;

	net_opts(argc, argv, NULL, NULL);
	if (optind + 1 != argc)
		die(2, "net create: give one MODE:NAME[,OPTIONS] (see qbox net "
		       "--help)");
	if (net_spec_parse(argv[optind], &n, &e) < 0) {
		qerr_prefix(&e, "net create %s", argv[optind]);
		qerr_die(&e);
	}
	if (!net_mode_named(n.mode))
		die(2, "net create %s: only natnet:NAME, hostonly:NAME and "
		       "internal:NAME are networks", argv[optind]);
	if (n.has_mac || n.has_ip || n.pcap[0] || n.link_down ||
	    net_impair_any(&n.impair))
		die(2, "net create %s: %s belongs to a member (qbox run --net%s)",
		    argv[optind], n.has_mac ? "mac=" : n.has_ip ? "ip=" :
		    n.pcap[0] ? "pcap=" : n.link_down ? "link=" :
		    "rate=, loss=, delay= or jitter=",
		    n.pcap[0] ? "; qbox capture MODE:NAME for the whole segment" :
				"");
	if ((dirfd = ctl_rundir(&e)) < 0)
		qerr_die(&e);
	if ((fd = hub_client_open(dirfd, n.name)) >= 0)
		die(2, "net create: network '%s' already exists (qbox net "
		       "inspect %s)", n.name, n.name);
	if (n.mode == NET_NATNET)
		landlock_note_missing();
	if (hub_client_start(dirfd, argv[optind], true, &e) == -EEXIST)
		die(2, "net create: network '%s' already exists", n.name);
	if (e.msg[0])
		qerr_die(&e);
	for (i = 0; i < n.n_links; i++)
		if (link_wait(dirfd, n.name, n.links[i], &e) < 0) {
			/* nothing left behind: the network goes again */
			struct strbuf out = { 0 };
			struct qerr ignored;

			net_ask(dirfd, n.name, CTL_NET_RM, "force", &out,
				&ignored);
			sb_free(&out);
			qerr_die(&e);
		}
	close(dirfd);
	return 0;
}

/* `net link NAME LOCATOR`, `net unlink NAME LOCATOR` */
static int net_link(int argc, char **argv, bool add)
{
	const char *cmd = add ? "link" : "unlink", *name;
	struct strbuf out = { 0 };
	struct qerr e = { 0 }, ignored;
	int dirfd;

	net_opts(argc, argv, NULL, NULL);
	if (optind + 2 != argc)
		die(2, "net %s: give a network NAME and a VDE LOCATOR (see qbox "
		       "net --help)", cmd);
	if (!(name = net_name(argv[optind], &e)) ||
	    (dirfd = ctl_rundir(&e)) < 0)
		qerr_die(&e);
	if (net_ask(dirfd, name, add ? CTL_NET_LINK : CTL_NET_UNLINK,
		    argv[optind + 1], &out, &e) < 0)
		qerr_die(&e);
	sb_free(&out);
	if (add && link_wait(dirfd, name, argv[optind + 1], &e) < 0) {
		/* nothing left behind: the link that would not come goes */
		net_ask(dirfd, name, CTL_NET_UNLINK, argv[optind + 1], &out,
			&ignored);
		sb_free(&out);
		qerr_die(&e);
	}
	close(dirfd);
	return 0;
}

/*
 * The network's generic socket. MODE:NAME starts the network when it does
 * not run, as a member would (it then ends 10 s later unless something
 * joins, or lingers with linger=on); a bare NAME must run already.
 */
/* `net socket` (@key "socket") and `net vde` (@key "vde"): what the
 * network's field @key says, the path of its generic socket or its VDE
 * switch's locator */
static int net_socket(int argc, char **argv, const char *key)
{
	struct strbuf out = { 0 };
	struct qerr e = { 0 };
	struct net_spec n;
	char path[4096];
	const char *arg;
	int dirfd, fd;

	net_opts(argc, argv, NULL, NULL);
	if (optind + 1 != argc)
		die(2, "net %s: give one network NAME or MODE:NAME[,OPTIONS] "
		       "(see qbox net --help)", key);
	arg = argv[optind];
	if ((dirfd = ctl_rundir(&e)) < 0)
		qerr_die(&e);
	if (strchr(arg, ':')) {
		if (net_spec_parse(arg, &n, &e) < 0) {
			qerr_prefix(&e, "net %s %s", key, arg);
			qerr_die(&e);
		}
		if (!net_mode_named(n.mode))
			die(2, "net %s %s: only natnet:NAME, hostonly:NAME "
			       "and internal:NAME are networks", key, arg);
		if (n.has_mac)
			die(2, "net %s %s: mac= belongs to a NIC; a socket "
			       "member's MAC is the one it sends from", key,
			    arg);
		if (n.has_ip)
			die(2, "net %s %s: ip= belongs to a sandbox's NIC; "
			       "a socket member's address is its DHCP lease",
			    key, arg);
		if ((fd = hub_client_connect(dirfd, arg, &n, &e)) < 0 ||
		    netcmd_check_mode(dirfd, &n, &e) < 0)
			qerr_die(&e);
		close(fd);
		arg = n.name;
	} else if (name_check(arg, "network name", &e) < 0) {
		qerr_die(&e);
	} else if ((fd = hub_client_open(dirfd, arg)) < 0) {
		die(2, "no network named '%s' is running: start it with qbox net "
		       "create MODE:%s (natnet, hostonly or internal), or give "
		       "MODE:%s here", arg, arg, arg);
	} else {
		close(fd);
	}
	if (net_ask(dirfd, arg, CTL_NET_INFO, NULL, &out, &e) < 0)
		qerr_die(&e);
	json_field(out.s, key, path, sizeof(path));
	sb_free(&out);
	if (!path[0])
		die(1, "net %s: network '%s' has no %s", key, arg,
		    !strcmp(key, "vde") ? "VDE switch" : "socket");
	/* a VDE switch's data sockets are in its directory, a few bytes
	   longer than the locator's path */
	if (strlen(path) + (!strcmp(key, "vde") ? 16 : 0) >=
	    sizeof(((struct sockaddr_un *)0)->sun_path))
		die(2, "net %s: the socket's path %s is longer than a unix "
		       "socket address may be (%zu bytes): set a shorter "
		       "XDG_RUNTIME_DIR", key, path,
		    sizeof(((struct sockaddr_un *)0)->sun_path) - 1);
	puts(path);
	close(dirfd);
	return 0;
}

static int net_rm(int argc, char **argv)
{
	struct strbuf out = { 0 };
	struct qerr e = { 0 };
	bool force = false;
	const char *name;
	int dirfd, i, fd;

	net_opts(argc, argv, NULL, &force);
	if (optind + 1 != argc)
		die(2, "net rm: give one network NAME (see qbox net ls)");
	if (!(name = net_name(argv[optind], &e)) ||
	    (dirfd = ctl_rundir(&e)) < 0 ||
	    net_ask(dirfd, name, CTL_NET_RM, force ? "force" : "idle", &out,
		    &e) < 0)
		qerr_die(&e);
	sb_free(&out);
	/* done when its socket stops answering */
	for (i = 0; i < 200; i++) {
		if ((fd = hub_client_open(dirfd, name)) < 0)
			return 0;
		close(fd);
		usleep(50000);
	}
	die(1, "net rm: network '%s' is still running after 10 s", name);
}

int cmd_net(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : NULL;

	if (!sub || !strcmp(sub, "--help") || !strcmp(sub, "-h") ||
	    !strcmp(sub, "help"))
		usage_exit(sub ? 0 : 2);
	if (!strcmp(sub, "ls"))
		return net_ls(argc - 1, argv + 1);
	if (!strcmp(sub, "inspect"))
		return net_inspect(argc - 1, argv + 1);
	if (!strcmp(sub, "create"))
		return net_create(argc - 1, argv + 1);
	if (!strcmp(sub, "rm"))
		return net_rm(argc - 1, argv + 1);
	if (!strcmp(sub, "socket"))
		return net_socket(argc - 1, argv + 1, "socket");
	if (!strcmp(sub, "vde"))
		return net_socket(argc - 1, argv + 1, "vde");
	if (!strcmp(sub, "link") || !strcmp(sub, "unlink"))
		return net_link(argc - 1, argv + 1, !strcmp(sub, "link"));
	die(2, "net: unknown subcommand '%s' (ls, inspect, create, rm, socket, "
	       "vde, link, unlink)", sub);
}
