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
 *
 * Other processes: ptrace-attach:PID and ptrace-seize:PID trace PID (a
 * sibling, say) and let it go again; ptrace-attach-child does so to a
 * child of its own, which the kernel allows whenever ptrace is allowed
 * (Yama's default scope included).
 *
 * Forging frames: socket-packet, socket-packet-dgram (AF_PACKET),
 * socket-raw (AF_INET, SOCK_RAW), socket-raw6, sock-packet (the old
 * SOCK_PACKET), tun-create (a TAP of its own), set-mac:IFNAME (a new
 * MAC), ip-transparent (sending from a foreign address): each needs
 * CAP_NET_RAW or CAP_NET_ADMIN.
 *
 * With "announce" first, it prints "try NAME" before each call, so that
 * a call that kills it (a policy's kill-process) shows which one it was.
 */
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <linux/if.h>
#include <linux/if_ether.h>
#include <linux/if_tun.h>
#include <netinet/in.h>
#include <seccomp.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
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

/* ptrace @req (PTRACE_ATTACH or PTRACE_SEIZE) of @pid; let it go again */
static long trace(enum __ptrace_request req, pid_t pid)
{
	long r = ptrace(req, pid, NULL, NULL);
	int err = errno;

	if (r == 0) {
		if (req == PTRACE_SEIZE)
			ptrace(PTRACE_INTERRUPT, pid, NULL, NULL);
		waitpid(pid, NULL, __WALL);
		ptrace(PTRACE_DETACH, pid, NULL, NULL);
	}
	errno = err;
	return r;
}

/* A child that waits to be killed, traced by us */
static long trace_child(void)
{
	pid_t pid = fork();
	long r;

	if (pid == 0) {
		for (;;)
			pause();
	}
	if (pid < 0)
		return -1;
	r = trace(PTRACE_ATTACH, pid);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return r;
}

/* A socket of @domain, @type, @proto, closed at once */
static long sock(int domain, int type, int proto)
{
	int fd = socket(domain, type, proto);

	if (fd >= 0)
		close(fd);
	return fd < 0 ? -1 : 0;
}

/* A TAP device of its own */
static long tun_create(void)
{
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI };
	int fd = open("/dev/net/tun", O_RDWR), r, err;

	if (fd < 0)
		return -1;
	r = ioctl(fd, TUNSETIFF, &ifr);
	err = errno;
	close(fd);
	errno = err;
	return r;
}

/* SIOCSIFHWADDR: a new MAC for @ifname */
static long set_mac(const char *ifname)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM, 0), r, err;

	if (fd < 0)
		return -1;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_hwaddr.sa_family = 1;	/* ARPHRD_ETHER */
	memcpy(ifr.ifr_hwaddr.sa_data, "\x02\x66\x6f\x72\x67\x65", 6);
	r = ioctl(fd, SIOCSIFHWADDR, &ifr);
	err = errno;
	close(fd);
	errno = err;
	return r;
}

/* IP_TRANSPARENT: bind and send from an address not the host's */
static long ip_transparent(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0), one = 1, r, err;

	if (fd < 0)
		return -1;
	r = setsockopt(fd, SOL_IP, IP_TRANSPARENT, &one, sizeof(one));
	err = errno;
	close(fd);
	errno = err;
	return r;
}

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
	if (!strncmp(name, "ptrace-attach:", 14))
		return trace(PTRACE_ATTACH, atoi(name + 14));
	if (!strncmp(name, "ptrace-seize:", 13))
		return trace(PTRACE_SEIZE, atoi(name + 13));
	if (!strcmp(name, "ptrace-attach-child"))
		return trace_child();
	if (!strcmp(name, "socket-packet"))
		return sock(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (!strcmp(name, "socket-packet-dgram"))
		return sock(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP));
	if (!strcmp(name, "socket-raw"))
		return sock(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (!strcmp(name, "socket-raw6"))
		return sock(AF_INET6, SOCK_RAW, IPPROTO_RAW);
	if (!strcmp(name, "sock-packet"))
		return sock(AF_INET, SOCK_PACKET, htons(ETH_P_ALL));
	if (!strcmp(name, "tun-create"))
		return tun_create();
	if (!strncmp(name, "set-mac:", 8))
		return set_mac(name + 8);
	if (!strcmp(name, "ip-transparent"))
		return ip_transparent();
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
	bool announce = argc > 1 && !strcmp(argv[1], "announce");
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
	for (i = 1 + announce; i < argc; i++) {
		long r;

		if (announce) {
			printf("try %s\n", argv[i]);
			fflush(stdout);
		}
		errno = 0;
		r = try(argv[i]);
		if (r == -2)
			return 2;
		printf("%s %d\n", argv[i], r < 0 ? errno : 0);
	}
	return 0;
}
