/* SPDX-License-Identifier: MIT */
/* qemu_argv.h - the NIC arguments qbox adds to a QEMU command line */
#ifndef QBOX_QEMU_ARGV_H
#define QBOX_QEMU_ARGV_H

#include <stdbool.h>
#include <stdint.h>

#include "common/err.h"

struct qemu_nic {
	int fd;		/* TAP fd the VM inherits; -1 for --net none */
	uint8_t mac[6];
};

/* The id of NIC N's netdev: "qbox%d" */
#define QEMU_NETDEV_ID "qbox%d"

/* The chardev of qbox's own QMP monitor */
#define QEMU_QMP_ID "qbox-qmp"

/* What qbox adds to QEMU's argv beyond the NICs */
struct qemu_extra {
	int qmp_fd;	/* a listening socket for qbox's QMP monitor, or -1 */
	bool hold;	/* add -S: qbox unplugs link=down NICs, then runs
			   the guest (QMP cont) */
};

/* Whether the user's argv keeps the guest from running at once (-S, or
 * -incoming): then qbox neither adds -S nor sends cont */
bool qemu_argv_holds(char *const argv[]);

/**
 * qemu_argv_build() - the user's QEMU argv plus qbox's NICs and monitor
 * @argv:	the user's argv, NULL-terminated
 * @nics:	one entry per --net; a single entry with fd -1 means "none"
 * @n:		number of entries
 * @x:		qbox's QMP monitor: "-chardev socket,id=qbox-qmp,fd=K,
 *		server=on,wait=off -mon chardev=qbox-qmp,mode=control", and
 *		"-S" when @x->hold
 *
 * Appends "-netdev tap,id=qboxN,fd=K" for every NIC, and
 * "-device virtio-net-pci,netdev=qboxN,mac=M" unless the user's argv already
 * names netdev=qboxN; then that argument gets ",mac=M" unless it has a
 * mac= (see qemu_argv_user_mac()). A "none" NIC becomes "-nic none".
 * Return: a new argv (free with qemu_argv_free()), or NULL when out of memory
 */
char **qemu_argv_build(char *const argv[], const struct qemu_nic *nics, int n,
		       const struct qemu_extra *x);

void qemu_argv_free(char **argv);

/* Whether some argument mentions netdev=@id as a whole option value */
bool qemu_argv_names_netdev(char *const argv[], const char *id);

/**
 * qemu_argv_user_mac() - the MAC the user's own -device gives netdev @id
 * @argv:	the user's argv
 * @id:		"qboxN"
 * @mac:	filled when the argument naming netdev=@id has mac=
 * @e:		usage error naming the argument when that MAC is malformed
 *
 * The plan takes it as the NIC's MAC: the hub reserves the VM's address
 * for it and the anti-spoofing rules allow it alone.
 * Return: 1 (found), 0 (none), -EINVAL
 */
int qemu_argv_user_mac(char *const argv[], const char *id, uint8_t mac[6],
		       struct qerr *e);

#endif /* QBOX_QEMU_ARGV_H */
