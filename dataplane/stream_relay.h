/* SPDX-License-Identifier: MIT */
/*
 * stream_relay.h - a hub's generic members: their frames between QEMU's
 * stream protocol and a TAP on the hub's bridge
 *
 * A hub's init starts one relay (network/hub_init.c), confined like a
 * forward worker, in the network's namespace. The supervisor accepts the
 * clients of net@NAME.stream, has init make a TAP for each, and passes
 * both fds to the relay (network/hub_stream.c); the relay moves the
 * frames, and reports each client's MAC and its hang-up.
 */
#ifndef QBOX_STREAM_RELAY_H
#define QBOX_STREAM_RELAY_H

#include "common/err.h"

/**
 * stream_relay_main() - the relay, started by child_start()
 * @arg:	the filters (const struct filters *): it confines itself as a
 *		payload would (no capabilities, no_new_privs, the baseline)
 * @sock:	message socket to the supervisor
 * @e:		error of a failed setup step
 *
 * Says it is confined, then relays frames until the supervisor hangs up.
 * Raises the soft RLIMIT_NOFILE to the hard limit: every client costs two
 * fds.
 * Return: 0 when the supervisor closed @sock, or -errno with @e
 */
int stream_relay_main(void *arg, int sock, struct qerr *e);

#endif /* QBOX_STREAM_RELAY_H */
