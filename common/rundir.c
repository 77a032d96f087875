// SPDX-License-Identifier: MIT
/* rundir.c - runtime directory and name locks (see rundir.h) */
#include "common/rundir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"

uid_t uid_map_outer(const char *map, uid_t uid)
{
	unsigned long in, out, count;
	const char *line;

	for (line = map; line && *line; line = strchr(line, '\n'),
	     line = line ? line + 1 : NULL)
		if (sscanf(line, "%lu %lu %lu", &in, &out, &count) == 3 &&
		    uid >= in && uid - in < count)
			return (uid_t)(out + (uid - in));
	return uid;
}

int rundir_path(uid_t uid, char *buf, size_t size, struct qerr *e)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	int n;

	if (xdg && *xdg) {
		if (xdg[0] != '/')
			return qerr_usage(e, "XDG_RUNTIME_DIR='%s' is not an "
					     "absolute path", xdg);
		n = snprintf(buf, size, "%s/qbox", xdg);
	} else {
		char map[4096];

		if (read_file("/proc/self/uid_map", map, sizeof(map)) > 0)
			uid = uid_map_outer(map, uid);
		n = snprintf(buf, size, "/tmp/qbox-%u", (unsigned int)uid);
	}
	if (n < 0 || (size_t)n >= size)
		return qerr_usage(e, "XDG_RUNTIME_DIR is too long");
	return 0;
}

/*
 * What to do about a runtime directory that is not the user's: without
 * XDG_RUNTIME_DIR it is /tmp/qbox-UID, which another user may have made
 * first, and /tmp's sticky bit keeps the victim from removing it
 */
static const char *remedy(void)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");

	if (xdg && *xdg)
		return "remove it";
	return "another user made it, and you cannot remove it from /tmp: "
	       "set XDG_RUNTIME_DIR to a directory of your own (qbox uses "
	       "its qbox/ subdirectory), or have an administrator remove it";
}

/* "uid 65534 (nobody)" */
static void owner_of(uid_t uid, char *buf, size_t size)
{
	struct passwd *pw = getpwuid(uid);

	if (pw)
		snprintf(buf, size, "uid %u (%s)", (unsigned int)uid,
			 pw->pw_name);
	else
		snprintf(buf, size, "uid %u", (unsigned int)uid);
}

static int not_yours(const char *path, uid_t owner, uid_t uid,
		     struct qerr *e)
{
	char who[128];

	owner_of(owner, who, sizeof(who));
	qerr_usage(e, "runtime directory %s belongs to %s, not to you (uid %u); "
		      "%s", path, who, (unsigned int)uid, remedy());
	return -EPERM;
}

int rundir_open(const char *path, uid_t uid, struct qerr *e)
{
	char who[128];
	struct stat lst;

	cleanup_fd int fd = -1;
	struct stat st;

	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return qerr_set(e, errno, "creating runtime directory %s",
				path);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ELOOP || errno == ENOTDIR) {
			owner_of(lstat(path, &lst) == 0 ? lst.st_uid : uid, who,
				 sizeof(who));
			qerr_usage(e, "runtime directory %s is a symlink or "
				      "not a directory, of %s; %s", path, who,
				   lstat(path, &lst) == 0 && lst.st_uid != uid ?
					   remedy() : "remove it");
			return -ENOTDIR;
		}
		/* another user's, closed to us: say whose, as below */
		if (errno == EACCES && lstat(path, &lst) == 0 &&
		    lst.st_uid != uid)
			return not_yours(path, lst.st_uid, uid, e);
		return qerr_set(e, errno, "opening runtime directory %s", path);
	}
	if (fstat(fd, &st) < 0)
		return qerr_set(e, errno, "checking runtime directory %s",
				path);
	if (st.st_uid != uid)
		return not_yours(path, st.st_uid, uid, e);
	if (st.st_mode & 077) {
		qerr_usage(e, "runtime directory %s has mode %04o; it must be "
			      "0700 (chmod 0700 %s)", path,
			   (unsigned int)(st.st_mode & 07777), path);
		return -EPERM;
	}
	return steal_fd(&fd);
}

static void lock_file_name(const char *name, char *buf, size_t size)
{
	snprintf(buf, size, "%s.lock", name);
}

int rundir_lock(int dirfd, const char *name, struct qerr *e)
{
	char file[128], pid[32];
	int tries;

	lock_file_name(name, file, sizeof(file));
	/*
	 * The holder unlinks the file before releasing the lock; if we locked
	 * a file that has been unlinked meanwhile, start over with a new one.
	 */
	for (tries = 0; tries < 100; tries++) {
		cleanup_fd int fd = -1;
		struct stat a, b;
		ssize_t n;

		fd = openat(dirfd, file, O_RDWR | O_CREAT | O_NOFOLLOW |
					 O_CLOEXEC, 0600);
		if (fd < 0)
			return qerr_set(e, errno, "creating %s", file);
		if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
			if (errno != EWOULDBLOCK)
				return qerr_set(e, errno, "locking %s", file);
			n = pread(fd, pid, sizeof(pid) - 1, 0);
			pid[n > 0 ? n : 0] = '\0';
			pid[strcspn(pid, "\n")] = '\0';
			qerr_usage(e, "--name %s: a sandbox of that name is "
				      "already running (pid %s)", name,
				   *pid ? pid : "?");
			return -EEXIST;
		}
		if (fstat(fd, &a) < 0)
			return qerr_set(e, errno, "checking %s", file);
		if (fstatat(dirfd, file, &b, AT_SYMLINK_NOFOLLOW) < 0 ||
		    a.st_ino != b.st_ino || a.st_dev != b.st_dev)
			continue;
		n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
		if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, (size_t)n, 0) != n)
			return qerr_set(e, errno, "writing %s", file);
		return steal_fd(&fd);
	}
	return qerr_set(e, EAGAIN, "locking %s", file);
}

void rundir_rmdir(int dirfd, const char *dir)
{
	int fd = openat(dirfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *d;
	DIR *dp;

	if (fd >= 0 && (dp = fdopendir(fd))) {
		while ((d = readdir(dp)))
			if (strcmp(d->d_name, ".") && strcmp(d->d_name, ".."))
				unlinkat(fd, d->d_name, 0);
		closedir(dp);
	} else if (fd >= 0) {
		close(fd);
	}
	unlinkat(dirfd, dir, AT_REMOVEDIR);
}

/* The files a sandbox keeps, the lock last: it guards the others */
static void remove_files(int dirfd, const char *name)
{
	static const char *const dns_files[] = {
		"hosts", "hosts.new", "dhcp-hosts.d/hosts", "dhcp-hosts.new",
		"leases", "leases.new", "pid", "log",
	};
	char file[128];
	size_t i;

	snprintf(file, sizeof(file), "%s.sock", name);
	unlinkat(dirfd, file, 0);
	/* a VM's QMP monitor of qbox's (supervisor/qmp.h) */
	snprintf(file, sizeof(file), "%s.qmp", name);
	unlinkat(dirfd, file, 0);
	/* a network's generic socket (network/hub_stream.c) */
	snprintf(file, sizeof(file), "%s.stream", name);
	unlinkat(dirfd, file, 0);
	/* a network's VDE switch and its ports (network/hub_vde.c) */
	snprintf(file, sizeof(file), "%s.vde", name);
	rundir_rmdir(dirfd, file);
	/* normally unlinked at once by init (netns/resolv.c) */
	snprintf(file, sizeof(file), "%s.resolv.conf", name);
	unlinkat(dirfd, file, 0);
	/* a network's DNS and DHCP server's (network/dnsmasq.c), normally
	   gone with its hub */
	for (i = 0; i < ARRAY_SIZE(dns_files); i++) {
		snprintf(file, sizeof(file), "%s.dns/%s", name, dns_files[i]);
		unlinkat(dirfd, file, 0);
	}
	snprintf(file, sizeof(file), "%s.dns/dhcp-hosts.d", name);
	unlinkat(dirfd, file, AT_REMOVEDIR);
	snprintf(file, sizeof(file), "%s.dns", name);
	unlinkat(dirfd, file, AT_REMOVEDIR);
	lock_file_name(name, file, sizeof(file));
	unlinkat(dirfd, file, 0);
}

void rundir_unlock(int dirfd, const char *name)
{
	remove_files(dirfd, name);
}

void rundir_reap(int dirfd, const char *name, int wait_ms)
{
	cleanup_fd int fd = -1;
	struct stat a, b;
	char file[128];
	int waited = 0;

	lock_file_name(name, file, sizeof(file));
	fd = openat(dirfd, file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK || waited >= wait_ms)
			return;
		usleep(10000);
		waited += 10;
	}
	/* still the file we opened: not replaced by a new sandbox's */
	if (fstat(fd, &a) == 0 &&
	    fstatat(dirfd, file, &b, AT_SYMLINK_NOFOLLOW) == 0 &&
	    a.st_ino == b.st_ino && a.st_dev == b.st_dev)
		remove_files(dirfd, name);
}
