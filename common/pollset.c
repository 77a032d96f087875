// SPDX-License-Identifier: MIT
/* pollset.c - see pollset.h */
#include "common/pollset.h"

#include <stdlib.h>

int pollset_add(struct pollset *ps, int fd, short events)
{
	if (ps->n == ps->cap) {
		int cap = ps->cap ? ps->cap * 2 : 32;
		struct pollfd *p = realloc(ps->fds, (size_t)cap * sizeof(*p));

		if (!p)
			return -1;
		ps->fds = p;
		ps->cap = cap;
	}
	ps->fds[ps->n].fd = fd;
	ps->fds[ps->n].events = events;
	ps->fds[ps->n].revents = 0;
	return ps->n++;
}

void pollset_reset(struct pollset *ps)
{
	ps->n = 0;
	ps->timeout_ms = -1;
}

void pollset_timeout(struct pollset *ps, int64_t ms)
{
	if (ms < 0)
		ms = 0;
	if (ms > 60000)
		ms = 60000;
	if (ps->timeout_ms < 0 || ms < ps->timeout_ms)
		ps->timeout_ms = (int)ms;
}

void pollset_free(struct pollset *ps)
{
	free(ps->fds);
	ps->fds = NULL;
	ps->n = ps->cap = 0;
}
