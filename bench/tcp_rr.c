// SPDX-License-Identifier: MIT
/*
 * tcp_rr.c - TCP request/response round trips, netperf's TCP_RR in small
 *
 *   tcp_rr -l ADDR PORT                serve: echo every byte back, any
 *                                      number of clients, until killed
 *   tcp_rr -c ADDR PORT -t SECONDS     1-byte ping-pong for SECONDS; prints
 *                                      round trips per second
 *   tcp_rr -c ADDR PORT -n COUNT       COUNT round trips; prints "ok COUNT"
 *   tcp_rr -s ADDR PORT (-t SECONDS | -n COUNT)
 *                                      short connections to a -l server,
 *                                      one at a time: connect, 1 KiB out,
 *                                      the same 1 KiB back, close (the
 *                                      client first, as most do: each
 *                                      leaves a TIME_WAIT, so a port range
 *                                      of 28,000 bounds COUNT per minute);
 *                                      prints connections per second
 *   -w SECONDS                         with -c or -s: keep retrying the connect
 *                                      this long (default 10), for servers
 *                                      that are still starting
 *
 * Theory of operation: the client keeps exactly one byte in flight, so
 * each round trip is one request through the network path under test and
 * one answer back: the rate is the inverse of the path's latency (plus two
 * wake-ups on each side). TCP_NODELAY on both ends keeps Nagle out of it.
 * The server is one epoll loop, so a hundred sandboxes can share it.
 * Exit status: 0 on success, 1 with a message on stderr otherwise.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "tcp_rr: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void nodelay(int fd)
{
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static struct sockaddr_in parse_addr(const char *addr, const char *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	char *end;
	long p = strtol(port, &end, 10);

	if (*end || p < 1 || p > 65535 || inet_pton(AF_INET, addr,
						     &sa.sin_addr) != 1) {
		fprintf(stderr, "tcp_rr: bad address %s port %s\n", addr, port);
		exit(2);
	}
	sa.sin_port = htons((uint16_t)p);
	return sa;
}

/* Echo server: one epoll loop, every readable byte written straight back */
static void serve(struct sockaddr_in sa)
{
	int one = 1, lfd, ep;
	struct epoll_event ev = { .events = EPOLLIN };

	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0)
		die("socket");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("bind");
	if (listen(lfd, 1024) < 0)
		die("listen");
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		die("epoll_create1");
	ev.data.fd = lfd;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) < 0)
		die("epoll_ctl");
	for (;;) {
		struct epoll_event evs[64];
		int i, n = epoll_wait(ep, evs, 64, -1);

		for (i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			char buf[4096];
			ssize_t r;

			if (fd == lfd) {
				int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

				if (c < 0)
					continue;
				nodelay(c);
				ev.data.fd = c;
				if (epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev) < 0)
					close(c);
				continue;
			}
			r = read(fd, buf, sizeof(buf));
			if (r <= 0 || write(fd, buf, (size_t)r) != r)
				close(fd);	/* leaves the epoll set too */
		}
	}
}

#define SHORT_BYTES 1024

/* Read up to @len bytes of @fd into @buf: how many came before EOF (or
 * @len), or -1 when a read failed (a reset, SO_RCVTIMEO's timeout) */
static ssize_t read_full(int fd, char *buf, size_t len)
{
	size_t got = 0;
	ssize_t r = 1;

	while (got < len && (r = read(fd, buf + got, len - got)) > 0)
		got += (size_t)r;
	return r < 0 ? -1 : (ssize_t)got;
}

/*
 * A connected socket, retrying for @wait_s seconds: a server behind a
 * port forward may still be starting (the forward then resets us).
 */
static int dial(struct sockaddr_in sa, double wait_s)
{
	double until = now_s() + wait_s;

	for (;;) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		char b = 'x';

		if (fd < 0)
			die("socket");
		nodelay(fd);
		/* a reset forward accepts, then fails the first round trip */
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
		    write(fd, &b, 1) == 1 && read(fd, &b, 1) == 1)
			return fd;
		close(fd);
		if (now_s() > until)
			die("connect");
		usleep(50000);
	}
}

/* Round trips until @count are done or @seconds have passed */
static long ping_pong(int fd, long count, double seconds)
{
	double end = now_s() + seconds;
	long done = 0;
	char b = 'x';

	while (count ? done < count : now_s() < end) {
		if (write(fd, &b, 1) != 1)
			die("write");
		if (read(fd, &b, 1) != 1) {
			errno = errno ? errno : ECONNRESET;
			die("read");
		}
		done++;
	}
	return done;
}

/*
 * Short connections to a -l server until @count are done or @seconds have
 * passed: each one connects, sends SHORT_BYTES, reads them back and
 * closes. The first connect is retried for @wait_s (the server may be
 * starting) and not counted. Returns connections per second.
 */
static double short_conns(struct sockaddr_in sa, long count, double seconds,
			  double wait_s)
{
	char out[SHORT_BYTES], in[SHORT_BYTES];
	double until = now_s() + wait_s, t0 = 0, end = 0;
	struct timeval tv = { .tv_sec = 5 };	/* a server that stalls */
	long done = -1;

	memset(out, 'x', sizeof(out));
	while (done < 0 || (count ? done < count : now_s() < end)) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd < 0)
			die("socket");
		nodelay(fd);
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
		    write(fd, out, sizeof(out)) != (ssize_t)sizeof(out) ||
		    read_full(fd, in, sizeof(in)) != (ssize_t)sizeof(in)) {
			if (done >= 0 || now_s() > until) {
				errno = errno ? errno : ECONNRESET;
				die("a short connection");
			}
			close(fd);
			usleep(50000);
			continue;
		}
		close(fd);
		if (++done == 0) {	/* the server is up: the clock starts */
			t0 = now_s();
			end = t0 + seconds;
		}
	}
	return (double)done / (now_s() - t0);
}

int main(int argc, char **argv)
{
	double seconds = 0, wait_s = 10, t0;
	long count = 0, done;
	int opt, mode = 0, fd;

	while ((opt = getopt(argc, argv, "lcst:n:w:")) != -1) {
		switch (opt) {
		case 'l':
		case 'c':
		case 's':
			mode = opt;
			break;
		case 't':
			seconds = atof(optarg);
			break;
		case 'n':
			count = atol(optarg);
			break;
		case 'w':
			wait_s = atof(optarg);
			break;
		default:
			mode = 0;
			optind = argc + 1;
		}
	}
	if (!mode || optind + 2 != argc ||
	    (mode != 'l' && (seconds > 0) == (count > 0))) {
		fprintf(stderr, "usage: tcp_rr -l ADDR PORT\n"
				"       tcp_rr (-c | -s) ADDR PORT (-t SECONDS "
				"| -n COUNT) [-w SECONDS]\n");
		return 2;
	}
	if (mode == 'l')
		serve(parse_addr(argv[optind], argv[optind + 1]));
	if (mode == 's') {
		printf("%.0f\n", short_conns(parse_addr(argv[optind],
							 argv[optind + 1]),
					      count, seconds, wait_s));
		return 0;
	}
	fd = dial(parse_addr(argv[optind], argv[optind + 1]), wait_s);
	t0 = now_s();
	done = ping_pong(fd, count, seconds);
	if (count)
		printf("ok %ld\n", done);
	else
		printf("%.0f\n", (double)done / (now_s() - t0));
	close(fd);
	return 0;
}
