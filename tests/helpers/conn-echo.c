// SPDX-License-Identifier: MIT
/*
 * conn-echo [-b BATCH] [-t SECONDS] [-w MS] [-h FILE] HOST PORT N
 *
 * A client for the forwarding tests: opens N TCP connections to HOST:PORT
 * (IPv4), BATCH at a time (default 500), non-blocking, and keeps ALL of
 * them open; then sends a distinct line on each and checks each echo
 * (tests/helpers/echo-server.c answers). A connection that fails to open
 * (a full backlog drops the SYN; no local port free) is opened again, up
 * to 5 times. Prints
 *
 *	opened O of N in MS ms
 *	echoed E of N in MS ms
 *
 * and exits 0 when every connection echoed its own line. With -h FILE it
 * then waits (up to the -t timeout) until FILE exists before closing, so
 * that a test can look at the forwarder while all N are open.
 *
 * -w MS: capacity mode. Echoes are collected for MS ms only ("served S of
 * N": those the forwarder could take at once); then those connections are
 * closed, and each further one is closed as soon as its echo arrives
 * ("later L of R in MS ms"): the ones beyond capacity must be served
 * as capacity frees up. Exits 0 when S + L = N.
 *
 * -t SECONDS bounds every wait (default 30).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/helpers/helpers.h"

#define TRIES 5
#define LINE 32

struct conn {
	int fd;
	int tries;
	char want[LINE];	/* the line sent, to be echoed */
	size_t len, got;
	bool connected, echoed, failed;
};

static struct sockaddr_in to;
static long timeout_ms = 30000;

static int start_connect(struct conn *c)
{
	c->tries++;
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (c->fd < 0)
		return -errno;
	if (connect(c->fd, (struct sockaddr *)&to, sizeof(to)) < 0 &&
	    errno != EINPROGRESS) {
		int err = errno;

		close(c->fd);
		c->fd = -1;
		return -err;
	}
	return 0;
}

/*
 * Whether a socket whose connect() was pending is connected: poll says
 * POLLOUT and the kernel has a peer for it. SO_ERROR alone is not enough:
 * an ICMP error (a NAT engine out of fds answers a SYN with "network
 * unreachable") that meets the socket while connect() holds it makes
 * poll report POLLERR with SO_ERROR 0 and the socket still in SYN_SENT,
 * and once that was counted as a connection that then never echoed.
 */
static bool is_connected(int fd, short revents)
{
	struct sockaddr_in peer;
	socklen_t len = sizeof(peer);

	return (revents & POLLOUT) &&
	       getpeername(fd, (struct sockaddr *)&peer, &len) == 0;
}

/* Open c[0..n) by @deadline (ms); returns how many could not be opened */
static int open_batch(struct conn *c, int n, long deadline)
{
	struct pollfd *p = calloc((size_t)n, sizeof(*p));
	int i, left, failed = 0;

	for (;;) {
		left = 0;
		for (i = 0; i < n; i++) {
			p[i] = (struct pollfd){ -1, POLLOUT, 0 };
			if (c[i].connected || c[i].failed)
				continue;
			if (c[i].fd < 0 && start_connect(&c[i]) < 0 &&
			    c[i].tries >= TRIES) {
				c[i].failed = true;
				continue;
			}
			left++;
			p[i].fd = c[i].fd;	/* -1: tried again next round */
		}
		if (!left || now_ms() > deadline || poll(p, (nfds_t)n, 100) < 0)
			break;
		for (i = 0; i < n; i++) {
			int err = 0;
			socklen_t len = sizeof(err);

			if (p[i].fd < 0 || !p[i].revents)
				continue;
			getsockopt(c[i].fd, SOL_SOCKET, SO_ERROR, &err, &len);
			if (!err && is_connected(c[i].fd, p[i].revents)) {
				c[i].connected = true;
				continue;
			}
			close(c[i].fd);
			c[i].fd = -1;
			if (c[i].tries >= TRIES)
				c[i].failed = true;
		}
	}
	for (i = 0; i < n; i++) {
		if (c[i].connected)
			continue;
		if (c[i].fd >= 0)
			close(c[i].fd);
		c[i].fd = -1;
		c[i].failed = true;
		failed++;
	}
	free(p);
	return failed;
}

/*
 * Read echoes until @until (ms) or all are in. With @close_done, a
 * connection is closed as soon as its echo is complete. Returns how many
 * completed during this call.
 */
static int collect(struct conn *c, int n, long until, bool close_done)
{
	struct pollfd *p = calloc((size_t)n, sizeof(*p));
	int *idx = calloc((size_t)n, sizeof(*idx));
	int i, k, done = 0;

	for (;;) {
		long left = until - now_ms();

		for (i = 0, k = 0; i < n; i++)
			if (c[i].fd >= 0 && !c[i].echoed && !c[i].failed) {
				p[k] = (struct pollfd){ c[i].fd, POLLIN, 0 };
				idx[k++] = i;
			}
		if (!k || left <= 0)
			break;
		if (poll(p, (nfds_t)k, left > 100 ? 100 : (int)left) < 0)
			break;
		for (i = 0; i < k; i++) {
			struct conn *cc = &c[idx[i]];
			char buf[LINE];
			ssize_t r;

			if (!p[i].revents)
				continue;
			r = recv(cc->fd, buf, cc->len - cc->got, MSG_DONTWAIT);
			if (r < 0 && errno == EAGAIN)
				continue;
			if (r <= 0 || memcmp(buf, cc->want + cc->got, (size_t)r)) {
				cc->failed = true;	/* reset, EOF or garbage */
				continue;
			}
			cc->got += (size_t)r;
			if (cc->got < cc->len)
				continue;
			cc->echoed = true;
			done++;
			if (close_done) {
				close(cc->fd);
				cc->fd = -1;
			}
		}
	}
	free(p);
	free(idx);
	return done;
}

static void usage(void)
{
	fprintf(stderr, "usage: conn-echo [-b BATCH] [-t SECONDS] [-w MS] "
			"[-h FILE] HOST PORT N\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *hold = NULL;
	long batch = 500, wait_ms = -1, t0;
	struct rlimit rl;
	struct conn *c;
	int i, n, opened, echoed, opt;

	while ((opt = getopt(argc, argv, "b:t:w:h:")) != -1) {
		switch (opt) {
		case 'b': batch = atol(optarg); break;
		case 't': timeout_ms = atol(optarg) * 1000; break;
		case 'w': wait_ms = atol(optarg); break;
		case 'h': hold = optarg; break;
		default: usage();
		}
	}
	if (argc - optind != 3 || batch < 1)
		usage();
	to.sin_family = AF_INET;
	to.sin_port = htons((uint16_t)atoi(argv[optind + 1]));
	if (inet_pton(AF_INET, argv[optind], &to.sin_addr) != 1)
		usage();
	n = atoi(argv[optind + 2]);
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	if (n < 1 || rl.rlim_cur < (rlim_t)n + 16) {
		fprintf(stderr, "conn-echo: %d connections need more fds than "
				"the limit %lu\n", n, (unsigned long)rl.rlim_cur);
		return 2;
	}
	c = calloc((size_t)n, sizeof(*c));
	for (i = 0; i < n; i++)
		c[i].fd = -1;

	t0 = now_ms();
	opened = n;
	for (i = 0; i < n; i += (int)batch) {
		int k = n - i < batch ? n - i : (int)batch;

		opened -= open_batch(&c[i], k, t0 + timeout_ms);
	}
	printf("opened %d of %d in %ld ms\n", opened, n, (long)(now_ms() - t0));
	fflush(stdout);

	t0 = now_ms();
	for (i = 0; i < n; i++) {
		if (c[i].fd < 0)
			continue;
		c[i].len = (size_t)snprintf(c[i].want, LINE, "conn-%d-%08x\n",
					    i, (unsigned)rand());
		if (send(c[i].fd, c[i].want, c[i].len, MSG_NOSIGNAL) !=
		    (ssize_t)c[i].len)
			c[i].failed = true;
	}
	if (wait_ms >= 0) {
		int served = collect(c, n, now_ms() + wait_ms, false), later;

		printf("served %d of %d\n", served, n);
		fflush(stdout);
		for (i = 0; i < n; i++)
			if (c[i].echoed) {
				close(c[i].fd);
				c[i].fd = -1;
			}
		t0 = now_ms();
		later = collect(c, n, t0 + timeout_ms, true);
		printf("later %d of %d in %ld ms\n", later, n - served,
		       (long)(now_ms() - t0));
		return served + later == n ? 0 : 1;
	}
	echoed = collect(c, n, t0 + timeout_ms, false);
	printf("echoed %d of %d in %ld ms\n", echoed, n, (long)(now_ms() - t0));
	fflush(stdout);
	if (hold) {
		struct stat st;
		long until = now_ms() + timeout_ms;

		while (stat(hold, &st) < 0 && now_ms() < until)
			usleep(10000);
	}
	for (i = 0; i < n; i++)
		if (c[i].fd >= 0)
			close(c[i].fd);
	return echoed == n ? 0 : 1;
}
