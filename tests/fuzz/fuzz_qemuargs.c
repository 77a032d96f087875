// SPDX-License-Identifier: MIT
/*
 * fuzz_qemuargs.c - QEMU's argv, as qemu_paths() reads it for the paths a
 * payload's view must hold (plan/qemu_paths.c)
 *
 * The input is an argv, its words split at NUL bytes (at most 64 words
 * after "qemu-system-x86_64"). What is checked: an argv is either refused
 * with a usage error that has a message, or read into paths each of which
 * is non-empty, names a known use, and comes from a known option, whose
 * value as written is kept; the same argv read twice gives the same paths
 * (no state survives a call). JSON values go through jansson.
 */
#include "plan/qemu_paths.h"
#include "tests/fuzz/fuzz.h"

#define WORDS_MAX 64

static void check(const struct qpaths *p)
{
	int i;

	for (i = 0; i < p->n; i++) {
		const struct qpath *q = &p->v[i];

		FUZZ_ASSERT(q->path && q->path[0]);
		FUZZ_ASSERT(q->use >= QPATH_READ && q->use <= QPATH_CONNECT);
		FUZZ_ASSERT(q->opt && (q->opt[0] == '-' ||
				       !strcmp(q->opt, "disk image")));
		FUZZ_ASSERT(q->value);
		FUZZ_ASSERT(strcmp(qpath_use_name(q->use), ""));
	}
}

static bool same(const struct qpaths *a, const struct qpaths *b)
{
	int i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->v[i].path, b->v[i].path) ||
		    a->v[i].use != b->v[i].use || a->v[i].dir != b->v[i].dir ||
		    a->v[i].image != b->v[i].image)
			return false;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *argv[WORDS_MAX + 2];
	struct qpaths p, again;
	struct qerr e = { 0 }, e2 = { 0 };
	size_t at = 0;
	int n = 0, r, r2;

	if (!buf)
		abort();
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[n++] = "qemu-system-x86_64";
	while (at <= size && n <= WORDS_MAX) {
		argv[n++] = buf + at;
		at += strlen(buf + at) + 1;
	}
	argv[n] = NULL;
	r = qemu_paths(argv, &p, &e);
	if (r < 0)
		FUZZ_ASSERT(e.msg[0]);
	else
		check(&p);
	r2 = qemu_paths(argv, &again, &e2);
	FUZZ_ASSERT(r == r2);
	FUZZ_ASSERT(r < 0 || same(&p, &again));
	qpaths_free(&p);
	qpaths_free(&again);
	free(buf);
	return 0;
}
