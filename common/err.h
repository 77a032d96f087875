/* SPDX-License-Identifier: MIT */
/*
 * err.h - the one error convention of qbox
 *
 * Library code never prints and never exits. A function that can fail
 * returns 0 on success or a negative errno, and fills a struct qerr with a
 * message that names the culprit (the flag and value, FILE:LINE, or the
 * operation and the object it acted on). Only main paths (runner/main.c,
 * supervisor/supervisor.c) turn a struct qerr into output and an exit status:
 *
 *   exit 2  the user asked for something wrong (bad flag, bad value, missing
 *           command, an environment the user must fix such as /dev/net/tun
 *           permissions or disabled user namespaces); nothing was created.
 *   exit 1  a runtime step failed; the message names the step and errno.
 *
 * The distinction lives in qerr.usage, set by qerr_usage().
 */
#ifndef QBOX_ERR_H
#define QBOX_ERR_H

#include <stdbool.h>
#include <stddef.h>

#define QERR_MSG_MAX 1024

struct qerr {
	int errnum;		/* errno of the failure, 0 when none applies */
	bool usage;		/* the user's input or environment is at fault */
	char msg[QERR_MSG_MAX];
};

/**
 * qerr_set() - record a runtime failure
 * @e:		error to fill (may be NULL: the failure is then only returned)
 * @errnum:	errno of the failure; strerror(errnum) is appended when > 0
 * @fmt:	printf format naming the failing step and its object
 *
 * Return: -errnum, or -EIO when errnum is not positive
 */
int qerr_set(struct qerr *e, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/**
 * qerr_usage() - record a user error (exit status 2)
 * @e:		error to fill (may be NULL)
 * @fmt:	printf format; must name the flag, value or FILE:LINE at fault
 *
 * Return: -EINVAL
 */
int qerr_usage(struct qerr *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/**
 * qerr_prefix() - put context in front of an existing message
 * @e:		error holding a message
 * @fmt:	printf format of the context, e.g. "--fwd %s"
 *
 * "bad port" becomes "--fwd 99999:22: bad port".
 */
void qerr_prefix(struct qerr *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Exit status for an error: 2 for usage errors, 1 otherwise. */
int qerr_status(const struct qerr *e);

/* Print "qbox: MESSAGE" to stderr and exit with qerr_status(). */
__attribute__((noreturn)) void qerr_die(const struct qerr *e);

/* Print "qbox: MESSAGE" and exit with @status; for main paths only. */
__attribute__((noreturn, format(printf, 2, 3))) void die(int status,
							 const char *fmt, ...);

#endif /* QBOX_ERR_H */
