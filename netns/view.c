// SPDX-License-Identifier: MIT
/*
 * view.c - what of the filesystem a payload sees (view.h)
 *
 * Theory of operation. view_build() runs in the supervisor before anything
 * exists and turns the plan into a list of mounts, each with its source on
 * the host (symlinks resolved) and its place in the view (the path as the
 * payload will name it, made absolute against the payload's working
 * directory): the system (read-only), /tmp and /var/tmp (tmpfs), then what
 * the user gave (--bind, --ro-bind, --tmpfs), then the payload's own: for
 * QEMU each path its argv names, by how QEMU uses it (a file it creates
 * but that does not exist yet, and a socket it listens on, get their
 * directory), and each disk image's backing chain, read from its header;
 * for a command, its working directory and its program. The list is then
 * sorted by the length of the place, stably, so that a directory is
 * mounted before what is mounted inside it.
 *
 * view_enter.c puts the payload in it.
 */
#include "netns/view.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "plan/image.h"
#include "plan/qemu_paths.h"

/* Backing chains longer than this are refused (QEMU's own limit is 16) */
#define CHAIN_MAX 16

/* The system, read-only: each that exists, as a directory or a link */
static const char *const system_dirs[] = {
	"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32",
	NULL,
};

/* What programs read of /etc (QEMU's own configuration too) */
static const char *const system_etc[] = {
	"/etc/resolv.conf", "/etc/hosts", "/etc/host.conf",
	"/etc/nsswitch.conf", "/etc/gai.conf", "/etc/passwd", "/etc/group",
	"/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d",
	"/etc/ssl", "/etc/ca-certificates", "/etc/ca-certificates.conf",
	"/etc/localtime", "/etc/timezone", "/etc/alternatives",
	"/etc/protocols", "/etc/services", "/etc/os-release",
	"/etc/debian_version", "/etc/qemu", "/etc/qemu-ifup", NULL,
};

/* Devices a VM uses when the user may open them */
static const char *const dev_optional[] = {
	"/dev/kvm", "/dev/vhost-net", NULL,
};

void view_free(struct view *v)
{
	int i;

	for (i = 0; i < v->n; i++) {
		free(v->m[i].src);
		free(v->m[i].dst);
	}
	free(v->m);
	free(v->cwd);
	*v = (struct view){ 0 };
}

static int push(struct view *v, const char *src, const char *dst,
		enum view_kind kind, bool dir, struct qerr *e)
{
	struct view_mount *grown, *m;

	grown = realloc(v->m, sizeof(*grown) * (size_t)(v->n + 1));
	if (!grown)
		return qerr_set(e, ENOMEM, "building the payload's view");
	v->m = grown;
	m = &grown[v->n];
	*m = (struct view_mount){ .kind = kind, .dir = dir };
	m->src = src ? strdup(src) : NULL;
	m->dst = strdup(dst);
	if ((src && !m->src) || !m->dst) {
		free(m->src);
		free(m->dst);
		return qerr_set(e, ENOMEM, "building the payload's view");
	}
	v->n++;
	return 0;
}

/*
 * @path made absolute against @cwd and cleaned up as the kernel walks it:
 * "." and empty components go, ".." takes one back (lexically: the
 * payload names the path, not what a symlink in it points to)
 */
static int absolute(const char *cwd, const char *path, char out[PATH_MAX])
{
	char tmp[PATH_MAX];
	char *save, *c;
	size_t len = 0;
	int n;

	n = path[0] == '/' ? snprintf(tmp, sizeof(tmp), "%s", path) :
			     snprintf(tmp, sizeof(tmp), "%s/%s", cwd, path);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -ENAMETOOLONG;
	out[0] = '\0';
	for (c = strtok_r(tmp, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (!strcmp(c, "."))
			continue;
		if (!strcmp(c, "..")) {
			while (len > 0 && out[len] != '/')
				len--;
			out[len] = '\0';
			continue;
		}
		len += (size_t)snprintf(out + len, PATH_MAX - len, "/%s", c);
	}
	if (!len)
		strcpy(out, "/");
	return 0;
}

/* Mount @path (as the payload names it, made absolute) from what it is */
static int push_path(struct view *v, const char *path, enum view_kind kind,
		     const char *what, struct qerr *e)
{
	char dst[PATH_MAX], src[PATH_MAX];
	struct stat st;

	if (absolute(v->cwd, path, dst) < 0)
		return qerr_usage(e, "%s: the path is too long", what);
	if (!realpath(dst, src) || stat(src, &st) < 0)
		return qerr_usage(e, "%s: %s", what, strerror(errno));
	return push(v, src, dst, kind, S_ISDIR(st.st_mode), e);
}

/* A symlink of the system's, kept as a symlink (its target's text) */
static int push_link(struct view *v, const char *path, struct qerr *e)
{
	char target[PATH_MAX];
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	struct view_mount *m;
	int r;

	if (n < 0)
		return 0;
	target[n] = '\0';
	if ((r = push(v, target, path, VIEW_RO, false, e)) < 0)
		return r;
	m = &v->m[v->n - 1];
	m->link = true;
	return 0;
}

/* The system, read-only, a private /tmp and /var/tmp; with @devices, the
 * VM's devices the user may open */
static int push_system(struct view *v, bool devices, struct qerr *e)
{
	const char *const *lists[] = { system_dirs, system_etc };
	struct stat st;
	size_t l;
	int i, r;

	for (l = 0; l < 2; l++)
		for (i = 0; lists[l][i]; i++) {
			const char *p = lists[l][i];

			if (lstat(p, &st) < 0)
				continue;
			r = S_ISLNK(st.st_mode) ?
				    push_link(v, p, e) :
				    push(v, p, p, VIEW_RO, S_ISDIR(st.st_mode),
					 e);
			if (r < 0)
				return r;
		}
	for (i = 0; devices && dev_optional[i]; i++)
		if (access(dev_optional[i], R_OK | W_OK) == 0 &&
		    (r = push(v, dev_optional[i], dev_optional[i], VIEW_RW,
			      false, e)) < 0)
			return r;
	if ((r = push(v, NULL, "/tmp", VIEW_TMPFS, true, e)) < 0)
		return r;
	return push(v, NULL, "/var/tmp", VIEW_TMPFS, true, e);
}

/* --bind, --ro-bind, --tmpfs: relative paths are qbox's working
 * directory's, as the user wrote them there */
static int push_user(struct view *v, const struct plan *p, const char *cwd,
		     struct qerr *e)
{
	char what[PATH_MAX + 32], path[PATH_MAX], src[PATH_MAX], dst[PATH_MAX];
	int i, r;

	for (i = 0; i < p->n_fs; i++) {
		const struct fs_opt *f = &p->fs[i];
		struct stat st;

		snprintf(what, sizeof(what), "%s %s", fs_flag(f->kind), f->arg);
		snprintf(path, sizeof(path), "%.*s", (int)f->src_len, f->arg);
		if (absolute(cwd, f->dst ? f->dst : path, dst) < 0)
			return qerr_usage(e, "%s: the path is too long", what);
		if (f->kind == FS_TMPFS) {
			if ((r = push(v, NULL, dst, VIEW_TMPFS, true, e)) < 0)
				return r;
			continue;
		}
		if (!realpath(path, src) || stat(src, &st) < 0)
			return qerr_usage(e, "%s: %s", what, strerror(errno));
		r = push(v, src, dst, f->kind == FS_BIND ? VIEW_RW : VIEW_RO,
			 S_ISDIR(st.st_mode), e);
		if (r < 0)
			return r;
	}
	return 0;
}

/* @p made absolute against @cwd, its host source and what it is */
static int locate(const struct view *v, const char *p, char dst[PATH_MAX],
		  char src[PATH_MAX], struct stat *st)
{
	if (absolute(v->cwd, p, dst) < 0)
		return -ENAMETOOLONG;
	if (!realpath(dst, src) || stat(src, st) < 0)
		return -errno;
	return 0;
}

/*
 * The backing chain of disk image @dst (host @src), read-only. A relative
 * backing name is relative to the directory of the image's name, as QEMU
 * resolves it; a name with a protocol (nbd:) names no file.
 */
static int push_chain(struct view *v, const char *what, const char *dst0,
		      const char *src0, struct qerr *e)
{
	char dst[PATH_MAX], src[PATH_MAX], dir[PATH_MAX], name[PATH_MAX];
	char rel[2 * PATH_MAX];
	uint8_t hdr[IMAGE_HEADER_LEN];
	int depth, r;

	snprintf(dst, sizeof(dst), "%s", dst0);
	snprintf(src, sizeof(src), "%s", src0);
	for (depth = 0;; depth++) {
		cleanup_fd int fd = open(src, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		uint64_t off;
		uint32_t len;
		struct stat st;
		ssize_t n;

		if (fd < 0)	/* QEMU will say it cannot open it */
			return 0;
		n = pread(fd, hdr, sizeof(hdr), 0);
		r = image_backing_at(hdr, n > 0 ? (size_t)n : 0, &off, &len);
		if (r == 0)
			return 0;
		if (r < 0 || pread(fd, name, len, (off_t)off) != (ssize_t)len ||
		    memchr(name, '\0', len))
			return qerr_usage(e, "%s: %s: a qcow2 or QED header "
					     "that names its backing file "
					     "badly", what, dst);
		name[len] = '\0';
		if (!strncmp(name, "json:", 5))
			return qerr_usage(e, "%s: %s: its backing file is a "
					     "json: name, which qbox does not "
					     "follow (give the chain with "
					     "-blockdev)", what, dst);
		if (name[strcspn(name, ":/")] == ':')
			return 0;	/* nbd:, http:: no file of ours */
		if (depth >= CHAIN_MAX)
			return qerr_usage(e, "%s: a backing chain longer than "
					     "%d images (a loop?)", what,
					  CHAIN_MAX);
		path_parent(dst, dir);
		if (name[0] == '/')
			snprintf(rel, sizeof(rel), "%s", name);
		else
			snprintf(rel, sizeof(rel), "%s/%s", dir, name);
		if ((r = locate(v, rel, dst, src, &st)) < 0)
			return qerr_usage(e, "%s: its backing file %s: %s", what,
					  name, strerror(-r));
		if ((r = push(v, src, dst, VIEW_RO, false, e)) < 0)
			return r;
	}
}

/* A bare name QEMU also looks for in its data directories (/usr/share) */
static bool in_data_dirs(const struct qpath *q)
{
	return q->use == QPATH_READ && !strchr(q->path, '/') &&
	       (!strcmp(q->opt, "-bios") || !strcmp(q->opt, "-option-rom") ||
		!strcmp(q->opt, "-device") || !strcmp(q->opt, "-L"));
}

/* A pipe chardev's PATH.in and PATH.out, when PATH itself is not there */
static int push_pipe(struct view *v, const struct qpath *q, const char *what,
		     struct qerr *e)
{
	char p[PATH_MAX + 4], dst[PATH_MAX], src[PATH_MAX];
	static const char *const ends[] = { ".in", ".out" };
	struct stat st;
	int i, r;

	for (i = 0; i < 2; i++) {
		snprintf(p, sizeof(p), "%s%s", q->path, ends[i]);
		if (locate(v, p, dst, src, &st) < 0)
			return qerr_usage(e, "%s: %s: %s", what, q->path,
					  strerror(ENOENT));
		if ((r = push(v, src, dst, VIEW_RW, false, e)) < 0)
			return r;
	}
	return 0;
}

/*
 * One path QEMU's argv names, by how QEMU uses it. @wrapper: the program
 * is not QEMU itself but a --vm wrapper of it, whose words need not be
 * QEMU's: one that names nothing there is no error.
 */
static int push_qpath(struct view *v, const struct qpath *q, bool wrapper,
		      struct qerr *e)
{
	char what[PATH_MAX + 64], dst[PATH_MAX], src[PATH_MAX];
	struct stat st;
	int r;

	snprintf(what, sizeof(what), "%s %s", q->opt, q->value);
	if (q->use == QPATH_LISTEN)
		goto parent;
	r = locate(v, q->path, dst, src, &st);
	if (r < 0 && q->use == QPATH_CREATE)
		goto parent;
	if (r < 0 && (in_data_dirs(q) || wrapper))
		return 0;
	if (r == -ENOENT && q->use == QPATH_WRITE && !q->dir)
		return push_pipe(v, q, what, e);
	if (r < 0)
		return qerr_usage(e, "%s: %s: %s", what, q->path, strerror(-r));
	if (q->dir && !S_ISDIR(st.st_mode))
		return qerr_usage(e, "%s: %s: %s", what, q->path,
				  strerror(ENOTDIR));
	r = push(v, src, dst, q->use == QPATH_READ ? VIEW_RO : VIEW_RW,
		 S_ISDIR(st.st_mode), e);
	if (r == 0 && q->image && S_ISREG(st.st_mode))
		r = push_chain(v, what, dst, src, e);
	return r;
parent:	/* what QEMU makes there: the directory it goes into */
	if (absolute(v->cwd, q->path, src) < 0)
		return qerr_usage(e, "%s: the path is too long", what);
	path_parent(src, dst);
	if (locate(v, dst, dst, src, &st) < 0 || !S_ISDIR(st.st_mode))
		return qerr_usage(e, "%s: %s: its directory does not exist",
				  what, q->path);
	return push(v, src, dst, VIEW_RW, true, e);
}

static int push_qemu(struct view *v, const struct plan *p, struct qerr *e)
{
	bool wrapper = !argv_is_qemu(p->argv[0]);
	struct qpaths qp;
	int i, r;

	if ((r = qemu_paths(p->argv, &qp, e)) == 0)
		for (i = 0; r == 0 && i < qp.n; i++)
			r = push_qpath(v, &qp.v[i], wrapper, e);
	qpaths_free(&qp);
	return r;
}

/* Whether @path is @dir or inside it */
static bool under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(path, dir, n) && (path[n] == '/' || !path[n] ||
					 !strcmp(dir, "/"));
}

/* Whether the view shows host path @dst already: the system's, or under
 * a directory bound from the host (a tmpfs shows nothing of the host's) */
static bool held(const struct view *v, const char *dst)
{
	int i;

	if (view_system_holds(dst))
		return true;
	for (i = 0; i < v->n; i++)
		if (v->m[i].dir && !v->m[i].link &&
		    v->m[i].kind != VIEW_TMPFS && under(dst, v->m[i].dst))
			return true;
	return false;
}

/*
 * The payload's program, read-only, unless the system or the working
 * directory holds it already: found in PATH as execvp finds it
 */
static int push_program(struct view *v, const char *prog, struct qerr *e)
{
	char path[PATH_MAX], dst[PATH_MAX], src[PATH_MAX];
	const char *dirs = getenv("PATH");
	struct stat st;

	if (strchr(prog, '/')) {
		snprintf(path, sizeof(path), "%s", prog);
	} else {
		path[0] = '\0';
		while (dirs && *dirs && !path[0]) {
			size_t n = strcspn(dirs, ":");

			snprintf(path, sizeof(path), "%.*s/%s", (int)n, dirs,
				 prog);
			if (access(path, X_OK) < 0)
				path[0] = '\0';
			dirs += n + (dirs[n] == ':');
		}
	}
	if (!path[0] || locate(v, path, dst, src, &st) < 0)
		return 0;	/* command_check() said what it could */
	if (held(v, dst))
		return 0;
	return push(v, src, dst, VIEW_RO, false, e);
}

/*
 * A command's working directory whose path the user may not walk: a
 * checkout under another user's home of mode 0700, run through `sudo -u`
 * or setpriv. The payload had that directory before there was a view (a
 * process keeps its working directory whatever the path to it), so it
 * keeps it: view_enter() binds it from a descriptor of ".", taken before
 * anything moves, at the same path in the view.
 */
static bool unwalkable(const char *cwd)
{
	struct stat st;

	return stat(cwd, &st) < 0 && errno == EACCES && stat(".", &st) == 0;
}

static int push_here(struct view *v, struct qerr *e)
{
	int r = push(v, NULL, v->cwd, VIEW_RW, true, e);

	if (r == 0)
		v->m[v->n - 1].here = true;
	return r;
}

/* Parents first: stably, by the length of the place in the view */
static void sort_mounts(struct view *v)
{
	int i, j;

	for (i = 1; i < v->n; i++) {
		struct view_mount m = v->m[i];

		for (j = i; j > 0 && strlen(v->m[j - 1].dst) > strlen(m.dst);
		     j--)
			v->m[j] = v->m[j - 1];
		v->m[j] = m;
	}
}

int view_build(const struct plan *p, struct view *v, struct qerr *e)
{
	char cwd[PATH_MAX], dir[PATH_MAX];
	int r;

	*v = (struct view){ .host = p->fs_host };
	if (p->fs_host)
		return 0;
	if (!getcwd(cwd, sizeof(cwd)))
		return qerr_set(e, errno, "finding the working directory");
	if (absolute(cwd, p->chdir ? p->chdir : cwd, dir) < 0)
		return qerr_usage(e, "--chdir %s: the path is too long",
				  p->chdir);
	if (!(v->cwd = strdup(dir)))
		return qerr_set(e, ENOMEM, "building the payload's view");
	if ((r = push_system(v, true, e)) < 0 ||
	    (r = push_user(v, p, cwd, e)) < 0)
		return r;
	if (p->vm) {
		r = push_qemu(v, p, e);
	} else if (!p->chdir && unwalkable(cwd)) {
		r = push_here(v, e);
	} else {
		char what[PATH_MAX + 16];

		snprintf(what, sizeof(what), "%s%s",
			 p->chdir ? "--chdir " : "the working directory",
			 p->chdir ? p->chdir : "");
		r = push_path(v, v->cwd, VIEW_RW, what, e);
	}
	if (r == 0)
		r = push_program(v, p->argv[0], e);
	if (r == 0)
		sort_mounts(v);
	return r;
}

bool view_system_holds(const char *path)
{
	int i;

	for (i = 0; system_dirs[i]; i++)
		if (under(path, system_dirs[i]))
			return true;
	return false;
}

int view_build_service(const char *dir, const char *ro, struct view *v,
		       struct qerr *e)
{
	int r;

	*v = (struct view){ .service = true };
	if (!(v->cwd = strdup(dir)))
		return qerr_set(e, ENOMEM, "building a service's view");
	if ((r = push_system(v, false, e)) < 0 ||
	    (r = push_path(v, dir, VIEW_RW, dir, e)) < 0 ||
	    (ro && (r = push_path(v, ro, VIEW_RO, ro, e)) < 0))
		return r;
	sort_mounts(v);
	return 0;
}
