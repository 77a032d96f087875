/* SPDX-License-Identifier: MIT */
/*
 * pollset.h - a poll() array rebuilt on every turn of an event loop
 *
 * libslirp hands out its sockets anew before each poll (slirp_pollfds_fill),
 * so the supervisor's loop refills one growable array rather than keeping a
 * long-lived epoll set in sync with slirp's socket churn.
 */
#ifndef QBOX_POLLSET_H
#define QBOX_POLLSET_H

#include <poll.h>
#include <stdint.h>

struct pollset {
	struct pollfd *fds;
	int n, cap;
	int timeout_ms;		/* -1: none */
};

/* Append @fd; returns its index, or -1 when out of memory */
int pollset_add(struct pollset *ps, int fd, short events);

/* Empty the set for a new turn, keeping its memory */
void pollset_reset(struct pollset *ps);

/* Lower the timeout to @ms if that is sooner */
void pollset_timeout(struct pollset *ps, int64_t ms);

void pollset_free(struct pollset *ps);

#endif /* QBOX_POLLSET_H */
