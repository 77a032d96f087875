/* SPDX-License-Identifier: MIT */
/* qemu_argv.h - the NIC arguments qbox adds to a QEMU command line */
#ifndef QBOX_QEMU_ARGV_H
#define QBOX_QEMU_ARGV_H

#include <stdbool.h>
#include <stdint.h>

struct qemu_nic {
	int fd;		/* TAP fd the VM inherits; -1 for --net none */
	uint8_t mac[6];
};

/**
 * qemu_argv_build() - the user's QEMU argv plus qbox's NICs
 * @argv:	the user's argv, NULL-terminated
 * @nics:	one entry per --net; a single entry with fd -1 means "none"
 * @n:		number of entries
 *
 * Appends "-netdev tap,id=qboxN,fd=K" for every NIC, and
 * "-device virtio-net-pci,netdev=qboxN,mac=M" unless the user's argv already
 * names netdev=qboxN. A "none" NIC becomes "-nic none".
 * Return: a new argv (free with qemu_argv_free()), or NULL when out of memory
 */
char **qemu_argv_build(char *const argv[], const struct qemu_nic *nics, int n);

void qemu_argv_free(char **argv);

/* Whether some argument mentions netdev=@id as a whole option value */
bool qemu_argv_names_netdev(char *const argv[], const char *id);

#endif /* QBOX_QEMU_ARGV_H */
