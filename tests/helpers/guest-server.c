// SPDX-License-Identifier: MIT
/*
 * guest-server PORT DIR - the guest's side of the forwarding tests' TCP
 * corner cases
 *
 * Listens on 0.0.0.0:PORT and serves each connection in a child of its
 * own. A connection starts with one command line:
 *
 *	reset	the server closes at once with SO_LINGER 0: the peer gets a
 *		reset (RST), not an end of file
 *	half	the server sends the file DIR/out, half-closes
 *		(shutdown(SHUT_WR): the peer sees the end of file), then
 *		reads what the peer still sends, until the peer's own end of
 *		file, into DIR/in, and prints "half: got N bytes" on stdout
 *
 * Runs until killed.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *dir;

/* The command line, read a byte at a time: what follows is the test's */
static int read_line(int fd, char *buf, size_t size)
{
	size_t i = 0;

	while (i + 1 < size) {
		ssize_t n = read(fd, buf + i, 1);

		if (n <= 0)
			return -1;
		if (buf[i] == '\n')
			break;
		i++;
	}
	buf[i] = 0;
	return 0;
}

static int copy(int from, int to, long *total)
{
	char buf[65536];
	ssize_t n, m, off;

	while ((n = read(from, buf, sizeof(buf))) > 0) {
		for (off = 0; off < n; off += m)
			if ((m = write(to, buf + off, (size_t)(n - off))) < 0)
				return -1;
		if (total)
			*total += n;
	}
	return n < 0 ? -1 : 0;
}

static int half(int c)
{
	char path[4096];
	long got = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/out", dir);
	if ((fd = open(path, O_RDONLY)) < 0 || copy(fd, c, NULL) < 0)
		return -1;
	close(fd);
	if (shutdown(c, SHUT_WR) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/in", dir);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0 ||
	    copy(c, fd, &got) < 0)
		return -1;
	close(fd);
	printf("half: got %ld bytes\n", got);
	fflush(stdout);
	return 0;
}

static void serve(int c)
{
	struct linger lg = { 1, 0 };
	char cmd[64];

	if (read_line(c, cmd, sizeof(cmd)) < 0)
		return;
	if (!strcmp(cmd, "reset")) {
		setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		return;		/* the close sends RST */
	}
	if (!strcmp(cmd, "half") && half(c) < 0)
		perror("guest-server: half");
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int one = 1, lfd, c;

	if (argc != 3) {
		fprintf(stderr, "usage: guest-server PORT DIR\n");
		return 2;
	}
	dir = argv[2];
	signal(SIGCHLD, SIG_IGN);	/* no zombies */
	sa.sin_port = htons((uint16_t)atoi(argv[1]));
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(lfd, 16)) {
		perror("guest-server");
		return 1;
	}
	for (;;) {
		if ((c = accept(lfd, NULL, NULL)) < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			perror("guest-server: accept");
			return 1;
		}
		if (fork() == 0) {
			close(lfd);
			serve(c);
			close(c);
			_exit(0);
		}
		close(c);
	}
}
