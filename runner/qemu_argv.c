// SPDX-License-Identifier: MIT
/*
 * qemu_argv.c - give QEMU its NICs
 *
 * Every string of the new argv is heap-allocated, even the user's (copied),
 * so one free function serves all. The result is consumed by execvp() in the
 * sandbox, right after it is built.
 */
#include "qemu_argv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec.h"

bool qemu_argv_names_netdev(char *const argv[], const char *id)
{
	size_t idlen = strlen(id);
	int i;

	for (i = 0; argv[i]; i++) {
		const char *p = argv[i];

		while ((p = strstr(p, "netdev="))) {
			bool start = p == argv[i] || p[-1] == ',';
			const char *v = p + 7;

			if (start && !strncmp(v, id, idlen) &&
			    (v[idlen] == ',' || v[idlen] == '\0'))
				return true;
			p = v;
		}
	}
	return false;
}

void qemu_argv_free(char **argv)
{
	char **p;

	if (!argv)
		return;
	for (p = argv; *p; p++)
		free(*p);
	free(argv);
}

char **qemu_argv_build(char *const argv[], const struct qemu_nic *nics, int n)
{
	int argc = 0, i, k = 0;
	char **out;

	while (argv[argc])
		argc++;
	out = calloc((size_t)argc + 4 * (size_t)n + 1, sizeof(*out));
	if (!out)
		return NULL;
	for (i = 0; i < argc; i++)
		if (!(out[k++] = strdup(argv[i])))
			goto oom;
	for (i = 0; i < n; i++) {
		char id[16], mac[18];

		if (nics[i].fd < 0) {
			if (!(out[k++] = strdup("-nic")) ||
			    !(out[k++] = strdup("none")))
				goto oom;
			continue;
		}
		snprintf(id, sizeof(id), "qbox%d", i);
		if (!(out[k++] = strdup("-netdev")) ||
		    asprintf(&out[k++], "tap,id=%s,fd=%d", id, nics[i].fd) < 0)
			goto oom;
		if (qemu_argv_names_netdev(argv, id))
			continue;
		if (!(out[k++] = strdup("-device")) ||
		    asprintf(&out[k++], "virtio-net-pci,netdev=%s,mac=%s", id,
			     mac_format(nics[i].mac, mac)) < 0)
			goto oom;
	}
	return out;
oom:
	/* asprintf leaves its target undefined on failure */
	out[k - 1] = NULL;
	qemu_argv_free(out);
	return NULL;
}
