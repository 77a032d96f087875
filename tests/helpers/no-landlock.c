// SPDX-License-Identifier: MIT
/*
 * no-landlock COMMAND [ARG...]
 *
 * Runs COMMAND as on a kernel without Landlock: a seccomp filter makes
 * landlock_create_ruleset(2) fail with ENOSYS for COMMAND and everything
 * it starts, as it does where Landlock is not built in. The rest of the
 * system calls pass. Tests use it to see what qbox does without its
 * second wall (it says so, and the view still holds).
 *
 * Exits 125 when the filter cannot be loaded, 127 when COMMAND cannot
 * run, else with COMMAND's status.
 */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	scmp_filter_ctx ctx;

	if (argc < 2) {
		fprintf(stderr, "usage: no-landlock COMMAND [ARG...]\n");
		return 125;
	}
	/* no_new_privs, which an unprivileged filter needs, libseccomp sets */
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx ||
	    seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS),
			     SCMP_SYS(landlock_create_ruleset), 0) < 0 ||
	    seccomp_load(ctx) < 0) {
		fprintf(stderr, "no-landlock: loading the filter failed\n");
		return 125;
	}
	seccomp_release(ctx);
	execvp(argv[1], argv + 1);
	fprintf(stderr, "no-landlock: %s: %s\n", argv[1], strerror(errno));
	return 127;
}
