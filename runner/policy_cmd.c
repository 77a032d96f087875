// SPDX-License-Identifier: MIT
/*
 * policy_cmd.c - qbox policy check|show|dump|list
 *
 * Reviewing a policy is reading it: `show` prints the policy as the
 * filter will enforce it, includes expanded, every line with the file and
 * line it came from, in the policy language itself (so the output is a
 * valid, flattened policy); `dump` prints the BPF programs libseccomp
 * makes, in its pseudo-code. `check` parses and compiles, as `qbox run`
 * does before anything exists.
 */
#include "runner/policy_cmd.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "seccomp/filter.h"
#include "seccomp/store.h"
#include "runner/cli.h"

static int check_one(const char *spec)
{
	struct policy p;
	scmp_filter_ctx ctx;
	struct qerr e = { 0 };
	size_t i, allowed = 0;

	if (policy_load(spec, &p, &e) < 0) {
		fprintf(stderr, "qbox: %s\n", e.msg);
		return qerr_status(&e);
	}
	/* the NAT engine's policy is loaded by a process that never execs */
	if (filter_compile(&p, filter_is_engine(spec) ? 0 : FILTER_PAYLOAD,
			   &ctx, &e) < 0) {
		policy_free(&p);
		fprintf(stderr, "qbox: %s\n", e.msg);
		return qerr_status(&e);
	}
	seccomp_release(ctx);
	for (i = 0; i < p.n_rules; i++)
		allowed += p.rules[i].action.kind == PA_ALLOW ||
			   p.rules[i].action.kind == PA_LOG;
	printf("%s: ok, %zu syscalls allowed%s\n", spec, allowed,
	       filter_is_engine(spec) ? " (the NAT engine's policy)" : "");
	policy_free(&p);
	return 0;
}

/* One line of `show`: a statement, then "# where" in a column */
static void show_line(const char *where, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void show_line(const char *where, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	printf("%*s# %s\n", n < 48 ? 48 - n : 1, "", where);
}

static int show(const char *spec, bool log)
{
	struct policy p;
	struct qerr e = { 0 };
	char act[64], where[4200];
	size_t i;

	if (policy_load(spec, &p, &e) < 0)
		qerr_die(&e);
	printf("# %s, includes expanded; a valid policy itself\n",
	       p.files[0]);
	policy_action_str(&p.def, act, sizeof(act));
	if (p.def_file)
		snprintf(where, sizeof(where), "%s:%d", p.def_file,
			 p.def_line);
	else
		snprintf(where, sizeof(where), "no @default: Minijail's");
	if (log)
		show_line("--log; the policy says:", "@default log");
	show_line(where, "%s@default %s", log ? "# " : "", act);
	for (i = 0; i < p.n_rules; i++) {
		const struct policy_rule *r = &p.rules[i];

		policy_action_str(&r->action, act, sizeof(act));
		snprintf(where, sizeof(where), "%s:%d", r->file, r->line);
		if (r->expr)
			show_line(where, "%s: %s; %s", r->name, r->expr, act);
		else
			show_line(where, "%s: %s", r->name, act);
	}
	fputs("# qbox adds, whatever the policy says (its baseline filter):\n"
	      "#   unshare, setns, clone with a CLONE_NEW* flag: errno EPERM\n"
	      "#   clone3: errno ENOSYS (glibc falls back to clone)\n"
	      "#   ioctl TIOCSTI, TIOCLINUX: errno EPERM\n"
	      "#   other architectures' syscalls: kill-process\n", stdout);
	if (filter_is_engine(spec))
		fputs("# and, for the NAT engine, which loads this policy:\n"
		      "#   tgkill of the engine itself with SIGABRT (abort())\n",
		      stdout);
	policy_free(&p);
	return 0;
}

static int dump(const char *spec, bool log)
{
	struct filters f = { 0 };
	struct qerr e = { 0 };
	unsigned int flags = log ? FILTER_LOG : 0;
	int r;

	/* the engine's policy need not allow execve (filter_from_spec()) */
	if (filter_is_engine(spec) ?
	    filter_from_spec(spec, flags, &f.policy, &e) < 0 ||
	    filter_baseline(&f.baseline, &e) < 0 :
	    filters_build(spec, flags, &f, &e) < 0)
		qerr_die(&e);
	printf("# the policy %s, as BPF (libseccomp's pseudo-code)\n", spec);
	fflush(stdout);
	r = seccomp_export_pfc(f.policy, STDOUT_FILENO);
	if (r == 0) {
		printf("# qbox's baseline filter, which the kernel runs too\n");
		fflush(stdout);
		r = seccomp_export_pfc(f.baseline, STDOUT_FILENO);
	}
	filters_free(&f);
	if (r < 0)
		die(1, "policy dump: %s", strerror(-r));
	return 0;
}

static int list(void)
{
	const char *dir = policy_dir();
	size_t i;

	for (i = 0; i < n_embedded_policies; i++) {
		const char *file = embedded_policies[i].file;
		char path[4096];

		snprintf(path, sizeof(path), "%s/%s", dir, file);
		printf("%-12.*s %s\n", (int)(strlen(file) - 7), file,
		       *dir && access(path, F_OK) == 0 ? path :
							 "<built-in>");
	}
	return 0;
}

void policy_cmd_kill_hint(const char *cmd, const char *policy)
{
	fprintf(stderr, "qbox: '%s' was killed by SIGSYS: most likely it made "
		"a system call that the seccomp policy '%s' does not allow. "
		"With --policy-log such calls go through and the kernel logs "
		"them (dmesg: \"audit: type=1326 ... syscall=N\"); see qbox "
		"policy --help.\n", cmd, policy);
}

int cmd_policy(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "log", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sub;
	bool log = false;
	int c, i, status = 0;

	optind = 0;
	opterr = 0;
	/* options may follow the subcommand: qbox policy show --log qemu */
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		if (c == 'l') {
			log = true;
			continue;
		}
		if (c == 'h') {
			fputs(policy_usage, stdout);
			return 0;
		}
		die(2, "policy: unknown option '%s' (see qbox policy --help)",
		    argv[optind - 1]);
	}
	if (optind >= argc)
		die(2, "policy: give a subcommand: check, show, dump or list "
		       "(see qbox policy --help)");
	sub = argv[optind++];
	if (!strcmp(sub, "list") && optind == argc)
		return list();
	if (!strcmp(sub, "check") && optind < argc && !log) {
		for (i = optind; i < argc; i++) {
			int r = check_one(argv[i]);

			if (r > status)
				status = r;
		}
		return status;
	}
	if ((!strcmp(sub, "show") || !strcmp(sub, "dump")) &&
	    optind + 1 == argc)
		return sub[0] == 's' ? show(argv[optind], log) :
				       dump(argv[optind], log);
	if (strcmp(sub, "check") && strcmp(sub, "show") &&
	    strcmp(sub, "dump") && strcmp(sub, "list"))
		die(2, "policy: unknown subcommand '%s' (check, show, dump or "
		       "list)", sub);
	die(2, "policy %s: usage: %s", sub,
	    !strcmp(sub, "check") ? "qbox policy check FILE|NAME..." :
	    !strcmp(sub, "list")  ? "qbox policy list" :
				    "qbox policy show|dump [--log] FILE|NAME");
}
