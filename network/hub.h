/* SPDX-License-Identifier: MIT */
/*
 * hub.h - a named network's hub: its members, its lifetime, its answers
 *
 * A hub is a supervisor (supervisor.c) whose plan has no payload: its
 * sandbox's init holds the network's namespaces and bridge, and the
 * supervisor runs the network's uplink, forwards and control socket
 * $RUNDIR/net@NAME.sock. Members join over that socket (member.c) and keep
 * the connection open for as long as they live.
 */
#ifndef QBOX_HUB_H
#define QBOX_HUB_H

#include <stdbool.h>
#include <stdint.h>

#include "common/json.h"
#include "common/pollset.h"
#include "control/ctl_proto.h"
#include "plan/plan.h"

struct sup;
struct dhcp_server;

#define HUB_MEMBERS_MAX 1024
#define HUB_FILE_PREFIX "net@"	/* not valid in a name: no clash with
				   sandboxes' files */

enum member_kind {
	MEMBER_CMD,	/* a sandbox running a command: address reserved */
	MEMBER_VM,	/* a sandbox running a VM: DHCP */
	MEMBER_SOCKET,	/* a client of net@NAME.stream (hub_stream.c) */
};

struct hub_member {
	long id;
	enum member_kind kind;
	char sandbox[SANDBOX_NAME_MAX + 1];	/* "" for a socket member */
	uint8_t mac[6];		/* a socket member's: its frames' source,
				   zero until the first */
	struct in_addr addr;	/* its reserved address: a command's, or a
				   VM's DHCP lease; 0: none (a socket
				   member's lease is in the table alone) */
	bool mac_known;		/* a socket member's MAC is claimed */
	pid_t pid;		/* a socket member's peer process, or 0 */
	char command[16];	/* ... its name */
};

/* A socket member accepted, its TAP not made yet */
struct hub_pending {
	long id;
	int fd;
};

struct hub_fwd {
	struct fwd_spec spec;	/* host side identifies it */
	long owner;		/* member id, 0: added with qbox fwd */
};

struct hub {
	struct net_spec spec;	/* the network as created */
	bool linger;		/* stays without members */
	struct hub_member *members;
	int n_members;
	long next_id;
	struct hub_fwd fwds[MAX_FWDS];
	int n_fwds;
	struct dhcp_server *dhcp;	/* leases: VMs' by DHCP, commands'
					   reserved at join */
	int dhcp_fd;			/* the server's socket, or -1 */
	/* generic members (hub_stream.c) */
	int stream_fd;			/* net@NAME.stream, listening, or -1 */
	char *stream_path;		/* ... its path, for qbox net socket */
	int relay_fd;			/* the stream relay's socket, or -1 */
	struct hub_pending *pending;	/* accepted, waiting for a TAP */
	int n_pending;
	struct qerr relay_err;		/* what the relay said, if it failed */
	int dhcp_idx, stream_idx, relay_idx;	/* in the poll set, or -1 */
	int64_t idle_deadline_ms;	/* 0: not idle, or lingering */
	bool done;			/* time to go */
};

/* The hub's answers: join, net-info, net-rm, forwards with owners */
int hub_handle(struct sup *s, const struct ctl_req *req, struct strbuf *out,
	       int *fd, long *hold, struct qerr *e);

/* Start the lease table (and the DHCP server, when @fd >= 0) */
int hub_dhcp_start(struct sup *s, struct qerr *e);

/* Poll set hooks: the DHCP socket and the generic members */
void hub_poll_fill(struct sup *s, struct pollset *ps);
void hub_poll_done(struct sup *s, struct pollset *ps);

/* Add @m (id set here), if the network has room. 0 or -errno with @e. */
int hub_member_add(struct hub *h, struct hub_member *m, struct qerr *e);

/*
 * Member @m's MAC is its own on the network, and its address fixed (a
 * command's; a VM's or socket member's DHCP lease where the network has
 * DHCP). 0, or -errno with @e (a usage error when the MAC is taken).
 */
int hub_member_claim(struct sup *s, struct hub_member *m, struct qerr *e);

/* Who @m is, for messages: its sandbox, or "socket qsID (COMMAND, pid N)" */
void hub_member_label(const struct hub_member *m, char *buf, size_t size);

/* The member @id, or NULL */
struct hub_member *hub_member_find(struct hub *h, long id);

/* A member's connection closed */
void hub_leave(void *opaque, long id);

/* Whether the hub should end now; *@deadline_ms set when it will, idle */
bool hub_should_end(struct sup *s, int64_t *deadline_ms);

/* `qbox __hub`: the hub daemon's main (started by hub_start()) */
int hub_main(int argc, char **argv);

#endif /* QBOX_HUB_H */
