// SPDX-License-Identifier: MIT
/*
 * qemu_argv.c - give QEMU its NICs
 *
 * Every string of the new argv is heap-allocated, even the user's (copied),
 * so one free function serves all. The result is consumed by execvp() in the
 * sandbox, right after it is built.
 */
#include "plan/qemu_argv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan/qemu_opts.h"
#include "plan/spec.h"

/* Whether QemuOpts @arg sets @key */
static bool arg_has(const char *arg, const char *key)
{
	struct qopts o;
	bool has;

	if (qopts_parse(arg, NULL, &o) < 0)
		return false;
	has = qopts_get(&o, key) != NULL;
	qopts_free(&o);
	return has;
}

/* Index of the user's argument that names netdev=@id, or -1 */
static int netdev_arg(char *const argv[], const char *id)
{
	struct qopts o;
	const char *v;
	int i, hit = -1;

	for (i = 0; argv[i] && hit < 0; i++) {
		if (qopts_parse(argv[i], NULL, &o) < 0)
			continue;
		if ((v = qopts_get(&o, "netdev")) && !strcmp(v, id))
			hit = i;
		qopts_free(&o);
	}
	return hit;
}

bool qemu_argv_names_netdev(char *const argv[], const char *id)
{
	return netdev_arg(argv, id) >= 0;
}

int qemu_argv_user_mac(char *const argv[], const char *id, uint8_t mac[6],
		       struct qerr *e)
{
	int i = netdev_arg(argv, id), r = 0;
	struct qopts o;
	const char *v;

	if (i < 0 || qopts_parse(argv[i], NULL, &o) < 0)
		return 0;
	if ((v = qopts_get(&o, "mac"))) {
		r = 1;
		if (mac_parse(v, mac, e) < 0) {
			qerr_prefix(e, "%s", argv[i]);
			r = -EINVAL;
		}
	}
	qopts_free(&o);
	return r;
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

bool qemu_argv_holds(char *const argv[])
{
	int i;

	for (i = 0; argv[i]; i++)
		if (!strcmp(argv[i], "-S") || !strcmp(argv[i], "--S") ||
		    !strcmp(argv[i], "-incoming") ||
		    !strcmp(argv[i], "--incoming"))
			return true;
	return false;
}

/*
 * qbox's own QMP monitor: QEMU serves the listening socket it inherits
 * (the supervisor bound it as NAME.qmp); wait=off, or QEMU would wait for
 * a client before it runs the guest
 */
static int add_monitor(char **out, int k, const struct qemu_extra *x)
{
	if (x->qmp_fd < 0)
		return k;
	if (!(out[k++] = strdup("-chardev")) ||
	    asprintf(&out[k++], "socket,id=" QEMU_QMP_ID ",fd=%d,server=on,"
				"wait=off", x->qmp_fd) < 0) {
		out[k - 1] = NULL;
		return -1;
	}
	if (!(out[k++] = strdup("-mon")) ||
	    !(out[k++] = strdup("chardev=" QEMU_QMP_ID ",mode=control")))
		return -1;
	if (x->hold && !(out[k++] = strdup("-S")))
		return -1;
	return k;
}

char **qemu_argv_build(char *const argv[], const struct qemu_nic *nics, int n,
		       const struct qemu_extra *x)
{
	int argc = 0, i, k = 0, u;
	char **out;

	while (argv[argc])
		argc++;
	out = calloc((size_t)argc + 4 * (size_t)n + 6, sizeof(*out));
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
		snprintf(id, sizeof(id), QEMU_NETDEV_ID, i);
		if (!(out[k++] = strdup("-netdev")) ||
		    asprintf(&out[k++], "tap,id=%s,fd=%d", id, nics[i].fd) < 0)
			goto oom;
		/* the user's own -device: it keeps what it says, and gets
		   the NIC's MAC, which the anti-spoofing rules expect */
		if ((u = netdev_arg(argv, id)) >= 0) {
			char *withmac;

			if (arg_has(argv[u], "mac"))
				continue;
			if (asprintf(&withmac, "%s,mac=%s", argv[u],
				     mac_format(nics[i].mac, mac)) < 0)
				goto oom_all;
			free(out[u]);
			out[u] = withmac;
			continue;
		}
		if (!(out[k++] = strdup("-device")) ||
		    asprintf(&out[k++], "virtio-net-pci,netdev=%s,mac=%s", id,
			     mac_format(nics[i].mac, mac)) < 0)
			goto oom;
	}
	if (add_monitor(out, k, x) < 0)
		goto oom_all;
	return out;
oom:
	/* asprintf leaves its target undefined on failure */
	out[k - 1] = NULL;
oom_all:
	qemu_argv_free(out);
	return NULL;
}
