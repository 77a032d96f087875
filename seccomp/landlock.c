// SPDX-License-Identifier: MIT
/*
 * landlock.c - see landlock.h
 *
 * Theory of operation: a Landlock ruleset lists the access rights it
 * "handles"; a handled right is refused everywhere except beneath the
 * objects a rule names. The set of rights grew with the kernel (the ABI
 * version), and a ruleset that names a right the kernel does not know is
 * refused, so the handled set is built from the version the kernel
 * reports. The system headers may be older than the kernel (Debian 12's
 * know ABI 2), hence the fallback definitions below, whose values are the
 * kernel's stable UAPI. Network rights (ABI 4) and scopes (ABI 6) are
 * left alone: the NAT engine must connect anywhere, and its seccomp
 * policy already refuses bind, listen, Unix sockets and signals.
 */
#include "seccomp/landlock.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13)
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)
#endif

/* Every filesystem right of ABI 1: bits 0 (EXECUTE) to 12 (MAKE_SYM) */
#define FS_ABI1 ((1ULL << 13) - 1)

/* The filesystem rights the kernel's Landlock knows, by its ABI version */
static uint64_t fs_rights(int abi)
{
	uint64_t r = FS_ABI1;

	if (abi >= 2)
		r |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		r |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 5)
		r |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	return r;
}

/* The rights that mean something on a file (not a directory) */
#define FS_FILE (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | \
		 LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_TRUNCATE | \
		 LANDLOCK_ACCESS_FS_IOCTL_DEV)

static uint64_t rights_of(enum landlock_access a, uint64_t handled)
{
	switch (a) {
	case LANDLOCK_LIST:
		return LANDLOCK_ACCESS_FS_READ_DIR;
	case LANDLOCK_READ:
		return LANDLOCK_ACCESS_FS_EXECUTE |
		       LANDLOCK_ACCESS_FS_READ_FILE |
		       LANDLOCK_ACCESS_FS_READ_DIR;
	default:
		return handled;
	}
}

/* Let ruleset @rs do @rule; a missing path is no error */
static int allow(int rs, const struct landlock_rule *rule, uint64_t handled,
		 struct qerr *e)
{
	struct landlock_path_beneath_attr pb = { 0 };
	struct stat st;
	int r = 0;

	pb.parent_fd = open(rule->path, O_PATH | O_CLOEXEC);
	if (pb.parent_fd < 0)
		return errno == ENOENT ? 0 :
		       qerr_set(e, errno, "Landlock: opening %s", rule->path);
	pb.allowed_access = rights_of(rule->access, handled) & handled;
	if (fstat(pb.parent_fd, &st) == 0 && !S_ISDIR(st.st_mode))
		pb.allowed_access &= FS_FILE;
	if (pb.allowed_access &&
	    syscall(SYS_landlock_add_rule, rs, LANDLOCK_RULE_PATH_BENEATH, &pb,
		    0) < 0)
		r = qerr_set(e, errno, "Landlock: allowing %s", rule->path);
	close(pb.parent_fd);
	return r;
}

int landlock_abi(void)
{
	int abi = (int)syscall(SYS_landlock_create_ruleset, NULL, 0,
			       LANDLOCK_CREATE_RULESET_VERSION);

	if (abi >= 0)
		return abi;
	return errno == ENOSYS || errno == EOPNOTSUPP ? 0 : -errno;
}

void landlock_note_missing(void)
{
	static bool said;

	if (said || landlock_abi() != 0)
		return;
	said = true;
	fprintf(stderr, "qbox: warning: the kernel has no Landlock: the "
			"payload's view of the filesystem and the NAT "
			"engine's policy hold without their second wall\n");
}

int landlock_restrict(const struct landlock_rule *rules, int n,
		      struct qerr *e)
{
	struct landlock_ruleset_attr attr = { 0 };
	int abi, rs, i, r = 0;

	abi = landlock_abi();
	if (abi <= 0)
		return abi == 0 ? 0 : qerr_set(e, -abi, "Landlock: asking its "
							"version");
	attr.handled_access_fs = fs_rights(abi);
	rs = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (rs < 0)
		return qerr_set(e, errno, "Landlock: creating a ruleset");
	for (i = 0; r == 0 && i < n; i++)
		r = allow(rs, &rules[i], attr.handled_access_fs, e);
	if (r == 0 && syscall(SYS_landlock_restrict_self, rs, 0) < 0)
		r = qerr_set(e, errno, "Landlock: restricting the process");
	close(rs);
	return r < 0 ? r : abi;
}

int landlock_wall(const char *const *files, struct qerr *e)
{
	struct landlock_rule rules[16];
	int n = 0;

	for (; *files && n < (int)(sizeof(rules) / sizeof(rules[0])); files++)
		rules[n++] = (struct landlock_rule){ *files, LANDLOCK_READ };
	return landlock_restrict(rules, n, e);
}
