// SPDX-License-Identifier: MIT
/*
 * nat_engine.c - the NAT engine's process (see nat_engine.h)
 *
 * Theory of operation. The supervisor forks the engine at NET_READY, when
 * every uplink TAP fd has arrived. The child, before it reads any frame:
 *
 *   1. dies with the supervisor (PDEATHSIG, with the getppid() race check),
 *      keeps no fd but its TAPs, its report pipe and stderr (stdin and
 *      stdout become /dev/null), and names itself "qbox-uplink";
 *   2. starts libslirp on each TAP (uplink_new(): glib reads /dev/urandom
 *      there, the last file it opens on its own);
 *   3. enters a user namespace of its own: not for isolation (its network
 *      namespace stays the host's, so its sockets are the NAT's outside)
 *      but because an unprivileged process cannot empty its capability
 *      bounding set, and there it holds CAP_SETPCAP over itself;
 *   4. takes its limits: RLIMIT_NOFILE (every flow of the guest is a host
 *      socket) and RLIMIT_DATA (what it holds now plus UPLINK_DATA_MB);
 *   5. drops every capability and sets no_new_privs (drop_privileges());
 *   6. walls off the filesystem with Landlock, but for reading
 *      /etc/resolv.conf, which libslirp reads again when it changes, to
 *      forward the guest's DNS queries to the host's resolver;
 *   7. loads qbox's baseline filter and the policy "uplink" (ENOSYS for
 *      anything else), with one rule of its own: abort() may signal itself;
 *   8. reports "ready" on the pipe (or what failed, as a struct qerr).
 *
 * Then it serves its uplinks until the supervisor goes: its end of the
 * report pipe closes (POLLERR on ours) or PDEATHSIG kills us. It leaves
 * with _exit(): nothing of the supervisor's atexit state is its own, and
 * LeakSanitizer's exit-time check would need ptrace, which it has not.
 *
 * The supervisor learns of a death from SIGCHLD; the engine is its child
 * and never calls fork, so the pid it reaps cannot be anyone else's.
 */
#include "dataplane/nat_engine.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/pollset.h"
#include "common/util.h"
#include "seccomp/landlock.h"

/* How long a starting engine may take to say it is ready */
#define ENGINE_START_MS 10000

/* libslirp's one file: the host's resolvers, for its DNS forwarder */
static const char *const engine_files[] = { "/etc/resolv.conf", NULL };

/* Close every fd above stderr but the @n in @keep */
static void close_all_but(const int *keep, int n)
{
	unsigned int lo = 3;

	for (;;) {
		unsigned int next = UINT_MAX;
		int i;

		for (i = 0; i < n; i++)
			if (keep[i] >= (int)lo && (unsigned int)keep[i] < next)
				next = (unsigned int)keep[i];
		if (next == UINT_MAX) {
			close_range(lo, ~0U, 0);
			return;
		}
		if (next > lo)
			close_range(lo, next - 1, 0);
		lo = next + 1;
	}
}

/* stdin and stdout: /dev/null; stderr stays, for sanitizer reports */
static int null_stdio(struct qerr *e)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return qerr_set(e, errno, "opening /dev/null");
	if (dup2(fd, 0) < 0 || dup2(fd, 1) < 0) {
		close(fd);
		return qerr_set(e, errno, "redirecting stdin and stdout");
	}
	close(fd);
	return 0;
}

/* The private, writable memory the process holds now (VmData), in bytes */
static int data_size(rlim_t *out, struct qerr *e)
{
	char buf[4096], *p;
	unsigned long kb;
	ssize_t n = read_file("/proc/self/status", buf, sizeof(buf));

	if (n < 0)
		return qerr_set(e, (int)-n, "reading /proc/self/status");
	p = strstr(buf, "\nVmData:");
	if (!p || sscanf(p + 8, "%lu", &kb) != 1)
		return qerr_set(e, EPROTO, "no VmData in /proc/self/status");
	*out = (rlim_t)kb * 1024;
	return 0;
}

/*
 * RLIMIT_DATA counts private writable mappings and the heap: what the
 * guest can make libslirp allocate (mbufs, socket buffers, reassembly
 * queues). The limit is relative to what the engine holds now, so it
 * means the same in the sanitizer build, whose shadow memory is terabytes
 * of reserved mappings. Soft and hard alike: the engine cannot raise them.
 */
static int set_limits(struct qerr *e)
{
	struct rlimit nofile = { UPLINK_NOFILE, UPLINK_NOFILE }, data;
	rlim_t held = 0;
	int r;

	if (getrlimit(RLIMIT_NOFILE, &data) == 0 && data.rlim_max < UPLINK_NOFILE)
		nofile.rlim_cur = nofile.rlim_max = data.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &nofile) < 0)
		return qerr_set(e, errno, "setting RLIMIT_NOFILE");
	if ((r = data_size(&held, e)) < 0)
		return r;
	data.rlim_cur = data.rlim_max = held + ((rlim_t)UPLINK_DATA_MB << 20);
	if (setrlimit(RLIMIT_DATA, &data) < 0)
		return qerr_set(e, errno, "setting RLIMIT_DATA");
	return 0;
}

/*
 * Tests only (tests/integration/uplink.sh): with QBOX_TEST_UPLINK_OPEN set,
 * the confined engine tries to open that file and says on stderr what the
 * kernel answered, so a test can see the filesystem wall from outside.
 */
static void test_open(const char *path)
{
	int fd;

	if (!path)
		return;
	/* O_RDONLY alone, as libslirp's fopen: all the policy allows */
	fd = open(path, O_RDONLY);
	fprintf(stderr, "qbox-uplink: test: open %s: %s\n", path,
		fd < 0 ? strerrorname_np(errno) : "opened");
	if (fd >= 0)
		close(fd);
}

/*
 * glib's messages: libslirp logs through it, and a guest can provoke some
 * of its warnings, which must not reach the user's terminal (as
 * uplink.c's cb_guest_error). Only a fatal one (glib then aborts) is told.
 */
static void engine_log(const gchar *domain, GLogLevelFlags level,
		       const gchar *msg, gpointer data)
{
	(void)data;
	if (level & (G_LOG_FLAG_FATAL | G_LOG_LEVEL_ERROR))
		fprintf(stderr, "qbox-uplink: %s: %s\n", domain ? domain : "",
			msg);
}

/*
 * abort() raises SIGABRT with tgkill: allowed for the engine itself and
 * that signal only, a rule the policy cannot state (it cannot name our
 * pid). Without it, an abort would show as a refused system call.
 */
static int allow_abort(scmp_filter_ctx ctx, struct qerr *e)
{
	int r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 2,
				 SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)getpid()),
				 SCMP_A2(SCMP_CMP_EQ, SIGABRT));

	return r < 0 ? qerr_set(e, -r, "seccomp: allowing abort()") : 0;
}

/* Steps 2 to 7 of the top of this file */
static int confine(const struct uplink_proc_cfg *c, struct uplink **up,
		   struct qerr *e)
{
	int i, r;

	for (i = 0; i < c->n; i++)
		if (!(up[i] = uplink_new(&c->cfg[i], c->tapfd[i], e)))
			return -EIO;
	fault_point("uplink", "slirp");
	if (unshare(CLONE_NEWUSER) < 0)
		return qerr_set(e, errno, "entering a user namespace");
	if ((r = set_limits(e)) < 0 || (r = drop_privileges(e)) < 0)
		return r;
	r = landlock_wall(engine_files, e);
	if (r == 0)
		fprintf(stderr, "qbox: warning: the kernel has no Landlock: the "
				"NAT engine runs without its filesystem wall\n");
	if (r < 0 || (r = allow_abort(c->filters->engine, e)) < 0 ||
	    (r = filter_load(c->filters->baseline, e)) < 0 ||
	    (r = filter_load(c->filters->engine, e)) < 0)
		return r;
	return 0;
}

/* Serve the uplinks until the supervisor's end of @fd closes */
static void serve(struct uplink **up, int n, int fd)
{
	struct pollset ps = { 0 };
	int i;

	for (;;) {
		pollset_reset(&ps);
		pollset_add(&ps, fd, 0);
		for (i = 0; i < n; i++)
			uplink_poll_fill(up[i], &ps);
		if (poll(ps.fds, (nfds_t)ps.n, ps.timeout_ms) < 0 &&
		    errno != EINTR)
			_exit(1);
		if (ps.fds[0].revents)
			_exit(0);	/* the supervisor is gone */
		for (i = 0; i < n; i++)
			if (uplink_poll_done(up[i], &ps) < 0)
				_exit(0);	/* its sandbox is gone */
	}
}

static __attribute__((noreturn)) void
engine_main(const struct uplink_proc_cfg *c, int fd, pid_t parent)
{
	const char *test_path = getenv("QBOX_TEST_UPLINK_OPEN");
	struct uplink *up[MAX_NICS] = { 0 };
	bool die_confined = fault_wanted("uplink", "confined");
	struct qerr e = { 0 };
	int keep[MAX_NICS + 1];
	int i;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)	/* it died before PDEATHSIG was set */
		_exit(1);
	keep[0] = fd;
	for (i = 0; i < c->n; i++)
		keep[i + 1] = c->tapfd[i];
	close_all_but(keep, c->n + 1);
	prctl(PR_SET_NAME, "qbox-uplink");
	fault_point("uplink", "spawned");
	/*
	 * Confined, the engine may neither kill itself nor set a limit: for
	 * a death there, the kernel's SIGKILL at RLIMIT_CPU is armed now.
	 */
	if (die_confined && fault_arm() < 0) {
		fprintf(stderr, "qbox-uplink: test fault: %s\n", strerror(errno));
		_exit(1);
	}
	g_log_set_default_handler(engine_log, NULL);
	if (null_stdio(&e) == 0 && confine(c, up, &e) == 0) {
		if (die_confined)
			fault_spin();
		test_open(test_path);
		if (write_all(fd, &e, sizeof(e)) == 0)
			serve(up, c->n, fd);
		_exit(1);
	}
	write_all(fd, &e, sizeof(e));
	_exit(1);
}

void uplink_proc_describe(int status, char *buf, size_t size)
{
	status_describe(status, buf, size);
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS)
		snprintf(buf + strlen(buf), size - strlen(buf),
			 ": a system call the policy '" ENGINE_POLICY "' does "
			 "not allow (qbox policy show " ENGINE_POLICY ")");
}

/* Wait for the engine's report: a zeroed struct qerr means ready */
static int wait_ready(struct nat_engine *up, struct qerr *e)
{
	struct pollfd p = { up->fd, POLLIN, 0 };
	struct qerr got;
	size_t len = 0;
	char how[256];

	while (len < sizeof(got)) {
		ssize_t n;

		if (poll(&p, 1, ENGINE_START_MS) == 0)
			return qerr_set(e, ETIMEDOUT, "starting the NAT engine");
		n = read(up->fd, (char *)&got + len, sizeof(got) - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	if (len == sizeof(got) && !got.msg[0])
		return 0;
	if (len == sizeof(got)) {
		*e = got;
		qerr_prefix(e, "starting the NAT engine");
		return -EIO;
	}
	waitpid(up->pid, &up->status, 0);
	up->ended = true;
	uplink_proc_describe(up->status, how, sizeof(how));
	return qerr_set(e, 0, "starting the NAT engine: it ended, %s", how);
}

int uplink_proc_start(const struct uplink_proc_cfg *c, struct nat_engine *up,
		      struct qerr *e)
{
	pid_t parent = getpid();
	int fds[2], i, r;

	*up = (struct nat_engine){ .fd = -1 };
	if (pipe2(fds, O_CLOEXEC) < 0) {
		r = qerr_set(e, errno, "starting the NAT engine");
		goto out;
	}
	up->pid = fork();
	if (up->pid == 0) {
		close(fds[0]);
		engine_main(c, fds[1], parent);
	}
	close(fds[1]);
	up->fd = fds[0];
	if (up->pid < 0) {
		up->pid = 0;
		r = qerr_set(e, errno, "starting the NAT engine");
		goto out;
	}
	r = wait_ready(up, e);
	/* a confined engine cannot kill itself: its parent does, as anyone
	 * else would; its death then comes as it would while serving */
	if (r == 0 && fault_wanted("uplink", "ready"))
		kill(up->pid, SIGKILL);
out:
	for (i = 0; i < c->n; i++)
		close(c->tapfd[i]);
	if (r < 0)
		uplink_proc_stop(up);
	return r;
}

bool uplink_proc_reap(struct nat_engine *up)
{
	if (up->pid <= 0 || up->ended ||
	    waitpid(up->pid, &up->status, WNOHANG) != up->pid)
		return false;
	up->ended = true;
	return true;
}

void uplink_proc_stop(struct nat_engine *up)
{
	if (up->pid > 0 && !up->ended) {
		kill(up->pid, SIGKILL);
		waitpid(up->pid, &up->status, 0);
		up->ended = true;
	}
	if (up->fd >= 0)
		close(up->fd);
	up->fd = -1;
}
