/* SPDX-License-Identifier: MIT */
/*
 * dnsmasq.h - a named network's DNS and DHCP server: dnsmasq, confined
 *
 * A network with an address of its own runs Debian's dnsmasq in its
 * namespaces as the DNS server of its members: their names (plan/names.h)
 * from a hosts file the hub writes as members join and leave, and, on a
 * natnet, every other name forwarded to the NAT engine's DNS forwarder.
 * On hostonly and internal networks nothing is forwarded: only the
 * network's own names resolve. Where the network has DHCP, dnsmasq is its
 * DHCP server too: members' addresses are the hub's to decide
 * (network/leases.h), written as dnsmasq's DHCP hosts file beside the
 * hosts file; other clients get leases of the pool, which dnsmasq keeps in
 * its lease file (read back for `qbox net inspect`, and kept when dnsmasq
 * is started again).
 *
 * dnsmasq is started by the hub's supervisor as a confined child
 * (seccomp/child.h) that enters the network's user and network namespaces,
 * runs as pid 1 of a PID namespace of its own, builds its own view of the
 * filesystem (the system read-only and its
 * directory, $RUNDIR/net@NAME.dns: nothing of the user's),
 * keeps CAP_NET_BIND_SERVICE over the network's namespace (for ports 53
 * and 67) and, serving DHCP, CAP_NET_ADMIN there (dnsmasq will not start
 * its DHCP without it) and, advertising an IPv6 prefix (an internal
 * network's), CAP_NET_RAW there (router advertisements go out through a
 * raw ICMPv6 socket), sets no_new_privs, loads policies/dnsmasq.policy
 * and execs dnsmasq with its whole configuration on the command line (no
 * file of the host's is read). Killed or crashed, it is started again,
 * and `qbox net inspect` says how often and why.
 */
#ifndef QBOX_DNSMASQ_H
#define QBOX_DNSMASQ_H

#include <netinet/in.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/err.h"
#include "common/json.h"
#include "netns/view.h"
#include "plan/spec.h"
#include "seccomp/filter.h"

/* The policy dnsmasq runs under (policies/dnsmasq.policy) */
#define DNSMASQ_POLICY "dnsmasq"

/* Its argv: at most this many strings */
#define DNSMASQ_ARGS_MAX 56

/* A DHCP lease's time, in seconds */
#define DNSMASQ_LEASE_S 3600

/* Its lease file is read up to this size: a full pool (LEASES_POOL_MAX
 * lines of at most about 100 bytes) fits well */
#define DNSMASQ_LEASES_MAX (256 * 1024)

struct dnsmasq_cfg {
	const char *dir;	/* its directory: hosts, pid, log, leases */
	struct in_addr listen;	/* the hub's address on the segment */
	struct in_addr upstream;	/* where other names go; 0: nowhere */
	const char *domain;	/* the network's (plan/names.h) */
	/* DHCP: the pool it leases from; pool_first 0: no DHCP */
	struct in_addr pool_first, pool_last;
	unsigned int prefix;	/* the segment's */
	struct in_addr router;	/* option 3; 0: none sent */
	const struct net_dhcp_opt *opts;	/* dhcp-option=, the user's */
	int n_opts;
	const char *tftp;	/* tftp=DIR, absolute, served read-only by
				   TFTP; NULL: none */
	const char *bootfile;	/* bootfile=FILE in it, DHCP's boot file;
				   NULL: none */
	const struct in6_addr *listen6;	/* the hub's IPv6 address, or NULL */
	const struct in6_addr *ra6;	/* a /64 to advertise (router
					   advertisements, no default
					   route), or NULL */
};

struct dnsmasq {
	struct dnsmasq_cfg cfg;
	char *dir;		/* owned; cfg.dir */
	char *argv[DNSMASQ_ARGS_MAX];
	char argbuf[8192];
	struct view view;
	scmp_filter_ctx filter;		/* policies/dnsmasq.policy */
	scmp_filter_ctx baseline;	/* not owned */
	const char *program;	/* dnsmasq's path */
	pid_t pid;		/* 0: not running */
	int pidfd;		/* of pid, or -1 */
	int poll_idx;		/* in the hub's poll set, or -1 */
	int restarts;
	int64_t started_ms;	/* when it last started */
	int64_t restart_at_ms;	/* a start is due then; 0: none */
	char ended[QERR_MSG_MAX];	/* how it last ended, "" if never */
};

/**
 * dnsmasq_prepare() - what dnsmasq needs, before any namespace exists
 * @d:		filled
 * @c:		its configuration; @c->dir is made (0700) by the first
 *		dnsmasq_start() or dnsmasq_names(), once the hub holds its
 *		name, and goes with the name (common/rundir.c)
 * @baseline:	qbox's baseline filter, stacked under its policy
 * @e:		a usage error when dnsmasq is not installed or its policy
 *		does not compile
 *
 * Return: 0 or -errno; dnsmasq_free() @d either way
 */
int dnsmasq_prepare(struct dnsmasq *d, const struct dnsmasq_cfg *c,
		    scmp_filter_ctx baseline, struct qerr *e);

/**
 * dnsmasq_start() - start it in the namespaces of @init
 * @d:		prepared
 * @init:	the network's init
 * @e:		what failed
 *
 * Returns once dnsmasq listens (it wrote its pid file) or has died.
 * Return: 0 or -errno with @e
 */
int dnsmasq_start(struct dnsmasq *d, pid_t init, struct qerr *e);

/**
 * dnsmasq_names() - give dnsmasq the network's hosts and DHCP hosts files
 * @d:		prepared
 * @hosts:	names_hosts()'s
 * @dhcp_hosts:	leases_hostsfile()'s; NULL without DHCP
 *
 * Each written beside and renamed over the old one, then SIGHUP: dnsmasq
 * re-reads both. Return: 0 or -errno
 */
int dnsmasq_names(struct dnsmasq *d, const char *hosts,
		  const char *dhcp_hosts);

/**
 * dnsmasq_leases() - its lease file's contents
 * @d:		prepared
 * @out:	the file appended, cut at DNSMASQ_LEASES_MAX (nothing when
 *		there is none), each NUL byte in it as '?'
 *
 * Return: 0 or -errno
 */
int dnsmasq_leases(const struct dnsmasq *d, struct strbuf *out);

/**
 * dnsmasq_replace_leases() - start it again on the lease file @text
 * @d:		started, or waiting to be
 * @text:	the new lease file
 * @init:	the network's init
 * @e:		what failed
 *
 * dnsmasq keeps its leases in memory and rewrites its file from them, so
 * a lease can only be taken from it by stopping it first (network/leases.h
 * says when that is needed). A dnsmasq waiting for its restart keeps
 * waiting, on the new file; one that does not start again is started
 * later by dnsmasq_tend(), as after a death.
 * Return: 0 or -errno with @e
 */
int dnsmasq_replace_leases(struct dnsmasq *d, const char *text, pid_t init,
			   struct qerr *e);

/*
 * After the hub's poll: reap a dnsmasq that ended (its pidfd readable)
 * and, once its restart is due, start it again. Says on stderr what
 * happened. @revents: of its pidfd, 0 when it was not polled.
 */
void dnsmasq_tend(struct dnsmasq *d, short revents, pid_t init);

/* Milliseconds until dnsmasq_tend() has a restart to do, or -1 */
int64_t dnsmasq_due_ms(const struct dnsmasq *d);

/* "names":{...} for net inspect --json */
void dnsmasq_json(const struct dnsmasq *d, struct strbuf *b);

/* Stop it (SIGTERM, then SIGKILL) and free @d */
void dnsmasq_free(struct dnsmasq *d);

#endif /* QBOX_DNSMASQ_H */
