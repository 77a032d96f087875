/* SPDX-License-Identifier: MIT */
/*
 * qemu_paths.h - the host paths a QEMU command line names, and how QEMU
 * uses each
 *
 * A QEMU payload sees only the files its command line names (plus the
 * system, read-only: netns/view.h). This reads QEMU's argv, as QEMU 7.2
 * parses it, for every option that names a host path: disks (-drive,
 * -blockdev in both its key=value and JSON forms, -hda..-hdd, -cdrom,
 * -fda/-fdb, -pflash, -mtdblock, -sd, a positional image), boot files
 * (-kernel, -initrd, -dtb, -bios, -L, -option-rom), shared directories
 * (-fsdev, -virtfs, fat:), character devices and monitors (-chardev,
 * -serial, -monitor, -qmp, -parallel, -debugcon, -gdb: file:, unix:,
 * pipe:, path=), and the rest (-incoming file:/unix:, -D, -pidfile,
 * -readconfig, -object ...,mem-path=/filename=/file=/dir=, -mem-path,
 * -netdev's sockets and directories, -trace, -plugin, -set).
 * QEMU's comma escaping (",,") is respected. Pure: no file is looked at;
 * netns/view.c resolves, checks and follows backing chains.
 *
 * Forms that name no local path (nbd:, http:, iscsi:, tcp:, /dev/fdset/)
 * are skipped; a json: pseudo-filename is parsed.
 */
#ifndef QBOX_QEMU_PATHS_H
#define QBOX_QEMU_PATHS_H

#include <stdbool.h>

#include "common/err.h"

/* How QEMU uses a path */
enum qpath_use {
	QPATH_READ,	/* reads it: it must exist */
	QPATH_WRITE,	/* reads and writes it: it must exist */
	QPATH_CREATE,	/* writes it, and creates it when missing */
	QPATH_LISTEN,	/* creates a unix socket there (in its directory) */
	QPATH_CONNECT,	/* connects to the unix socket there: it must exist */
};

struct qpath {
	char *path;		/* as written (relative to the cwd if not /) */
	enum qpath_use use;
	bool dir;		/* a directory (-L, fsdev path=, fat:, dir=) */
	bool image;		/* a disk image: its backing chain is read too */
	const char *opt;	/* the option, for messages: "-drive" */
	char *value;		/* ... and its value as written */
};

struct qpaths {
	struct qpath *v;
	int n;
};

/**
 * qemu_paths() - the paths QEMU argv @argv names
 * @argv:	QEMU's argv, NULL-terminated, argv[0] the program
 * @out:	filled (free with qpaths_free(), also on error)
 * @e:		usage error naming the option and its value: a json:
 *		filename or -blockdev JSON that does not parse, an option
 *		that needs a value and has none
 *
 * -snapshot makes every disk read-only (QEMU then writes a temporary
 * overlay in /var/tmp, which the view has).
 * Return: 0 or -errno
 */
int qemu_paths(char *const *argv, struct qpaths *out, struct qerr *e);

void qpaths_free(struct qpaths *p);

/* "read", "read-write", "create", "listen", "connect" */
const char *qpath_use_name(enum qpath_use use);

#endif /* QBOX_QEMU_PATHS_H */
