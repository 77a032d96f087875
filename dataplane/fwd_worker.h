/* SPDX-License-Identifier: MIT */
/*
 * fwd_worker.h - a forward worker: the relays of port forwards, run inside
 * the sandbox's network namespace
 *
 * The supervisor starts fwd_worker_count() workers with the sandbox's
 * first forward (supervisor/fwd_engine.c, through seccomp/child.h), each with
 * a message socket to it. The supervisor owns the forwards' host
 * listeners and passes each to the workers (SBMSG_LISTEN);
 * a worker accepts from them, dials the guest itself and relays the bytes
 * (dataplane/fwd_worker.c tells how).
 */
#ifndef QBOX_FWD_WORKER_H
#define QBOX_FWD_WORKER_H

#include "common/err.h"
#include "dataplane/egress.h"
#include "seccomp/filter.h"

/* How many workers a sandbox runs: one per online CPU, at least two */
int fwd_worker_count(void);

struct fwd_worker_cfg {
	int index;			/* worker 0 also serves UDP forwards */
	const struct filters *filters;	/* baseline and worker */
	/* the egress worker (egress.h): in the host's namespaces, given the
	   sandbox's egress listener and queue (kept across the fork) */
	bool egress;
	int egress_listen, egress_queue;
	int egress_flows;		/* its share of EGRESS_FLOWS_MAX */
	struct egress_map egress_map;
};

/**
 * fwd_worker_main() - a forward worker, started by child_start()
 * @arg:	its struct fwd_worker_cfg
 * @sock:	message socket to the supervisor
 * @e:		error of a failed setup step
 *
 * In the sandbox's user and network namespaces already (child_start()
 * entered them), it confines itself as a payload would, plus the worker
 * filter, says so, and serves until the supervisor hangs up. Raises the
 * soft RLIMIT_NOFILE to the hard limit: every relay costs two fds.
 * Return: 0 when the supervisor closed @sock, or -errno with @e
 */
int fwd_worker_main(void *arg, int sock, struct qerr *e);

#endif /* QBOX_FWD_WORKER_H */
