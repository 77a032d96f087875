/* SPDX-License-Identifier: MIT */
/*
 * view_enter.c - the payload enters its view (view.h)
 *
 * Theory of operation. view_enter() runs in the payload's process, as
 * bubblewrap builds its sandboxes: a mount namespace of its own
 * (everything made private, so nothing propagates back to the host); a
 * tmpfs on /tmp to work in, with newroot (a tmpfs: the view) and oldroot
 * in it; pivot_root there, so the host is /oldroot; every mount of the
 * list view_build() made (view.c) at /newroot from /oldroot (a bind
 * remounted read-only keeps the flags its source has, which a user
 * namespace may not drop: nosuid, nodev, noexec); /dev, /proc (the
 * sandbox's PID namespace), /sys (the sandbox's network namespace); then
 * pivot_root into /newroot with the old root stacked on top and detached,
 * and "/" itself made read-only. view_landlock() later walls off the same
 * paths a second time.
 */
#include "netns/view.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/util.h"
#include "seccomp/landlock.h"

/* Devices every payload gets, bound from the host's /dev */
static const char *const dev_nodes[] = {
	"null", "zero", "full", "random", "urandom", "tty", NULL,
};

/* @path a directory: made (0755) unless there (in a read-only bind, say,
 * where mkdir may answer EROFS before EEXIST) */
static int mkdir_there(const char *path)
{
	struct stat st;
	int err;

	if (mkdir(path, 0755) == 0 || errno == EEXIST)
		return 0;
	err = errno;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	return -err;
}

/* mkdir -p @path (each missing component 0755) */
static int mkdirs(const char *path)
{
	char p[PATH_MAX];
	size_t i;
	int r;

	snprintf(p, sizeof(p), "%s", path);
	for (i = 1; p[i]; i++) {
		if (p[i] != '/')
			continue;
		p[i] = '\0';
		if ((r = mkdir_there(p)) < 0)
			return r;
		p[i] = '/';
	}
	return mkdir_there(p);
}

/* The mountpoint @at: a directory, or an empty file for a file's bind */
static int mountpoint(const char *at, bool dir)
{
	char parent[PATH_MAX];
	struct stat st;
	int fd, r;

	if (dir)
		return mkdirs(at);
	if (lstat(at, &st) == 0)	/* in a read-only bind, say: */
		return 0;		/* creating it would be EROFS */
	path_parent(at, parent);
	if ((r = mkdirs(parent)) < 0)
		return r;
	fd = open(at, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0 && errno != EEXIST && errno != EISDIR)
		return -errno;
	if (fd >= 0)
		close(fd);
	return 0;
}

/*
 * Add @add (MS_RDONLY, MS_NOEXEC) to the bind mount at @at. A user
 * namespace may not clear the flags its source was mounted with (the
 * kernel locks nosuid, nodev, noexec and friends): keep them.
 */
static int remount(const char *at, unsigned long add)
{
	static const struct { unsigned long st, ms; } keep[] = {
		{ ST_NOSUID, MS_NOSUID }, { ST_NODEV, MS_NODEV },
		{ ST_NOEXEC, MS_NOEXEC }, { ST_NOATIME, MS_NOATIME },
		{ ST_NODIRATIME, MS_NODIRATIME }, { ST_RELATIME, MS_RELATIME },
		{ ST_RDONLY, MS_RDONLY },
	};
	unsigned long flags = MS_REMOUNT | MS_BIND | add;
	struct statvfs sv;
	size_t i;

	if (statvfs(at, &sv) < 0)
		return -errno;
	for (i = 0; i < ARRAY_SIZE(keep); i++)
		if (sv.f_flag & keep[i].st)
			flags |= keep[i].ms;
	return mount(NULL, at, NULL, flags, NULL) < 0 ? -errno : 0;
}

/* One mount of the list, at /newroot; the host is at /oldroot, the
 * working directory qbox started in at @here (m->here); with @noexec, what
 * is writable cannot be executed or mapped executable (a service's view) */
static int mount_one(const struct view_mount *m, int here, bool noexec,
		     struct qerr *e)
{
	char at[PATH_MAX + 16], from[PATH_MAX + 16];
	int r;

	snprintf(at, sizeof(at), "/newroot%s", m->dst);
	if (m->link) {
		char parent[PATH_MAX];

		path_parent(at, parent);
		if ((r = mkdirs(parent)) < 0 ||
		    (symlink(m->src, at) < 0 && (r = -errno) != -EEXIST))
			return qerr_set(e, -r, "the view: linking %s", m->dst);
		return 0;
	}
	if ((r = mountpoint(at, m->dir)) < 0)
		return qerr_set(e, -r, "the view: a place for %s", m->dst);
	if (m->kind == VIEW_TMPFS) {
		if (mount("tmpfs", at, "tmpfs", MS_NOSUID | MS_NODEV |
				  (noexec ? MS_NOEXEC : 0), "mode=1777") < 0)
			return qerr_set(e, errno, "the view: a tmpfs at %s",
					m->dst);
		return 0;
	}
	if (m->here)
		snprintf(from, sizeof(from), "/oldroot/proc/self/fd/%d", here);
	else
		snprintf(from, sizeof(from), "/oldroot%s", m->src);
	if (mount(from, at, NULL, MS_BIND | MS_REC, NULL) < 0)
		return qerr_set(e, errno, "the view: %s", m->dst);
	if (m->kind == VIEW_RO && (r = remount(at, MS_RDONLY)) < 0)
		return qerr_set(e, -r, "the view: %s read-only", m->dst);
	if (m->kind == VIEW_RW && noexec && (r = remount(at, MS_NOEXEC)) < 0)
		return qerr_set(e, -r, "the view: %s noexec", m->dst);
	return 0;
}

/* /newroot/dev: a tmpfs with the usual nodes, a devpts of its own, shm */
static int mount_dev(bool noexec, struct qerr *e)
{
	static const char *const links[][2] = {
		{ "pts/ptmx", "/newroot/dev/ptmx" },
		{ "/proc/self/fd", "/newroot/dev/fd" },
		{ "/proc/self/fd/0", "/newroot/dev/stdin" },
		{ "/proc/self/fd/1", "/newroot/dev/stdout" },
		{ "/proc/self/fd/2", "/newroot/dev/stderr" },
	};
	char at[64], from[64];
	size_t i;

	if (mkdirs("/newroot/dev") < 0 ||
	    mount("tmpfs", "/newroot/dev", "tmpfs", MS_NOSUID | MS_NOEXEC,
		  "mode=0755") < 0)
		return qerr_set(e, errno, "the view: /dev");
	for (i = 0; dev_nodes[i]; i++) {
		snprintf(at, sizeof(at), "/newroot/dev/%s", dev_nodes[i]);
		snprintf(from, sizeof(from), "/oldroot/dev/%s", dev_nodes[i]);
		if (mountpoint(at, false) < 0 ||
		    mount(from, at, NULL, MS_BIND, NULL) < 0)
			return qerr_set(e, errno, "the view: /dev/%s",
					dev_nodes[i]);
	}
	if (mkdirs("/newroot/dev/pts") < 0 ||
	    mount("devpts", "/newroot/dev/pts", "devpts",
		  MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=620") < 0)
		return qerr_set(e, errno, "the view: /dev/pts");
	if (mkdirs("/newroot/dev/shm") < 0 ||
	    mount("tmpfs", "/newroot/dev/shm", "tmpfs",
		  MS_NOSUID | MS_NODEV | (noexec ? MS_NOEXEC : 0),
		  "mode=1777") < 0)
		return qerr_set(e, errno, "the view: /dev/shm");
	for (i = 0; i < ARRAY_SIZE(links); i++)
		if (symlink(links[i][0], links[i][1]) < 0)
			return qerr_set(e, errno, "the view: %s",
					links[i][1] + 8);
	return 0;
}

/*
 * /proc of the sandbox's PID namespace (init and the payload's processes:
 * nothing of the host's or of another sandbox's), and /sys of its network
 * namespace, read-only. Both need the capabilities init has over the
 * sandbox's namespaces, which the payload still holds here.
 */
static int mount_kernel(struct qerr *e)
{
	if (mkdirs("/newroot/proc") < 0 ||
	    mount("proc", "/newroot/proc", "proc",
		  MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return qerr_set(e, errno, "the view: /proc of the sandbox");
	if (mkdirs("/newroot/sys") < 0)
		return qerr_set(e, errno, "the view: /sys");
	if (mount("sysfs", "/newroot/sys", "sysfs",
		  MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == 0)
		return 0;
	/* a host whose own /sys is partly covered (a container): the host's,
	   read-only, network devices and all */
	if (mount("/oldroot/sys", "/newroot/sys", NULL, MS_BIND | MS_REC,
		  NULL) < 0 || remount("/newroot/sys", MS_RDONLY) < 0)
		return qerr_set(e, errno, "the view: /sys");
	return 0;
}

/* The work space: /tmp a tmpfs with newroot (a tmpfs) and oldroot, then
 * pivot_root there, the host at /oldroot. With @here, a descriptor of the
 * working directory, taken in the new mount namespace (a bind's source
 * must be a mount of the caller's namespace) before it moves. */
static int stage(int *here, struct qerr *e)
{
	if (unshare(CLONE_NEWNS) < 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return qerr_set(e, errno, "the view: a mount namespace");
	if (here && (*here = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return qerr_set(e, errno, "the view: the working directory");
	if (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV,
		  "mode=0755") < 0 ||
	    chdir("/tmp") < 0 || mkdir("newroot", 0755) < 0 ||
	    mount("tmpfs", "newroot", "tmpfs", MS_NOSUID | MS_NODEV,
		  "mode=0755") < 0 ||
	    mkdir("oldroot", 0755) < 0)
		return qerr_set(e, errno, "the view: its work space");
	if (syscall(SYS_pivot_root, ".", "oldroot") < 0 || chdir("/") < 0)
		return qerr_set(e, errno, "the view: pivot_root");
	return 0;
}

/* Into /newroot; the work space, and the host under it, detached */
static int leave_stage(const struct view *v, struct qerr *e)
{
	char cwd[PATH_MAX + 16];

	snprintf(cwd, sizeof(cwd), "/newroot%s", v->cwd);
	if (mkdirs(cwd) < 0)
		return qerr_set(e, errno, "the view: the working directory %s",
				v->cwd);
	if (chdir("/newroot") < 0 ||
	    syscall(SYS_pivot_root, ".", ".") < 0 ||
	    umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
		return qerr_set(e, errno, "the view: pivot_root into it");
	if (mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY |
				   MS_NOSUID | MS_NODEV, NULL) < 0)
		return qerr_set(e, errno, "the view: its root read-only");
	if (chdir(v->cwd) < 0)
		return qerr_set(e, errno, "the view: the working directory %s",
				v->cwd);
	return 0;
}

/* A resolv.conf of the payload's own, a file of the view's root */
static int write_resolv(const char *text, struct qerr *e)
{
	cleanup_fd int fd = open("/newroot/etc/resolv.conf",
				 O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
					 O_CLOEXEC, 0644);

	if (fd < 0 || write_all(fd, text, strlen(text)) < 0)
		return qerr_set(e, errno, "the view: /etc/resolv.conf");
	return 0;
}

int view_enter(const struct view *v, const char *resolv, struct qerr *e)
{
	cleanup_fd int here = -1;
	bool want_here = false;
	int i, r;

	if (v->host)
		return 0;
	for (i = 0; i < v->n; i++)
		want_here |= v->m[i].here;
	if ((r = stage(want_here ? &here : NULL, e)) < 0 ||
	    (r = mount_dev(v->service, e)) < 0 ||
	    (!v->service && (r = mount_kernel(e)) < 0))
		return r;
	for (i = 0; i < v->n; i++) {
		if (resolv && !strcmp(v->m[i].dst, "/etc/resolv.conf"))
			continue;	/* written below instead */
		if ((r = mount_one(&v->m[i], here, v->service, e)) < 0)
			return r;
	}
	if (resolv && (mkdirs("/newroot/etc") < 0 ||
		       (r = write_resolv(resolv, e)) < 0))
		return r < 0 ? r : qerr_set(e, errno, "the view: /etc");
	return leave_stage(v, e);
}

int view_landlock(const struct view *v, struct qerr *e)
{
	static const struct landlock_rule kernel[] = {
		{ "/", LANDLOCK_LIST }, { "/dev", LANDLOCK_WRITE },
		{ "/proc", LANDLOCK_WRITE }, { "/sys", LANDLOCK_READ },
	};
	struct landlock_rule *rules;
	int i, n = 0, r;

	if (v->host)
		return 1;
	rules = calloc((size_t)v->n + ARRAY_SIZE(kernel), sizeof(*rules));
	if (!rules)
		return qerr_set(e, ENOMEM, "Landlock: its rules");
	/* "/" and /dev; /proc and /sys where the view has them */
	for (i = 0; i < (v->service ? 2 : (int)ARRAY_SIZE(kernel)); i++)
		rules[n++] = kernel[i];
	for (i = 0; i < v->n; i++)
		rules[n++] = (struct landlock_rule){
			v->m[i].dst, v->m[i].kind == VIEW_RO ? LANDLOCK_READ :
							       LANDLOCK_WRITE };
	r = landlock_restrict(rules, n, e);
	free(rules);
	return r;
}
