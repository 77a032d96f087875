/* SPDX-License-Identifier: MIT */
/*
 * nat_engine.h - the NAT engine: a sandbox's uplinks in a confined process
 *
 * libslirp parses bytes the guest controls. It runs in a process of its
 * own, the NAT engine ("qbox-uplink"), forked by the supervisor once the
 * sandbox's uplink TAP fds have arrived: one engine per sandbox or hub,
 * serving all its uplinks (dataplane/uplink.h) in one poll loop. It stays in
 * the host's network namespace, where its sockets are the NAT's outside,
 * and before it reads a frame it gives up everything else: capabilities,
 * every fd but its TAPs, the filesystem (Landlock), memory and fds beyond
 * its limits, and every system call its policy (policies/uplink.policy)
 * does not list. Its death takes only the NAT down: the supervisor reaps
 * it and says so.
 */
#ifndef QBOX_NAT_ENGINE_H
#define QBOX_NAT_ENGINE_H

#include <stdbool.h>
#include <sys/types.h>

#include "common/err.h"
#include "seccomp/filter.h"
#include "dataplane/uplink.h"

/*
 * The engine's limits. Every flow of the guest's (a TCP connection, a
 * UDP or ICMP peer) is a host socket, so the fd limit is the flow limit;
 * the data limit bounds what libslirp may allocate beyond what the engine
 * held when it started (docs/ARCHITECTURE.md, "Confinement layers").
 */
#define UPLINK_NOFILE 4096
#define UPLINK_DATA_MB 2048

/* At most one uplink per NIC of a sandbox (plan/plan.h's MAX_NICS) */
#define NAT_ENGINE_UPLINKS 8

struct nat_engine_cfg {
	int n;				/* uplinks */
	struct uplink_cfg cfg[NAT_ENGINE_UPLINKS];
	int tapfd[NAT_ENGINE_UPLINKS];	/* taken by nat_engine_start() */
	const struct filters *filters;	/* baseline and engine */
};

/* The supervisor's view of its engine */
struct nat_engine {
	pid_t pid;			/* 0: none was started */
	int fd;				/* the engine sees our end close */
	bool ended;
	int status;			/* its wait status, once ended */
};

/**
 * nat_engine_start() - fork the NAT engine and wait until it is confined
 * @c:		its uplinks and filters; every tapfd is closed here, in the
 *		caller, whatever happens
 * @up:		filled on success
 * @e:		error: what failed in the engine, or how it ended
 *
 * The caller must have SIGCHLD blocked or handled: the engine's death is
 * learnt from it (nat_engine_reap()). Its signal mask is the caller's,
 * so signals the caller blocks (a terminal's SIGINT) do not reach it.
 * Return: 0 or -errno
 */
int nat_engine_start(const struct nat_engine_cfg *c, struct nat_engine *up,
		     struct qerr *e);

/* After SIGCHLD: true when the engine has just ended (@up->status) */
bool nat_engine_reap(struct nat_engine *up);

/* "killed by signal 9, SIGKILL" or "exited with status 1" */
void nat_engine_describe(int status, char *buf, size_t size);

/* Kill the engine if it runs, reap it, close what is left; idempotent */
void nat_engine_stop(struct nat_engine *up);

#endif /* QBOX_NAT_ENGINE_H */
