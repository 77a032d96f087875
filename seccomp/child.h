/* SPDX-License-Identifier: MIT */
/*
 * child.h - confined children: fork one, let it confine itself, wait for
 * its word
 *
 * qbox's data-plane processes (dataplane/) are children that confine
 * themselves before they touch anything a guest or a client controls: the
 * NAT engine and the forward workers, children of the supervisor, and a
 * hub's stream relay, a child of the hub's init. Each is started here, the
 * same way:
 *
 *   1. fork, with a SOCK_SEQPACKET socketpair between parent and child:
 *      the child's messages (common/sbmsg.h), and the end of either side
 *      as EOF on the other;
 *   2. in the child: its process name, PDEATHSIG=SIGKILL with the race
 *      check (the parent may have died before it was set), every fd
 *      closed but stdio, its socket and those it is told to keep, then
 *      (for a forward worker) the sandbox's user and network namespaces
 *      entered through a pidfd of the sandbox's init; and (for dnsmasq)
 *      a PID namespace of its own, whose pid 1 is cloned with
 *      CLONE_PARENT, so that it too is the parent's child, and named to
 *      the parent (SBMSG_CHILD_PID) by the process that cloned it, which
 *      then ends;
 *   3. its own main confines it (child_confine(), or its own steps) and
 *      says so (child_ready(), SBMSG_READY), then serves until its parent
 *      hangs up;
 *   4. the parent returns once the child is ready, or has said what
 *      failed (SBMSG_ERROR), or has died without a word, or has not
 *      answered within CHILD_START_MS (then it is killed): no payload or
 *      client ever meets a child that is not yet confined.
 */
#ifndef QBOX_CHILD_H
#define QBOX_CHILD_H

#include <stdbool.h>
#include <sys/types.h>

#include "common/err.h"
#include "seccomp/filter.h"

/* How long a starting child may take to say it is confined */
#define CHILD_START_MS 10000

struct child_spec {
	const char *name;	/* its process name (15 characters kept) */
	const char *fault;	/* its role for fault_point() ("spawned"
				   once named and alone), or NULL */
	int enter_pidfd;	/* >= 0: enter the user and network
				   namespaces of this process first */
	bool new_pidns;		/* then run as pid 1 of a PID namespace of
				   its own (with enter_pidfd): it sees, and
				   can signal, nothing else, and its end is
				   the end of every process it made */
	const int *keep;	/* fds kept besides stdio and its socket */
	int n_keep;
	/*
	 * Runs in the child, given its end of the socket: confines it, calls
	 * child_ready(), serves. Returns 0 to end with status 0, or -errno
	 * with @e: told to the parent if it is still waiting.
	 */
	int (*main)(void *arg, int sock, struct qerr *e);
	void *arg;
};

struct child {
	pid_t pid;		/* 0: none started */
	int sock;		/* the parent's end: the child's messages;
				   closing it tells the child to go */
	int status;		/* its wait status, once it ended */
};

/**
 * child_start() - fork a confined child and wait until it is confined
 * @s:		what to run, and how
 * @c:		filled: its pid and the parent's end of its socket
 * @e:		what the child said failed (SBMSG_ERROR), unprefixed
 *
 * Return: 0 once the child said it is confined; -EIO with @e when it said
 * what failed; -ECHILD when it ended without a word (@c->status says
 * how, @e is left alone); -ETIMEDOUT (it was killed), or -errno of a
 * failed fork or socketpair, with no message either. On failure the child
 * is reaped (@c->pid is 0 again) and @c->sock closed: the caller words
 * the message.
 */
int child_start(const struct child_spec *s, struct child *c, struct qerr *e);

/*
 * In the parent, of children it keeps running (workers): one of @c[@n]
 * that ended, reaped without waiting (its pid 0, its wait status in
 * .status), or -1
 */
int child_reap_any(struct child *c, int n);

/* In the parent, of a child that ended: its last words, an SBMSG_ERROR
 * already in its socket, as @e and -EIO; 0 when it said nothing */
int child_last_words(const struct child *c, struct qerr *e);

/* In the parent: hang up on @c and kill it (it may be busy: no waiting
 * for it to leave on its own), then reap it */
void child_kill(struct child *c);

/* In the child, once confined: its parent may go on. 0 or -errno. */
int child_ready(int sock);

/* In the child: stdin and stdout become /dev/null; stderr stays, for
 * sanitizer reports. 0 or -errno with @e. */
int child_null_stdio(struct qerr *e);

/*
 * In the child: the confinement of a forward worker and of the stream
 * relay, as a payload's: no capabilities, no_new_privs, qbox's baseline
 * filter, then @extra if not NULL. 0 or -errno with @e.
 */
int child_confine(const struct filters *f, scmp_filter_ctx extra,
		  struct qerr *e);

#endif /* QBOX_CHILD_H */
