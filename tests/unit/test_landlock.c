// SPDX-License-Identifier: MIT
/*
 * test_landlock.c - the filesystem walls (seccomp/landlock.c): the NAT
 * engine's (one file to read), and a payload's (directories listed, read,
 * written: netns/view.c's second wall)
 *
 * The wall is for good, so each case runs in a child of its own, which
 * prints its checks and exits with the number that failed.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "seccomp/landlock.h"
#include "tests/unit/unit.h"

static char dir[] = "/tmp/qbox-landlock-XXXXXX";
static char allowed[64], other[64], missing[64], made[64];

/* errno of open(2), 0 when it opened */
static int open_errno(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC, 0600);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static void walled(void)
{
	const char *const files[] = { allowed, missing, NULL };
	struct qerr e = { 0 };
	int abi;

	CHECK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0, "no_new_privs");
	abi = landlock_wall(files, &e);
	CHECK(abi >= 1, "the kernel's Landlock walls the process (ABI %d)",
	      abi);
	CHECK(open_errno(allowed, O_RDONLY) == 0, "the listed file opens");
	CHECK(open_errno(allowed, O_WRONLY) == EACCES,
	      "... for reading only");
	CHECK(open_errno(other, O_RDONLY) == EACCES,
	      "a file beside it does not (EACCES)");
	CHECK(open_errno("/etc/passwd", O_RDONLY) == EACCES,
	      "nor does /etc/passwd");
	CHECK(open_errno(dir, O_RDONLY | O_DIRECTORY) == EACCES,
	      "nor its directory, for listing");
	CHECK(open_errno(made, O_WRONLY | O_CREAT) == EACCES &&
		      access(made, F_OK) < 0,
	      "no file can be made");
	CHECK(unlink(other) < 0 && errno == EACCES, "nor removed");
	CHECK(open_errno(missing, O_RDONLY) == ENOENT,
	      "a listed file that was missing is skipped, not an error");
}

static char ro_dir[80], rw_dir[80], list_dir[80], ro_file[96], rw_file[96],
	list_file[96];

/* landlock_restrict(): a directory each to list, to read, to write */
static void rules(void)
{
	const struct landlock_rule r[] = {
		{ ro_dir, LANDLOCK_READ }, { rw_dir, LANDLOCK_WRITE },
		{ list_dir, LANDLOCK_LIST }, { rw_file, LANDLOCK_WRITE },
	};
	char made_rw[128], made_ro[128];
	struct qerr e = { 0 };

	snprintf(made_rw, sizeof(made_rw), "%s/new", rw_dir);
	snprintf(made_ro, sizeof(made_ro), "%s/new", ro_dir);
	CHECK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0, "no_new_privs");
	CHECK(landlock_restrict(r, 4, &e) >= 1, "rules: the process walled");
	CHECK(open_errno(ro_file, O_RDONLY) == 0, "rules: READ opens a file");
	CHECK(open_errno(ro_file, O_WRONLY) == EACCES,
	      "rules: ... for reading only");
	CHECK(open_errno(made_ro, O_WRONLY | O_CREAT) == EACCES,
	      "rules: ... and makes nothing there");
	CHECK(open_errno(ro_dir, O_RDONLY | O_DIRECTORY) == 0,
	      "rules: READ lists the directory");
	CHECK(open_errno(made_rw, O_WRONLY | O_CREAT) == 0 &&
		      unlink(made_rw) == 0,
	      "rules: WRITE makes and removes a file");
	CHECK(open_errno(list_dir, O_RDONLY | O_DIRECTORY) == 0,
	      "rules: LIST lists the directory");
	CHECK(open_errno(list_file, O_RDONLY) == EACCES,
	      "rules: ... but reads no file in it");
	CHECK(open_errno(rw_file, O_WRONLY) == 0,
	      "rules: a rule on a file gets a file's rights (write)");
	CHECK(open_errno("/etc/passwd", O_RDONLY) == EACCES,
	      "rules: what no rule names stays closed");
}

/* Run @fn in a child of its own (a wall is for good); its failures count */
static void in_child(void (*fn)(void), const char *what)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		fn();
		fflush(stdout);
		_exit(unit_failures);
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status),
	      "%s: the walled child ran to its end", what);
	if (pid > 0 && WIFEXITED(status))
		unit_failures += WEXITSTATUS(status);
}

/* Make @path: a directory, or an empty file */
static void make(const char *path, bool dir_too)
{
	int fd;

	if (dir_too) {
		mkdir(path, 0755);
		return;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0)
		close(fd);
}

int main(void)
{
	int fd;

	if (!mkdtemp(dir)) {
		printf("FAIL: mkdtemp\n");
		return 1;
	}
	snprintf(allowed, sizeof(allowed), "%s/resolv.conf", dir);
	snprintf(other, sizeof(other), "%s/other", dir);
	snprintf(missing, sizeof(missing), "%s/missing", dir);
	snprintf(made, sizeof(made), "%s/made", dir);
	fd = open(allowed, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	close(fd);
	fd = open(other, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	close(fd);
	in_child(walled, "wall");
	CHECK(open_errno(other, O_RDONLY) == 0,
	      "the parent, not walled, still opens what the child could not");
	snprintf(ro_dir, sizeof(ro_dir), "%s/ro", dir);
	snprintf(rw_dir, sizeof(rw_dir), "%s/rw", dir);
	snprintf(list_dir, sizeof(list_dir), "%s/list", dir);
	snprintf(ro_file, sizeof(ro_file), "%s/f", ro_dir);
	snprintf(rw_file, sizeof(rw_file), "%s/g", list_dir);
	snprintf(list_file, sizeof(list_file), "%s/h", list_dir);
	make(ro_dir, true);
	make(rw_dir, true);
	make(list_dir, true);
	make(ro_file, false);
	make(rw_file, false);
	make(list_file, false);
	in_child(rules, "rules");
	unlink(ro_file);
	unlink(rw_file);
	unlink(list_file);
	rmdir(ro_dir);
	rmdir(rw_dir);
	rmdir(list_dir);
	unlink(allowed);
	unlink(other);
	rmdir(dir);
	UNIT_END();
}
