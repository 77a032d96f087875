// SPDX-License-Identifier: MIT
/*
 * try-syscall NAME... - make each named system call with harmless arguments
 * and print "NAME ERRNO" (0 on success), after bubblewrap's test helper, so
 * tests can assert "denied with exactly EPERM" rather than "failed somehow".
 *
 * raw:SYSCALL makes any system call by its name (resolved by libseccomp),
 * with every argument 0: for calls a policy denies, so that a test can go
 * through a policy's whole list. Without capabilities, zeros are harmless.
 *
 * Run with --vm, it takes QEMU's NIC arguments as QEMU would: the first
 * "-netdev tap,id=qbox0,fd=K" names the TAP that the tap-* names act on,
 * with an ioctl QEMU makes on it (tap-getiff, tap-setoffload) or one it
 * never makes (tap-setpersist: off, tap-setowner: to uid 12345).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <seccomp.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static long fork_like(unsigned long flags)
{
	long r = syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);

	if (r == 0)
		_exit(0);
	if (r > 0)
		waitpid((pid_t)r, NULL, 0);
	return r;
}

static int tap_fd = -1;

static long try(const char *name)
{
	struct ifreq ifr;

	if (!strcmp(name, "tap-getiff"))
		return ioctl(tap_fd, TUNGETIFF, &ifr);
	if (!strcmp(name, "tap-setoffload"))
		return ioctl(tap_fd, TUNSETOFFLOAD, 0UL);
	if (!strcmp(name, "tap-setpersist"))
		return ioctl(tap_fd, TUNSETPERSIST, 0UL);
	if (!strcmp(name, "tap-setowner"))
		return ioctl(tap_fd, TUNSETOWNER, 12345UL);
	if (!strcmp(name, "unshare-user"))
		return unshare(CLONE_NEWUSER);
	if (!strcmp(name, "unshare-net"))
		return unshare(CLONE_NEWNET);
	if (!strcmp(name, "setns"))
		return setns(open("/proc/self/ns/net", O_RDONLY), 0);
	if (!strcmp(name, "clone-newuser"))
		return fork_like(CLONE_NEWUSER);
	if (!strcmp(name, "clone-newns"))
		return fork_like(CLONE_NEWNS);
	if (!strcmp(name, "clone"))
		return fork_like(0);
	if (!strcmp(name, "clone3")) {
		struct clone_args a = { .exit_signal = SIGCHLD };
		long r = syscall(SYS_clone3, &a, sizeof(a));

		if (r == 0)
			_exit(0);
		if (r > 0)
			waitpid((pid_t)r, NULL, 0);
		return r;
	}
	if (!strcmp(name, "mount"))
		return mount("none", "/tmp", "tmpfs", 0, NULL);
	if (!strcmp(name, "ptrace"))
		return ptrace(PTRACE_TRACEME, 0, NULL, NULL);
	if (!strcmp(name, "keyctl"))
		return syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3, 0);
	if (!strcmp(name, "bpf"))
		return syscall(SYS_bpf, 0, NULL, 0);
	if (!strcmp(name, "perf_event_open"))
		return syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0);
	if (!strcmp(name, "init_module"))
		return syscall(SYS_init_module, NULL, 0, "");
	if (!strcmp(name, "finit_module"))
		return syscall(SYS_finit_module, -1, "", 0);
	if (!strcmp(name, "kexec_load"))
		return syscall(SYS_kexec_load, 0, 0, NULL, 0);
	if (!strcmp(name, "tiocsti")) {
		char c = ' ';

		return ioctl(0, TIOCSTI, &c);
	}
	if (!strcmp(name, "getpid"))
		return syscall(SYS_getpid) > 0 ? 0 : -1;
	if (!strncmp(name, "raw:", 4)) {
		int nr = seccomp_syscall_resolve_name(name + 4);

		if (nr >= 0)
			return syscall(nr, 0, 0, 0, 0, 0, 0) < 0 ? -1 : 0;
	}
	errno = EINVAL;
	fprintf(stderr, "try-syscall: unknown name %s\n", name);
	return -2;
}

int main(int argc, char **argv)
{
	const char *fd;
	int i, n;

	/* the names come first, then QEMU's arguments for a --vm payload */
	for (n = 1; n < argc; n++)
		if (!strcmp(argv[n], "-netdev") || !strcmp(argv[n], "-device"))
			break;
	if (n + 1 < argc && !strcmp(argv[n], "-netdev") &&
	    (fd = strstr(argv[n + 1], ",fd=")))
		tap_fd = atoi(fd + 4);
	argc = n;
	for (i = 1; i < argc; i++) {
		long r;

		errno = 0;
		r = try(argv[i]);
		if (r == -2)
			return 2;
		printf("%s %d\n", argv[i], r < 0 ? errno : 0);
	}
	return 0;
}
