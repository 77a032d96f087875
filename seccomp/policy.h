/* SPDX-License-Identifier: MIT */
/*
 * policy.h - seccomp policies in Minijail's line format, parsed
 *
 * A policy is text, one statement per line:
 *
 *   # comment
 *   @include common.policy      another file, relative to this one
 *   @include common             a policy shipped with qbox, by name
 *   @default kill-process       what every other syscall gets (the
 *                               outermost file's wins)
 *   read: 1                     allowed
 *   ioctl: arg1 == TCGETS || arg1 == TIOCGWINSZ
 *   mmap: arg2 in ~PROT_EXEC; return EPERM
 *   ptrace: return EPERM
 *
 * policy_parse() turns it into an intermediate representation: one rule
 * per syscall (a syscall named twice is an error, wherever the two lines
 * are), each a disjunction of conjunctions of argument conditions and an
 * action. It is pure: files come from a loader callback, so tests need no
 * files, and every error names FILE:LINE and the token at fault.
 * seccomp/compile.c turns the result into a libseccomp filter.
 */
#ifndef QBOX_POLICY_H
#define QBOX_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define POLICY_ARGS 6		/* arg0 .. arg5 */
#define POLICY_LINE_MAX 16384	/* a statement, continuation lines joined */
#define POLICY_INCLUDE_DEPTH 8	/* files open at once, the top one counted */
#define POLICY_CLAUSES_MAX 256	/* || alternatives in one statement */

enum policy_action_kind {
	PA_ALLOW,
	PA_ERRNO,		/* return errnum */
	PA_LOG,			/* allowed, and logged by the kernel */
	PA_TRAP,		/* SIGSYS to the thread */
	PA_KILL_THREAD,
	PA_KILL_PROCESS,
};

struct policy_action {
	enum policy_action_kind kind;
	int errnum;		/* PA_ERRNO: 0 .. 4095 */
};

enum policy_op {
	PO_EQ,			/* arg == v */
	PO_NE,			/* arg != v */
	PO_LT,			/* arg < v, unsigned 64-bit */
	PO_LE,
	PO_GT,
	PO_GE,
	PO_ANY,			/* arg & v: any of v's bits set */
	PO_IN,			/* arg in v: no bit outside v set */
};

struct policy_cond {
	unsigned int arg;	/* 0 .. 5 */
	enum policy_op op;
	uint64_t value;
};

/* A conjunction: at most one condition per argument (libseccomp's rule) */
struct policy_clause {
	unsigned int n;
	struct policy_cond cond[POLICY_ARGS];
};

struct policy_rule {
	char *name;		/* syscall name as written */
	int nr;			/* native syscall number */
	const char *file;	/* where it was written (owned by the policy) */
	int line;
	struct policy_action action;
	/* none: the action applies unconditionally; else when any matches */
	unsigned int n_clauses;
	struct policy_clause *clauses;
	char *expr;		/* the condition as written, NULL when none */
};

struct policy {
	struct policy_action def;	/* @default; kill-process if absent */
	const char *def_file;		/* the winning one's; NULL if none */
	int def_line;
	size_t n_rules;
	struct policy_rule *rules;	/* in file order, includes expanded */
	size_t n_files;
	char **files;			/* every file read, for messages */
};

/*
 * A policy file as a loader returns it. @name is how messages name it (a
 * path as the user or the include wrote it, or a shipped policy's name);
 * @id identifies it for cycle detection (e.g. a resolved path); @text is
 * NUL-terminated. All three are malloc'd and taken over by the parser.
 */
struct policy_text {
	char *name;
	char *id;
	char *text;
};

/**
 * typedef policy_load_fn - find and read a policy file
 * @ctx:	the loader's own state
 * @from:	the including file (its text is NULL), NULL for the top-level
 *		policy
 * @what:	the argument of @include (or of --policy at the top)
 * @out:	filled on success
 * @e:		on failure, why (the parser adds FILE:LINE and @what)
 *
 * Return: 0 or -errno
 */
typedef int (*policy_load_fn)(void *ctx, const struct policy_text *from,
			      const char *what, struct policy_text *out,
			      struct qerr *e);

/**
 * policy_parse() - read a policy and everything it includes
 * @what:	the top-level policy, as given to @load
 * @load:	loader of files
 * @ctx:	passed to @load
 * @p:		filled on success; release with policy_free()
 * @e:		usage error "FILE:LINE: what is wrong 'token'"
 *
 * Return: 0, or -EINVAL for a bad policy (-errno if @load fails otherwise)
 */
int policy_parse(const char *what, policy_load_fn load, void *ctx,
		 struct policy *p, struct qerr *e);

/* Release what policy_parse() allocated; @p may be zeroed */
void policy_free(struct policy *p);

/* The rule for syscall @name, or NULL */
const struct policy_rule *policy_find(const struct policy *p,
				      const char *name);

/* "allow", "errno EPERM", "kill-process", ... into @buf; returns @buf */
const char *policy_action_str(const struct policy_action *a, char *buf,
			      size_t size);

#endif /* QBOX_POLICY_H */
