/* SPDX-License-Identifier: MIT */
/*
 * ep.h - an fd in an epoll set, and the interest it is registered with
 *
 * The forward workers and the stream relay serve many fds from one
 * level-triggered epoll set, each registered only for what its owner waits
 * on (an idle socket's level-triggered HUP would otherwise spin). An event's
 * data points at the struct ep, whose kind tells its owner what it is.
 */
#ifndef QBOX_EP_H
#define QBOX_EP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The struct that holds @p as its @member: an event's owner */
#define container_of(p, type, member) \
	((type *)((char *)(p) - offsetof(type, member)))

struct ep {
	int kind;		/* the owner's: what the event points at */
	int fd;			/* -1: closed */
	uint32_t events;	/* current interest; 0: not in the set */
};

/* Register @ep for @events (0: leave the set). 0 or -errno. */
int ep_set(int epfd, struct ep *ep, uint32_t events);

/*
 * Leave the epoll set explicitly, then close. The set tracks open files,
 * not fds, and a file may live on in another process (a forward's
 * listener, in the supervisor and the other workers), where it would keep
 * reporting events for a freed object. Returns whether @ep was open.
 */
bool ep_close(int epfd, struct ep *ep);

#endif /* QBOX_EP_H */
