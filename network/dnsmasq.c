// SPDX-License-Identifier: MIT
/*
 * dnsmasq.c - a named network's DNS server: dnsmasq, confined (dnsmasq.h)
 *
 * Theory of operation. Everything that can fail for a reason of the
 * user's (dnsmasq missing, its policy not compiling) is done by
 * dnsmasq_prepare() in the hub's start, before any namespace exists.
 * dnsmasq_start() forks a child (seccomp/child.h) that enters the
 * network's user and network namespaces through a pidfd of its init, and
 * becomes pid 1 of a PID namespace of its own (the TCP children dnsmasq
 * forks, which it signals, are all it can see, and all of them end with
 * it), and then, in this order: takes a session of its own and a limit
 * of 1024 fds, opens its log (stdout and stderr), puts itself in its view,
 * drops every capability but CAP_NET_BIND_SERVICE (and those dnsmasq.h
 * lists for DHCP and router advertisements; its bounding set too, so the
 * exec of a uid 0 of the namespace gains no other; and no_new_privs keeps
 * it so) and makes those ambient (the user is uid 0
 * of the network's user namespace only when the user is root: an ordinary
 * user's exec would drop it), walls the view off with Landlock, loads its
 * policy over the baseline, says it is ready and execs dnsmasq. Nothing
 * dnsmasq does is trusted: the hub reads none of its output, only its pid
 * file's presence (written once its sockets are bound) and its end.
 *
 * Its configuration is its command line: --conf-file=/dev/null so that no
 * file of the host's is read, --user=root and an empty --group so that it
 * does not try to become "nobody" (unmapped in the user's namespace:
 * setgroups and setuid would fail and dnsmasq would stop), --no-hosts and
 * --no-resolv (the host's /etc/hosts and resolvers are not the network's),
 * --bind-interfaces on the hub's address alone, --local for qbox.internal
 * (never forwarded), --domain-needed (a single-label name that is not a
 * member's is not forwarded either) and --bogus-priv (nor a reverse
 * lookup of a private address that is not a member's).
 */
#include "network/dnsmasq.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"
#include "netns/sandbox.h"
#include "network/leases.h"
#include "plan/names.h"
#include "seccomp/child.h"

/* Where it may lie: Debian's dnsmasq-base installs /usr/sbin/dnsmasq */
static const char *const programs[] = {
	"/usr/sbin/dnsmasq", "/usr/local/sbin/dnsmasq", "/sbin/dnsmasq",
	"/usr/bin/dnsmasq", NULL,
};

/* Its fds: 20 TCP children, 150 forwarded queries, its listeners, and room */
#define DNSMASQ_NOFILE 1024
/* Where the DHCP hosts file lies, in its directory: dnsmasq watches it */
#define HOSTS_DIR "dhcp-hosts.d"
/* How long a start may take to bind its sockets */
#define BIND_WAIT_MS 10000
/* Restarts back off from 1 s to this; one that ran a minute starts at 1 s */
#define RESTART_MAX_MS 30000

static int arg(char *args[], int *n, char **at, char *end, const char *fmt,
	       ...) __attribute__((format(printf, 5, 6)));

/* Append one argument, printed into the storage at *@at */
static int arg(char *args[], int *n, char **at, char *end, const char *fmt,
	       ...)
{
	va_list ap;
	int len;

	if (*n >= DNSMASQ_ARGS_MAX - 1)
		return -ENAMETOOLONG;
	va_start(ap, fmt);
	len = vsnprintf(*at, (size_t)(end - *at), fmt, ap);
	va_end(ap);
	if (len < 0 || len >= end - *at)
		return -ENAMETOOLONG;
	args[(*n)++] = *at;
	*at += len + 1;
	return 0;
}

/*
 * The DHCP server's part of the command line. The pool, the lease time,
 * members' addresses from the hub's DHCP hosts file (in a directory
 * dnsmasq watches: dnsmasq_names()), the leases in a file
 * of their own; --dhcp-authoritative (the only server on its segment: a
 * client whose lease it has forgotten gets a NAK at once, not silence);
 * --dhcp-broadcast and --no-ping (no ARP entries written to unicast an
 * offer, no ICMP echo to probe an address: nothing that needs more than
 * the socket, and no CAP_NET_RAW); --dhcp-ignore-names (names on the
 * network are qbox's, not whatever a guest calls itself); the router
 * (option 3: the NAT's gateway on a natnet, none on hostonly and
 * internal) and the DNS server (option 6: dnsmasq itself); then the
 * user's dhcp-option=s (plan/spec.h keeps qbox's own options out of them).
 * dnsmasq sends an option a client asks for (its option 55), as DHCP has
 * it.
 */
static int dhcp_args(const struct dnsmasq_cfg *c, char *args[], int *n,
		     char **at, char *end)
{
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN], m[INET_ADDRSTRLEN];
	struct in_addr mask = { htonl(~0u << (32 - c->prefix)) };
	int i, r = 0;

#define ARG(...) \
	do { \
		if (r == 0) \
			r = arg(args, n, at, end, __VA_ARGS__); \
	} while (0)
	inet_ntop(AF_INET, &c->pool_first, a, sizeof(a));
	inet_ntop(AF_INET, &c->pool_last, b, sizeof(b));
	inet_ntop(AF_INET, &mask, m, sizeof(m));
	ARG("--dhcp-range=%s,%s,%s,%d", a, b, m, DNSMASQ_LEASE_S);
	ARG("--dhcp-hostsdir=%s/" HOSTS_DIR, c->dir);
	ARG("--dhcp-leasefile=%s/leases", c->dir);
	ARG("--dhcp-lease-max=%d", LEASES_POOL_MAX);
	ARG("--dhcp-authoritative");
	ARG("--dhcp-broadcast");
	ARG("--no-ping");
	ARG("--dhcp-ignore-names");
	if (c->router.s_addr) {
		inet_ntop(AF_INET, &c->router, a, sizeof(a));
		ARG("--dhcp-option=3,%s", a);
	} else {
		ARG("--dhcp-option=3");
	}
	inet_ntop(AF_INET, &c->listen, a, sizeof(a));
	ARG("--dhcp-option=6,%s", a);
	for (i = 0; i < c->n_opts; i++) {
		char v[NET_DHCP_VALUE_MAX + 1], *p;

		/* several values: '+' in the --net value, ',' for dnsmasq */
		snprintf(v, sizeof(v), "%s", c->opts[i].value);
		for (p = v; (p = strchr(p, '+')); p++)
			*p = ',';
		ARG("--dhcp-option=%u,%s", c->opts[i].code, v);
	}
	/* PXE: its TFTP server (on the hub's address, as for DNS) serves
	   tftp=DIR, in its view read-only; DHCP names the boot file */
	if (c->tftp) {
		ARG("--enable-tftp");
		ARG("--tftp-root=%s", c->tftp);
	}
	if (c->bootfile)
		ARG("--dhcp-boot=%s", c->bootfile);
#undef ARG
	return r;
}

/*
 * Router advertisements of /64 @c->ra6 on the hub's bridge, so that its
 * members configure addresses of it by SLAAC: ra-only (no DHCPv6), and a
 * router lifetime of 0 (no default route: the network leads nowhere).
 * dnsmasq sends them only on an interface it is told to use by name
 * (--interface; a listen address is not enough), and would then listen
 * on the loopback too (--except-interface). Its raw ICMPv6 socket needs
 * CAP_NET_RAW (child_main()).
 */
static int ra_args(const struct dnsmasq_cfg *c, char *args[], int *n,
		   char **at, char *end)
{
	char p[INET6_ADDRSTRLEN];
	int r = 0;

#define ARG(...) \
	do { \
		if (r == 0) \
			r = arg(args, n, at, end, __VA_ARGS__); \
	} while (0)
	inet_ntop(AF_INET6, c->ra6, p, sizeof(p));
	ARG("--interface=" HUB_BRIDGE);
	ARG("--except-interface=lo");
	ARG("--enable-ra");
	ARG("--dhcp-range=%s,ra-only,64", p);
	ARG("--ra-param=" HUB_BRIDGE ",600,0");
#undef ARG
	return r;
}

/* dnsmasq's command line for @c into @args, its strings in @buf: the
 * number of arguments, or -ENAMETOOLONG */
static int dnsmasq_args(const struct dnsmasq_cfg *c,
			char *args[DNSMASQ_ARGS_MAX], char *buf, size_t size)
{
	char *at = buf, *end = buf + size, a[INET_ADDRSTRLEN];
	char a6[INET6_ADDRSTRLEN];
	int n = 0, r = 0;

#define ARG(...) \
	do { \
		if (r == 0) \
			r = arg(args, &n, &at, end, __VA_ARGS__); \
	} while (0)
	ARG("dnsmasq");
	ARG("--keep-in-foreground");
	ARG("--conf-file=/dev/null");
	ARG("--log-facility=-");
	ARG("--user=root");
	ARG("--group=");
	ARG("--no-hosts");
	ARG("--no-resolv");
	ARG("--addn-hosts=%s/hosts", c->dir);
	ARG("--pid-file=%s/pid", c->dir);
	inet_ntop(AF_INET, &c->listen, a, sizeof(a));
	ARG("--listen-address=%s", a);
	ARG("--bind-interfaces");
	ARG("--domain-needed");
	ARG("--bogus-priv");
	ARG("--local=/" NAMES_SUFFIX "/");
	/* a domain= of the network's: its names are never forwarded either */
	if (!names_under_suffix(c->domain))
		ARG("--local=/%s/", c->domain);
	ARG("--domain=%s", c->domain);
	if (c->upstream.s_addr) {
		inet_ntop(AF_INET, &c->upstream, a, sizeof(a));
		ARG("--server=%s", a);
	}
	if (c->listen6) {
		inet_ntop(AF_INET6, c->listen6, a6, sizeof(a6));
		ARG("--listen-address=%s", a6);
	}
	if (c->pool_first.s_addr)
		r = r ?: dhcp_args(c, args, &n, &at, end);
	if (c->ra6)
		r = r ?: ra_args(c, args, &n, &at, end);
#undef ARG
	if (r < 0)
		return r;
	args[n] = NULL;
	return n;
}

/* $QBOX_DNSMASQ, or the first of programs[] that is there; usage errors */
static const char *find_program(struct qerr *e)
{
	const char *env = getenv("QBOX_DNSMASQ");
	int i;

	if (env && *env) {
		/* its view holds the system alone (view_build_service()) */
		if (!view_system_holds(env)) {
			qerr_usage(e, "QBOX_DNSMASQ=%s: not under /usr, /bin or "
				      "/sbin, where its view can hold it", env);
			return NULL;
		}
		if (access(env, X_OK) < 0) {
			qerr_usage(e, "QBOX_DNSMASQ=%s: %s", env,
				   strerror(errno));
			return NULL;
		}
		return env;
	}
	for (i = 0; programs[i]; i++)
		if (access(programs[i], X_OK) == 0)
			return programs[i];
	qerr_usage(e, "dnsmasq is not installed: a named network's DNS "
		      "server is dnsmasq (Debian: apt-get install "
		      "dnsmasq-base)");
	return NULL;
}

int dnsmasq_prepare(struct dnsmasq *d, const struct dnsmasq_cfg *c,
		    scmp_filter_ctx baseline, struct qerr *e)
{
	*d = (struct dnsmasq){ .pidfd = -1, .poll_idx = -1,
			       .baseline = baseline };
	if (!(d->program = find_program(e)))
		return -ENOENT;
	if (!(d->dir = strdup(c->dir)))
		return qerr_set(e, ENOMEM, "the DNS server's directory");
	d->cfg = *c;
	d->cfg.dir = d->dir;
	if (dnsmasq_args(&d->cfg, d->argv, d->argbuf, sizeof(d->argbuf)) < 0)
		return qerr_set(e, ENAMETOOLONG, "the DNS server's command "
						 "line");
	return filter_from_spec(DNSMASQ_POLICY, 0, &d->filter, e);
}

/*
 * Its directory and view, once the hub holds its name: a hub that loses
 * the race for the name must not touch the winner's files (they go with
 * the name: common/rundir.c)
 */
static int make_dir(struct dnsmasq *d, struct qerr *e)
{
	char hosts[PATH_MAX];

	if (d->view.cwd)
		return 0;
	snprintf(hosts, sizeof(hosts), "%s/" HOSTS_DIR, d->dir);
	if (mkdir(d->dir, 0700) < 0 && errno != EEXIST)
		return qerr_set(e, errno, "making %s", d->dir);
	if (mkdir(hosts, 0700) < 0 && errno != EEXIST)
		return qerr_set(e, errno, "making %s", hosts);
	return view_build_service(d->dir, d->cfg.tftp, &d->view, e);
}

/* In the child, in the network's namespaces: confine, then exec */
static int child_main(void *arg, int sock, struct qerr *e)
{
	static char *const envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
				      NULL };
	static const struct rlimit nofile = { DNSMASQ_NOFILE, DNSMASQ_NOFILE };
	struct dnsmasq *d = arg;
	/* ports 53 and 67; what dnsmasq insists on before it serves DHCP;
	   the raw ICMPv6 socket its router advertisements need: over the
	   network's namespace alone (dnsmasq.h) */
	uint64_t caps = CAP_BIT(CAP_NET_BIND_SERVICE) |
			(d->cfg.pool_first.s_addr ? CAP_BIT(CAP_NET_ADMIN) : 0) |
			(d->cfg.ra6 ? CAP_BIT(CAP_NET_RAW) : 0);
	char log[PATH_MAX];
	sigset_t none;
	int fd, r;

	/* the supervisor's blocked signals (its signalfd) would stay
	   blocked through exec: dnsmasq's SIGHUP and SIGTERM with them */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* a session of its own: a kill(0, ...) of dnsmasq's (it signals its
	   TCP children) must not reach the hub's process group; and fds
	   enough for its TCP children and forwarded queries, not the
	   supervisor's raised limit, which it would close one by one at
	   start (there is no /proc/self/fd in its view) */
	if (setsid() < 0 || setrlimit(RLIMIT_NOFILE, &nofile) < 0)
		return qerr_set(e, errno, "dnsmasq's session and fd limit");

	snprintf(log, sizeof(log), "%s/log", d->dir);
	fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
		return qerr_set(e, errno, "opening %s", log);
	close(fd);
	if ((r = view_enter(&d->view, NULL, e)) < 0 ||
	    (r = confine_keeping(d->baseline, caps, e)) < 0 ||
	    (r = cap_through_exec(caps, e)) < 0)
		return r;
	if ((r = view_landlock(&d->view, e)) < 0 ||
	    (r = filter_load(d->filter, e)) < 0)
		return r;
	if ((r = child_ready(sock)) < 0)
		return qerr_set(e, -r, "saying so");
	execve(d->program, d->argv, envp);
	/* after its word: the hub learns of it from the end, and the log */
	dprintf(2, "qbox: executing %s: %s\n", d->program, strerror(errno));
	_exit(127);
}

/* Until its pid file is there (its sockets are bound): 0, or -ECHILD
 * when it ended first, -ETIMEDOUT when neither came */
static int wait_bound(struct dnsmasq *d)
{
	struct pollfd p = { d->pidfd, POLLIN, 0 };
	char pidfile[PATH_MAX];
	int waited;

	snprintf(pidfile, sizeof(pidfile), "%s/pid", d->dir);
	for (waited = 0; waited < BIND_WAIT_MS; waited += 10) {
		if (access(pidfile, F_OK) == 0)
			return 0;
		if (poll(&p, 1, 10) > 0)
			return -ECHILD;
	}
	return -ETIMEDOUT;
}

/* The last line of its log, into @buf ("" without one) */
static void last_words(const struct dnsmasq *d, char *buf, size_t size)
{
	char path[PATH_MAX], text[4096], *line;
	size_t len;
	ssize_t n;
	off_t at;
	int fd;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "%s/log", d->dir);
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return;
	at = lseek(fd, 0, SEEK_END) - (off_t)sizeof(text) + 1;
	n = pread(fd, text, sizeof(text) - 1, at > 0 ? at : 0);
	close(fd);
	if (n <= 0)
		return;
	while (n > 0 && text[n - 1] == '\n')
		n--;
	text[n] = '\0';
	line = strrchr(text, '\n');
	line = line ? line + 1 : text;
	len = strlen(line) < size - 1 ? strlen(line) : size - 1;
	memcpy(buf, line, len);
	buf[len] = '\0';
}

/* A start that came to nothing: reaped, and said why with its last words */
static int start_failed(struct dnsmasq *d, int r, struct qerr *e)
{
	char how[256], words[512];
	int status = 0;

	if (r == -ETIMEDOUT)
		kill(d->pid, SIGKILL);
	waitpid(d->pid, &status, 0);
	close(d->pidfd);
	d->pidfd = -1;
	d->pid = 0;
	status_describe(status, how, sizeof(how));
	last_words(d, words, sizeof(words));
	if (r == -ETIMEDOUT)
		return qerr_set(e, ETIMEDOUT, "dnsmasq did not listen within "
					      "%d s%s%s", BIND_WAIT_MS / 1000,
				words[0] ? ": " : "", words);
	return qerr_set(e, 0, "dnsmasq ended while starting (%s)%s%s", how,
			words[0] ? ": " : "", words);
}

int dnsmasq_start(struct dnsmasq *d, pid_t init, struct qerr *e)
{
	struct child_spec spec = { .name = "qbox-dnsmasq", .fault = "dnsmasq",
				   .new_pidns = true, .main = child_main,
				   .arg = d };
	char pidfile[PATH_MAX], how[256];
	struct child c;
	int r;

	if ((r = make_dir(d, e)) < 0)
		return r;
	snprintf(pidfile, sizeof(pidfile), "%s/pid", d->dir);
	unlink(pidfile);
	spec.enter_pidfd = (int)syscall(SYS_pidfd_open, init, 0);
	if (spec.enter_pidfd < 0)
		return qerr_set(e, errno, "starting dnsmasq: opening the "
					  "network's init");
	r = child_start(&spec, &c, e);
	close(spec.enter_pidfd);
	if (r == -ECHILD) {
		status_describe(c.status, how, sizeof(how));
		return qerr_set(e, 0, "dnsmasq ended while starting (%s)", how);
	}
	if (r < 0 && r != -EIO)
		return qerr_set(e, -r, "starting dnsmasq");
	if (r < 0) {
		qerr_prefix(e, "starting dnsmasq");
		return r;
	}
	close(c.sock);	/* its end closed on exec: nothing more to say */
	d->pid = c.pid;
	d->pidfd = (int)syscall(SYS_pidfd_open, c.pid, 0);
	d->started_ms = now_ns() / 1000000;
	if (d->pidfd < 0) {
		r = -errno;
		kill(c.pid, SIGKILL);
		waitpid(c.pid, NULL, 0);
		d->pid = 0;
		return qerr_set(e, -r, "watching dnsmasq");
	}
	if ((r = wait_bound(d)) < 0)
		return start_failed(d, r, e);
	return 0;
}

/* Write @text as @name (a path in its directory): first beside it, as
 * @tmp (NULL: NAME.new), then renamed over it */
static int put_file(const struct dnsmasq *d, const char *name,
		    const char *tmpname, const char *text)
{
	char tmp[PATH_MAX], path[PATH_MAX];
	int fd, r = 0;

	snprintf(tmp, sizeof(tmp), "%s/%s%s", d->dir, tmpname ? tmpname : name,
		 tmpname ? "" : ".new");
	snprintf(path, sizeof(path), "%s/%s", d->dir, name);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0)
		return -errno;
	if (write_all(fd, text, strlen(text)) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	return r;
}

int dnsmasq_names(struct dnsmasq *d, const char *hosts,
		  const char *dhcp_hosts)
{
	struct qerr e = { 0 };
	int r;

	/*
	 * The DHCP hosts go into a directory dnsmasq watches with inotify
	 * (--dhcp-hostsdir), written outside it and renamed in: dnsmasq
	 * reads a new reservation when its inotify fd says so, and its loop
	 * looks at that fd before its DHCP socket. The rename is done before
	 * a new member's first frame can reach dnsmasq (a socket member's is
	 * held until then), so whatever poll shows dnsmasq that frame shows it
	 * the reservation too. A signal gives no such order: its handler may
	 * run after poll has reported only the frame. SIGHUP still follows,
	 * for the names and for reservations that went (the directory's
	 * records are only ever added by inotify).
	 */
	if ((r = make_dir(d, &e)) < 0 ||
	    (r = put_file(d, "hosts", NULL, hosts)) < 0 ||
	    (dhcp_hosts && (r = put_file(d, HOSTS_DIR "/hosts", "dhcp-hosts.new",
					 dhcp_hosts)) < 0))
		return r;
	if (d->pid > 0)
		kill(d->pid, SIGHUP);
	return 0;
}

int dnsmasq_leases(const struct dnsmasq *d, struct strbuf *out)
{
	char path[PATH_MAX], buf[16384];
	size_t total = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/leases", d->dir);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	while (total < DNSMASQ_LEASES_MAX &&
	       (n = read(fd, buf, sizeof(buf))) > 0) {
		ssize_t i;

		/* the file is dnsmasq's, and so maybe a guest's: a NUL
		   would end the text early, so it becomes a byte no lease
		   line has, and its line is skipped */
		for (i = 0; i < n; i++)
			if (!buf[i])
				buf[i] = '?';
		sb_printf(out, "%.*s", (int)n, buf);
		total += (size_t)n;
	}
	close(fd);
	return out->oom ? -ENOMEM : 0;
}

int dnsmasq_replace_leases(struct dnsmasq *d, const char *text, pid_t init,
			   struct qerr *e)
{
	int r;

	if (d->pid > 0) {
		kill(d->pid, SIGKILL);
		waitpid(d->pid, NULL, 0);
		close(d->pidfd);
		d->pidfd = -1;
		d->pid = 0;
	}
	if ((r = put_file(d, "leases", NULL, text)) < 0)
		qerr_set(e, -r, "rewriting dnsmasq's lease file");
	if (d->restart_at_ms)	/* it keeps dying: its back-off stands */
		return r;
	if (r == 0 && (r = dnsmasq_start(d, init, e)) == 0)
		return 0;
	/* killed and not started again: the network must not stay without
	   its server, so dnsmasq_tend() tries later, as after a death */
	d->restart_at_ms = now_ns() / 1000000 + RESTART_MAX_MS;
	snprintf(d->ended, sizeof(d->ended), "%s", e->msg);
	return r;
}

void dnsmasq_tend(struct dnsmasq *d, short revents, pid_t init)
{
	int64_t now = now_ns() / 1000000, delay;
	struct qerr e = { 0 };
	int status;

	if (d->pid > 0 && (revents & POLLIN) &&
	    waitpid(d->pid, &status, WNOHANG) == d->pid) {
		status_describe(status, d->ended, sizeof(d->ended));
		close(d->pidfd);
		d->pidfd = -1;
		d->pid = 0;
		/* one that ran a while starts again at once; one that keeps
		   dying, less and less often */
		delay = now - d->started_ms > 60000 ?
				1000 : 1000LL << (d->restarts < 5 ? d->restarts : 5);
		if (delay > RESTART_MAX_MS)
			delay = RESTART_MAX_MS;
		d->restart_at_ms = now + delay;
		fprintf(stderr, "qbox: the network's DNS server ended (%s); "
				"starting it again in %lld s\n",
			d->ended, (long long)(delay / 1000));
	}
	if (!d->restart_at_ms || now < d->restart_at_ms || d->pid > 0)
		return;
	d->restart_at_ms = 0;
	d->restarts++;
	if (dnsmasq_start(d, init, &e) < 0) {
		snprintf(d->ended, sizeof(d->ended), "%s", e.msg);
		d->restart_at_ms = now + RESTART_MAX_MS;
		fprintf(stderr, "qbox: %s\n", e.msg);
	}
}

int64_t dnsmasq_due_ms(const struct dnsmasq *d)
{
	int64_t now = now_ns() / 1000000;

	if (!d->restart_at_ms)
		return -1;
	return d->restart_at_ms > now ? d->restart_at_ms - now : 0;
}

void dnsmasq_json(const struct dnsmasq *d, struct strbuf *b)
{
	char a[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &d->cfg.listen, a, sizeof(a));
	sb_puts(b, "\"names\":{\"domain\":");
	sb_json_str(b, d->cfg.domain);
	sb_printf(b, ",\"server\":\"%s\",\"pid\":%d,\"restarts\":%d,"
		     "\"ended\":", a, (int)d->pid, d->restarts);
	sb_json_str(b, d->ended);
	sb_puts(b, "}");
}

/*
 * SIGKILL: it keeps nothing worth a goodbye (the hosts file is the hub's),
 * and as its PID namespace's pid 1 it takes its TCP children with it. Its
 * files are the name's, removed with it (common/rundir.c).
 */
void dnsmasq_free(struct dnsmasq *d)
{
	if (d->pid > 0) {
		kill(d->pid, SIGKILL);
		waitpid(d->pid, NULL, 0);
	}
	if (d->pidfd >= 0)
		close(d->pidfd);
	if (d->filter)
		seccomp_release(d->filter);
	view_free(&d->view);
	free(d->dir);
	*d = (struct dnsmasq){ .pidfd = -1, .poll_idx = -1 };
}
