// SPDX-License-Identifier: MIT
/*
 * fuzz_policy.c - the seccomp policy parser and compiler, fed files
 *
 * Theory of operation: one input is a small tree of policy files, split at
 * NUL bytes (a byte no policy may hold): the first part is "top.policy",
 * the next ones "a.policy" to "i.policy". They are written to a scratch
 * directory, which is also QBOX_POLICY_DIR, and the top file is read by
 * the real loader (seccomp/store.c) as `--policy DIR/top.policy` would be.
 * So "@include a.policy" (relative to the including file), "@include b"
 * (a NAME in the policy directory) and "@include qemu" (compiled in, as
 * no qemu.policy is written) all resolve, cycles and depth limits go
 * through the loader's device/inode identities, and a name that is not
 * there takes the "cannot read" path. A policy that parses is checked
 * against what the parser promises (policy.h) and compiled as a payload's
 * policy and as a plain one (seccomp/compile.c), without loading it.
 *
 * The scratch directory is $FUZZ_SCRATCH (tests/fuzz/run.sh makes one and
 * removes it), else a fresh one under $TMPDIR removed at exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#include "seccomp/filter.h"
#include "seccomp/store.h"
#include "tests/fuzz/fuzz.h"

#define FILES 10	/* top.policy, a.policy .. i.policy */

static char scratch[4096];
static bool written[FILES];

static void file_path(int i, char *buf, size_t size)
{
	if (i == 0)
		snprintf(buf, size, "%s/top.policy", scratch);
	else
		snprintf(buf, size, "%s/%c.policy", scratch, 'a' + i - 1);
}

static void scratch_remove(void)
{
	char path[4200];
	int i;

	for (i = 0; i < FILES; i++) {
		file_path(i, path, sizeof(path));
		unlink(path);
	}
	rmdir(scratch);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("FUZZ_SCRATCH");
	const char *tmp = getenv("TMPDIR");

	(void)argc;
	(void)argv;
	if (dir && *dir) {
		snprintf(scratch, sizeof(scratch), "%s", dir);
	} else {
		snprintf(scratch, sizeof(scratch), "%s/qbox-fuzz-policy.XXXXXX",
			 tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(scratch)) {
			perror("fuzz_policy: mkdtemp");
			exit(1);
		}
		atexit(scratch_remove);
	}
	/* NAMEs resolve here first, then among the compiled-in policies */
	setenv("QBOX_POLICY_DIR", scratch, 1);
	return 0;
}

static void write_part(int i, const uint8_t *data, size_t size)
{
	char path[4200];
	int fd;

	file_path(i, path, sizeof(path));
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size)) {
		perror("fuzz_policy: writing a scratch file");
		abort();
	}
	close(fd);
	written[i] = true;
}

/* The files of this input; those of the previous one that it lacks go */
static void write_tree(const uint8_t *data, size_t size)
{
	char path[4200];
	size_t start = 0, i;
	int n = 0;

	for (i = 0; i <= size && n < FILES; i++)
		if (i == size || data[i] == '\0') {
			write_part(n++, data + start, i - start);
			start = i + 1;
		}
	for (; n < FILES; n++)
		if (written[n]) {
			file_path(n, path, sizeof(path));
			unlink(path);
			written[n] = false;
		}
}

/* What policy_parse() promises about a policy it accepted (policy.h) */
static void check_policy(const struct policy *p)
{
	size_t i, j, k, m;

	FUZZ_ASSERT(p->n_rules > 0 && p->n_files > 0);
	FUZZ_ASSERT(p->def.kind != PA_ERRNO ||
		    (p->def.errnum >= 0 && p->def.errnum <= 4095));
	for (i = 0; i < p->n_rules; i++) {
		const struct policy_rule *r = &p->rules[i];
		char buf[64];

		FUZZ_ASSERT(r->nr >= 0 && r->line > 0);
		/* one line per syscall, across every file */
		FUZZ_ASSERT(policy_find(p, r->name) == r);
		FUZZ_ASSERT(r->action.kind != PA_ERRNO ||
			    (r->action.errnum >= 0 &&
			     r->action.errnum <= 4095));
		FUZZ_ASSERT(!r->n_clauses == !r->expr);
		FUZZ_ASSERT(r->n_clauses <= POLICY_CLAUSES_MAX);
		for (j = 0; j < r->n_clauses; j++) {
			const struct policy_clause *c = &r->clauses[j];

			FUZZ_ASSERT(c->n >= 1 && c->n <= POLICY_ARGS);
			for (k = 0; k < c->n; k++) {
				FUZZ_ASSERT(c->cond[k].arg < POLICY_ARGS);
				FUZZ_ASSERT(c->cond[k].op != PO_ANY ||
					    c->cond[k].value);
				/* one condition per argument in a clause */
				for (m = 0; m < k; m++)
					FUZZ_ASSERT(c->cond[m].arg !=
						    c->cond[k].arg);
			}
		}
		policy_action_str(&r->action, buf, sizeof(buf));
		FUZZ_ASSERT(buf[0]);
	}
}

static void compile(const struct policy *p, unsigned int flags)
{
	scmp_filter_ctx ctx;
	struct qerr e = { 0 };
	int r = filter_compile(p, flags, &ctx, &e);

	if (r == 0)
		seccomp_release(ctx);
	else	/* what a policy can get wrong is the user's to fix */
		FUZZ_ASSERT(e.usage && e.msg[0]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char top[4200];
	struct policy p;
	struct qerr e = { 0 };

	write_tree(data, size);
	file_path(0, top, sizeof(top));
	if (policy_load(top, &p, &e) < 0) {
		/* a bad policy is the user's to fix (exit 2), and says why */
		FUZZ_ASSERT(e.usage && e.msg[0]);
		return 0;
	}
	check_policy(&p);
	compile(&p, 0);
	compile(&p, FILTER_PAYLOAD);
	policy_free(&p);
	return 0;
}
