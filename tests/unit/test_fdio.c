// SPDX-License-Identifier: MIT
/*
 * test_fdio.c - one message, one fd: a peer that sends more than one fd
 * in a message leaves none of the others open here (common/fdio.c)
 */
#include <dirent.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/fdio.h"
#include "tests/unit/unit.h"

/* How many fds this process has open */
static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d)))
		n += de->d_name[0] != '.';
	if (d)
		closedir(d);
	return n - 1;	/* opendir's own */
}

/* Send @n fds (dups of stdin) in one SCM_RIGHTS message on @sock */
static int send_many(int sock, int n)
{
	char buf[CMSG_SPACE(8 * sizeof(int))] = { 0 }, byte = 'x';
	struct iovec iov = { &byte, 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = buf,
			     .msg_controllen = CMSG_SPACE((size_t)n * sizeof(int)) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	int fds[8], i, r;

	for (i = 0; i < n; i++)
		fds[i] = dup(0);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN((size_t)n * sizeof(int));
	memcpy(CMSG_DATA(c), fds, (size_t)n * sizeof(int));
	r = (int)sendmsg(sock, &mh, 0);
	for (i = 0; i < n; i++)
		close(fds[i]);
	return r;
}

int main(void)
{
	int sv[2], fd, flags, before, n;
	char byte;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		printf("FAIL: socketpair\n");
		return 1;
	}
	CHECK(send_fd(sv[0], "x", 1, 0, 0) == 1, "one fd sent");
	before = open_fds();
	CHECK(recv_fd(sv[1], &byte, 1, &fd, &flags) == 1 && fd >= 0,
	      "one fd received");
	CHECK(open_fds() == before + 1, "one more fd open");
	close(fd);
	for (n = 2; n <= 4; n++) {
		CHECK(send_many(sv[0], n) == 1, "%d fds sent in one message", n);
		before = open_fds();
		CHECK(recv_fd(sv[1], &byte, 1, &fd, &flags) == 1 && fd >= 0 &&
			      fcntl(fd, F_GETFD) >= 0,
		      "%d fds: the first received", n);
		CHECK(open_fds() == before + 1,
		      "%d fds: the others are not left open (%d more)", n,
		      open_fds() - before);
		close(fd);
	}
	close(sv[0]);
	close(sv[1]);
	UNIT_END();
}
