// SPDX-License-Identifier: MIT
/*
 * store.c - the policy loader: files, the policy directory, compiled-in
 *
 * Theory of operation: the parser (policy.c) asks for each file by the
 * argument it was given and the file that included it; this loader
 * applies the rules of store.h and returns the text with two names: one
 * for messages (the path as the user or the include spelled it, or
 * "<built-in>/NAME.policy") and one identity for cycle detection (device
 * and inode of a file, so "a.policy" and "./a.policy" are one file).
 */
#include "seccomp/store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"

#ifndef QBOX_POLICY_DIR
#define QBOX_POLICY_DIR "/usr/local/share/qbox/policies"
#endif

#define POLICY_FILE_MAX (1 << 20)
#define BUILTIN "<built-in>/"

bool policy_spec_is_file(const char *spec)
{
	size_t n = strlen(spec);

	return strchr(spec, '/') ||
	       (n >= 7 && !strcmp(spec + n - 7, ".policy"));
}

const char *policy_dir(void)
{
	const char *d = getenv("QBOX_POLICY_DIR");

	return d ? d : QBOX_POLICY_DIR;
}

static int text_set(struct policy_text *out, const char *name, const char *id,
		    char *text, struct qerr *e)
{
	out->name = strdup(name);
	out->id = strdup(id);
	out->text = text;
	if (!out->name || !out->id || !text) {
		free(out->name);
		free(out->id);
		free(text);
		return qerr_set(e, ENOMEM, "reading %s", name);
	}
	return 0;
}

/* Read @path; -ENOENT (with @e) when it does not exist */
static int read_policy_file(const char *path, struct policy_text *out,
			    struct qerr *e)
{
	/* O_NONBLOCK: opening a FIFO would wait for a writer; fstat says
	 * "not a regular file" instead (no effect on a regular file) */
	cleanup_fd int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY |
					       O_NONBLOCK);
	struct stat st;
	char id[64], *text;
	size_t len = 0;
	ssize_t n;

	if (fd < 0) {
		int err = errno;

		qerr_usage(e, "cannot read %s: %s", path, strerror(err));
		return -err;
	}
	if (fstat(fd, &st) < 0)
		return qerr_set(e, errno, "reading %s", path);
	if (!S_ISREG(st.st_mode))
		return qerr_usage(e, "%s: not a regular file", path);
	if (st.st_size > POLICY_FILE_MAX)
		return qerr_usage(e, "%s: larger than %d bytes", path,
				  POLICY_FILE_MAX);
	text = malloc((size_t)st.st_size + 1);
	if (!text)
		return qerr_set(e, ENOMEM, "reading %s", path);
	/* up to the size fstat gave: a file growing meanwhile is cut there */
	while (len < (size_t)st.st_size &&
	       (n = read(fd, text + len, (size_t)st.st_size - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(text);
			return qerr_set(e, errno, "reading %s", path);
		}
		len += (size_t)n;
	}
	text[len] = '\0';
	if (memchr(text, '\0', len)) {
		free(text);
		return qerr_usage(e, "%s: a NUL byte: not a policy", path);
	}
	snprintf(id, sizeof(id), "file:%llu:%llu",
		 (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
	return text_set(out, path, id, text, e);
}

static const struct embedded_policy *embedded(const char *file)
{
	size_t i;

	for (i = 0; i < n_embedded_policies; i++)
		if (!strcmp(embedded_policies[i].file, file))
			return &embedded_policies[i];
	return NULL;
}

static int load_embedded(const struct embedded_policy *ep,
			 struct policy_text *out, struct qerr *e)
{
	char name[256];

	snprintf(name, sizeof(name), BUILTIN "%s", ep->file);
	return text_set(out, name, name, strdup(ep->text), e);
}

static int unknown_name(const char *name, struct qerr *e)
{
	char list[256] = "";
	size_t i;

	for (i = 0; i < n_embedded_policies; i++) {
		size_t n = strlen(embedded_policies[i].file) - 7;

		snprintf(list + strlen(list), sizeof(list) - strlen(list),
			 "%s%.*s", i ? ", " : "", (int)n,
			 embedded_policies[i].file);
	}
	return qerr_usage(e, "no policy named '%s' (shipped: %s; a file needs "
			     "a '/' or the .policy suffix)", name, list);
}

/* A shipped policy by NAME: the policy directory, then compiled in */
static int load_name(const char *name, struct policy_text *out,
		     struct qerr *e)
{
	const struct embedded_policy *ep;
	char file[256], path[4096];
	const char *dir = policy_dir();
	const char *s;
	int r;

	for (s = name; *s; s++)
		if (!(*s >= 'a' && *s <= 'z') && !(*s >= '0' && *s <= '9') &&
		    *s != '-' && *s != '_')
			return unknown_name(name, e);
	if (!*name || strlen(name) > 64)
		return unknown_name(name, e);
	snprintf(file, sizeof(file), "%s.policy", name);
	if (*dir) {
		snprintf(path, sizeof(path), "%s/%s", dir, file);
		r = read_policy_file(path, out, e);
		/* An unreadable directory is not skipped: it may hold an
		 * administrator's stricter policy, and falling back to the
		 * compiled-in copy would loosen confinement silently */
		if (r == -EACCES)
			return qerr_usage(e, "cannot read %s: %s (a policy "
					     "directory qbox cannot read is "
					     "not skipped: make it readable, "
					     "or set QBOX_POLICY_DIR= to use "
					     "the policies built into qbox)",
					  path, strerror(EACCES));
		if (r != -ENOENT)
			return r;
	}
	if ((ep = embedded(file)))
		return load_embedded(ep, out, e);
	return unknown_name(name, e);
}

static int store_load(void *ctx, const struct policy_text *from,
		      const char *what, struct policy_text *out,
		      struct qerr *e)
{
	const struct embedded_policy *ep;
	char path[4096];
	const char *slash;

	(void)ctx;
	if (!policy_spec_is_file(what))
		return load_name(what, out, e);
	if (!from || what[0] == '/')
		return read_policy_file(what, out, e);
	if (!strncmp(from->id, BUILTIN, strlen(BUILTIN))) {
		if (strchr(what, '/') || !(ep = embedded(what)))
			return qerr_usage(e, "not among the built-in policies");
		return load_embedded(ep, out, e);
	}
	/* relative to the including file's directory */
	slash = strrchr(from->name, '/');
	if (slash)
		snprintf(path, sizeof(path), "%.*s/%s",
			 (int)(slash - from->name), from->name, what);
	else
		snprintf(path, sizeof(path), "%s", what);
	return read_policy_file(path, out, e);
}

int policy_load(const char *spec, struct policy *p, struct qerr *e)
{
	return policy_parse(spec, store_load, NULL, p, e);
}
