// SPDX-License-Identifier: MIT
/*
 * client.c - qbox ps, fwd, stop and wait (and exec's and nc's way in)
 *
 * Each finds its sandbox by name in the user's runtime directory and
 * sends one request over NAME.sock (ctl_proto.h). A socket file whose
 * supervisor is gone refuses the connection; such a sandbox is not
 * running, whatever the directory still holds. Another user's sandboxes
 * live in another user's 0700 directory: they cannot be named at all.
 */
#include "runner/client.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/fdio.h"
#include "common/json.h"
#include "common/rundir.h"
#include "common/util.h"
#include "control/ctl_client.h"
#include "control/ctl_proto.h"
#include "control/hub_client.h"
#include "plan/plan.h"
#include "runner/cli.h"
#include "runner/dial.h"
#include "runner/netcmd.h"

#define NAMES_MAX 256

static int open_rundir(struct qerr *e)
{
	return ctl_rundir(e);
}

/*
 * Connect to a sandbox's NAME.sock, or to a network's hub when @name is
 * MODE:NETWORK (qbox exec hostonly:lab0, qbox fwd -n natnet:lab0);
 * -ENOENT when no such sandbox or network runs.
 */
static int ctl_connect(int dirfd, const char *name, struct qerr *e)
{
	char file[NET_NAME_MAX + 16];
	struct net_spec n;
	int fd, r;

	if (strchr(name, ':')) {
		if (net_spec_parse(name, &n, e) < 0 || !net_mode_named(n.mode))
			return qerr_usage(e, "'%s' is no network (natnet:NAME, "
					     "hostonly:NAME or internal:NAME)",
					  name);
		if ((r = netcmd_check_mode(dirfd, &n, e)) < 0)
			return r;
		if ((fd = hub_client_open(dirfd, n.name)) >= 0)
			return fd;
		return qerr_set(e, -fd, "connecting to network '%s'", n.name);
	}
	if ((r = name_check(name, "sandbox name", e)) < 0)
		return r;
	snprintf(file, sizeof(file), "%s.sock", name);
	fd = ctl_open(dirfd, file);
	if (fd == -ENOENT) {
		qerr_usage(e, "no sandbox named '%s' is running (see qbox ps)",
			   name);
		return -ENOENT;
	}
	if (fd < 0)
		return qerr_set(e, -fd, "connecting to sandbox '%s'", name);
	return fd;
}

/* One request to sandbox @name; the answer's payload in @out */
static int ask(int dirfd, const char *name, enum ctl_verb verb,
	       const char *arg, struct strbuf *out, int *passfd,
	       struct qerr *e)
{
	struct ctl_req req = { .verb = verb };
	int fd, r;

	if (arg)
		snprintf(req.arg, sizeof(req.arg), "%s", arg);
	if ((fd = ctl_connect(dirfd, name, e)) < 0)
		return fd;
	r = ctl_call(fd, &req, out, passfd, 10000, e);
	if (r == -EPIPE)
		r = qerr_set(e, 0, "sandbox '%s' ended while answering", name);
	close(fd);
	return r;
}

int client_ns(int dirfd, const char *name, int *pidfd, struct qerr *e)
{
	struct strbuf out = { 0 };
	int r = ask(dirfd, name, CTL_NS, NULL, &out, pidfd, e);

	sb_free(&out);
	if (r == 0 && *pidfd < 0)
		r = qerr_set(e, EPROTO, "'%s' sent no handle", name);
	return r;
}

/* The names of the running sandboxes, sorted (networks' net@ are not) */
static int running(int dirfd, char **names, int max)
{
	int n = ctl_list(dirfd, "", names, max), i, k = 0;
	struct qerr e;

	for (i = 0; i < n; i++) {
		if (name_check(names[i], "sandbox name", &e) == 0)
			names[k++] = names[i];
		else
			free(names[i]);
	}
	return k;
}

static void free_names(char **names, int n)
{
	while (n > 0)
		free(names[--n]);
}

static __attribute__((noreturn)) void usage_exit(const char *usage, int status)
{
	fputs(usage, status ? stderr : stdout);
	exit(status);
}

void client_bad_option(int c, char **argv, const char *usage)
{
	struct qerr e;

	if (c == 'h')
		usage_exit(usage, 0);
	if (c == ':')
		qerr_usage(&e, "%s needs a value", argv[optind - 1]);
	else if (optopt)
		qerr_usage(&e, "unknown option '-%c' (see --help)", optopt);
	else
		qerr_usage(&e, "unknown option '%s' (see --help)",
			   argv[optind - 1]);
	qerr_die(&e);
}

/* --timeout S of stop and wait: seconds, 0 to a day; dies on a bad one */
static unsigned int timeout_arg(const char *cmd, const char *arg)
{
	unsigned long s;

	if (parse_uint(arg, 86400, &s) < 0)
		die(2, "%s: --timeout %s: not a number of seconds (0-86400)",
		    cmd, arg);
	return (unsigned int)s;
}

/* ---- ps --------------------------------------------------------------- */

int cmd_ps(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *names[NAMES_MAX];
	bool json = false, first = true;
	struct qerr e = { 0 };
	int c, dirfd, n, i;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:h", longopts, NULL)) != -1) {
		if (c == 'j')
			json = true;
		else
			client_bad_option(c, argv, ps_usage);
	}
	if (optind < argc)
		die(2, "ps: unexpected argument '%s'", argv[optind]);
	if ((dirfd = open_rundir(&e)) < 0)
		qerr_die(&e);
	n = running(dirfd, names, NAMES_MAX);
	if (json)
		fputs("[", stdout);
	else
		printf("%-16s %-8s %-19s %-24s %-24s %s\n", "NAME", "PID",
		       "STARTED", "NETWORKS", "FORWARDS", "COMMAND");
	for (i = 0; i < n; i++) {
		struct strbuf out = { 0 };
		char *col[6], *p;
		int k;

		if (ask(dirfd, names[i], json ? CTL_INFO : CTL_SUMMARY, NULL,
			&out, NULL, &e) < 0) {
			sb_free(&out);
			continue;	/* it ended meanwhile */
		}
		if (json) {
			printf("%s\n%s", first ? "" : ",", out.s);
			first = false;
			sb_free(&out);
			continue;
		}
		for (k = 0, p = out.s; k < 6; k++) {
			col[k] = p ? p : (char *)"";
			if (p && k < 5 && (p = strchr(p, '\t')))
				*p++ = '\0';
		}
		printf("%-16s %-8s %-19s %-24s %-24s %s\n", col[0], col[1],
		       col[2], col[3], col[4], col[5]);
		sb_free(&out);
	}
	if (json)
		puts(first ? "]" : "\n]");
	free_names(names, n);
	close(dirfd);
	return 0;
}

/* ---- fwd -------------------------------------------------------------- */

/* -n NAME, or the only running sandbox */
static const char *pick_sandbox(int dirfd, const char *name, char **names,
				int *n)
{
	struct strbuf list = { 0 };
	int i;

	*n = 0;
	if (name)
		return name;
	*n = running(dirfd, names, NAMES_MAX);
	if (*n == 1)
		return names[0];
	if (*n == 0)
		die(2, "no sandbox is running (start one with qbox run)");
	for (i = 0; i < *n; i++)
		sb_printf(&list, "%s%s", i ? ", " : "", names[i]);
	die(2, "%d sandboxes are running (%s): say which with -n NAME", *n,
	    list.s ? list.s : "");
}

/*
 * The table of `qbox fwd --list`, from the JSON array of fwd-list: qbox
 * reads only its own fixed layout back (sup_control.c's fwd_json).
 */
static void fwd_print_table(const char *json)
{
	const char *p = json;

	printf("%-6s %-28s %s\n", "PROTO", "HOST", "GUEST");
	while (p && (p = strchr(p, '{'))) {
		char proto[4], host[64], guest[16], where[80];
		unsigned int hp, gp;

		if (sscanf(p, "{\"proto\":\"%3[a-z]\",\"host\":\"%63[^\"]\","
			      "\"host_port\":%u,\"guest\":\"%15[^\"]\","
			      "\"guest_port\":%u", proto, host, &hp, guest,
			   &gp) != 5)
			break;
		snprintf(where, sizeof(where), strchr(host, ':') ? "[%s]:%u" :
								"%s:%u",
			 host, hp);
		printf("%-6s %-28s %s:%u\n", proto, where, guest, gp);
		p++;
	}
}

/*
 * fwd-add or fwd-remove of @spec, one request per port of a range; an
 * add that fails takes back the ports it added, so a range is added
 * whole or not at all
 */
static int fwd_each(int dirfd, const char *sandbox, enum ctl_verb verb,
		    const char *spec, struct qerr *e)
{
	static char texts[MAX_FWDS][FWD_TEXT_MAX];
	struct strbuf out = { 0 };
	struct qerr ignored;
	int n, i, r = 0;

	n = fwd_range_expand(spec, verb == CTL_FWD_REMOVE, texts, MAX_FWDS,
			     e);
	if (n < 0) {
		qerr_prefix(e, "fwd%s", verb == CTL_FWD_REMOVE ? " --remove" :
								"");
		return n;
	}
	for (i = 0; i < n && r == 0; i++) {
		r = ask(dirfd, sandbox, verb, texts[i], &out, NULL, e);
		sb_free(&out);	/* one answer each */
		if (r < 0 && r != -ENOENT)
			qerr_prefix(e, "fwd%s %s", verb == CTL_FWD_REMOVE ?
				    " --remove" : "", n > 1 ? texts[i] : spec);
	}
	for (i -= 2; r < 0 && verb == CTL_FWD_ADD && i >= 0; i--) {
		ask(dirfd, sandbox, CTL_FWD_REMOVE, texts[i], &out, NULL,
		    &ignored);
		sb_free(&out);
	}
	return r;
}

int cmd_fwd(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "list", no_argument, NULL, 'l' },
		{ "remove", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *name = NULL, *remove = NULL, *sandbox;
	bool list = false, json = false;
	char *names[NAMES_MAX];
	struct strbuf out = { 0 };
	struct qerr e = { 0 };
	int c, dirfd, n, r;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hn:", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			name = optarg;
			break;
		case 'l':
			list = true;
			break;
		case 'r':
			remove = optarg;
			break;
		case 'j':
			json = true;
			break;
		default:
			client_bad_option(c, argv, fwd_usage);
		}
	}
	if (list + !!remove + (optind < argc) != 1 || optind + 1 < argc)
		die(2, "fwd: give one SPEC, --list or --remove HOSTSPEC (see "
		       "qbox fwd --help)");
	if (json && !list)
		die(2, "fwd: --json goes with --list");
	if ((dirfd = open_rundir(&e)) < 0)
		qerr_die(&e);
	sandbox = pick_sandbox(dirfd, name, names, &n);
	if (list) {
		r = ask(dirfd, sandbox, CTL_FWD_LIST, NULL, &out, NULL, &e);
	} else {
		r = fwd_each(dirfd, sandbox,
			     remove ? CTL_FWD_REMOVE : CTL_FWD_ADD,
			     remove ? remove : argv[optind], &e);
	}
	free_names(names, n);
	if (r < 0)
		qerr_die(&e);
	if (list && json)
		puts(out.s);
	else if (list)
		fwd_print_table(out.s);
	sb_free(&out);
	close(dirfd);
	return 0;
}

/* ---- stop and wait ---------------------------------------------------- */

int cmd_stop(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl_req req = { .verb = CTL_STOP };
	unsigned int timeout = 10, wait_s;
	struct strbuf out = { 0 };
	struct qerr e = { 0 };
	bool force = false;
	int dirfd, fd, r, c;
	const char *name;
	char buf[256];

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		if (c == 't')
			timeout = timeout_arg(argv[0], optarg);
		else if (c == 'f')
			force = true;
		else
			client_bad_option(c, argv, stop_usage);
	}
	if (optind + 1 != argc)
		die(2, "stop: give one sandbox NAME (see qbox ps)");
	name = argv[optind];
	if ((dirfd = open_rundir(&e)) < 0 ||
	    (fd = ctl_connect(dirfd, name, &e)) < 0)
		qerr_die(&e);
	snprintf(req.arg, sizeof(req.arg), "%u%s", timeout,
		 force ? ",force" : "");
	if ((r = ctl_call(fd, &req, &out, NULL, 10000, &e)) < 0 && r != -EPIPE)
		qerr_die(&e);
	/* the supervisor hangs up when the sandbox is gone: a VM's guest
	   may take the timeout to power off, QEMU the timeout after SIGTERM */
	wait_s = 2 * timeout + 10;
	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };

		if (poll(&p, 1, (int)wait_s * 1000) <= 0)
			die(1, "stop: sandbox '%s' did not end within %u s",
			    name, wait_s);
		if (read(fd, buf, sizeof(buf)) <= 0)
			break;
	}
	sb_free(&out);
	return 0;
}

/* ---- link ------------------------------------------------------------- */

/* WORD... of qbox link, checked and joined by '+'; dies on a bad one */
static void link_words(int argc, char **argv, int from, char *buf,
		       size_t size)
{
	struct link_change c;
	struct qerr e = { 0 };
	size_t at = 0;
	int i;

	if (from >= argc)
		die(2, "link: say up, down, clear or KEY=VALUE (see qbox link "
		       "--help)");
	buf[0] = '\0';
	for (i = from; i < argc; i++) {
		if (strchr(argv[i], '+') || strchr(argv[i], ',') ||
		    at + strlen(argv[i]) + 2 > size)
			die(2, "link: '%s': not a word qbox link takes",
			    argv[i]);
		at += (size_t)snprintf(buf + at, size - at, "%s%s",
				       at ? "+" : "", argv[i]);
	}
	if (link_words_parse(buf, &c, &e) < 0)
		qerr_die(&e);
}

int cmd_link(int argc, char **argv)
{
	const char *name, *sel = NULL;
	char words[CTL_LINE_MAX / 2], arg[CTL_LINE_MAX];
	struct strbuf out = { 0 };
	struct qerr e = { 0 };
	struct net_spec n;
	int dirfd, from = 2;

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
		usage_exit(link_usage, 0);
	if (argc < 3)
		die(2, "link: give NAME [nicN] up|down|clear|KEY=VALUE..., or "
		       "MODE:NETWORK MEMBER ... (see qbox link --help)");
	name = argv[1];
	/* a network's member: the NIC of sandbox MEMBER on it */
	if (strchr(name, ':')) {
		if (net_spec_parse(name, &n, &e) < 0 || !net_mode_named(n.mode))
			die(2, "link: '%s' is no network (natnet:NAME, "
			       "hostonly:NAME or internal:NAME)", name);
		if (argc < 4)
			die(2, "link: name the member of %s (qbox link %s "
			       "MEMBER %s)", name, name, argv[2]);
		name = argv[2];
		from = 3;
	} else if (!strncmp(argv[2], "nic", 3)) {
		sel = argv[2];
		from = 3;
	}
	link_words(argc, argv, from, words, sizeof(words));
	if (from == 3 && !sel)
		snprintf(arg, sizeof(arg), "%s,%s:%s", words,
			 net_mode_name(n.mode), n.name);
	else if (sel)
		snprintf(arg, sizeof(arg), "%s,%s", words, sel);
	else
		snprintf(arg, sizeof(arg), "%s", words);
	if ((dirfd = open_rundir(&e)) < 0 ||
	    ask(dirfd, name, CTL_LINK, arg, &out, NULL, &e) < 0)
		qerr_die(&e);
	sb_free(&out);
	return 0;
}

/* qbox wait's options */
struct wait_opts {
	const char *name;
	unsigned int timeout;		/* s */
	const char *tcp;		/* --tcp [ADDR:]PORT, or NULL */
	bool banner;			/* --banner: the server speaks first */
};

/* --tcp's value, checked before anything waits: a bad one is exit 2 now */
static void wait_tcp_check(const struct wait_opts *o)
{
	const char *colon = strrchr(o->tcp, ':');
	char addr[INET6_ADDRSTRLEN + 3] = "0.0.0.0";
	struct sockaddr_storage to;
	struct qerr e = { 0 };

	if (colon)
		snprintf(addr, sizeof(addr), "%.*s", (int)(colon - o->tcp),
			 o->tcp);
	else if (strchr(o->name, ':'))
		die(2, "wait: --tcp %s: give ADDR:PORT for a network's member",
		    o->tcp);
	if (tcp_target_parse(addr, colon ? colon + 1 : o->tcp, &to, &e) < 0) {
		qerr_prefix(&e, "wait: --tcp %s", o->tcp);
		qerr_die(&e);
	}
}

static void wait_parse(int argc, char **argv, struct wait_opts *o)
{
	enum { OPT_TCP = 256, OPT_BANNER };
	static const struct option longopts[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ "tcp", required_argument, NULL, OPT_TCP },
		{ "banner", no_argument, NULL, OPT_BANNER },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*o = (struct wait_opts){ .timeout = 60 };
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		if (c == OPT_TCP) {
			o->tcp = optarg;
		} else if (c == OPT_BANNER) {
			o->banner = true;
		} else if (c == 't') {
			o->timeout = timeout_arg("wait", optarg);
		} else {
			client_bad_option(c, argv, wait_usage);
		}
	}
	if (optind + 1 != argc)
		die(2, "wait: give one sandbox NAME (see qbox ps), or a network "
		       "as MODE:NAME with --tcp ADDR:PORT");
	o->name = argv[optind];
	if (o->banner && !o->tcp)
		die(2, "wait: --banner goes with --tcp");
	if (o->tcp)
		wait_tcp_check(o);
}

/*
 * --tcp's destination: ADDR:PORT, or PORT at the address of the
 * sandbox's first NIC (a VM's reserved lease, a command's address, as
 * `qbox ps --json` shows it); a network's members have no address of the
 * network's, so there ADDR is needed
 */
static void wait_target(int dirfd, const struct wait_opts *o,
			struct sockaddr_storage *to, char *where, size_t size)
{
	const char *colon = strrchr(o->tcp, ':');
	char addr[INET6_ADDRSTRLEN + 3] = "";
	struct strbuf out = { 0 };
	struct qerr e = { 0 };
	const char *nics;

	if (colon) {
		snprintf(addr, sizeof(addr), "%.*s", (int)(colon - o->tcp),
			 o->tcp);
	} else {
		if (ask(dirfd, o->name, CTL_INFO, NULL, &out, NULL, &e) < 0)
			qerr_die(&e);
		if ((nics = strstr(out.s, "\"nics\":")))
			json_field(nics, "address", addr, sizeof(addr));
		sb_free(&out);
		if (!addr[0])
			die(2, "wait: --tcp %s: sandbox '%s' has no address qbox "
			       "knows on its first NIC: give ADDR:PORT", o->tcp,
			    o->name);
	}
	if (tcp_target_parse(addr, colon ? colon + 1 : o->tcp, to, &e) < 0) {
		qerr_prefix(&e, "wait: --tcp %s", o->tcp);
		qerr_die(&e);
	}
	snprintf(where, size, "%s:%u in '%s'", addr,
		 (unsigned int)ntohs(((struct sockaddr_in *)to)->sin_port),
		 o->name);
}

/* With the banner asked for: whether the server speaks by @deadline_ms */
static bool banner_came(int fd, int64_t deadline_ms, int pidfd)
{
	struct pollfd p[2] = { { fd, POLLIN, 0 }, { pidfd, POLLIN, 0 } };
	char c;
	int64_t left;

	while ((left = deadline_ms - now_ns() / 1000000) > 0) {
		if (poll(p, 2, (int)left) < 0 && errno != EINTR)
			return false;
		if (p[1].revents)
			return false;
		if (p[0].revents)
			return recv(fd, &c, 1, MSG_PEEK) == 1;
	}
	return false;
}

/*
 * From inside the namespace, connect again and again (every 100 ms, each
 * try within what is left) until one is accepted, and with --banner the
 * server's first byte comes; exit 0 then, 1 naming the last failure at
 * the deadline
 */
static __attribute__((noreturn)) void wait_tcp(const struct wait_opts *o,
					       int dirfd, int64_t deadline_ms)
{
	char where[NET_NAME_MAX + 96];
	struct sockaddr_storage to;
	int pidfd, fd, last = -ETIMEDOUT;
	struct qerr e = { 0 };
	bool silent = false;

	wait_target(dirfd, o, &to, where, sizeof(where));
	if (client_ns(dirfd, o->name, &pidfd, &e) < 0) {
		qerr_prefix(&e, "wait");
		qerr_die(&e);
	}
	dial_enter("wait", o->name, pidfd);
	for (;;) {
		int64_t left = deadline_ms - now_ns() / 1000000;

		if (left <= 0)
			break;
		fd = dial_once(&to, left < 1000 ? (int)left : 1000, pidfd);
		if (fd == -ESRCH)
			dial_exit("wait", 1, "'%s' ended before %s answered",
				  o->name, where);
		if (fd >= 0) {
			if (!o->banner || banner_came(fd, deadline_ms, pidfd))
				dial_exit("wait", 0, NULL);
			close(fd);
			silent = true;
		} else {
			last = fd;
			silent = false;
		}
		/* the next try in 100 ms, unless the sandbox ends meanwhile */
		if (poll(&(struct pollfd){ pidfd, POLLIN, 0 }, 1, 100) > 0)
			dial_exit("wait", 1, "'%s' ended before %s answered",
				  o->name, where);
	}
	if (silent)
		dial_exit("wait", 1, "%s accepted but sent nothing within %u s "
				     "(--banner)", where, o->timeout);
	dial_exit("wait", 1, "%s did not accept a connection within %u s "
			     "(last: %s)", where, o->timeout,
		  last == -ECONNREFUSED ? "refused: nothing listens there" :
		  last == -EHOSTUNREACH || last == -ETIMEDOUT ?
			  "no answer: no host at that address, or it is down" :
		  strerror(-last));
}

int cmd_wait(int argc, char **argv)
{
	struct ctl_req req = { .verb = CTL_WAIT };
	struct wait_opts o;
	int64_t deadline;
	struct qerr e = { 0 };
	int dirfd, fd, r;

	wait_parse(argc, argv, &o);
	if ((dirfd = open_rundir(&e)) < 0)
		qerr_die(&e);
	deadline = now_ns() / 1000000 + (int64_t)o.timeout * 1000;
	/* the sandbox may not exist yet: `qbox run ... &` then `qbox wait` */
	while ((fd = ctl_connect(dirfd, o.name, &e)) == -ENOENT &&
	       now_ns() / 1000000 < deadline)
		usleep(20000);
	if (fd < 0) {
		if (fd == -ENOENT)
			die(1, "wait: no sandbox '%s' appeared within %u s",
			    o.name, o.timeout);
		qerr_die(&e);
	}
	for (;;) {
		struct strbuf out = { 0 };
		int left = (int)(deadline - now_ns() / 1000000);

		r = ctl_call(fd, &req, &out, NULL, left > 0 ? left : 0, &e);
		sb_free(&out);
		if (r == 0 && o.tcp)
			wait_tcp(&o, dirfd, deadline);
		if (r == 0)
			return 0;
		if (r == -EPIPE)
			die(1, "wait: sandbox '%s' ended before it was ready",
			    o.name);
		if (r == -ETIMEDOUT)
			die(1, "wait: sandbox '%s' was not ready within %u s",
			    o.name, o.timeout);
		qerr_die(&e);
	}
}
