// SPDX-License-Identifier: MIT
/* child.c - confined children (see child.h) */
#include "seccomp/child.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/sbmsg.h"
#include "common/util.h"

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

/*
 * Step 2's PID namespace: the pid 1 of a new one is cloned as the
 * parent's child, and returns here; this process names it to the parent
 * and ends. 0 in pid 1, or -errno with @e in this process.
 */
static int new_pidns(const struct child_spec *s, int sock, struct qerr *e)
{
	struct sbmsg m = { .type = SBMSG_CHILD_PID };
	pid_t pid;

	if (unshare(CLONE_NEWPID) < 0)
		return qerr_set(e, errno, "%s: a PID namespace", s->name);
	pid = (pid_t)syscall(SYS_clone, CLONE_PARENT | SIGCHLD, 0, NULL,
			     NULL, 0);
	if (pid < 0)
		return qerr_set(e, errno, "%s: its pid 1", s->name);
	if (pid == 0) {
		/* not inherited; if the parent is gone already, its socket
		   says so at the first word */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		return 0;
	}
	m.value = pid;
	_exit(sbmsg_write(sock, &m) < 0);
}

/* Step 2 of child.h, then the child's own main; never returns */
static __attribute__((noreturn)) void child_run(const struct child_spec *s,
						pid_t parent, int sock)
{
	struct sbmsg m = { .type = SBMSG_ERROR };
	int keep[64], n = 0, i;

	prctl(PR_SET_NAME, s->name);	/* never taken for its parent's */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)	/* it died before PDEATHSIG was set */
		_exit(1);
	keep[n++] = sock;
	if (s->enter_pidfd >= 0)
		keep[n++] = s->enter_pidfd;
	for (i = 0; i < s->n_keep && n < (int)ARRAY_SIZE(keep); i++)
		keep[n++] = s->keep[i];
	close_all_but(keep, n);
	if (s->fault)
		fault_point(s->fault, "spawned");
	if (s->enter_pidfd >= 0) {
		if (setns(s->enter_pidfd, CLONE_NEWUSER | CLONE_NEWNET) < 0) {
			qerr_set(&m.err, errno, "%s: entering the sandbox",
				 s->name);
			sbmsg_write(sock, &m);
			_exit(1);
		}
		close(s->enter_pidfd);
	}
	if (s->new_pidns && new_pidns(s, sock, &m.err) < 0) {
		sbmsg_write(sock, &m);
		_exit(1);
	}
	if (s->main(s->arg, sock, &m.err) == 0)
		_exit(0);
	sbmsg_write(sock, &m);
	_exit(1);
}

/* The child's first word: 0 (ready), -EIO (@e: what failed), -ECHILD
 * (EOF: it ended), or -ETIMEDOUT */
static int first_word(struct child *c, struct qerr *e)
{
	struct pollfd p = { c->sock, POLLIN, 0 };
	struct sbmsg m;
	int fd, r;

	do
		r = poll(&p, 1, CHILD_START_MS);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		return -ETIMEDOUT;
	r = sbmsg_recv(c->sock, &m, &fd);
	if (fd >= 0)
		close(fd);
	if (r > 0 && m.type == SBMSG_READY)
		return 0;
	if (r > 0 && m.type == SBMSG_ERROR) {
		*e = m.err;
		return -EIO;
	}
	return -ECHILD;
}

/*
 * A child that made a PID namespace: reap the process that forked it and
 * take the pid 1 it names. 0, or -ECHILD (nothing named: @c->status
 * says how the forker ended) or -EIO with @e, as first_word().
 */
static int take_pid1(struct child *c, struct qerr *e)
{
	struct pollfd p = { c->sock, POLLIN, 0 };
	pid_t forker = c->pid;
	struct sbmsg m = { 0 };
	int fd = -1, r;

	do
		r = poll(&p, 1, CHILD_START_MS);
	while (r < 0 && errno == EINTR);
	if (r > 0 && (r = sbmsg_recv(c->sock, &m, &fd)) > 0 && fd >= 0)
		close(fd);
	if (r <= 0)	/* silent past the deadline: it must not hang us */
		kill(forker, SIGKILL);
	while (waitpid(forker, &c->status, 0) < 0 && errno == EINTR)
		;
	if (r > 0 && m.type == SBMSG_CHILD_PID && m.value > 0) {
		c->pid = (pid_t)m.value;
		return 0;
	}
	c->pid = 0;
	if (r > 0 && m.type == SBMSG_ERROR) {
		*e = m.err;
		return -EIO;
	}
	return -ECHILD;
}

int child_start(const struct child_spec *s, struct child *c, struct qerr *e)
{
	pid_t parent = getpid();
	int sv[2], r;

	*c = (struct child){ .sock = -1 };
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	c->pid = fork();
	if (c->pid == 0) {
		close(sv[0]);
		child_run(s, parent, sv[1]);
	}
	r = -errno;
	close(sv[1]);
	c->sock = sv[0];
	if (c->pid < 0) {
		c->pid = 0;
		close(steal_fd(&c->sock));
		return r;
	}
	if (s->new_pidns && (r = take_pid1(c, e)) < 0) {
		close(steal_fd(&c->sock));
		return r;
	}
	if ((r = first_word(c, e)) == 0)
		return 0;
	if (r == -ETIMEDOUT)
		kill(c->pid, SIGKILL);
	while (waitpid(c->pid, &c->status, 0) < 0 && errno == EINTR)
		;
	c->pid = 0;
	close(steal_fd(&c->sock));
	return r;
}

int child_ready(int sock)
{
	struct sbmsg m = { .type = SBMSG_READY };

	return sbmsg_write(sock, &m);
}

int child_confine(const struct filters *f, scmp_filter_ctx extra,
		  struct qerr *e)
{
	int r;

	if ((r = confine_self(f->baseline, e)) < 0)
		return r;
	return extra ? filter_load(extra, e) : 0;
}

int child_null_stdio(struct qerr *e)
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

int child_reap_any(struct child *c, int n)
{
	int i, status;

	for (i = 0; i < n; i++)
		if (c[i].pid > 0 &&
		    waitpid(c[i].pid, &status, WNOHANG) == c[i].pid) {
			c[i].pid = 0;
			c[i].status = status;
			return i;
		}
	return -1;
}

int child_last_words(const struct child *c, struct qerr *e)
{
	struct pollfd p = { c->sock, POLLIN, 0 };
	struct sbmsg m;
	int fd;

	/* its last words, if it had any, are already in its socket */
	while (poll(&p, 1, 0) > 0 && (p.revents & POLLIN) &&
	       sbmsg_recv(p.fd, &m, &fd) > 0) {
		if (fd >= 0)
			close(fd);
		if (m.type == SBMSG_ERROR) {
			*e = m.err;
			return -EIO;
		}
	}
	return 0;
}

void child_kill(struct child *c)
{
	if (c->sock >= 0)
		close(c->sock);
	c->sock = -1;
	if (c->pid > 0) {
		kill(c->pid, SIGKILL);
		while (waitpid(c->pid, NULL, 0) < 0 && errno == EINTR)
			;
		c->pid = 0;
	}
}
