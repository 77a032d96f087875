/* SPDX-License-Identifier: MIT */
/*
 * ctl_proto.h - the control protocol between qbox commands and a sandbox
 *
 * One request per connection to $RUNDIR/NAME.sock, one line each way:
 *
 *   request:  VERB [ARG]\n          e.g. "fwd-add 2222:22", "stop 10"
 *   answer:   ok [PAYLOAD]\n        PAYLOAD is JSON where there is one
 *             err STATUS MESSAGE\n  STATUS is the exit status to use (2 for
 *                                   a bad request, 1 for a failure)
 *
 * "ns" answers "ok" with a pidfd of the sandbox's init attached
 * (SCM_RIGHTS); so does "join", on a network's NAME.sock. "wait" answers once the sandbox is ready; "stop" answers at
 * once and the connection then stays open until the sandbox is gone.
 * Pure functions here, so the parser can be unit-tested and fuzzed.
 */
#ifndef QBOX_CTL_PROTO_H
#define QBOX_CTL_PROTO_H

#include <stddef.h>

#include "common/err.h"

#define CTL_LINE_MAX 512

enum ctl_verb {
	CTL_INFO,	/* this sandbox, as JSON */
	CTL_SUMMARY,	/* this sandbox, one line of tab-separated columns */
	CTL_FWD_ADD,	/* arg: forward spec */
	CTL_FWD_LIST,	/* forwards, as a JSON array */
	CTL_FWD_REMOVE,	/* arg: [tcp:|udp:][HOSTADDR:]HOSTPORT */
	CTL_STOP,	/* arg: SECONDS[,force]: a VM's guest gets them to
			   power off, then SIGTERM, SIGKILL after them */
	CTL_WAIT,	/* answer when ready */
	CTL_NS,		/* a pidfd of init, to enter the namespaces */
	/* a named network's hub (network/hub.c) */
	CTL_JOIN,	/* arg: MODE,SUBNET,SANDBOX,MAC,vm|cmd; the answer
			   carries a pidfd of the hub's init, and the
			   connection stays open while the member lives */
	CTL_NET_INFO,	/* the network, its members and leases, as JSON */
	CTL_NET_RM,	/* arg: "idle" (refused while members run) or
			   "force" (members lose their link) */
	CTL_LINK,	/* arg: up|down[,nicN|,NETWORK]: plug or unplug a
			   sandbox's NICs (all of them without a choice) */
	CTL_NET_INSPECT,	/* CTL_NET_INFO, and each member's IPv6
				   addresses as the hub has bound them (a
				   child reads them: not for every join) */
	CTL_NET_LINK,	/* arg: a VDE locator (the rest of the line, spaces
			   and all): one more link of the network */
	CTL_NET_UNLINK,	/* arg: the locator of a link: it goes */
};

struct ctl_req {
	enum ctl_verb verb;
	char arg[CTL_LINE_MAX];
	unsigned int seconds;	/* CTL_STOP */
	bool force;		/* CTL_NET_RM, CTL_STOP */
};

/* Parse one request line (without or with its '\n'). 0 or -EINVAL. */
int ctl_req_parse(const char *line, struct ctl_req *r, struct qerr *e);

/* Format a request line with its '\n'. Length, or -ENOSPC. */
int ctl_req_format(const struct ctl_req *r, char *buf, size_t size);

/**
 * ctl_answer_parse() - split an answer line
 * @line:	the line, '\n' stripped; modified
 * @status:	0 for "ok", else the error's exit status (1 or 2)
 * @text:	the payload after "ok ", or the error message
 *
 * Return: 0, or -EPROTO for a line that is neither
 */
int ctl_answer_parse(char *line, int *status, const char **text);

#endif /* QBOX_CTL_PROTO_H */
