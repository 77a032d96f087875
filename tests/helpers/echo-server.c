// SPDX-License-Identifier: MIT
/*
 * echo-server [-u] PORT - an epoll echo server for the forwarding tests
 *
 * One process that accepts every connection on 0.0.0.0:PORT, keeps them
 * all (tens of thousands at once: it raises its soft RLIMIT_NOFILE to the
 * hard limit) and sends back whatever each sends, closing a connection
 * when its peer does. Bytes a peer is not ready to take are kept for it
 * and its reading stops meanwhile. Runs until killed.
 *
 * -u: UDP instead, on 0.0.0.0:PORT: each datagram goes back to its sender
 * with " PORT" appended, the sender's source port as seen here, so a test
 * can tell which socket of the forwarder's a datagram came from (one per
 * UDP flow: tests/helpers/udp-flows.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

struct pending {		/* bytes read but not yet echoed */
	char *buf;
	size_t len;
};

static struct pending *pend;	/* indexed by fd */

static void drop(int ep, int fd)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
	close(fd);
	free(pend[fd].buf);
	pend[fd] = (struct pending){ 0 };
}

/* Send what is pending; 1 when all went, 0 when the peer is full, -1 */
static int flush(int fd)
{
	struct pending *p = &pend[fd];

	while (p->len) {
		ssize_t n = send(fd, p->buf, p->len, MSG_NOSIGNAL);

		if (n < 0)
			return errno == EAGAIN ? 0 : -1;
		memmove(p->buf, p->buf + n, p->len - (size_t)n);
		p->len -= (size_t)n;
	}
	return 1;
}

static void serve(int ep, int fd)
{
	struct epoll_event ev = { .data.fd = fd };
	char buf[16384];
	ssize_t n;
	int r;

	if ((r = flush(fd)) < 0) {
		drop(ep, fd);
		return;
	}
	while (r == 1 && (n = recv(fd, buf, sizeof(buf), 0)) != 0) {
		if (n < 0) {
			if (errno != EAGAIN)
				drop(ep, fd);
			else
				break;
			return;
		}
		pend[fd].buf = realloc(pend[fd].buf, (size_t)n);
		if (!pend[fd].buf)
			exit(1);
		memcpy(pend[fd].buf, buf, (size_t)n);
		pend[fd].len = (size_t)n;
		if ((r = flush(fd)) < 0) {
			drop(ep, fd);
			return;
		}
	}
	if (r == 1 && n == 0) {
		drop(ep, fd);	/* peer's EOF: all was echoed */
		return;
	}
	ev.events = r == 1 ? EPOLLIN : EPOLLOUT;
	epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
}

/* -u: answer every datagram, with the port it came from appended */
static int udp_echo(const struct sockaddr_in *sa)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	char buf[2048];

	if (fd < 0 || bind(fd, (const struct sockaddr *)sa, sizeof(*sa))) {
		perror("echo-server");
		return 1;
	}
	for (;;) {
		struct sockaddr_in from;
		socklen_t len = sizeof(from);
		ssize_t n = recvfrom(fd, buf, sizeof(buf) - 16, 0,
				     (struct sockaddr *)&from, &len);

		if (n < 0)
			continue;
		n += snprintf(buf + n, 16, " %u", ntohs(from.sin_port));
		sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from, len);
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct epoll_event ev, evs[256];
	struct rlimit rl;
	int one = 1, lfd, ep, i, n;

	if (argc == 3 && !strcmp(argv[1], "-u")) {
		sa.sin_port = htons((uint16_t)atoi(argv[2]));
		return udp_echo(&sa);
	}
	if (argc != 2) {
		fprintf(stderr, "usage: echo-server [-u] PORT\n");
		return 2;
	}
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	pend = calloc(rl.rlim_cur, sizeof(*pend));
	sa.sin_port = htons((uint16_t)atoi(argv[1]));
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (!pend || lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(lfd, SOMAXCONN)) {
		perror("echo-server");
		return 1;
	}
	ep = epoll_create1(0);
	ev = (struct epoll_event){ .events = EPOLLIN, .data.fd = lfd };
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
	for (;;) {
		n = epoll_wait(ep, evs, 256, -1);
		for (i = 0; i < n; i++) {
			int fd = evs[i].data.fd, c;

			if (fd != lfd) {
				serve(ep, fd);
				continue;
			}
			while ((c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
				ev = (struct epoll_event){ .events = EPOLLIN,
							   .data.fd = c };
				epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
			}
		}
	}
}
