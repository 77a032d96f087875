/* SPDX-License-Identifier: MIT */
/*
 * view.h - what of the filesystem a payload sees
 *
 * A payload runs in a mount namespace of its own whose root qbox builds
 * before exec (view_enter(), in the payload's process): a tmpfs with the
 * system read-only (/usr and the /bin, /sbin, /lib* links or directories,
 * the parts of /etc that programs read), a private /tmp and /var/tmp, a
 * /dev of its own (null, zero, full, random, urandom, tty, a devpts, shm,
 * and /dev/kvm and /dev/vhost-net when the user may open them), a /proc
 * of the sandbox's PID namespace, /sys read-only, and nothing of any home
 * directory but what it is given:
 *
 *   QEMU       exactly the paths its command line names (plan/qemu_paths.h),
 *              read-only where QEMU only reads, and each disk image's
 *              backing chain read-only; a socket or file QEMU creates gets
 *              its directory (a file that exists, itself);
 *   a command  its working directory read-write (and its program, when
 *              that lies elsewhere outside the system);
 *   both       --bind, --ro-bind, --tmpfs and --chdir.
 *
 * view_build() resolves all of it in the supervisor, before anything
 * exists: each path is checked (a missing one that QEMU would not create
 * is a usage error naming the option and the value), made absolute, and
 * its backing chain read. With --fs host there is no view: the payload
 * sees the host's filesystem as the user does.
 */
#ifndef QBOX_VIEW_H
#define QBOX_VIEW_H

#include <stdbool.h>

#include "common/err.h"
#include "plan/plan.h"

enum view_kind {
	VIEW_RO,	/* a bind mount, read-only */
	VIEW_RW,	/* a bind mount, read-write */
	VIEW_TMPFS,	/* an empty tmpfs */
};

struct view_mount {
	char *src;		/* on the host, symlinks resolved (not tmpfs);
				   a link's target, as the link has it */
	char *dst;		/* in the view, absolute */
	enum view_kind kind;
	bool dir;		/* a directory, else a file */
	bool link;		/* a symlink of the system's (/bin -> usr/bin) */
	bool here;		/* the working directory qbox started in, bound
				   from a descriptor of it, not by its path
				   (src NULL): see view_build() */
};

struct view {
	bool host;		/* --fs host: no view at all */
	struct view_mount *m;	/* in the order they are mounted: a path's
				   parents before it */
	int n;
	char *cwd;		/* the payload's working directory */
	bool service;		/* a service of a network's, which entered
				   its namespaces from outside
				   (view_build_service()): no /proc, no
				   /sys, and nothing writable executable */
};

/**
 * view_build() - what the payload of plan @p sees, resolved
 * @p:		the plan: its argv (QEMU's, for a VM), --bind and the rest
 * @v:		filled; free with view_free(), also on error
 * @e:		usage error naming the option or flag and the path
 *
 * Reads the filesystem (stat, realpath, disk images' headers) but makes
 * nothing. Return: 0 or -errno
 */
int view_build(const struct plan *p, struct view *v, struct qerr *e);

void view_free(struct view *v);

/**
 * view_build_service() - the view of a service qbox runs for a network
 * @dir:	its own directory, absolute: read-write, and its working
 *		directory
 * @ro:		a directory it serves read-only (a TFTP root), absolute, or
 *		NULL
 * @v:		filled; free with view_free(), also on error
 * @e:		the step that failed
 *
 * The system read-only, a /dev and /tmp of its own, @dir, @ro, and
 * nothing else: no home, no runtime directory, no /proc or /sys (the service
 * enters the network's user and network namespaces, not its PID
 * namespace, whose /proc it could not mount); what it may write is
 * mounted noexec, so it cannot map a file of its own making executable
 * (Landlock's execute right does not cover mmap). network/dnsmasq.c's.
 * Return: 0 or -errno
 */
int view_build_service(const char *dir, const char *ro, struct view *v,
		       struct qerr *e);

/* Whether @path (absolute) lies in the system every view holds: /usr,
 * /bin, /sbin, /lib* */
bool view_system_holds(const char *path);

/**
 * view_enter() - put the calling process in view @v
 * @v:		from view_build()
 * @resolv:	the text of a resolv.conf of the payload's own, written into
 *		the view's /etc in place of the host's; NULL: the host's
 * @e:		the step that failed
 *
 * In the payload's process, still with init's capabilities over the
 * sandbox's namespaces (a mount namespace of its own, proc for the
 * sandbox's PID namespace, sysfs for its network namespace need them):
 * a new mount namespace, the root built and pivoted to, the old one gone,
 * the working directory set. Then Landlock, where the kernel has it,
 * walls off the same paths with the same access (view_landlock()).
 * Return: 0 or -errno
 */
int view_enter(const struct view *v, const char *resolv, struct qerr *e);

/*
 * The second wall: Landlock over what @v holds, with the same access,
 * once no_new_privs is set. Returns the Landlock ABI in force, 0 without
 * Landlock, or -errno.
 */
int view_landlock(const struct view *v, struct qerr *e);

#endif /* QBOX_VIEW_H */
