// SPDX-License-Identifier: MIT
/*
 * no-netfilter COMMAND [ARG...]
 *
 * Runs COMMAND as on a kernel without netfilter's netlink interface
 * (nfnetlink: nftables, NFQUEUE): a seccomp filter makes
 * socket(AF_NETLINK, ..., NETLINK_NETFILTER) fail with EPROTONOSUPPORT,
 * as it does where that is not built, for COMMAND and everything it
 * starts. The rest of the system calls pass. Tests use it to see qbox
 * without the kernel's egress path (it says so once, and NAT egress goes
 * through libslirp).
 *
 * Exits 125 when the filter cannot be loaded, 127 when COMMAND cannot
 * run, else with COMMAND's status.
 */
#include <errno.h>
#include <linux/netlink.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	scmp_filter_ctx ctx;

	if (argc < 2) {
		fprintf(stderr, "usage: no-netfilter COMMAND [ARG...]\n");
		return 125;
	}
	/* no_new_privs, which an unprivileged filter needs, libseccomp sets */
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx ||
	    seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPROTONOSUPPORT),
			     SCMP_SYS(socket), 2,
			     SCMP_A0(SCMP_CMP_EQ, AF_NETLINK),
			     SCMP_A2(SCMP_CMP_EQ, NETLINK_NETFILTER)) < 0 ||
	    seccomp_load(ctx) < 0) {
		fprintf(stderr, "no-netfilter: loading the filter failed\n");
		return 125;
	}
	seccomp_release(ctx);
	execvp(argv[1], argv + 1);
	fprintf(stderr, "no-netfilter: %s: %s\n", argv[1], strerror(errno));
	return 127;
}
