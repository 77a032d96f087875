/* SPDX-License-Identifier: MIT */
/*
 * sup.h - the supervisor's state, whatever its role (role.h), and the
 * services it offers its role: forwards, the NAT engine's state, the
 * sandbox's messages, stop
 */
#ifndef QBOX_SUP_H
#define QBOX_SUP_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "common/pollset.h"
#include "control/ctl_server.h"
#include "dataplane/egress.h"
#include "dataplane/nat_engine.h"
#include "dataplane/vde_relay.h"
#include "netns/sandbox.h"
#include "plan/plan.h"
#include "seccomp/child.h"
#include "supervisor/fwd_engine.h"
#include "supervisor/role.h"

/* A VDE plug, a TAP and its relay, as the supervisor keeps it
 * (sup_vde.c): a vde NIC's, or a network's link */
struct sup_vde {
	bool on;			/* started, and to be kept going */
	char locator[VDE_LOCATOR_MAX + 1];
	char text[VDE_LOCATOR_MAX + 64];	/* for messages: the --net
						   value, or link=LOCATOR */
	int tapfd;			/* its TAP (-1: none) */
	bool own_tap;			/* ... closed with the plug (a link's);
					   a NIC's is s->upfd[]'s */
	struct child ch;		/* pid 0: not running now */
	struct vde_relay_cfg cfg;
	char descr[96];
	char scheme[VDE_SCHEME_MAX + 1];
	unsigned int restarts;		/* started again since */
	char last[256];			/* how the last one ended, or why it
					   would not start again */
	int64_t started_ms;		/* now_ns's clock: the last start */
	int64_t retry_at_ms;		/* ... the next one */
	unsigned int wait_ms;		/* ... the back-off */
	int poll_idx;			/* its socket in the loop's poll set */
	uint64_t stats[2];		/* frames in (to the TAP) and out, as
					   its relays last said */
};

struct sup {
	const struct plan *plan;
	const struct role *role;
	void *role_arg;			/* what supervise() was given for it */
	void *role_data;		/* the role's own */
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
	bool started;			/* the sandbox runs (its payload) */
	bool have_status;
	int status;			/* init's word: the payload's status */
	bool init_reaped;
	int init_status;		/* its wait status, once reaped */
	int abort_signal;		/* a signal ended the start */
	int64_t powerdown_deadline_ms;	/* `qbox stop` of a VM: SIGTERM
					   then; 0: none */
	int64_t stop_deadline_ms;	/* `qbox stop`: SIGKILL then; 0: none */
	unsigned int stop_seconds;	/* ... its --timeout */
	bool stop_killed;		/* ... and it came to that */
	bool qmp;			/* a VM's NAME.qmp is bound */
	bool link_down[MAX_NICS];	/* NIC unplugged (link=down, qbox
					   link) */
	struct net_impair impair[MAX_NICS];	/* rate=, loss=, ... now */
	int pcap_fd[MAX_NICS];		/* pcap=FILE, while its capture starts */
	struct child pcap[MAX_NICS];	/* ... its capture (sup_pcap.c) */
	struct sup_vde vde[MAX_NICS];	/* vde NICs' plugs (sup_vde.c);
					   their TAPs stay in upfd[] */
	struct sup_vde links[NET_LINKS_MAX];	/* a network's links */
	/* the kernel's egress path (sup_egress.c) */
	int egress_fd[2 * EGRESS_WORKERS_MAX];	/* worker J's listener
					   (2J) and queue (2J + 1), from init
					   until the workers start */
	int n_egress;			/* workers: pairs received */
	unsigned int egress_nics;	/* NICs on it, a bit each */
	unsigned int egress_off;	/* NICs it could not be made for */
	struct child egress[EGRESS_WORKERS_MAX];	/* its workers */
};

/* "KEY":"ADDR", or "KEY":"" for none (0.0.0.0) */
void sup_addr_json(struct strbuf *b, const char *key, struct in_addr a);

/* JSON of one forward, and of all of them (stable: qbox fwd --list) */
void sup_fwd_json(struct strbuf *b, const struct fwd_spec *f,
		  const struct ipaddr *guest, const char *text);
void sup_fwds_json(struct sup *s, struct strbuf *b);

/* "nat_engine": its pid, and how it ended if it did (ps --json, net
 * inspect --json) */
void sup_engine_json(struct sup *s, struct strbuf *b);

/*
 * `qbox stop` (sup_link.c): a VM's guest asked to power off, SIGTERM after
 * @seconds; a command (or @force) SIGTERMed now; SIGKILL @seconds after
 * SIGTERM
 */
void sup_stop(struct sup *s, unsigned int seconds, bool force);

/* The stop's clocks: what is due now is done */
void sup_stop_clock(struct sup *s);

/* When the stop's next step is due (ms, now_ns's clock), or 0: none */
int64_t sup_stop_next_ms(const struct sup *s);

/*
 * link=down NICs unplugged: a command's (@vm false) before GO, a VM's
 * (@vm true) once QEMU runs, and the guest let go on when qbox held it
 * (-S). 0 or -errno with @e naming the --net value.
 */
int sup_links_start(struct sup *s, bool vm, struct qerr *e);

/*
 * pcap=FILE (sup_pcap.c): its files opened and their captures started at
 * NET_READY (a usage error names the --net value), stopped at the end
 */
int sup_pcap_start(struct sup *s, struct qerr *e);
void sup_pcap_stop(struct sup *s);

/*
 * VDE plugs (sup_vde.c): vde NICs' started at NET_READY (a failure fails
 * the run, naming the --net value); a network's link @k added on @tapfd
 * (taken: closed on failure too) and removed; relays reaped after
 * SIGCHLD, started again when due (sup_vde_clock(), sup_vde_next_ms():
 * 0 for none due), their counters read in the loop; one plug's JSON;
 * all stopped at the end
 */
int sup_vde_start(struct sup *s, struct qerr *e);
int sup_link_add(struct sup *s, int k, const char *locator, int tapfd,
		 struct qerr *e);
void sup_link_remove(struct sup *s, int k);
void sup_vde_reap(struct sup *s);
void sup_vde_clock(struct sup *s);
int64_t sup_vde_next_ms(struct sup *s);
void sup_vde_poll_fill(struct sup *s, struct pollset *ps);
void sup_vde_poll_done(struct sup *s, const struct pollset *ps);
void sup_vde_json(const struct sup_vde *v, struct strbuf *b);
void sup_vde_stop(struct sup *s);

/*
 * The kernel egress path (sup_egress.c): init's SBMSG_EGRESS and
 * SBMSG_EGRESS_OFF; its worker started at NET_READY, reaped (its death
 * ends the run: <0 with @e), stopped; a NIC's path, "kernel" or "slirp"
 */
int sup_egress_message(struct sup *s, const struct sbmsg *m, int fd,
		       struct qerr *e);
int sup_egress_start(struct sup *s, struct qerr *e);
int sup_egress_reap(struct sup *s, struct qerr *e);
void sup_egress_stop(struct sup *s);
const char *sup_egress_path(const struct sup *s, int nic);

/* The plan's rate=, loss=, delay= and jitter= made, at NET_READY (a
 * usage error names the --net value) */
int sup_impair_start(struct sup *s, struct qerr *e);

/* `qbox link`'s request "WORD[+WORD...][,nicN|,MODE:NETWORK]", its words
 * up, down, clear, rate=, loss=, delay=, jitter=. 0 or -errno with @e. */
int sup_link(struct sup *s, const char *arg, struct qerr *e);

/* Forward @spec (parsed, resolved on the plan, listening); @out its JSON.
 * 0 or -errno with @e. */
int sup_fwd_add(struct sup *s, const char *text, struct fwd_spec *spec,
		struct strbuf *out, struct qerr *e);

/* Stop the forward on @text's host side (@spec filled). 0 or -errno with
 * @e: a usage error when no forward is there. */
int sup_fwd_remove(struct sup *s, const char *text, struct fwd_spec *spec,
		   struct qerr *e);

/* ctl_handle_fn for the sandbox's control socket (sup_control.c): the
 * role's answers first, then the supervisor's own */
int sup_handle(void *opaque, const struct ctl_req *req, struct strbuf *out,
	       int *fd, long *hold, struct qerr *e);

#endif /* QBOX_SUP_H */
