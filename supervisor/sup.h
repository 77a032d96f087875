/* SPDX-License-Identifier: MIT */
/*
 * sup.h - the supervisor's state, shared by supervisor.c (the loop and the
 * sandbox's life) and sup_control.c (answers on the control socket)
 */
#ifndef QBOX_SUP_H
#define QBOX_SUP_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "netns/sandbox.h"
#include "dataplane/nat_engine.h"
#include "control/ctl_server.h"
#include "supervisor/forward.h"
#include "network/hub.h"
#include "plan/plan.h"

struct sup {
	const struct plan *plan;
	struct sandbox sb;
	int dirfd;			/* runtime directory */
	const char *rundir;		/* ... its path */
	int lockfd;			/* the sandbox's name, while held */
	int sigfd;
	int ready_fd;			/* --ready-fd, until written */
	time_t started_at;
	const struct filters *filters;	/* compiled before the sandbox */
	int upfd[MAX_NICS];		/* uplink TAP fds until NET_READY */
	struct nat_engine engine;	/* the NAT engine, if the run has one */
	struct fwd_engine *fwd;		/* port forwards */
	bool forwarding;		/* ... listening, served by workers */
	struct ctl_server *ctl;		/* NAME.sock */
	bool started;			/* payload runs */
	bool have_status;
	int status;			/* payload's wait status */
	bool init_reaped;
	int init_status;		/* its wait status, once reaped */
	int abort_signal;		/* a signal ended the start */
	int64_t stop_deadline_ms;	/* `qbox stop`: SIGKILL then; 0: none */
	bool stop_killed;		/* ... and it came to that */
	/* a member of named networks (member.c) */
	int member_fd[MAX_NICS];	/* held join connections, or -1 */
	struct in_addr member_addr[MAX_NICS];	/* a command member's address
						   on its network, or 0 */
	/* a hub (hub.c) */
	struct hub hub;
};

/* ctl_handle_fn for the sandbox's control socket (sup_control.c) */
int sup_handle(void *opaque, const struct ctl_req *req, struct strbuf *out,
	       int *fd, long *hold, struct qerr *e);

/* JSON of one forward, and of all of them (stable: qbox fwd --list) */
void sup_fwd_json(struct strbuf *b, const struct fwd_spec *f,
		  struct in_addr guest, const char *text);
void sup_fwds_json(struct sup *s, struct strbuf *b);

/* "nat_engine": its pid, and how it ended if it did (ps --json, net
 * inspect --json) */
void sup_engine_json(struct sup *s, struct strbuf *b);

/* `qbox stop`: SIGTERM to the payload now, SIGKILL after @seconds */
void sup_stop(struct sup *s, unsigned int seconds);

#endif /* QBOX_SUP_H */
