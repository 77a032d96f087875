// SPDX-License-Identifier: MIT
/*
 * test_landlock.c - the NAT engine's filesystem wall (seccomp/landlock.c)
 *
 * The wall is for good, so each case runs in a child of its own, which
 * prints its checks and exits with the number that failed.
 */
#include <fcntl.h>
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

int main(void)
{
	int status, fd;
	pid_t pid;

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
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		walled();
		fflush(stdout);
		_exit(unit_failures);
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status),
	      "the walled child ran to its end");
	if (pid > 0 && WIFEXITED(status))
		unit_failures += WEXITSTATUS(status);
	CHECK(open_errno(other, O_RDONLY) == 0,
	      "the parent, not walled, still opens what the child could not");
	unlink(allowed);
	unlink(other);
	rmdir(dir);
	UNIT_END();
}
