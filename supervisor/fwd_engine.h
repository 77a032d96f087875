/* SPDX-License-Identifier: MIT */
/*
 * fwd_engine.h - port forwards: host listeners, served by workers in the sandbox
 *
 * The fast path: qbox listens on the host (here, in the supervisor, so
 * binding errors come before the payload starts) and passes each listening
 * socket to the forward workers inside the sandbox's network namespace
 * (dataplane/fwd_worker.c), which accept, dial the guest and move the bytes
 * with splice(2), never through libslirp's user-mode TCP stack.
 */
#ifndef QBOX_FWD_ENGINE_H
#define QBOX_FWD_ENGINE_H

#include <netinet/in.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/err.h"
#include "seccomp/filter.h"
#include "plan/spec.h"

struct fwd_engine;

struct fwd_engine *fwd_engine_new(struct qerr *e);

/*
 * The sandbox whose forwards these are, once it exists: the workers,
 * forked with the first forward, enter the namespaces of its init @init
 * and confine themselves with @f (baseline and worker filters)
 */
void fwd_engine_set_sandbox(struct fwd_engine *fe, pid_t init,
			    const struct filters *f);

/**
 * fwd_engine_add() - listen on the host side of @spec and have the
 * workers serve it
 * @fe:		engine
 * @spec:	the forward
 * @guest:	address to reach in the sandbox
 * @text:	the forward as the user wrote it, for listings
 * @e:		error naming the host address ("127.0.0.1:2222 is already in
 *		use"); the caller prefixes the flag
 *
 * Forks the workers first if the engine has none yet. Returns once every
 * worker that serves the forward has taken it (TCP: all; UDP: worker 0).
 * On failure nothing of the forward is left (workers already forked stay).
 * Return: 0 or -errno
 */
int fwd_engine_add(struct fwd_engine *fe, const struct fwd_spec *spec,
		   const struct ipaddr *guest, const char *text,
		   struct qerr *e);

/*
 * Stop the forward whose host side is @host's (protocol, address, port):
 * once this returns, every copy of its listener is closed, so new
 * connections are refused; open TCP relays finish on their own; UDP flows
 * end with it. 0 or -ENOENT.
 */
int fwd_engine_remove(struct fwd_engine *fe, const struct fwd_spec *host);

/* The forwards, in the order they were added */
int fwd_engine_count(const struct fwd_engine *fe);
const struct fwd_spec *fwd_engine_nth(const struct fwd_engine *fe, int i,
				      struct ipaddr *guest, const char **text);

/*
 * After SIGCHLD: reaps a worker that died. Returns 0 if none did, else
 * -EIO with @e: what the worker said before dying (an SBMSG_ERROR on its
 * socket) or how it ended; the run then ends.
 */
int fwd_engine_reap(struct fwd_engine *fe, struct qerr *e);

/* Stops the forwards, and kills and reaps the workers */
void fwd_engine_free(struct fwd_engine *fe);

#endif /* QBOX_FWD_ENGINE_H */
