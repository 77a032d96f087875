/* SPDX-License-Identifier: MIT */
/*
 * qmp.h - qbox's own QMP monitor of a VM: commands on NAME.qmp
 *
 * The supervisor binds NAME.qmp in the runtime directory (owner only: the
 * directory is 0700) and hands the listening socket to QEMU with GO
 * (plan/qemu_argv.h adds the -chardev and -mon that serve it), so QEMU
 * needs no path of its view for it. Each use is a connection of its own:
 * the greeting, qmp_capabilities, the commands, hang up. QEMU serves one
 * QMP client at a time on a socket: the user's own monitor is their own
 * -qmp, not this one.
 */
#ifndef QBOX_QMP_H
#define QBOX_QMP_H

#include "common/err.h"

/* NAME.qmp */
void qmp_socket_name(const char *name, char *buf, size_t size);

/*
 * A QMP command's JSON: {"execute":"set_link","arguments":{"name":"qbox0",
 * "up":false}}; written to @buf, which holds QMP_CMD_MAX bytes
 */
#define QMP_CMD_MAX 160
void qmp_set_link(char *buf, int nic, bool up);

/**
 * qmp_run() - run commands on a VM's QMP monitor, in order
 * @dirfd:	runtime directory
 * @name:	the sandbox's name: its NAME.qmp
 * @cmds:	@n commands, each one JSON object (no newline)
 * @timeout_ms:	for the whole exchange: QEMU answers from its main loop,
 *		and one that does not answer in time is taken as hung
 * @e:		what failed: QEMU's own error's text ("Device 'x' not
 *		found"), or that it did not answer
 *
 * Return: 0 once every command returned, or -errno with @e (-ETIMEDOUT:
 * no answer in time; -EREMOTEIO: QEMU refused a command)
 */
int qmp_run(int dirfd, const char *name, const char *const *cmds, int n,
	    int timeout_ms, struct qerr *e);

#endif /* QBOX_QMP_H */
