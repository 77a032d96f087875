/* SPDX-License-Identifier: MIT */
/*
 * qemu_opts.h - QEMU's QemuOpts syntax: key=value,key=value
 *
 * As QEMU 7.2 reads an option's value (util/qemu-option.c): items split
 * at ',', ",," a literal comma; the first item may be a bare value of an
 * implied key (-chardev BACKEND,..., -object TYPE,...); a bare "key" is
 * key=on and "nokey" key=off; of a key given twice, the last counts.
 * Pure: shared by plan/qemu_paths.c (the paths an argv names) and
 * plan/qemu_argv.c (the user's own -device ...,netdev=qboxN).
 */
#ifndef QBOX_QEMU_OPTS_H
#define QBOX_QEMU_OPTS_H

#include <stdbool.h>

#define QOPTS_MAX 64

struct qopts {
	int n;
	char *key[QOPTS_MAX];
	char *val[QOPTS_MAX];
};

/**
 * qopts_parse() - read @s as QemuOpts
 * @s:		the option's value
 * @implied:	the key of a first item without '=', or NULL
 * @o:		filled; free with qopts_free() (nothing to free on error)
 *
 * Return: 0, -E2BIG for more than QOPTS_MAX items, or -ENOMEM
 */
int qopts_parse(const char *s, const char *implied, struct qopts *o);

void qopts_free(struct qopts *o);

/* The value of @key (the last one given), or NULL */
const char *qopts_get(const struct qopts *o, const char *key);

/* Whether value @v is QEMU's "on" (on, true, yes, 1) */
bool qopts_is_on(const char *v);

/* Whether @key is set and on */
bool qopts_on(const struct qopts *o, const char *key);

#endif /* QBOX_QEMU_OPTS_H */
