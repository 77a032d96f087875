// SPDX-License-Identifier: MIT
/* test_util.c - the small shared helpers: parse_uint, the test faults */
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"
#include "tests/unit/unit.h"

static int uint_is(const char *s, unsigned long max, unsigned long want)
{
	unsigned long v = 12345;

	return parse_uint(s, max, &v) == 0 && v == want;
}

static int uint_err(const char *s, unsigned long max, int err)
{
	unsigned long v = 12345;

	return parse_uint(s, max, &v) == err && v == 12345;
}

static void test_parse_uint(void)
{
	char big[32];

	CHECK(uint_is("0", 0, 0) && uint_is("65535", 65535, 65535) &&
		      uint_is("007", 7, 7),
	      "parse_uint: values up to the bound, leading zeros");
	CHECK(uint_err("65536", 65535, -ERANGE) && uint_err("33", 32, -ERANGE),
	      "parse_uint: one above the bound");
	/* found by tests/fuzz/fuzz_fwdspec.c: a bound below 9 let any
	 * value through ("max - digit" wrapped around) */
	CHECK(uint_err("88", 0, -ERANGE) && uint_err("5", 3, -ERANGE) &&
		      uint_err("10", 8, -ERANGE) && uint_is("3", 3, 3),
	      "parse_uint: a bound below 9");
	snprintf(big, sizeof(big), "%lu", ULONG_MAX);
	CHECK(uint_is(big, ULONG_MAX, ULONG_MAX), "parse_uint: ULONG_MAX");
	CHECK(uint_err("18446744073709551616", ULONG_MAX, -ERANGE) &&
		      uint_err("99999999999999999999999", ULONG_MAX, -ERANGE),
	      "parse_uint: above ULONG_MAX");
	CHECK(uint_err("", 10, -EINVAL) && uint_err("+1", 10, -EINVAL) &&
		      uint_err("-1", 10, -EINVAL) && uint_err(" 1", 10, -EINVAL) &&
		      uint_err("1x", 10, -EINVAL),
	      "parse_uint: not a plain decimal");
}

/* Run @fn in a child; its wait status */
static int child_status(void (*fn)(void))
{
	int status = -1;
	pid_t pid = fork();

	if (pid == 0) {
		fn();
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

static bool killed(int status)
{
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

/* As pid 1 of a new PID namespace: 10 if it lived through its own
 * kill(1, SIGKILL) and fault_die() then ended it by SIGKILL, 11 if the
 * kill ended it, 12 if fault_die did not, 13 on no namespace */
static void init_dies(void)
{
	int p[2], st;
	char c = 0;
	pid_t pid;

	if (pipe(p) < 0 || unshare(CLONE_NEWUSER | CLONE_NEWPID) < 0)
		_exit(13);
	if ((pid = fork()) == 0) {
		if (getpid() != 1)
			_exit(13);
		kill(1, SIGKILL);	/* dropped: it comes from inside */
		if (write(p[1], "y", 1) != 1)
			_exit(13);
		fault_die();
	}
	close(p[1]);
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		_exit(13);
	if (read(p[0], &c, 1) != 1)
		_exit(11);
	_exit(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL ? 10 : 12);
}

static void test_faults(void)
{
	int64_t t0 = now_ns();
	int st;

	setenv("QBOX_TEST_FAULT", "init:go", 1);
	CHECK(fault_wanted("init", "go") && !fault_wanted("init", "g") &&
		      !fault_wanted("ini", "go") && !fault_wanted("hub-init", "go"),
	      "fault_wanted: ROLE:STAGE exactly");
	unsetenv("QBOX_TEST_FAULT");
	CHECK(!fault_wanted("init", "go"), "fault_wanted: unset, nothing");
	CHECK(killed(child_status(fault_die)), "fault_die: a plain process dies by SIGKILL");
	st = child_status(init_dies);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 10,
	      "fault_die: a PID namespace's init, whose own kill(SIGKILL) the "
	      "kernel drops, dies by the kernel's SIGKILL at RLIMIT_CPU 0 "
	      "(status %#x)", st);
	CHECK(now_ns() - t0 < 2000000000LL, "fault_die: within a tick or so, not seconds");
}

int main(void)
{
	test_parse_uint();
	test_faults();
	UNIT_END();
}
