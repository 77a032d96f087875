/* SPDX-License-Identifier: MIT */
/*
 * forward.h - port forwards: host listeners relayed into the sandbox
 *
 * The fast path: qbox listens on the host, has the sandbox's init open a
 * socket to the guest from inside the sandbox's network namespace (the
 * sandbox's bridge holds an address in the guest's subnet), and moves the
 * bytes between the two sockets with splice(2), never through libslirp's
 * user-mode TCP stack. UDP forwards keep one sandbox socket per host peer.
 */
#ifndef QBOX_FORWARD_H
#define QBOX_FORWARD_H

#include <netinet/in.h>
#include <stdint.h>

#include "../common/err.h"
#include "spec.h"

struct fwd_engine;

/*
 * Ask the sandbox for a socket of @proto connected (or connecting) to
 * @guest:@port; the answer comes back through fwd_engine_dialed() with @id.
 * Returns 0, or -errno when the request could not be sent.
 */
typedef int (*fwd_dial_fn)(void *opaque, uint32_t id, int proto,
			   struct in_addr guest, uint16_t port);

struct fwd_engine *fwd_engine_new(fwd_dial_fn dial, void *opaque,
				  struct qerr *e);

/**
 * fwd_engine_add() - listen on the host side of @spec
 * @fe:		engine
 * @spec:	the forward
 * @guest:	address to reach in the sandbox
 * @text:	the forward as the user wrote it, for listings
 * @e:		error naming the host address ("127.0.0.1:2222 is already in
 *		use"); the caller prefixes the flag
 *
 * Return: 0 or -errno
 */
int fwd_engine_add(struct fwd_engine *fe, const struct fwd_spec *spec,
		   struct in_addr guest, const char *text, struct qerr *e);

/*
 * Stop the forward whose host side is @host's (protocol, address, port):
 * its listener closes, so new connections are refused; open TCP relays
 * finish on their own; UDP flows end with it. 0 or -ENOENT.
 */
int fwd_engine_remove(struct fwd_engine *fe, const struct fwd_spec *host);

/* The forwards, in the order they were added */
int fwd_engine_count(const struct fwd_engine *fe);
const struct fwd_spec *fwd_engine_nth(const struct fwd_engine *fe, int i,
				      struct in_addr *guest, const char **text);

/* The epoll fd to watch for POLLIN; then call fwd_engine_run() */
int fwd_engine_fd(const struct fwd_engine *fe);

/* Handle every ready event and expire idle UDP flows */
void fwd_engine_run(struct fwd_engine *fe);

/* Milliseconds until the next UDP flow may expire, or -1 */
int64_t fwd_engine_timeout(const struct fwd_engine *fe);

/* The sandbox's answer to dial request @id: a socket, or -@errnum */
void fwd_engine_dialed(struct fwd_engine *fe, uint32_t id, int errnum,
		       int fd);

/* Open relays and flows, for tests and `ps` */
int fwd_engine_active(const struct fwd_engine *fe);

void fwd_engine_free(struct fwd_engine *fe);

#endif /* QBOX_FORWARD_H */
