// SPDX-License-Identifier: MIT
/* test_rundir.c - runtime directory checks and name locks */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/rundir.h"
#include "tests/unit/unit.h"

int main(void)
{
	char base[] = "/tmp/qbox-unit-XXXXXX", p[256], link[256], got[256];
	struct qerr e = { 0 };
	uid_t uid = getuid();
	int fd, lock, lock2;
	struct stat st;

	if (!mkdtemp(base)) {
		printf("FAIL: mkdtemp\n");
		return 1;
	}
	snprintf(p, sizeof(p), "%s/qbox", base);

	fd = rundir_open(p, uid, &e);
	CHECK(fd >= 0 && stat(p, &st) == 0 && (st.st_mode & 07777) == 0700,
	      "creates the directory 0700");
	close(fd);
	fd = rundir_open(p, uid, &e);
	CHECK(fd >= 0, "reopens an existing good directory");

	lock = rundir_lock(fd, "vm1", &e);
	CHECK(lock >= 0 && faccessat(fd, "vm1.lock", F_OK, 0) == 0,
	      "lock creates NAME.lock");
	lock2 = rundir_lock(fd, "vm1", &e);
	CHECK(lock2 == -EEXIST && e.usage && strstr(e.msg, "already running") &&
		      strstr(e.msg, "vm1"),
	      "second lock of a running name fails, naming it");
	rundir_unlock(fd, "vm1");
	close(lock);
	CHECK(faccessat(fd, "vm1.lock", F_OK, 0) < 0, "unlock removes the file");
	lock = rundir_lock(fd, "vm1", &e);
	CHECK(lock >= 0, "name free again after unlock");
	rundir_unlock(fd, "vm1");
	close(lock);
	/* a stale file whose holder died without cleaning up */
	close(openat(fd, "stale.lock", O_CREAT | O_WRONLY, 0600));
	lock = rundir_lock(fd, "stale", &e);
	CHECK(lock >= 0, "stale unlocked file is taken over");
	rundir_unlock(fd, "stale");
	close(lock);
	close(fd);

	chmod(p, 0755);
	fd = rundir_open(p, uid, &e);
	CHECK(fd == -EPERM && e.usage && strstr(e.msg, "0755") &&
		      strstr(e.msg, p),
	      "refuses mode 0755, naming path and mode");
	chmod(p, 0700);

	fd = rundir_open(p, uid + 1, &e);
	CHECK(fd == -EPERM && e.usage && strstr(e.msg, "belongs to uid"),
	      "refuses a directory owned by another uid");

	snprintf(link, sizeof(link), "%s/link", base);
	CHECK(symlink(p, link) == 0, "make symlink");
	fd = rundir_open(link, uid, &e);
	CHECK(fd < 0 && e.usage && strstr(e.msg, "symlink"),
	      "refuses a symlink");
	unlink(link);

	snprintf(link, sizeof(link), "%s/file", base);
	close(open(link, O_CREAT | O_WRONLY, 0600));
	fd = rundir_open(link, uid, &e);
	CHECK(fd < 0 && e.usage, "refuses a plain file");
	unlink(link);

	setenv("XDG_RUNTIME_DIR", "/run/user/7", 1);
	CHECK(rundir_path(7, got, sizeof(got), &e) == 0 &&
		      !strcmp(got, "/run/user/7/qbox"),
	      "XDG_RUNTIME_DIR/qbox");
	unsetenv("XDG_RUNTIME_DIR");
	CHECK(rundir_path(7, got, sizeof(got), &e) == 0 &&
		      !strcmp(got, "/tmp/qbox-7"),
	      "/tmp/qbox-UID without XDG_RUNTIME_DIR");
	setenv("XDG_RUNTIME_DIR", "relative", 1);
	CHECK(rundir_path(7, got, sizeof(got), &e) < 0 && e.usage &&
		      strstr(e.msg, "relative"),
	      "relative XDG_RUNTIME_DIR refused");

	CHECK(uid_map_outer("         0          0 4294967295\n", 1000) == 1000,
	      "uid_map identity");
	CHECK(uid_map_outer("         0       1001          1\n", 0) == 1001,
	      "uid_map: unshare -Ur's root is the user outside");
	CHECK(uid_map_outer("0 1001 1\n1 100000 65536\n", 5) == 100004,
	      "uid_map: second range");
	CHECK(uid_map_outer("0 1001 1\n", 7) == 7, "uid_map: unmapped id kept");
	CHECK(uid_map_outer("", 7) == 7, "uid_map: empty map");

	rmdir(p);
	rmdir(base);
	UNIT_END();
}
