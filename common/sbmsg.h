/* SPDX-License-Identifier: MIT */
/*
 * sbmsg.h - messages between the supervisor and the sandbox
 *
 * One SOCK_SEQPACKET socketpair links them: record boundaries for free,
 * SCM_RIGHTS for the uplink TAP fds, and EOF when either side dies, which
 * is how each learns that the other is gone. Each confined child
 * (seccomp/child.h: a forward worker, the NAT engine, a hub's stream
 * relay) has a socketpair of its own with its parent; the same messages
 * travel on it.
 */
#ifndef QBOX_SBMSG_H
#define QBOX_SBMSG_H

#include <stdint.h>

#include "common/err.h"

enum sbmsg_type {
	SBMSG_UPLINK = 1,	/* sandbox -> supervisor: TAP fd of NIC .nic */
	SBMSG_NET_READY,	/* sandbox -> supervisor: links are built */
	SBMSG_GO,		/* supervisor -> sandbox: uplinks run, start */
	SBMSG_STARTED,		/* sandbox -> supervisor: payload is .value */
	SBMSG_ERROR,		/* sandbox -> supervisor: setup failed, .err */
	SBMSG_EXIT,		/* sandbox -> supervisor: wait status .value */
	SBMSG_LISTEN,		/* supervisor -> worker: serve the listener
				   attached as forward .value: protocol .nic,
				   to the guest's .addr:.port (.addr6 when
				   .family is AF_INET6) */
	SBMSG_UNLISTEN,		/* supervisor -> worker: stop forward .value */
	SBMSG_DONE,		/* worker -> supervisor: (UN)LISTEN .value
				   handled; failed with .errnum if not 0 */
	/* a hub's generic members (network/hub_stream.c) */
	SBMSG_RELAY,		/* hub -> supervisor: the stream relay's
				   message socket */
	SBMSG_RELAY_EXIT,	/* hub -> supervisor: the stream relay died
				   while the hub ran; status .value */
	SBMSG_TAP_REQ,		/* supervisor -> hub: a TAP on the bridge for
				   socket member .value */
	SBMSG_TAP,		/* hub -> supervisor: its fd, or .errnum */
	SBMSG_TAP_DEL,		/* supervisor -> hub: socket member .value left:
				   delete its TAP (and its rules) */
	SBMSG_GUARD_REQ,	/* supervisor -> hub: socket member .value sends
				   from .mac, leased .addr (0: none): its TAP's
				   anti-spoofing rules, then bring it up */
	SBMSG_GUARD,		/* hub -> supervisor: done, or .errnum */
	SBMSG_STREAM_DROP,	/* supervisor -> relay: hang up on member
				   .value (.errnum says why) */
	SBMSG_STREAM_CONN,	/* supervisor -> relay: member .value's
				   connection; its SBMSG_STREAM_TAP follows */
	SBMSG_STREAM_TAP,	/* supervisor -> relay: member .value's TAP */
	SBMSG_STREAM_MAC,	/* relay -> supervisor: member .value sends
				   from .mac */
	SBMSG_STREAM_GONE,	/* relay -> supervisor: member .value hung up
				   (.errnum: EPROTO for a malformed length,
				   another errno for an error, 0 at EOF) */
	SBMSG_STREAM_UP,	/* supervisor -> relay: member .value's TAP is
				   guarded and up */
	SBMSG_READY,		/* a confined child -> its parent: confined,
				   serving (seccomp/child.h) */
	SBMSG_CHILD_PID,	/* a child starting in a PID namespace of its
				   own -> its parent: it is .value, not the
				   process that forked it (seccomp/child.h) */
	SBMSG_OWNER,		/* a hub's reader of its IPv6 bindings ->
				   the hub: .addr6 is .mac's
				   (network/hub_owners.c) */
	SBMSG_PLUG_STATS,	/* a VDE relay -> the supervisor: frames to
				   its TAP and from it, two uint64_t in
				   .addr6 (dataplane/vde_relay.h) */
	SBMSG_EGRESS,		/* init -> supervisor: the kernel egress
				   path's worker J's listener (.value 2J)
				   or queue (2J + 1), for NICs .nic (a bit
				   each) */
	SBMSG_EGRESS_OFF,	/* init -> supervisor: no kernel egress
				   path here, .err says why */
};

/*
 * Only SBMSG_ERROR and SBMSG_EGRESS_OFF carry .err; the other messages are sent without it,
 * so they stay small in the socket's buffer.
 */
struct sbmsg {
	uint32_t type;
	int32_t nic;
	int32_t value;
	int32_t errnum;
	uint32_t addr;		/* IPv4, network order */
	uint16_t port;		/* host order */
	uint16_t family;	/* of LISTEN's guest: AF_INET6 takes .addr6 */
	uint8_t addr6[16];
	uint8_t mac[6];
	uint16_t pad2;
	struct qerr err;
};

/* Send @m, with @fd attached when >= 0. 0 or -errno. */
int sbmsg_send(int sock, const struct sbmsg *m, int fd);

/*
 * Send @m with write(2), no fd: for a confined child whose filter allows
 * write but not sendmsg (the NAT engine's, policies/uplink.policy). A
 * SOCK_SEQPACKET socket keeps it one record. 0 or -errno.
 */
int sbmsg_write(int sock, const struct sbmsg *m);

/*
 * Receive one message; *@fd gets an attached fd or -1. When the fd could
 * not be received (the receiver is out of fds), m->errnum says EMFILE.
 * Return: 1 for a message, 0 at EOF (peer gone), -errno on error.
 */
int sbmsg_recv(int sock, struct sbmsg *m, int *fd);

#endif /* QBOX_SBMSG_H */
