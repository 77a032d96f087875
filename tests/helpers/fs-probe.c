// SPDX-License-Identifier: MIT
/*
 * fs-probe ACTION... [QEMU ARGS...] - what a payload can reach, for the
 * view tests (tests/integration/view.sh, tests/e2e/view_vm.sh)
 *
 * Each ACTION is VERB:ARG; the first word that starts with '-' ends them,
 * and the rest is ignored, so that run with --vm it stands in for a QEMU
 * whose command line (those arguments) qbox read for the view, and which
 * a guest has taken over: it then tries what such a QEMU would. To qbox's
 * reading of QEMU's argv an action is a disk image with a protocol (a ':'
 * before any '/'), which names no file, so the actions add nothing to the
 * view. For each it prints "VERB:ARG RESULT", RESULT "ok" or the errno's
 * name (ENOENT):
 *
 *   read:PATH     open read-only and read a byte
 *   write:PATH    open for appending (nothing is written)
 *   create:PATH   create it (O_EXCL), then remove it again
 *   listen:PATH   bind a unix socket there and listen, then remove it
 *   connect:PATH  connect to the unix socket there
 *   mem:PID       open /proc/PID/mem for reading and writing
 *   kill:PID      signal 0 to PID
 *   pids:-        how many processes /proc lists ("pids:- N")
 *   tun:-         open /dev/net/tun
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "tests/helpers/helpers.h"

static int result(int ok)
{
	return ok ? 0 : errno;
}

static int try_read(const char *path)
{
	char c;
	int fd = open(path, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0)
		return errno;
	r = read(fd, &c, 1) < 0 ? errno : 0;
	close(fd);
	return r;
}

static int try_open(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC, 0600);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int try_socket(const char *path, bool listening)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), r;

	if (fd < 0)
		return errno;
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	if (listening)
		r = bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
		    listen(fd, 1) == 0;
	else
		r = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	r = result(r);
	close(fd);
	if (listening && r == 0)
		unlink(path);
	return r;
}

static int count_pids(void)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		n += de->d_name[0] >= '1' && de->d_name[0] <= '9';
	closedir(d);
	return n;
}

static int act(const char *verb, const char *arg)
{
	char path[64];

	if (!strcmp(verb, "read"))
		return try_read(arg);
	if (!strcmp(verb, "write"))
		return try_open(arg, O_WRONLY | O_APPEND);
	if (!strcmp(verb, "create")) {
		int r = try_open(arg, O_WRONLY | O_CREAT | O_EXCL);

		if (r == 0)
			unlink(arg);
		return r;
	}
	if (!strcmp(verb, "listen") || !strcmp(verb, "connect"))
		return try_socket(arg, !strcmp(verb, "listen"));
	if (!strcmp(verb, "mem")) {
		snprintf(path, sizeof(path), "/proc/%s/mem", arg);
		return try_open(path, O_RDWR);
	}
	if (!strcmp(verb, "kill"))
		return result(kill(atoi(arg), 0) == 0);
	if (!strcmp(verb, "tun"))
		return try_open("/dev/net/tun", O_RDWR);
	fatal("unknown action '%s:%s'", verb, arg);
}

int main(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && argv[i][0] != '-'; i++) {
		char verb[32];
		const char *colon = strchr(argv[i], ':');
		int r;

		if (!colon || colon - argv[i] >= (long)sizeof(verb))
			fatal("'%s' is no VERB:ARG", argv[i]);
		snprintf(verb, sizeof(verb), "%.*s", (int)(colon - argv[i]),
			 argv[i]);
		if (!strcmp(verb, "pids")) {
			printf("%s %d\n", argv[i], count_pids());
			continue;
		}
		r = act(verb, colon + 1);
		printf("%s %s\n", argv[i], r ? strerrorname_np(r) : "ok");
	}
	return 0;
}
