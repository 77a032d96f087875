/* SPDX-License-Identifier: MIT */
/*
 * fdpass.h - messages between the supervisor and the sandbox
 *
 * One SOCK_SEQPACKET socketpair links them: record boundaries for free,
 * SCM_RIGHTS for the uplink TAP fds, and EOF when either side dies, which
 * is how each learns that the other is gone.
 */
#ifndef QBOX_FDPASS_H
#define QBOX_FDPASS_H

#include <stdint.h>

#include "../common/err.h"

enum sbmsg_type {
	SBMSG_UPLINK = 1,	/* sandbox -> supervisor: TAP fd of NIC .nic */
	SBMSG_NET_READY,	/* sandbox -> supervisor: links are built */
	SBMSG_GO,		/* supervisor -> sandbox: uplinks run, start */
	SBMSG_STARTED,		/* sandbox -> supervisor: payload is .value */
	SBMSG_ERROR,		/* sandbox -> supervisor: setup failed, .err */
	SBMSG_EXIT,		/* sandbox -> supervisor: wait status .value */
	SBMSG_DIAL,		/* supervisor -> sandbox: connect a socket of
				   protocol .nic to .addr:.port, request .value */
	SBMSG_DIALED,		/* sandbox -> supervisor: the socket for request
				   .value, or its failure in .errnum */
	SBMSG_DHCP,		/* hub -> supervisor: the DHCP server's socket,
				   bound in the hub's netns */
};

/*
 * Only SBMSG_ERROR carries .err; the other messages are sent without it,
 * so that a burst of dial requests stays small in the socket's buffer.
 */
struct sbmsg {
	uint32_t type;
	int32_t nic;
	int32_t value;
	int32_t errnum;
	uint32_t addr;		/* IPv4, network order */
	uint16_t port;		/* host order */
	uint16_t pad;
	struct qerr err;
};

/* Send @m, with @fd attached when >= 0. 0 or -errno. */
int sbmsg_send(int sock, const struct sbmsg *m, int fd);

/*
 * The same without blocking: -EAGAIN when the socket is full. The
 * supervisor sends dial requests this way, since init may at that moment
 * be blocked sending it answers: two full buffers would wait on each other.
 */
int sbmsg_send_nowait(int sock, const struct sbmsg *m);

/*
 * Receive one message; *@fd gets an attached fd or -1. When the fd could
 * not be received (the receiver is out of fds), m->errnum says EMFILE.
 * Return: 1 for a message, 0 at EOF (peer gone), -errno on error.
 */
int sbmsg_recv(int sock, struct sbmsg *m, int *fd);

#endif /* QBOX_FDPASS_H */
