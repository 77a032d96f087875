// SPDX-License-Identifier: MIT
/*
 * qemu_paths.c - the host paths a QEMU command line names (qemu_paths.h)
 *
 * Theory of operation. argv is walked as QEMU 7.2's command line parser
 * walks it: "--opt" is "-opt"; an option takes the next argument as its
 * value unless it is one of QEMU's flags (no_arg[]); a word that is no
 * option and no option's value is a disk image, as -hda. Each option that
 * can name a path has a handler (handlers[]), which reads the value in the
 * option's own syntax:
 *
 *   a path         -kernel FILE, -D FILE, -L DIR, ...
 *   QemuOpts       key=value,key=value with ",," for a literal comma, the
 *                  first item of some options a bare value (-chardev
 *                  BACKEND,..., -object TYPE,...), a bare "key" meaning
 *                  key=on and "nokey" key=off (qopts_parse());
 *   a chardev      -serial/-monitor/-qmp/... DEV: file:P, pipe:P,
 *                  unix:P[,server], mon:DEV, /dev/TTY; the rest (tcp:,
 *                  stdio, pty, ...) name no file;
 *   a disk         file= of -drive and the disk options: a path, file:P,
 *                  fat:[rw:]DIR, json:{...} (parsed), or a protocol that
 *                  names no local file (QEMU's rule: a ':' before any '/'),
 *                  /dev/fdset/N (an fd of -add-fd);
 *   JSON           -blockdev {...} and json: filenames, read with jansson:
 *                  every "filename" in the tree is a file, a vvfat node's
 *                  "dir" a directory, and "read-only": true holds for the
 *                  node and everything below it.
 *
 * Whether QEMU only reads a path decides how it is bound: read-only where
 * QEMU only reads (readonly=on, -cdrom, -snapshot, media=cdrom, boot
 * files, firmware code, shared directories marked readonly), read-write
 * otherwise. A value that is not understood is left alone: QEMU itself
 * refuses it, or fails to open a file the view does not hold and says
 * which.
 */
#include "plan/qemu_paths.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan/qemu_opts.h"

struct ctx {
	struct qpaths *out;
	const char *opt;	/* the option being read */
	const char *value;	/* ... its value */
	bool snapshot;		/* -snapshot: every disk read-only */
	struct qerr *e;
};

/* QEMU 7.2's options that take no value (qemu-options.hx: DEF(.., 0, ..)) */
static const char *const no_arg[] = {
	"S", "s", "snapshot", "nographic", "no-reboot", "no-shutdown",
	"nodefaults", "no-user-config", "enable-kvm", "daemonize",
	"full-screen", "portrait", "singlestep", "usb", "version", "h",
	"help", "win2k-hack", "no-acpi", "no-hpet", "no-fd-bootchk",
	"mem-prealloc", "only-migratable", "enable-sync-profile",
	"audio-help", "xen-attach", "xen-domid-restrict", "preconfig",
	"async-teardown", "semihosting", "old-param", NULL,
};

const char *qpath_use_name(enum qpath_use use)
{
	static const char *const names[] = {
		[QPATH_READ] = "read", [QPATH_WRITE] = "read-write",
		[QPATH_CREATE] = "create", [QPATH_LISTEN] = "listen",
		[QPATH_CONNECT] = "connect",
	};

	return names[use];
}

void qpaths_free(struct qpaths *p)
{
	int i;

	for (i = 0; i < p->n; i++) {
		free(p->v[i].path);
		free(p->v[i].value);
	}
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

/* One path: @len bytes of @path (an empty one names nothing) */
static int add_n(struct ctx *c, const char *path, size_t len,
		 enum qpath_use use, bool dir, bool image)
{
	struct qpath *grown, *q;

	if (!len)
		return 0;
	grown = realloc(c->out->v, sizeof(*grown) * (size_t)(c->out->n + 1));
	if (!grown)
		return qerr_set(c->e, ENOMEM, "%s %s", c->opt, c->value);
	c->out->v = grown;
	q = &grown[c->out->n];
	*q = (struct qpath){ .use = use, .dir = dir, .image = image,
			     .opt = c->opt };
	q->path = strndup(path, len);
	q->value = strdup(c->value);
	if (!q->path || !q->value) {
		free(q->path);
		free(q->value);
		return qerr_set(c->e, ENOMEM, "%s %s", c->opt, c->value);
	}
	c->out->n++;
	return 0;
}

static int add(struct ctx *c, const char *path, enum qpath_use use, bool dir,
	       bool image)
{
	return add_n(c, path, strlen(path), use, dir, image);
}

/* Parse @c's value as QemuOpts; a failure is the option's error */
static int opts_of(struct ctx *c, const char *implied, struct qopts *o)
{
	int r = qopts_parse(c->value, implied, o);

	if (r == -E2BIG)
		return qerr_usage(c->e, "%s %s: more than %d items", c->opt,
				  c->value, QOPTS_MAX);
	if (r < 0)
		return qerr_set(c->e, -r, "%s %s", c->opt, c->value);
	return 0;
}

/* ---- JSON: -blockdev {...}, json:{...} ---------------------------------- */

static int json_walk(struct ctx *c, json_t *j, bool ro);

static int json_object_paths(struct ctx *c, json_t *j, bool ro)
{
	const char *key, *drv;
	json_t *v;
	int r;

	if (json_is_true(json_object_get(j, "read-only")))
		ro = true;
	v = json_object_get(j, "filename");
	if (json_is_string(v) &&
	    (r = add(c, json_string_value(v), ro ? QPATH_READ : QPATH_WRITE,
		     false, true)) < 0)
		return r;
	drv = json_string_value(json_object_get(j, "driver"));
	v = json_object_get(j, "dir");
	if (drv && !strcmp(drv, "vvfat") && json_is_string(v) &&
	    (r = add(c, json_string_value(v),
		     !ro && json_is_true(json_object_get(j, "rw")) ?
			     QPATH_WRITE : QPATH_READ, true, false)) < 0)
		return r;
	json_object_foreach(j, key, v)
		if ((r = json_walk(c, v, ro)) < 0)
			return r;
	return 0;
}

static int json_walk(struct ctx *c, json_t *j, bool ro)
{
	size_t i;
	json_t *v;
	int r;

	if (json_is_object(j))
		return json_object_paths(c, j, ro);
	if (json_is_array(j))
		json_array_foreach(j, i, v)
			if ((r = json_walk(c, v, ro)) < 0)
				return r;
	return 0;
}

static int json_paths(struct ctx *c, const char *text, bool ro)
{
	json_error_t err;
	json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, &err);
	int r;

	if (!j)
		return qerr_usage(c->e, "%s %s: not JSON QEMU reads (%s, at "
					"character %d)", c->opt, c->value,
				  err.text, err.position);
	r = json_walk(c, j, ro);
	json_decref(j);
	return r;
}

/* ---- disks ---------------------------------------------------------------- */

/* QEMU's rule: a protocol prefix is a ':' before any '/' */
static bool has_protocol(const char *p)
{
	return p[strcspn(p, ":/\\")] == ':';
}

/* A disk's filename: a path, or file:, fat:, json:, another protocol */
static int disk_file(struct ctx *c, const char *f, bool ro)
{
	enum qpath_use use = ro ? QPATH_READ : QPATH_WRITE;

	if (!strncmp(f, "json:", 5))
		return json_paths(c, f + 5, ro);
	if (!strncmp(f, "file:", 5))
		return add(c, f + 5, use, false, true);
	if (!strncmp(f, "fat:", 4)) {	/* fat:[rw:][floppy:][12|16|32:]DIR */
		const char *p = f + 4;
		bool rw = false;

		for (;;) {
			size_t n = strcspn(p, ":/");

			if (p[n] != ':')
				break;
			rw |= n == 2 && !strncmp(p, "rw", 2);
			p += n + 1;
		}
		return add(c, p, rw && !ro ? QPATH_WRITE : QPATH_READ, true,
			   false);
	}
	if (has_protocol(f) || !strncmp(f, "/dev/fdset/", 11))
		return 0;	/* nbd:, http:, iscsi:, an fd set: no file */
	return add(c, f, use, false, true);
}

static int drive(struct ctx *c)
{
	struct qopts o;
	const char *f, *media;
	bool ro;
	int r;

	if ((r = opts_of(c, NULL, &o)) < 0)
		return r;
	f = qopts_get(&o, "file");
	media = qopts_get(&o, "media");
	ro = c->snapshot || qopts_on(&o, "readonly") ||
	     qopts_on(&o, "read-only") || qopts_on(&o, "snapshot") ||
	     (media && !strcmp(media, "cdrom"));
	r = f ? disk_file(c, f, ro) : 0;
	qopts_free(&o);
	return r;
}

/* -hda, -fda, -pflash, ..., a positional image */
static int disk(struct ctx *c)
{
	return disk_file(c, c->value, c->snapshot);
}

static int cdrom(struct ctx *c)
{
	return disk_file(c, c->value, true);
}

/* The last component of a dotted key: "file.filename" is "filename" */
static const char *leaf(const char *key)
{
	const char *dot = strrchr(key, '.');

	return dot ? dot + 1 : key;
}

static int blockdev(struct ctx *c)
{
	struct qopts o;
	bool ro = c->snapshot;
	int i, r = 0;

	if (c->value[0] == '{')
		return json_paths(c, c->value, ro);
	if ((r = opts_of(c, NULL, &o)) < 0)
		return r;
	for (i = 0; i < o.n; i++)
		ro |= !strcmp(leaf(o.key[i]), "read-only") && qopts_is_on(o.val[i]);
	for (i = 0; r == 0 && i < o.n; i++) {
		if (!strcmp(leaf(o.key[i]), "filename"))
			r = add(c, o.val[i], ro ? QPATH_READ : QPATH_WRITE,
				false, true);
		else if (!strcmp(leaf(o.key[i]), "dir"))	/* vvfat */
			r = add(c, o.val[i], QPATH_READ, true, false);
	}
	qopts_free(&o);
	return r;
}

/* ---- character devices ---------------------------------------------------- */

/* -serial, -monitor, -qmp, -parallel, -debugcon, -gdb: a DEV string */
static int chardev_compat(struct ctx *c, const char *dev)
{
	struct qopts o;
	int r;

	if (!strncmp(dev, "mon:", 4))
		return chardev_compat(c, dev + 4);
	if (!strncmp(dev, "file:", 5))
		return add(c, dev + 5, QPATH_CREATE, false, false);
	if (!strncmp(dev, "pipe:", 5))	/* PATH.in and PATH.out, or PATH */
		return add(c, dev + 5, QPATH_WRITE, false, false);
	if (!strncmp(dev, "/dev/", 5))	/* a host tty */
		return add(c, dev, QPATH_WRITE, false, false);
	if (strncmp(dev, "unix:", 5))
		return 0;		/* tcp:, udp:, stdio, pty, none, ... */
	if ((r = qopts_parse(dev + 5, "path", &o)) < 0)
		return qerr_set(c->e, -r, "%s %s", c->opt, c->value);
	r = add(c, qopts_get(&o, "path") ? qopts_get(&o, "path") : "",
		qopts_on(&o, "server") ? QPATH_LISTEN : QPATH_CONNECT, false,
		false);
	qopts_free(&o);
	return r;
}

static int chardev_dev(struct ctx *c)
{
	return chardev_compat(c, c->value);
}

static int chardev(struct ctx *c)
{
	const char *be, *path;
	enum qpath_use use = QPATH_WRITE;
	struct qopts o;
	int r;

	if ((r = opts_of(c, "backend", &o)) < 0)
		return r;
	be = qopts_get(&o, "backend");
	path = qopts_get(&o, "path");
	if (be && !strcmp(be, "file"))
		use = QPATH_CREATE;
	else if (be && !strcmp(be, "socket"))
		use = qopts_on(&o, "server") ? QPATH_LISTEN : QPATH_CONNECT;
	else if (!be || (strcmp(be, "pipe") && strcmp(be, "serial") &&
			 strcmp(be, "tty") && strcmp(be, "parallel") &&
			 strcmp(be, "parport")))
		path = NULL;	/* no backend of these names a path= */
	r = path ? add(c, path, use, false, false) : 0;
	if (r == 0 && qopts_get(&o, "input-path"))
		r = add(c, qopts_get(&o, "input-path"), QPATH_READ, false,
			false);
	if (r == 0 && qopts_get(&o, "logfile"))
		r = add(c, qopts_get(&o, "logfile"), QPATH_CREATE, false,
			false);
	qopts_free(&o);
	return r;
}

/* ---- the rest ------------------------------------------------------------- */

static int read_file_opt(struct ctx *c)
{
	return add(c, c->value, QPATH_READ, false, false);
}

static int create_file_opt(struct ctx *c)
{
	return add(c, c->value, QPATH_CREATE, false, false);
}

/* -L DIR (-L help lists them) */
static int data_dir(struct ctx *c)
{
	return strcmp(c->value, "help") ?
		       add(c, c->value, QPATH_READ, true, false) : 0;
}

/* -fsdev and -virtfs: local,path=DIR[,readonly=on]; proxy,socket= */
static int fsdev(struct ctx *c)
{
	struct qopts o;
	const char *drv, *path;
	int r;

	if ((r = opts_of(c, "fsdriver", &o)) < 0)
		return r;
	drv = qopts_get(&o, "fsdriver");
	path = qopts_get(&o, "path");
	if (drv && !strcmp(drv, "local") && path)
		r = add(c, path, qopts_on(&o, "readonly") ? QPATH_READ :
							   QPATH_WRITE,
			true, false);
	else if (drv && !strcmp(drv, "proxy") && qopts_get(&o, "socket"))
		r = add(c, qopts_get(&o, "socket"), QPATH_CONNECT, false,
			false);
	qopts_free(&o);
	return r;
}

/* -incoming file:P, unix:P; tcp:, exec:, fd:, defer name no file */
static int incoming(struct ctx *c)
{
	if (!strncmp(c->value, "file:", 5))
		return add(c, c->value + 5, QPATH_READ, false, false);
	if (!strncmp(c->value, "unix:", 5))
		return add(c, c->value + 5, QPATH_LISTEN, false, false);
	return 0;
}

/* One key of @o, if set, as a path used so */
static int opt_key(struct ctx *c, const struct qopts *o, const char *key,
		   enum qpath_use use, bool dir)
{
	const char *v = qopts_get(o, key);

	return v ? add(c, v, use, dir, false) : 0;
}

/* -object TYPE,...: the types whose properties name files */
static int object(struct ctx *c)
{
	static const struct {
		const char *type, *key;
		enum qpath_use use;
		bool dir;
	} props[] = {
		{ "memory-backend-file", "mem-path", QPATH_CREATE, false },
		{ "filter-dump", "file", QPATH_CREATE, false },
		{ "secret", "file", QPATH_READ, false },
		{ "rng-random", "filename", QPATH_READ, false },
		{ "authz-list-file", "filename", QPATH_READ, false },
		{ "tls-creds-x509", "dir", QPATH_READ, true },
		{ "tls-creds-psk", "dir", QPATH_READ, true },
		{ "tls-creds-anon", "dir", QPATH_READ, true },
		{ "input-linux", "evdev", QPATH_WRITE, false },
	};
	struct qopts o;
	const char *type;
	size_t i;
	int r;

	if ((r = opts_of(c, "qom-type", &o)) < 0)
		return r;
	type = qopts_get(&o, "qom-type");
	for (i = 0; r == 0 && type && i < sizeof(props) / sizeof(props[0]);
	     i++)
		if (!strcmp(type, props[i].type))
			r = opt_key(c, &o, props[i].key, props[i].use,
				    props[i].dir);
	qopts_free(&o);
	return r;
}

/* -netdev: a VDE switch's directory, stream and dgram sockets, user's
 * tftp= and smb= directories */
static int netdev(struct ctx *c)
{
	struct qopts o;
	const char *type;
	int r;

	if ((r = opts_of(c, "type", &o)) < 0)
		return r;
	type = qopts_get(&o, "type");
	if (!type)
		type = "";
	if (!strcmp(type, "vde"))
		r = opt_key(c, &o, "sock", QPATH_CONNECT, true);
	else if (!strcmp(type, "stream"))
		r = opt_key(c, &o, "addr.path", qopts_on(&o, "server") ?
				 QPATH_LISTEN : QPATH_CONNECT, false);
	else if (!strcmp(type, "dgram") &&
		 (r = opt_key(c, &o, "local.path", QPATH_LISTEN, false)) == 0)
		r = opt_key(c, &o, "remote.path", QPATH_CONNECT, false);
	else if (!strcmp(type, "user") &&
		 (r = opt_key(c, &o, "tftp", QPATH_READ, true)) == 0)
		r = opt_key(c, &o, "smb", QPATH_WRITE, true);
	qopts_free(&o);
	return r;
}

/* Options whose QemuOpts name a file at one key: -trace, -plugin, ... */
static int keyed(struct ctx *c, const char *implied, const char *key,
		 enum qpath_use use)
{
	struct qopts o;
	int r;

	if ((r = opts_of(c, implied, &o)) < 0)
		return r;
	r = opt_key(c, &o, key, use, false);
	qopts_free(&o);
	return r;
}

static int trace(struct ctx *c)
{
	int r = keyed(c, "enable", "events", QPATH_READ);

	return r < 0 ? r : keyed(c, "enable", "file", QPATH_CREATE);
}

static int plugin(struct ctx *c)
{
	return keyed(c, "file", "file", QPATH_READ);
}

static int fw_file(struct ctx *c)	/* -fw_cfg, -smbios */
{
	return keyed(c, NULL, "file", QPATH_READ);
}

static int machine(struct ctx *c)
{
	return keyed(c, "type", "dumpdtb", QPATH_CREATE);
}

static int boot(struct ctx *c)
{
	return keyed(c, "order", "splash", QPATH_READ);
}

/* -acpitable file=A:B or data=A:B: colon-separated lists */
static int acpitable(struct ctx *c)
{
	static const char *const keys[] = { "file", "data" };
	struct qopts o;
	size_t k;
	int r;

	if ((r = opts_of(c, NULL, &o)) < 0)
		return r;
	for (k = 0; r == 0 && k < 2; k++) {
		const char *v = qopts_get(&o, keys[k]);

		while (r == 0 && v && *v) {
			size_t n = strcspn(v, ":");

			r = add_n(c, v, n, QPATH_READ, false, false);
			v += n + (v[n] == ':');
		}
	}
	qopts_free(&o);
	return r;
}

/* -device: a ROM file (empty: none), the loader's file */
static int device(struct ctx *c)
{
	struct qopts o;
	const char *drv;
	int r;

	if ((r = opts_of(c, "driver", &o)) < 0)
		return r;
	drv = qopts_get(&o, "driver");
	r = opt_key(c, &o, "romfile", QPATH_READ, false);
	if (r == 0 && drv && !strcmp(drv, "loader"))
		r = opt_key(c, &o, "file", QPATH_READ, false);
	qopts_free(&o);
	return r;
}

static int tpmdev(struct ctx *c)
{
	struct qopts o;
	int r;

	if ((r = opts_of(c, "type", &o)) < 0)
		return r;
	if ((r = opt_key(c, &o, "path", QPATH_WRITE, false)) == 0)
		r = opt_key(c, &o, "cancel-path", QPATH_WRITE, false);
	qopts_free(&o);
	return r;
}

static int audiodev(struct ctx *c)
{
	struct qopts o;
	const char *drv;
	int r;

	if ((r = opts_of(c, "driver", &o)) < 0)
		return r;
	drv = qopts_get(&o, "driver");
	if (drv && !strcmp(drv, "wav"))
		r = opt_key(c, &o, "path", QPATH_CREATE, false);
	else if (drv && !strcmp(drv, "oss") &&
		 (r = opt_key(c, &o, "in.dev", QPATH_WRITE, false)) == 0)
		r = opt_key(c, &o, "out.dev", QPATH_WRITE, false);
	qopts_free(&o);
	return r;
}

/* -vnc unix:P[,...]; -spice unix=on,addr=P */
static int vnc(struct ctx *c)
{
	size_t n;

	if (strncmp(c->value, "unix:", 5))
		return 0;
	n = strcspn(c->value + 5, ",");
	return add_n(c, c->value + 5, n, QPATH_LISTEN, false, false);
}

static int spice(struct ctx *c)
{
	struct qopts o;
	int r;

	if ((r = opts_of(c, NULL, &o)) < 0)
		return r;
	r = qopts_on(&o, "unix") ?
		    opt_key(c, &o, "addr", QPATH_LISTEN, false) : 0;
	qopts_free(&o);
	return r;
}

/* -set drive.ID.file=PATH, -set blockdev...filename=PATH */
static int set(struct ctx *c)
{
	const char *eq = strchr(c->value, '=');
	const char *dot;
	size_t klen;

	if (!eq)
		return 0;
	for (dot = eq; dot > c->value && dot[-1] != '.'; dot--)
		;
	klen = (size_t)(eq - dot);
	if ((klen == 4 && !strncmp(dot, "file", 4)) ||
	    (klen == 8 && !strncmp(dot, "filename", 8)))
		return disk_file(c, eq + 1, c->snapshot);
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(struct ctx *c);
} handlers[] = {
	{ "-drive", drive }, { "-blockdev", blockdev },
	{ "-hda", disk }, { "-hdb", disk }, { "-hdc", disk }, { "-hdd", disk },
	{ "-fda", disk }, { "-fdb", disk }, { "-mtdblock", disk },
	{ "-sd", disk }, { "-pflash", disk }, { "-cdrom", cdrom },
	{ "-kernel", read_file_opt }, { "-initrd", read_file_opt },
	{ "-dtb", read_file_opt }, { "-bios", read_file_opt },
	{ "-option-rom", read_file_opt }, { "-readconfig", read_file_opt },
	{ "-L", data_dir },
	{ "-fsdev", fsdev }, { "-virtfs", fsdev },
	{ "-chardev", chardev }, { "-serial", chardev_dev },
	{ "-monitor", chardev_dev }, { "-qmp", chardev_dev },
	{ "-qmp-pretty", chardev_dev }, { "-parallel", chardev_dev },
	{ "-debugcon", chardev_dev }, { "-gdb", chardev_dev },
	{ "-incoming", incoming },
	{ "-D", create_file_opt }, { "-pidfile", create_file_opt },
	{ "-dump-vmstate", create_file_opt }, { "-mem-path", create_file_opt },
	{ "-object", object }, { "-netdev", netdev }, { "-trace", trace },
	{ "-plugin", plugin }, { "-fw_cfg", fw_file }, { "-smbios", fw_file },
	{ "-acpitable", acpitable }, { "-device", device },
	{ "-machine", machine }, { "-M", machine }, { "-boot", boot },
	{ "-tpmdev", tpmdev }, { "-audiodev", audiodev },
	{ "-vnc", vnc }, { "-spice", spice }, { "-set", set },
};

static bool takes_no_value(const char *name)
{
	size_t i;

	if (!*name)
		return true;
	for (i = 0; no_arg[i]; i++)
		if (!strcmp(name, no_arg[i]))
			return true;
	return false;
}

/* The option @arg names ("--x" is "-x"), or NULL for a positional word
 * (a lone "-" is an option of no name to QEMU, which refuses it) */
static const char *option_name(const char *arg)
{
	if (arg[0] != '-')
		return NULL;
	return arg[1] == '-' ? arg + 2 : arg + 1;
}

/* Option @opt ("-drive") with @value, if it can name a path */
static int one(struct ctx *c, const char *opt, const char *value)
{
	size_t i;

	c->value = value;
	for (i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++)
		if (!strcmp(handlers[i].name, opt)) {
			c->opt = handlers[i].name;
			return handlers[i].fn(c);
		}
	return 0;
}

int qemu_paths(char *const *argv, struct qpaths *out, struct qerr *e)
{
	struct ctx c = { .out = out, .e = e };
	char opt[64];
	int i, r = 0;

	*out = (struct qpaths){ 0 };
	for (i = 1; argv[i]; i++) {
		const char *n = option_name(argv[i]);

		c.snapshot |= n && !strcmp(n, "snapshot");
	}
	for (i = 1; r == 0 && argv[i]; i++) {
		const char *n = option_name(argv[i]);

		if (!n) {	/* a disk image, as -hda */
			c.opt = "disk image";
			c.value = argv[i];
			r = disk(&c);
			continue;
		}
		if (takes_no_value(n))
			continue;
		snprintf(opt, sizeof(opt), "-%s", n);
		if (!argv[i + 1])
			return qerr_usage(e, "QEMU's %s needs a value", opt);
		r = one(&c, opt, argv[++i]);
	}
	return r;
}
