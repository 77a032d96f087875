// SPDX-License-Identifier: MIT
/* err.c - the error convention described in err.h */
#include "common/err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void vfill(struct qerr *e, int errnum, bool usage, const char *fmt,
		  va_list ap) __attribute__((format(printf, 4, 0)));

static void vfill(struct qerr *e, int errnum, bool usage, const char *fmt,
		  va_list ap)
{
	int n;

	e->errnum = errnum;
	e->usage = usage;
	n = vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	if (n < 0)
		n = 0;
	if (errnum > 0 && (size_t)n < sizeof(e->msg))
		snprintf(e->msg + n, sizeof(e->msg) - n, ": %s",
			 strerror(errnum));
}

int qerr_set(struct qerr *e, int errnum, const char *fmt, ...)
{
	va_list ap;

	if (e) {
		va_start(ap, fmt);
		vfill(e, errnum, false, fmt, ap);
		va_end(ap);
	}
	return errnum > 0 ? -errnum : -EIO;
}

int qerr_usage(struct qerr *e, const char *fmt, ...)
{
	va_list ap;

	if (e) {
		va_start(ap, fmt);
		vfill(e, 0, true, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

void qerr_prefix(struct qerr *e, const char *fmt, ...)
{
	char head[QERR_MSG_MAX], tail[QERR_MSG_MAX];
	va_list ap;

	if (!e)
		return;
	va_start(ap, fmt);
	vsnprintf(head, sizeof(head), fmt, ap);
	va_end(ap);
	memcpy(tail, e->msg, sizeof(tail));
	/* the message is cut at QERR_MSG_MAX on purpose */
	if (snprintf(e->msg, sizeof(e->msg), "%s: %s", head, tail) < 0)
		e->msg[0] = '\0';
}

int qerr_status(const struct qerr *e)
{
	return e->usage ? 2 : 1;
}

void qerr_die(const struct qerr *e)
{
	fprintf(stderr, "qbox: %s\n", e->msg);
	exit(qerr_status(e));
}

void die(int status, const char *fmt, ...)
{
	va_list ap;

	fputs("qbox: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}
