// SPDX-License-Identifier: MIT
/*
 * netns-caps PID COMMAND [ARG...]
 *
 * Runs COMMAND in the user and network namespaces of process PID (a qbox
 * sandbox's init) holding CAP_NET_ADMIN and CAP_NET_RAW there, so that a
 * test can play a guest's part inside a sandbox: add the route a VM would,
 * send DHCP as raw frames. nsenter(1) cannot: entering a user namespace
 * grants every capability in it, but execve() by a uid other than 0 (qbox
 * maps the user to itself) clears them all, unless they are ambient; so
 * this enters the namespaces and makes the two ambient before the exec.
 * The kernel lets only the namespace's owner (or root) enter it.
 *
 * Exits 125 when it cannot enter or keep the capabilities, 127 when
 * COMMAND cannot run, else with COMMAND's status.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static const int keep[] = { CAP_NET_ADMIN, CAP_NET_RAW };

static void die(const char *what)
{
	fprintf(stderr, "netns-caps: %s: %s\n", what, strerror(errno));
	exit(125);
}

/* Is /proc/PID/ns/NAME the namespace we are in already? */
static int same_ns(const char *pid, const char *name)
{
	char path[64];
	struct stat a, b;

	snprintf(path, sizeof(path), "/proc/%s/ns/%s", pid, name);
	if (stat(path, &a) < 0)
		die(path);
	snprintf(path, sizeof(path), "/proc/self/ns/%s", name);
	if (stat(path, &b) < 0)
		die(path);
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static int open_ns(const char *pid, const char *name)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%s/ns/%s", pid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die(path);
	return fd;
}

/* Make the capabilities in keep[] inheritable and ambient */
static void keep_caps(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	size_t i;

	if (syscall(SYS_capget, &h, d) < 0)
		die("capget");
	for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		d[keep[i] / 32].inheritable |= 1u << (keep[i] % 32);
	if (syscall(SYS_capset, &h, d) < 0)
		die("capset (not the namespace's owner?)");
	for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, keep[i], 0,
			  0) < 0)
			die("raising an ambient capability");
}

int main(int argc, char **argv)
{
	int userfd = -1, netfd;

	if (argc < 3) {
		fprintf(stderr, "usage: netns-caps PID COMMAND [ARG...]\n");
		return 125;
	}
	/* both opened while our credentials are still the caller's */
	if (!same_ns(argv[1], "user"))
		userfd = open_ns(argv[1], "user");
	netfd = open_ns(argv[1], "net");
	if (userfd >= 0 && setns(userfd, CLONE_NEWUSER) < 0)
		die("entering the user namespace");
	if (setns(netfd, CLONE_NEWNET) < 0)
		die("entering the network namespace");
	keep_caps();
	execvp(argv[2], argv + 2);
	fprintf(stderr, "netns-caps: %s: %s\n", argv[2], strerror(errno));
	return 127;
}
