/* SPDX-License-Identifier: MIT */
/*
 * hub_members.h - a named network's state: its members, its forwards, its
 * leases, and what its parts keep (hub_members.c)
 *
 * struct hub is the hub role's data (hub.c), shared by its parts: the
 * members (hub_members.c), the generic socket's clients (hub_stream.c)
 * and the role itself. Members join over $RUNDIR/net@NAME.sock (their
 * side is supervisor/member.c) and keep the connection open for as long
 * as they live; clients of the generic socket are members too.
 */
#ifndef QBOX_HUB_MEMBERS_H
#define QBOX_HUB_MEMBERS_H

#include <stdbool.h>
#include <stdint.h>

#include "common/json.h"
#include "common/pollset.h"
#include "control/ctl_proto.h"
#include "network/dnsmasq.h"
#include "plan/plan.h"
#include "supervisor/sup.h"

struct leases;

#define HUB_MEMBERS_MAX 1024

enum member_kind {
	MEMBER_CMD,	/* a sandbox running a command: address reserved */
	MEMBER_VM,	/* a sandbox running a VM: DHCP */
	MEMBER_SOCKET,	/* a client of net@NAME.stream (hub_stream.c) */
	MEMBER_VDE,	/* a client of net@NAME.vde (hub_vde.c): a socket
			   member whose frames are datagrams */
};

/* Whether @k is a client of the network's own sockets (a TAP qsID of its
 * own, its MAC learnt from its first frame) */
static inline bool member_is_client(enum member_kind k)
{
	return k == MEMBER_SOCKET || k == MEMBER_VDE;
}

struct hub_member {
	long id;
	enum member_kind kind;
	char sandbox[SANDBOX_NAME_MAX + 1];	/* "" for a socket member */
	uint8_t mac[6];		/* a socket member's: its frames' source,
				   zero until the first */
	struct in_addr addr;	/* its reserved address: a command's, or a
				   VM's DHCP lease; 0: none (a socket
				   member's lease is in the table alone) */
	struct in_addr want;	/* the address it asked for (ip=), or 0 */
	bool mac_known;		/* a socket member's MAC is claimed */
	pid_t pid;		/* a socket member's peer process, or 0 */
	char command[16];	/* ... its name */
	/* a vde member's (hub_vde.c): its control connection, whose end
	   is its own, and the path of its data socket here */
	bool vde;
	int vde_ctl;
	int vde_idx;		/* ... in the poll set, or -1 */
	char vde_path[108];
};

/* What member @m holds of its own (a vde member's connection and
 * socket file) goes; done by hub_member_leave() */
void hub_member_release(struct hub_member *m);

/* A socket member accepted, its TAP not made yet */
struct hub_pending {
	long id;
	int fd;
	bool dgram;		/* a vde member's data socket: datagrams */
};

struct hub_fwd {
	struct fwd_spec spec;	/* host side identifies it */
	long owner;		/* member id, 0: added with qbox fwd */
};

/* A link's state (hub_links.c) */
enum hub_link_state {
	HUB_LINK_NONE,		/* the slot is free */
	HUB_LINK_ASKED,		/* its TAP is asked of init */
	HUB_LINK_PLUGGED,	/* its relay runs, or will again */
	HUB_LINK_FAILED,	/* given up: why is in its plug's last */
};

struct hub {
	struct net_spec spec;	/* the network as created */
	bool linger;		/* stays without members */
	struct hub_member *members;
	int n_members;
	long next_id;
	struct hub_fwd fwds[MAX_FWDS];
	int n_fwds;
	struct leases *leases;		/* members' addresses, reserved at
					   join, and dnsmasq's leases */
	bool dhcp;			/* dnsmasq serves DHCP */
	bool names;			/* the network has a DNS server */
	struct dnsmasq dns;		/* ... dnsmasq (dnsmasq.h) */
	struct in_addr names_host;	/* ... host.qbox.internal, or 0 */
	/* generic members (hub_stream.c) */
	int stream_fd;			/* net@NAME.stream, listening, or -1 */
	char *stream_path;		/* ... its path, for qbox net socket */
	int relay_fd;			/* the stream relay's socket, or -1 */
	struct hub_pending *pending;	/* accepted, waiting for a TAP */
	int n_pending;
	struct qerr relay_err;		/* what the relay said, if it failed */
	int stream_idx, relay_idx;	/* in the poll set, or -1 */
	int64_t idle_deadline_ms;	/* 0: not idle, or lingering */
	bool done;			/* time to go */
	int dir_lock;			/* the runtime directory's, while the
					   hub starts (hub.c), or -1 */
	enum hub_link_state link_state[NET_LINKS_MAX];	/* its links, the
						   supervisor's links[] */
	bool links_started;		/* those of its spec asked for */
	/* the network as a VDE switch (hub_vde.c) */
	int vde_fd;			/* net@NAME.vde/ctl, listening, or -1 */
	int vde_idx;			/* ... in the poll set, or -1 */
	unsigned int vde_seq;		/* its ports' data sockets, numbered */
};

/* The hub's state: its supervisor's role data */
static inline struct hub *hub_of(struct sup *s)
{
	return s->role_data;
}

/* The time leases run on: wall-clock seconds, as in dnsmasq's lease file */
int64_t hub_now_s(void);

/* Take in dnsmasq's lease file, where the network has DHCP */
void hub_leases_read(struct hub *h);

/* After a reservation: settle a conflict with dnsmasq's leases, if any
 * (hub_members.c) */
void hub_leases_settle(struct sup *s);

/*
 * `join MODE,SUBNET,SANDBOX,MAC,KIND` (hub_members.c): a new member, whose
 * id goes to *@hold (its connection is held), a pidfd of the hub's init
 * to *@fd, its address and veth peer to @out. 0 or -errno with @e.
 */
int hub_member_join(struct sup *s, const char *text, struct strbuf *out,
		    int *fd, long *hold, struct qerr *e);

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

/* Member @id left (its connection closed, or its socket client hung up) */
void hub_member_leave(struct sup *s, long id);

/* The members' names to the network's DNS server (dnsmasq.h), if any */
void hub_names_update(struct hub *h);

#endif /* QBOX_HUB_MEMBERS_H */
