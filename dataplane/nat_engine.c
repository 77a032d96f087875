// SPDX-License-Identifier: MIT
/*
 * nat_engine.c - the NAT engine's process (see nat_engine.h)
 *
 * Theory of operation. The supervisor forks the engine at NET_READY, when
 * every uplink TAP fd has arrived. The child, before it reads any frame:
 *
 *   1. started by child_start() (seccomp/child.h): it names itself
 *      "qbox-uplink", dies with the supervisor (PDEATHSIG, with the
 *      getppid() race check), keeps no fd but its TAPs, its socket and
 *      stderr (stdin and stdout become /dev/null);
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
 *      forward the guest's DNS queries to the host's resolver, and each
 *      NIC's tftp=DIR, which its TFTP server serves;
 *   7. loads qbox's baseline filter and the policy "uplink" (ENOSYS for
 *      anything else), with one rule of its own: abort() may signal itself;
 *   8. says it is ready on its socket (or what failed, as a struct qerr).
 *
 * Then it serves its uplinks until the supervisor goes: its end of the
 * socket closes (POLLHUP on ours) or PDEATHSIG kills us. It leaves
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
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/pollset.h"
#include "common/util.h"
#include "seccomp/child.h"
#include "seccomp/landlock.h"

/*
 * What libslirp reads: the host's resolvers, for its DNS forwarder, and
 * each tftp=DIR its TFTP server serves (Landlock's rule holds beneath DIR,
 * so a symlink in it that leads out leads nowhere)
 */
static void engine_files(const struct nat_engine_cfg *c,
			 const char *files[NAT_ENGINE_UPLINKS + 2])
{
	int i, n = 0;

	files[n++] = "/etc/resolv.conf";
	for (i = 0; i < c->n; i++)
		if (c->cfg[i].tftp)
			files[n++] = c->cfg[i].tftp;
	files[n] = NULL;
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
static int confine(const struct nat_engine_cfg *c, struct uplink **up,
		   struct qerr *e)
{
	const char *files[NAT_ENGINE_UPLINKS + 2];
	int i, r;

	for (i = 0; i < c->n; i++)
		if (!(up[i] = uplink_new(&c->cfg[i], c->tapfd[i], e)))
			return -EIO;
	fault_point("uplink", "slirp");
	if (unshare(CLONE_NEWUSER) < 0)
		return qerr_set(e, errno, "entering a user namespace");
	if ((r = set_limits(e)) < 0 || (r = drop_privileges(e)) < 0)
		return r;
	/* without Landlock (0) the runner has said so, once */
	engine_files(c, files);
	r = landlock_wall(files, e);
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

/*
 * The engine, once child_start() has named it, tied it to the supervisor
 * and closed all but its TAPs and socket (step 1 at the top of this file):
 * steps 2 to 8, then it serves until the supervisor hangs up.
 */
static int engine_main(void *arg, int sock, struct qerr *e)
{
	const struct nat_engine_cfg *c = arg;
	const char *test_path = getenv("QBOX_TEST_UPLINK_OPEN");
	struct uplink *up[NAT_ENGINE_UPLINKS] = { 0 };
	bool die_confined = fault_wanted("uplink", "confined");
	int r;

	/*
	 * Confined, the engine may neither kill itself nor set a limit: for
	 * a death there, the kernel's SIGKILL at RLIMIT_CPU is armed now.
	 */
	if (die_confined && fault_arm() < 0)
		return qerr_set(e, errno, "test fault");
	g_log_set_default_handler(engine_log, NULL);
	if ((r = child_null_stdio(e)) < 0 || (r = confine(c, up, e)) < 0)
		return r;
	if (die_confined)
		fault_spin();
	test_open(test_path);
	if ((r = child_ready(sock)) < 0)
		return qerr_set(e, -r, "reporting");
	serve(up, c->n, sock);
	return 0;
}

void nat_engine_describe(int status, char *buf, size_t size)
{
	status_describe(status, buf, size);
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS)
		snprintf(buf + strlen(buf), size - strlen(buf),
			 ": a system call the policy '" ENGINE_POLICY "' does "
			 "not allow (qbox policy show " ENGINE_POLICY ")");
}

int nat_engine_start(const struct nat_engine_cfg *c, struct nat_engine *up,
		     struct qerr *e)
{
	struct child_spec spec = { .name = "qbox-uplink", .fault = "uplink",
				   .enter_pidfd = -1, .keep = c->tapfd,
				   .n_keep = c->n, .main = engine_main,
				   .arg = (void *)c };
	struct child ch;
	char how[256];
	int i, r;

	*up = (struct nat_engine){ .fd = -1 };
	r = child_start(&spec, &ch, e);
	for (i = 0; i < c->n; i++)
		close(c->tapfd[i]);
	if (r == -EIO) {
		qerr_prefix(e, "starting the NAT engine");
		return r;
	}
	if (r == -ECHILD) {
		nat_engine_describe(ch.status, how, sizeof(how));
		return qerr_set(e, 0, "starting the NAT engine: it ended, %s",
				how);
	}
	if (r < 0)
		return qerr_set(e, -r, "starting the NAT engine");
	up->pid = ch.pid;
	up->fd = ch.sock;
	/* a confined engine cannot kill itself: its parent does, as anyone
	 * else would; its death then comes as it would while serving */
	if (fault_wanted("uplink", "ready"))
		kill(up->pid, SIGKILL);
	return 0;
}

bool nat_engine_reap(struct nat_engine *up)
{
	if (up->pid <= 0 || up->ended ||
	    waitpid(up->pid, &up->status, WNOHANG) != up->pid)
		return false;
	up->ended = true;
	return true;
}

void nat_engine_stop(struct nat_engine *up)
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
