/* SPDX-License-Identifier: MIT */
/*
 * dial.h - a TCP connection from inside a sandbox's or network's namespace,
 * for qbox nc and qbox wait --tcp
 *
 * A guest's address means something only inside its sandbox's (or its
 * network's) network namespace, so the client enters it: a pidfd of the
 * namespace's init (the `ns` request), one setns() into its user and
 * network namespaces, then the client confines itself like a payload (no
 * capabilities, no_new_privs, the baseline and the nc filter) before it
 * makes a socket there. The pidfd stays open: it turns readable when the
 * sandbox ends, so that nothing waits on a namespace that is gone.
 */
#ifndef QBOX_DIAL_H
#define QBOX_DIAL_H

#include <netinet/in.h>

/*
 * The way out once confined: "qbox: @cmd: MESSAGE" on stderr (none for a
 * NULL @fmt), then _exit: exit-time machinery such as LeakSanitizer's
 * (which ptraces) would hang under the filter
 */
__attribute__((noreturn, format(printf, 3, 4)))
void dial_exit(const char *cmd, int status, const char *fmt, ...);

/*
 * Enter the user and network namespaces of @pidfd's process (the init of
 * sandbox or network @name: client_ns()) and confine this process. Dies
 * with exit 1 on a failure, naming @cmd.
 */
void dial_enter(const char *cmd, const char *name, int pidfd);

/*
 * One connect from inside to @to, non-blocking, within @timeout_ms.
 * Return: the connected socket; -ETIMEDOUT; -ESRCH when the sandbox ended
 * meanwhile (@pidfd readable); or -errno (ECONNREFUSED: nothing listens,
 * EHOSTUNREACH: no host at that address, ...)
 */
int dial_once(const struct sockaddr_storage *to, int timeout_ms, int pidfd);

#endif /* QBOX_DIAL_H */
