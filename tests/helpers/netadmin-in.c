// SPDX-License-Identifier: MIT
/*
 * netadmin-in PID CMD... - run CMD in the user and network namespaces of
 * process PID, with CAP_NET_ADMIN there
 *
 * The owner of a user namespace may enter it and then holds every
 * capability in it, but loses them at the next execve unless they are
 * ambient (a non-root uid keeps nothing else across exec): nsenter alone
 * runs nft powerless. So CAP_NET_ADMIN is made inheritable and ambient
 * first. Lets a test read a sandbox's nftables rules, as root or not.
 */
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static void enter(const char *pid, const char *ns, int type)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%s/ns/%s", pid, ns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, type) < 0) {
		perror(path);
		exit(125);
	}
	close(fd);
}

int main(int argc, char **argv)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (argc < 3) {
		fprintf(stderr, "usage: netadmin-in PID CMD...\n");
		return 125;
	}
	enter(argv[1], "user", CLONE_NEWUSER);
	enter(argv[1], "net", CLONE_NEWNET);
	if (syscall(SYS_capget, &h, d) < 0)
		goto fail;
	d[CAP_NET_ADMIN / 32].inheritable |= 1u << (CAP_NET_ADMIN % 32);
	if (syscall(SYS_capset, &h, d) < 0 ||
	    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_ADMIN, 0, 0) < 0)
		goto fail;
	execvp(argv[2], argv + 2);
fail:
	perror(argv[2]);
	return 125;
}
