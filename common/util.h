/* SPDX-License-Identifier: MIT */
/* util.h - small helpers shared by every part of qbox */
#ifndef QBOX_UTIL_H
#define QBOX_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Cleanup attributes, after bubblewrap: an fd or buffer declared with these
 * is released on every path out of its scope, so error paths cannot leak.
 * Use steal_fd()/steal_ptr() to hand ownership on.
 */
static inline void cleanup_fdp(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

static inline void cleanup_freep(void *p)
{
	free(*(void **)p);
}

#define cleanup_fd __attribute__((cleanup(cleanup_fdp)))
#define cleanup_free __attribute__((cleanup(cleanup_freep)))

static inline int steal_fd(int *fd)
{
	int r = *fd;

	*fd = -1;
	return r;
}

/*
 * Split @s in place at the colons that are not inside brackets (a forward
 * spec, a UDP tunnel): the number of fields, or -1 when there are more
 * than @max or a bracket is unbalanced
 */
int split_fields(char *s, char *field[], int max);

/**
 * parse_uint() - parse a whole decimal string
 * @s:		text; leading '+', '-', spaces and empty strings are rejected
 * @max:	largest value accepted
 * @out:	result
 *
 * Return: 0, -ERANGE when above @max, -EINVAL when not a number
 */
int parse_uint(const char *s, unsigned long max, unsigned long *out);

/* write() until done or error; returns 0 or -errno */
int write_all(int fd, const void *buf, size_t len);

/* Write a short string to a file such as /proc/self/uid_map; 0 or -errno */
int write_file(const char *path, const char *text);

/* Read a small file into @buf (NUL-terminated); bytes read or -errno */
ssize_t read_file(const char *path, char *buf, size_t size);

/* The directory absolute @path is in: @path without its last component
 * ("/" for "/x"); @out holds PATH_MAX bytes */
void path_parent(const char *path, char *out);

struct qerr;

/* Whether @cmd can be executed: a path, or a name found in $PATH; a usage
 * error naming the command otherwise */
int command_check(const char *cmd, struct qerr *e);

/* Raise the soft RLIMIT_NOFILE to the hard limit (helpers that hold an fd
 * or two per connection) */
void nofile_raise(void);

/* A wait status in words: "killed by signal 9, SIGKILL", "exited with
 * status 1" */
void status_describe(int status, char *buf, size_t size);

/* Monotonic clock in nanoseconds */
int64_t now_ns(void);

/**
 * fault_point() - die here by SIGKILL if the tests ask for it
 * @role:	who is at this point: "sup", "init", "hub", "hub-init", "uplink"
 * @stage:	which point of start-up (docs/ARCHITECTURE.md, "Tests")
 *
 * For the tests only (tests/integration/faults.sh): when the environment
 * variable QBOX_TEST_FAULT is ROLE:STAGE, the calling process dies by a
 * real SIGKILL (fault_die()), the one death it cannot clean up after, so
 * the tests can show the others do. Unset, it costs a getenv().
 */
void fault_point(const char *role, const char *stage);

/* Whether QBOX_TEST_FAULT is ROLE:STAGE (for a fault another process
 * injects, or one armed ahead: see nat_engine.c) */
bool fault_wanted(const char *role, const char *stage);

/*
 * fault_die() - die by SIGKILL, even as a PID namespace's init
 *
 * kill(2) of itself, and for the init of a PID namespace, whose own
 * signals the kernel drops, the kernel's SIGKILL at a hard RLIMIT_CPU of
 * 0, which it forces on any process (fault_spin()). Needs kill or
 * prlimit64; if it cannot die, it says so and exits 1 (a test then
 * fails on the status).
 */
__attribute__((noreturn)) void fault_die(void);

/*
 * fault_arm() - have the kernel send SIGKILL after a second of CPU time
 *
 * For a process that will not be allowed to kill itself where it should
 * die (a confined NAT engine): the hard RLIMIT_CPU is set now, one to two
 * seconds of CPU time ahead, and fault_spin() there burns it. Returns
 * <0 with errno if the limit could not be set.
 */
int fault_arm(void);

/* Burn CPU time until the kernel's SIGKILL of fault_arm() or fault_die()
 * comes; after 10 s without it, say so and exit 1 */
__attribute__((noreturn)) void fault_spin(void);

#endif /* QBOX_UTIL_H */
