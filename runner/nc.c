// SPDX-License-Identifier: MIT
/*
 * nc.c - qbox nc: stdin and stdout to a TCP port inside a sandbox or network
 *
 * Theory of operation. A network's addresses (192.168.56.101 on
 * hostonly:lab) mean something only inside its namespaces, so the
 * connection must start there. `qbox nc` gets there as `qbox exec` does:
 * the sandbox's or hub's supervisor answers the `ns` request with a pidfd
 * of its init, and one setns() enters its user and network namespaces.
 * The process then confines itself like a payload (no capabilities,
 * no_new_privs, seccomp), makes its socket there, connects (non-blocking,
 * with a deadline) and relays stdin and stdout with it. Nothing of it
 * lives in the hub: the hub serves one `ns` request and is done, however
 * many connections run, and none can hold a hub process up.
 *
 * The relay keeps one buffer per direction and reads a source only when
 * its buffer is empty, so a slow reader holds its writer back. EOF on
 * stdin becomes shutdown(SHUT_WR) once the buffer is sent (half-close:
 * `printf 'GET /' | qbox nc ...` gets its answer); EOF from the peer ends
 * the process, status 0, once stdout has it all. The pidfd stays open:
 * when the sandbox or network ends, so does qbox nc (status 1), rather
 * than waiting on a socket whose other end vanished with the namespace.
 *
 * This is what an ssh ProxyCommand needs:
 *   ssh -o ProxyCommand='qbox nc hostonly:lab %h %p' root@192.168.56.101
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/util.h"
#include "seccomp/filter.h"
#include "runner/cli.h"
#include "runner/client.h"
#include "runner/dial.h"
#include "runner/netcmd.h"
#include "control/ctl_client.h"
#include "plan/spec.h"

#define NC_BUF 65536

/* One direction of the relay */
struct half {
	char buf[NC_BUF];
	size_t len, off;	/* bytes waiting to be written */
	bool eof;		/* the source said EOF */
};

#define nc_exit(...) dial_exit("nc", __VA_ARGS__)

/* Connect to @to from inside the namespace; @where names it for errors */
static int dial(const struct sockaddr_storage *to, int timeout_s, int pidfd,
		const char *where, const char *name)
{
	int fd = dial_once(to, timeout_s * 1000, pidfd);

	switch (fd) {
	case -ETIMEDOUT:
		nc_exit(1, "%s did not answer within %d s", where, timeout_s);
	case -ESRCH:
		nc_exit(1, "'%s' ended", name);
	case -ECONNREFUSED:
		nc_exit(1, "%s refused the connection (nothing listens on that "
			   "port)", where);
	case -EHOSTUNREACH:
		nc_exit(1, "%s is unreachable (no host answers at that address)",
			where);
	case -ENETUNREACH:
		nc_exit(1, "%s is unreachable (no route to it in '%s')", where,
			name);
	default:
		if (fd < 0)
			nc_exit(1, "connecting to %s: %s", where, strerror(-fd));
		return fd;
	}
}

/* A write that failed: the reader of our stdout left, or a real error */
static void out_failed(const char *where)
{
	if (errno == EPIPE)
		nc_exit(0, NULL);	/* nobody wants the rest */
	nc_exit(1, "writing what %s sent to stdout: %s", where,
		strerror(errno));
}

/* One connection's relay: stdin -> sock (up), sock -> stdout (down) */
struct nc {
	int sock, pidfd;
	const char *where, *name;	/* for messages */
	struct half up, down;
	bool shut;			/* SHUT_WR sent */
};

/* A recv or send that failed for good */
static void sock_failed(const struct nc *c)
{
	nc_exit(1, "connection to %s: %s", c->where, strerror(errno));
}

static void from_stdin(struct nc *c)
{
	ssize_t n = read(0, c->up.buf, sizeof(c->up.buf));

	if (n > 0) {
		c->up.len = (size_t)n;
		c->up.off = 0;
	} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
		c->up.eof = true;	/* an unreadable stdin ends too */
	}
}

static void from_sock(struct nc *c)
{
	ssize_t n = recv(c->sock, c->down.buf, sizeof(c->down.buf),
			 MSG_DONTWAIT);

	if (n > 0) {
		c->down.len = (size_t)n;
		c->down.off = 0;
	} else if (n == 0) {
		c->down.eof = true;
	} else if (errno != EAGAIN && errno != EINTR) {
		sock_failed(c);
	}
}

static void to_sock(struct nc *c)
{
	ssize_t n = send(c->sock, c->up.buf + c->up.off, c->up.len,
			 MSG_DONTWAIT | MSG_NOSIGNAL);

	if (n > 0) {
		c->up.off += (size_t)n;
		c->up.len -= (size_t)n;
	} else if (n < 0 && errno == EPIPE) {
		c->up.len = 0;	/* the peer closed: its EOF follows */
		c->up.eof = c->shut = true;
	} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
		sock_failed(c);
	}
}

static void to_stdout(struct nc *c)
{
	ssize_t n = write(1, c->down.buf + c->down.off, c->down.len);

	if (n < 0 && errno != EAGAIN && errno != EINTR)
		out_failed(c->where);
	if (n > 0) {
		c->down.off += (size_t)n;
		c->down.len -= (size_t)n;
	}
}

/*
 * One turn: poll what each direction waits on (a source only when its
 * buffer is empty), move what can be moved, pass EOFs on
 */
static void nc_turn(struct nc *c)
{
	struct pollfd p[4];
	int np = 0, iin = -1, isock = -1, iout = -1, ipid;
	short sev = 0;

	if (!c->up.eof && !c->up.len)
		p[iin = np++] = (struct pollfd){ 0, POLLIN, 0 };
	if (c->up.len)
		sev |= POLLOUT;
	if (!c->down.eof && !c->down.len)
		sev |= POLLIN;
	if (sev)
		p[isock = np++] = (struct pollfd){ c->sock, sev, 0 };
	if (c->down.len)
		p[iout = np++] = (struct pollfd){ 1, POLLOUT, 0 };
	p[ipid = np++] = (struct pollfd){ c->pidfd, POLLIN, 0 };
	if (poll(p, (nfds_t)np, -1) < 0) {
		if (errno != EINTR)
			nc_exit(1, "poll: %s", strerror(errno));
		return;
	}
	if (p[ipid].revents)
		nc_exit(1, "'%s' ended", c->name);
	if (iin >= 0 && p[iin].revents)
		from_stdin(c);
	if (isock >= 0 && p[isock].revents && !c->down.eof && !c->down.len)
		from_sock(c);
	if (isock >= 0 && p[isock].revents && c->up.len)
		to_sock(c);
	if (iout >= 0 && p[iout].revents)
		to_stdout(c);
	if (c->up.eof && !c->up.len && !c->shut) {
		shutdown(c->sock, SHUT_WR);	/* half-close */
		c->shut = true;
	}
	if (c->down.eof && !c->down.len)
		nc_exit(0, NULL);
}

static __attribute__((noreturn)) void relay(int sock, int pidfd,
					    const char *where,
					    const char *name)
{
	static struct nc c;	/* two 64 KiB buffers: not on the stack */

	c.sock = sock;
	c.pidfd = pidfd;
	c.where = where;
	c.name = name;
	for (;;)
		nc_turn(&c);
}

int cmd_nc(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sockaddr_storage to;
	struct ipaddr literal;
	struct qerr e = { 0 };
	unsigned long timeout = 10;
	char where[NET_NAME_MAX + 96];
	char addr[INET_ADDRSTRLEN];
	const char *name, *host;
	int c, dirfd, pidfd, sock;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:h", longopts, NULL)) != -1) {
		if (c == 'h') {
			fputs(nc_usage, stdout);
			return 0;
		}
		if (c == 't' && parse_uint(optarg, 3600, &timeout) == 0 &&
		    timeout > 0)
			continue;
		if (c == 't')
			die(2, "nc: --timeout %s: not a number of seconds (1-3600)",
			    optarg);
		if (c == ':')
			die(2, "nc: %s needs a value", argv[optind - 1]);
		die(2, "nc: unknown option '%s' (see qbox nc --help)",
		    argv[optind - 1]);
	}
	if (optind + 3 != argc)
		die(2, "nc: usage: qbox nc [--timeout S] NAME HOST PORT (NAME: a "
		       "sandbox, or a network as MODE:NAME)");
	name = argv[optind];
	host = argv[optind + 1];
	/* a network's member by name: its address, as its DNS server has it */
	if (strchr(name, ':') && !ipaddr_parse(host, &literal)) {
		if ((dirfd = ctl_rundir(&e)) < 0 ||
		    netcmd_resolve(dirfd, name, host, addr, &e) < 0) {
			qerr_prefix(&e, "nc");
			qerr_die(&e);
		}
		close(dirfd);
		host = addr;
	}
	if (tcp_target_parse(host, argv[optind + 2], &to, &e) < 0) {
		qerr_prefix(&e, "nc");
		qerr_die(&e);
	}
	snprintf(where, sizeof(where), "%s:%s in '%s'", argv[optind + 1],
		 argv[optind + 2], name);
	if ((dirfd = ctl_rundir(&e)) < 0 ||
	    client_ns(dirfd, name, &pidfd, &e) < 0) {
		qerr_prefix(&e, "nc");
		qerr_die(&e);
	}
	close(dirfd);
	dial_enter("nc", name, pidfd);
	sock = dial(&to, (int)timeout, pidfd, where, name);
	relay(sock, pidfd, where, name);
}
