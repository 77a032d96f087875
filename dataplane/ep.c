// SPDX-License-Identifier: MIT
/* ep.c - an fd in an epoll set (see ep.h) */
#include "dataplane/ep.h"

#include <errno.h>
#include <sys/epoll.h>
#include <unistd.h>

int ep_set(int epfd, struct ep *ep, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = ep };
	int op;

	if (events == ep->events)
		return 0;
	op = !ep->events ? EPOLL_CTL_ADD : !events ? EPOLL_CTL_DEL :
						      EPOLL_CTL_MOD;
	if (epoll_ctl(epfd, op, ep->fd, &ev) < 0)
		return -errno;
	ep->events = events;
	return 0;
}

bool ep_close(int epfd, struct ep *ep)
{
	if (ep->fd < 0)
		return false;
	ep_set(epfd, ep, 0);
	close(ep->fd);
	ep->fd = -1;
	return true;
}
