/* SPDX-License-Identifier: MIT */
/* tap.h - TAP devices: the sandbox's own, and an administrator's */
#ifndef QBOX_TAP_H
#define QBOX_TAP_H

#include <stdbool.h>

#include "common/err.h"

#define TUN_PATH "/dev/net/tun"

/**
 * tap_open() - create TAP device @name and return its fd
 * @name:	interface name
 * @vnet_hdr:	frames carry a virtio_net_hdr (for QEMU's offloads)
 * @e:		error naming the device
 *
 * Needs CAP_NET_ADMIN in the user namespace owning the current network
 * namespace, and read-write access to /dev/net/tun. The device is made
 * persistent: closing its last fd then leaves it to the namespace's
 * teardown, which the kernel runs in the background, instead of
 * unregistering it in close() (about 20 ms, which every `qbox run` paid
 * on its way out).
 * Return: fd (O_CLOEXEC) or -errno
 */
int tap_open(const char *name, bool vnet_hdr, struct qerr *e);

/**
 * tap_attach() - open a persistent TAP device an administrator made
 * @name:	the device, in the current network namespace
 * @e:		usage error naming the device and what is wrong with it (no
 *		such device, not a TAP, another user's, in use), runtime
 *		error otherwise; the caller puts the flag in front
 *
 * Never creates a device: a missing one is an error even for root.
 * Frames carry a virtio_net_hdr, as on the sandbox's own VM TAPs.
 * Return: fd (O_CLOEXEC) or -errno
 */
int tap_attach(const char *name, struct qerr *e);

/*
 * Check, before any namespace exists, that this user may open /dev/net/tun;
 * a usage error tells which mode it needs.
 */
int tap_check_access(struct qerr *e);

#endif /* QBOX_TAP_H */
