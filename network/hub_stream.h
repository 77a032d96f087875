/* SPDX-License-Identifier: MIT */
/*
 * hub_stream.h - a network's generic socket, $RUNDIR/net@NAME.stream
 *
 * Any program that speaks QEMU's stream protocol (dataplane/streamproto.h),
 * such as an unmodified `qemu -netdev stream,...,addr.path=...`, joins the
 * network by connecting to it: the supervisor accepts, has the hub's init
 * make the client a TAP on the bridge, and hands both fds to the stream
 * relay (dataplane/stream_relay.c), which moves the frames. Each client is a
 * member of kind "socket" until it hangs up.
 */
#ifndef QBOX_HUB_STREAM_H
#define QBOX_HUB_STREAM_H

#include "common/err.h"
#include "common/pollset.h"
#include "common/sbmsg.h"
#include "network/hub_members.h"

struct sup;

/* The socket's file in the runtime directory: "net@NAME.stream" */
void hub_stream_file(const char *hub_name, char *buf, size_t size);

/* Listen on net@NAME.stream; the caller holds the hub's name lock */
int hub_stream_listen(struct sup *s, struct qerr *e);

/*
 * A client's connection @fd (a datagram socket for MEMBER_VDE) becomes a
 * member like @proto (its kind, peer pid, a vde member's control
 * connection and socket path), its TAP asked for; @fd and what @proto
 * holds are taken. Its member id, or -1 (a full network: the client is
 * hung up on).
 */
long hub_stream_admit(struct sup *s, int fd, const struct hub_member *proto);

/* The pid of a client on @fd: -1 unless it is the user's own */
pid_t hub_stream_peer(int fd);

/* The relay's message socket arrived from the hub's init (SBMSG_RELAY) */
int hub_stream_relay(struct sup *s, int fd, struct qerr *e);

/* A TAP arrived from the hub's init (SBMSG_TAP): start that client */
void hub_stream_tap(struct sup *s, const struct sbmsg *m, int fd);

/* Init answered SBMSG_GUARD_REQ (SBMSG_GUARD): a failure drops the client */
void hub_stream_guarded(struct sup *s, const struct sbmsg *m);

void hub_stream_poll_fill(struct sup *s, struct pollset *ps);

/* Accept clients, hear the relay */
void hub_stream_poll_done(struct sup *s, struct pollset *ps);

/*
 * The hub's init reports the relay's death (SBMSG_RELAY_EXIT, wait status
 * @status): @e says what it said before, or how it ended. Returns -EIO:
 * the hub ends.
 */
int hub_stream_relay_died(struct sup *s, int status, struct qerr *e);

void hub_stream_free(struct sup *s);

#endif /* QBOX_HUB_STREAM_H */
