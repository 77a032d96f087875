// SPDX-License-Identifier: MIT
/*
 * qemu_opts.c - QEMU's QemuOpts syntax (qemu_opts.h)
 */
#include "plan/qemu_opts.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void qopts_free(struct qopts *o)
{
	while (o->n > 0) {
		o->n--;
		free(o->key[o->n]);
		free(o->val[o->n]);
	}
}

/* The next item of @s from *@at, unescaped: a malloc'ed string or NULL */
static char *opts_item(const char *s, size_t *at)
{
	size_t len = strlen(s), i = *at, k = 0;
	char *item = malloc(len - i + 1);

	if (!item)
		return NULL;
	while (i < len) {
		if (s[i] == ',' && s[i + 1] == ',') {
			item[k++] = ',';
			i += 2;
		} else if (s[i] == ',') {
			i++;
			break;
		} else {
			item[k++] = s[i++];
		}
	}
	item[k] = '\0';
	*at = i;
	return item;
}

/* Split item @it into key and value; the first may be @implied's value */
static int opts_add(struct qopts *o, char *it, const char *implied)
{
	char *eq = strchr(it, '=');
	char *key, *val;

	if (o->n >= QOPTS_MAX) {
		free(it);
		return -E2BIG;
	}
	if (eq) {
		*eq = '\0';
		key = it;
		val = strdup(eq + 1);
	} else if (o->n == 0 && implied) {
		key = strdup(implied);
		val = it;
	} else if (!strncmp(it, "no", 2) && it[2]) {
		key = strdup(it + 2);	/* "nowait": wait=off */
		val = strdup("off");
		free(it);
	} else {
		key = it;		/* "server": server=on */
		val = strdup("on");
	}
	if (!key || !val) {
		free(key);
		free(val);
		return -ENOMEM;
	}
	o->key[o->n] = key;
	o->val[o->n++] = val;
	return 0;
}

int qopts_parse(const char *s, const char *implied, struct qopts *o)
{
	size_t at = 0;
	int r;

	o->n = 0;
	while (s[at]) {
		char *it = opts_item(s, &at);

		if (!it || (r = opts_add(o, it, implied)) < 0) {
			qopts_free(o);
			return it ? r : -ENOMEM;
		}
	}
	return 0;
}

const char *qopts_get(const struct qopts *o, const char *key)
{
	int i;

	for (i = o->n - 1; i >= 0; i--)	/* the last one counts */
		if (!strcmp(o->key[i], key))
			return o->val[i];
	return NULL;
}

bool qopts_is_on(const char *v)
{
	return v && (!strcmp(v, "on") || !strcmp(v, "true") ||
		     !strcmp(v, "yes") || !strcmp(v, "1"));
}

bool qopts_on(const struct qopts *o, const char *key)
{
	return qopts_is_on(qopts_get(o, key));
}
