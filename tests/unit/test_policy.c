// SPDX-License-Identifier: MIT
/*
 * test_policy.c - the policy language: parser, compiler, loader, corpus
 *
 * Parser tests read policies from memory (a table of name -> text), so
 * each case is one string; the corpus under tests/unit/policies/ goes
 * through the real loader. Compiled filters are also loaded, in a child,
 * and the child's syscalls show what the filter answers: the operators
 * are checked by the kernel's verdict, not by reading the BPF.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "seccomp/filter.h"
#include "seccomp/store.h"
#include "tests/unit/unit.h"

/* ---- an in-memory loader ------------------------------------------------ */

struct memfile {
	const char *name;
	const char *text;
};

static const struct memfile *mem_files;

static int mem_load(void *ctx, const struct policy_text *from,
		    const char *what, struct policy_text *out, struct qerr *e)
{
	const struct memfile *f;

	(void)ctx;
	(void)from;
	for (f = mem_files; f && f->name; f++)
		if (!strcmp(f->name, what)) {
			out->name = strdup(what);
			out->id = strdup(what);
			out->text = strdup(f->text);
			return 0;
		}
	return qerr_usage(e, "cannot read %s: no such file", what);
}

/* Parse "t.policy" = @text (with @files for includes) */
static int parse(const char *text, const struct memfile *files,
		 struct policy *p, struct qerr *e)
{
	struct memfile all[16] = { { "t.policy", text } };
	int i;

	for (i = 0; files && files[i].name; i++)
		all[i + 1] = files[i];
	mem_files = all;
	memset(e, 0, sizeof(*e));
	return policy_parse("t.policy", mem_load, NULL, p, e);
}

/* A bad policy: refused as a usage error whose message holds @needle */
static bool bad_with(const char *text, const struct memfile *files,
		     const char *needle)
{
	struct policy p;
	struct qerr e;

	if (parse(text, files, &p, &e) == 0) {
		policy_free(&p);
		printf("      accepted: %s\n", text);
		return false;
	}
	if (!e.usage || !strstr(e.msg, needle)) {
		printf("      message: %s\n      wanted: %s\n", e.msg, needle);
		return false;
	}
	return true;
}

static bool bad(const char *text, const char *needle)
{
	return bad_with(text, NULL, needle);
}

#define BAD(text, needle) CHECK(bad(text, needle), "refused: %s", needle)

/* ---- parsing ------------------------------------------------------------- */

static void test_good(void)
{
	struct policy p;
	struct qerr e;
	const struct policy_rule *r;
	int ok;

	ok = parse("read: 1\n", NULL, &p, &e) == 0;
	CHECK(ok && p.n_rules == 1 && p.rules[0].nr == SYS_read &&
		      p.rules[0].action.kind == PA_ALLOW &&
		      !p.rules[0].n_clauses && !p.rules[0].expr &&
		      p.def.kind == PA_KILL_PROCESS && !p.def_file,
	      "'read: 1' is an unconditional allow; no @default: kill-process");
	if (ok)
		policy_free(&p);

	ok = parse("# a comment\n\n  \t\n@default errno ENOSYS # why\n"
		   "ioctl: arg1 == TCGETS || arg1 == TIOCGWINSZ\r\n", NULL, &p,
		   &e) == 0;
	r = ok ? policy_find(&p, "ioctl") : NULL;
	CHECK(r && r->n_clauses == 2 && r->clauses[0].n == 1 &&
		      r->clauses[0].cond[0].arg == 1 &&
		      r->clauses[0].cond[0].op == PO_EQ &&
		      r->clauses[0].cond[0].value == TCGETS &&
		      r->clauses[1].cond[0].value == TIOCGWINSZ &&
		      r->line == 5 && !strcmp(r->file, "t.policy") &&
		      !strcmp(r->expr, "arg1 == TCGETS || arg1 == TIOCGWINSZ") &&
		      p.def.kind == PA_ERRNO && p.def.errnum == ENOSYS &&
		      p.def_line == 4,
	      "|| makes clauses; comments, blanks and CR LF are skipped");
	if (ok)
		policy_free(&p);

	ok = parse("mmap: arg2 in ~PROT_EXEC && arg3 & MAP_SHARED; "
		   "return EPERM\n", NULL, &p, &e) == 0;
	r = ok ? &p.rules[0] : NULL;
	CHECK(r && r->n_clauses == 1 && r->clauses[0].n == 2 &&
		      r->clauses[0].cond[0].op == PO_IN &&
		      r->clauses[0].cond[0].value == ~(uint64_t)PROT_EXEC &&
		      r->clauses[0].cond[1].arg == 3 &&
		      r->clauses[0].cond[1].op == PO_ANY &&
		      r->clauses[0].cond[1].value == MAP_SHARED &&
		      r->action.kind == PA_ERRNO && r->action.errnum == EPERM,
	      "&& joins conditions; in, ~, & and '; return ERRNO'");
	if (ok)
		policy_free(&p);

	ok = parse("read: arg0 == 10 || arg0 == 0x10 || arg0 == 010 || "
		   "arg0 == -1 || arg0 == O_WRONLY|O_CREAT || "
		   "arg0 == ~(O_RDWR|O_APPEND) || arg0 == AT_FDCWD\n", NULL,
		   &p, &e) == 0;
	r = ok ? &p.rules[0] : NULL;
	CHECK(r && r->n_clauses == 7 && r->clauses[0].cond[0].value == 10 &&
		      r->clauses[1].cond[0].value == 16 &&
		      r->clauses[2].cond[0].value == 8 &&
		      r->clauses[3].cond[0].value == UINT64_MAX &&
		      r->clauses[4].cond[0].value == (O_WRONLY | O_CREAT) &&
		      r->clauses[5].cond[0].value ==
			      ~(uint64_t)(O_RDWR | O_APPEND) &&
		      r->clauses[6].cond[0].value == (uint64_t)(int64_t)-100,
	      "numbers: decimal, hex, octal, negative, OR-ed and ~ constants");
	if (ok)
		policy_free(&p);

	ok = parse("execve: allow\nread: log\nwrite: trap\nclose: kill\n"
		   "dup: kill-process\ndup2: kill-thread\ndup3: return 13\n"
		   "open: errno EACCES\n", NULL, &p, &e) == 0;
	CHECK(ok && p.n_rules == 8 && p.rules[0].action.kind == PA_ALLOW &&
		      p.rules[1].action.kind == PA_LOG &&
		      p.rules[2].action.kind == PA_TRAP &&
		      p.rules[3].action.kind == PA_KILL_PROCESS &&
		      p.rules[4].action.kind == PA_KILL_PROCESS &&
		      p.rules[5].action.kind == PA_KILL_THREAD &&
		      p.rules[6].action.errnum == 13 &&
		      p.rules[7].action.errnum == EACCES,
	      "every action");
	if (ok)
		policy_free(&p);

	ok = parse("ioctl: arg1 == TCGETS || \\\n"
		   "       \\   # a comment between alternatives\n"
		   "       arg1 == TCSETS # and one at the end\n"
		   "read: 1\n", NULL, &p, &e) == 0;
	CHECK(ok && p.n_rules == 2 && p.rules[0].n_clauses == 2 &&
		      p.rules[0].line == 1 && p.rules[1].line == 4,
	      "'\\' continues a statement, past comments");
	if (ok)
		policy_free(&p);

	{
		static const struct memfile inc[] = {
			{ "a.policy", "write: 1\n@include b.policy\n" },
			{ "b.policy", "close: 1\n" },
			{ NULL, NULL },
		};

		ok = parse("read: 1\n@include a.policy\nexit: 1\n", inc, &p,
			   &e) == 0;
		CHECK(ok && p.n_rules == 4 &&
			      !strcmp(p.rules[1].name, "write") &&
			      !strcmp(p.rules[1].file, "a.policy") &&
			      p.rules[1].line == 1 &&
			      !strcmp(p.rules[2].file, "b.policy") &&
			      !strcmp(p.rules[3].file, "t.policy") &&
			      p.rules[3].line == 3,
		      "@include expands in place; each rule keeps its "
		      "FILE:LINE");
		if (ok)
			policy_free(&p);
	}
	{
		static const struct memfile many[] = {
			{ "a.policy", "write: 1\n" },
			{ NULL, NULL },
		};

		CHECK(bad_with("@include a.policy\n\n@include a.policy\n",
			       many, "t.policy:3: @include a.policy: already "
				     "included at t.policy:1"),
		      "refused: a file included twice, naming the first");
	}
}

/* The default action and where it came from, after parsing @text */
static bool default_is(const char *text, const struct memfile *files,
		       enum policy_action_kind kind, const char *file, int line)
{
	struct policy p;
	struct qerr e;
	bool ok;

	if (parse(text, files, &p, &e) < 0) {
		printf("      refused: %s\n", e.msg);
		return false;
	}
	ok = p.def.kind == kind && p.def_file && !strcmp(p.def_file, file) &&
	     p.def_line == line;
	policy_free(&p);
	return ok;
}

static void test_defaults(void)
{
	static const struct memfile files[] = {
		{ "a.policy", "@default log\nwrite: 1\n" },
		{ "b.policy", "@default kill\nclose: 1\n" },
		{ "c.policy", "@default log\nopen: 1\n" },
		{ "d.policy", "@include b.policy\n@default trap\ndup: 1\n" },
		{ NULL, NULL },
	};

	CHECK(default_is("@include a.policy\nread: 1\n", files, PA_LOG,
			 "a.policy", 1),
	      "@default of an included file applies");
	CHECK(default_is("@include a.policy\n@default trap\nread: 1\n", files,
			 PA_TRAP, "t.policy", 2) &&
		      default_is("@default trap\n@include a.policy\nread: 1\n",
				 files, PA_TRAP, "t.policy", 1),
	      "the top-level @default wins, before or after the include");
	CHECK(default_is("@include d.policy\nread: 1\n", files, PA_TRAP,
			 "d.policy", 2),
	      "an included file's @default wins over those it includes");
	CHECK(default_is("@include a.policy\n@include b.policy\n"
			 "@default errno EPERM\nread: 1\n",
			 files, PA_ERRNO, "t.policy", 3),
	      "two included files disagree: the top-level one settles it");
	CHECK(default_is("@include a.policy\n@include c.policy\nread: 1\n",
			 files, PA_LOG, "a.policy", 1),
	      "two included files that agree");
}

static void test_bad(void)
{
	static const struct memfile cyc[] = {
		{ "a.policy", "read: 1\n@include b.policy\n" },
		{ "b.policy", "\n\n@include a.policy\n" },
		{ NULL, NULL },
	};
	static const struct memfile deep[] = {
		{ "1", "@include 2\n" }, { "2", "@include 3\n" },
		{ "3", "@include 4\n" }, { "4", "@include 5\n" },
		{ "5", "@include 6\n" }, { "6", "@include 7\n" },
		{ "7", "@include 8\n" }, { "8", "read: 1\n" },
		{ NULL, NULL },
	};
	static const struct memfile deflt[] = {
		{ "a.policy", "@default log\nwrite: 1\n" },
		{ "b.policy", "@default kill\nclose: 1\n" },
		{ NULL, NULL },
	};
	char *longline;
	size_t i;

	BAD("read: 1\n\nnot_a_syscall_xyz: 1\n",
	    "t.policy:3: unknown syscall 'not_a_syscall_xyz'");
	BAD("read: arg0 == 0x1g\n", "t.policy:1: bad number '0x1g'");
	BAD("read: arg0 == 99999999999999999999\n",
	    "t.policy:1: bad number '99999999999999999999'");
	BAD("read: arg0 == 09\n", "t.policy:1: bad number '09'");
	BAD("ioctl: arg1 == TUNFROB\n",
	    "t.policy:1: unknown constant 'TUNFROB'");
	BAD("read: arg0 === 1\n", "t.policy:1: bad operator (==, !=, <, <=, "
				  ">, >=, &, in) '==='");
	BAD("read: arg0 = 1\n", "t.policy:1: bad operator");
	BAD("read: arg0 is 1\n", "t.policy:1: bad operator (==, !=, <, <=, >, "
				 ">=, &, in) 'is'");
	BAD("read: arg6 == 1\n",
	    "t.policy:1: unknown argument (arg0 to arg5) 'arg6'");
	BAD("read: argv == 1\n", "t.policy:1: expected an argument (arg0 to "
				 "arg5), found 'argv'");
	BAD("read 1\n", "t.policy:1: missing ':' after the syscall name, "
			"found '1'");
	BAD("execve: 1\nread\n", "t.policy:2: missing ':' after 'read'");
	BAD("@default frob\nread: 1\n", "t.policy:1: bad @default action "
	    "(kill-process, kill-thread, kill, trap, log, errno N, allow), "
	    "found 'frob'");
	BAD("@default 1\nread: 1\n", "t.policy:1: bad @default action");
	BAD("@default errno\nread: 1\n",
	    "t.policy:1: 'errno' needs an errno");
	BAD("@default log kill\nread: 1\n", "t.policy:1: unexpected 'kill'");
	BAD("read: 1\n@include nope.policy\n",
	    "t.policy:2: @include nope.policy: cannot read nope.policy");
	CHECK(bad_with("@include a.policy\n", cyc,
		       "b.policy:3: @include cycle: a.policy -> b.policy -> "
		       "a.policy"),
	      "refused: an @include cycle, with the chain");
	CHECK(bad_with("@include t.policy\n", NULL,
		       "t.policy:1: @include cycle: t.policy -> t.policy"),
	      "refused: a file including itself");
	CHECK(bad_with("@include 1\n", deep,
		       "7:1: @include 8: nested deeper than 8 files"),
	      "refused: includes nested deeper than 8");
	BAD("read: 1\nwrite: 1\nread: arg0 == 1\n",
	    "t.policy:3: 'read' is already listed at t.policy:1");
	BAD("", "t.policy: empty policy (no rule, no @include)");
	BAD("# only\n\n   # comments\n", "t.policy: empty policy");
	BAD("@default log\n", "t.policy: no syscall rules");
	BAD("read: 1 1\n", "t.policy:1: unexpected '1'");
	BAD("read: arg0 == 1 arg1\n", "t.policy:1: unexpected 'arg1'");
	BAD("read: return EPERM now\n", "t.policy:1: unexpected 'now'");
	longline = malloc(POLICY_LINE_MAX + 100);
	strcpy(longline, "read: arg0 == 1");
	for (i = strlen(longline); i < POLICY_LINE_MAX; i += 13)
		strcpy(longline + i, " || arg0 == 1");
	strcpy(longline + i, "\n");
	BAD(longline, "t.policy:1: statement longer than 16384 characters");
	free(longline);
	BAD("read:\n", "t.policy:1: missing filter after 'read:'");
	BAD("read: 2\n", "t.policy:1: bad filter (1, an argument expression "
			 "or an action), found '2'");
	BAD("read: return\n", "t.policy:1: 'return' needs an errno");
	BAD("read: return EFROB\n", "t.policy:1: unknown errno 'EFROB'");
	BAD("read: return 4096\n",
	    "t.policy:1: errno out of range (0 to 4095) '4096'");
	BAD("read: arg0 == 1;\n", "t.policy:1: expected an action after ';', "
				  "found the end of the line");
	BAD("read: arg0 ==\n", "t.policy:1: expected a number or a constant, "
			       "found the end of the line");
	BAD("read: arg0 == 1 ||\n", "t.policy:1: expected an argument (arg0 "
				    "to arg5), found the end of the line");
	BAD("mmap2: 1\n",
	    "t.policy:1: syscall 'mmap2' does not exist on this architecture");
	BAD("read: arg0 == $\n", "t.policy:1: unexpected character '$'");
	BAD("read: 1 \\\n", "t.policy:1: the last line ends in '\\' but "
			    "nothing follows");
	BAD("@frequency f\n",
	    "t.policy:1: unknown directive '@frequency' (@include or @default)");
	BAD("@include\n", "t.policy:1: @include needs a file or a policy name");
	BAD("@include a b\n", "t.policy:1: unexpected 'b' after '@include a'");
	BAD("@default log \\\nread: 1\n",
	    "t.policy:1: a directive cannot continue on the next line");
	BAD("@default log\n@default kill\nread: 1\n",
	    "t.policy:2: @default given twice (first at t.policy:1)");
	CHECK(bad_with("@include a.policy\n@include b.policy\nread: 1\n",
		       deflt, "b.policy:1: @default kill-process disagrees "
			      "with a.policy:1 (@default log), and neither "
			      "file includes the other: say which in "
			      "t.policy"),
	      "refused: two included files that disagree on @default");
	BAD("@default log\nread: 1\n@default log\n",
	    "t.policy:3: @default given twice (first at t.policy:1)");
	BAD("read: arg0 > 1 && arg0 < 5\n", "t.policy:1: 'arg0' appears twice "
	    "in one && clause (libseccomp takes one condition per argument)");
	BAD("open: arg1 & 0\n", "t.policy:1: 'arg1 & 0' never holds");
	BAD("mmap: arg2 in ~(PROT_EXEC\n",
	    "t.policy:1: expected ')', found the end of the line");
	BAD("read: arg0 == 1 || \\\n\\\n  arg0 == FROB\n",
	    "t.policy:3: unknown constant 'FROB'");
	BAD(": 1\n", "t.policy:1: expected a syscall name, found ':'");
}

/* ---- compiling ----------------------------------------------------------- */

/* Parse and compile as a payload's policy; the message if it fails */
static bool compiles(const char *text, unsigned int flags,
		     scmp_filter_ctx *out, struct qerr *e)
{
	struct policy p;
	scmp_filter_ctx ctx;
	int r;

	if (parse(text, NULL, &p, e) < 0)
		return false;
	r = filter_compile(&p, flags | FILTER_PAYLOAD, &ctx, e);
	policy_free(&p);
	if (r < 0)
		return false;
	if (out)
		*out = ctx;
	else
		seccomp_release(ctx);
	return true;
}

static bool compile_fails(const char *text, const char *needle)
{
	struct qerr e;

	if (compiles(text, 0, NULL, &e))
		return false;
	if (!e.usage || !strstr(e.msg, needle)) {
		printf("      message: %s\n      wanted: %s\n", e.msg, needle);
		return false;
	}
	return true;
}

static void test_compile(void)
{
	scmp_filter_ctx ctx;
	struct filters f;
	struct qerr e;
	uint32_t act = 0;
	size_t i;

	for (i = 0; i < n_embedded_policies; i++) {
		char name[64];
		int r;

		snprintf(name, sizeof(name), "%.*s",
			 (int)strlen(embedded_policies[i].file) - 7,
			 embedded_policies[i].file);
		memset(&e, 0, sizeof(e));
		/* the NAT engine's is no payload's: it need not allow execve */
		if (filter_is_engine(name)) {
			r = filter_from_spec(name, 0, &ctx, &e);
			if (r == 0)
				seccomp_release(ctx);
		} else if ((r = filters_build(name, 0, &f, &e)) == 0) {
			filters_free(&f);
		}
		CHECK(r == 0, "shipped policy '%s' compiles (%s)", name,
		      r ? e.msg : "ok");
	}
	CHECK(n_embedded_policies == 5, "five policies are compiled in");
	memset(&e, 0, sizeof(e));
	CHECK(filters_build(ENGINE_POLICY, 0, &f, &e) < 0 && e.usage &&
		      strstr(e.msg, "execve is not allowed"),
	      "the engine's policy is refused as a payload's (no execve)");
	CHECK(filter_is_engine("uplink") &&
		      filter_is_engine("/etc/qbox/uplink.policy") &&
		      filter_is_engine("uplink.policy") &&
		      !filter_is_engine("default") &&
		      !filter_is_engine("./my-uplink.policy"),
	      "the engine's policy by NAME and by FILE name");
	memset(&e, 0, sizeof(e));
	CHECK(filter_helper(&ctx, &e) == 0, "the helper policy compiles");
	seccomp_release(ctx);
	CHECK(filter_worker(&ctx, &e) == 0, "the worker policy compiles");
	seccomp_release(ctx);

	CHECK(compiles("@default errno ENOSYS\nexecve: 1\n", FILTER_LOG, &ctx,
		       &e) &&
		      seccomp_attr_get(ctx, SCMP_FLTATR_ACT_DEFAULT, &act) == 0 &&
		      act == SCMP_ACT_LOG,
	      "FILTER_LOG turns the default action into log");
	seccomp_release(ctx);
	CHECK(compiles("@default allow\nptrace: return EPERM\nread: 1\n", 0,
		       NULL, &e),
	      "@default allow: allow rules are left out, not refused");
	CHECK(compile_fails("execve: 1\nioctl: arg1 != TIOCSTI\n",
			    "t.policy:2: 'ioctl': arg1 is a 32-bit request"),
	      "ioctl's request: != refused (upper bits would slip past)");
	CHECK(compile_fails("execve: 1\nioctl: arg1 < 5\n",
			    "t.policy:2: 'ioctl': arg1 is a 32-bit request"),
	      "ioctl's request: < refused");
	CHECK(compile_fails("execve: 1\nioctl: arg1 == 0x100005401\n",
			    "t.policy:2: 'ioctl': arg1 == a value wider than "
			    "32 bits never matches"),
	      "ioctl's request: a value above 32 bits refused");
	CHECK(compile_fails("read: 1\n", "t.policy: execve is not allowed, so "
					 "the payload could not even start"),
	      "a payload policy must allow execve");
	CHECK(compile_fails("execve: return EPERM\n",
			    "t.policy:1: execve must be allowed"),
	      "a payload policy must not deny execve");
	CHECK(compiles("@default log\nread: 1\n", 0, NULL, &e),
	      "no execve rule is fine when the default lets it through");
	CHECK(compile_fails("execve: 1\nwrite: arg0 & 0xffffffffffff && "
			    "arg1 & 0xffffff\n",
			    "t.policy:2: 'write': expands to more than 1024 "),
	      "'&' on many bits in one clause: bounded expansion");
}

/*
 * Load a filter in a child and make calls: each result (0 or errno) is
 * sent back through a pipe. Only the calls under test and write/exit are
 * allowed; the default ENOSYS shows where no rule matched.
 */
static const char semantics[] =
	"@default errno ENOSYS\n"
	"execve: 1\n"
	"write: 1\n"
	"exit_group: 1\n"
	"getppid: return EPERM\n"
	"getpgid: arg0 == 0; return EACCES\n"
	"ioctl: arg1 == TIOCGWINSZ; return EDOM\n"
	"fcntl: arg1 & 0x3; return EXDEV\n"
	"umask: arg0 in 0x3; return ERANGE\n"
	"dup: arg0 > 5; return ECHILD\n"
	"dup2: arg0 != 7 && arg1 <= 9; return ENOTDIR\n"
	"dup3: arg0 == 1 && arg1 == 2 || arg2 >= 4; return EISDIR\n";

static long call(long nr, long a, long b, long c)
{
	long r = syscall(nr, a, b, c);

	return r < 0 ? errno : 0;
}

struct call_case {
	const char *what;
	long nr, a, b, c;
	long want;
};

/*
 * Load @ctx in a child, make each of the @n @calls there and compare what
 * each answered (0 or errno) with what it should have. @name tells the
 * filter in the messages.
 */
static void check_calls(const char *name, scmp_filter_ctx ctx,
			const struct call_case *calls, size_t n)
{
	long got[64];
	int fds[2], status;
	size_t i;
	pid_t pid;

	if (n > sizeof(got) / sizeof(got[0]) || pipe(fds) < 0 ||
	    (pid = fork()) < 0) {
		CHECK(0, "%s: pipe and fork: %s", name, strerror(errno));
		return;
	}
	if (pid == 0) {
		close(fds[0]);
		if (seccomp_load(ctx) < 0)
			_exit(2);
		for (i = 0; i < n; i++)
			got[i] = call(calls[i].nr, calls[i].a, calls[i].b,
				      calls[i].c);
		/* exit_group itself: the sanitizers' _exit would check for
		 * leaks, which needs calls the filter refuses */
		syscall(SYS_exit_group,
			write(fds[1], got, n * sizeof(got[0])) ==
					(ssize_t)(n * sizeof(got[0])) ? 0 : 3);
	}
	close(fds[1]);
	memset(got, 0xff, sizeof(got));
	CHECK(read(fds[0], got, n * sizeof(got[0])) ==
		      (ssize_t)(n * sizeof(got[0])),
	      "%s: the filtered child reported its calls", name);
	close(fds[0]);
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "%s: the filtered child ran to its end (status %#x)", name,
	      status);
	for (i = 0; i < n; i++)
		CHECK(got[i] == calls[i].want, "%s: %s: %s (got %ld)", name,
		      calls[i].what, strerror((int)calls[i].want), got[i]);
}

static void test_semantics(void)
{
	static const struct call_case calls[] = {
		{ "return ERRNO", SYS_getppid, 0, 0, 0, EPERM },
		{ "== holds", SYS_getpgid, 0, 0, 0, EACCES },
		{ "== fails: the default", SYS_getpgid, 1, 0, 0, ENOSYS },
		{ "ioctl request, low 32 bits", SYS_ioctl, -1, TIOCGWINSZ, 0,
		  EDOM },
		{ "ioctl request sign-extended (QEMU's KVM calls)", SYS_ioctl,
		  -1, (long)(0xffffffff00000000UL | TIOCGWINSZ), 0, EDOM },
		{ "ioctl, another request", SYS_ioctl, -1, TIOCSWINSZ, 0,
		  ENOSYS },
		{ "& on the first bit", SYS_fcntl, -1, 1, 0, EXDEV },
		{ "& on the second bit", SYS_fcntl, -1, 2, 0, EXDEV },
		{ "& on no bit", SYS_fcntl, -1, 4, 0, ENOSYS },
		{ "in: a subset", SYS_umask, 2, 0, 0, ERANGE },
		{ "in: zero is a subset", SYS_umask, 0, 0, 0, ERANGE },
		{ "in: a bit outside", SYS_umask, 4, 0, 0, ENOSYS },
		{ "> holds", SYS_dup, 6, 0, 0, ECHILD },
		{ "> fails", SYS_dup, 5, 0, 0, ENOSYS },
		{ "!= && <= hold", SYS_dup2, 6, 9, 0, ENOTDIR },
		{ "!= fails", SYS_dup2, 7, 9, 0, ENOSYS },
		{ "<= fails", SYS_dup2, 6, 10, 0, ENOSYS },
		{ "first || clause", SYS_dup3, 1, 2, 0, EISDIR },
		{ "second || clause", SYS_dup3, 9, 9, 4, EISDIR },
		{ "no clause", SYS_dup3, 1, 3, 3, ENOSYS },
		{ "no rule: the default", SYS_getuid, 0, 0, 0, ENOSYS },
	};
	scmp_filter_ctx ctx;
	struct qerr e;

	if (!compiles(semantics, 0, &ctx, &e)) {
		CHECK(0, "the semantics policy compiles: %s", e.msg);
		return;
	}
	check_calls("filter", ctx, calls, sizeof(calls) / sizeof(calls[0]));
	seccomp_release(ctx);
}

/*
 * The forward workers' filter: what relaying takes reaches the kernel
 * (EBADF on fd -1, EFAULT on no event), what a worker taken over by the payload could misuse
 * answers ENOSYS.
 */
static void test_worker_filter(void)
{
	static const struct call_case calls[] = {
		{ "splice reaches the kernel", SYS_splice, -1, 0, -1, EBADF },
		{ "accept4 reaches the kernel", SYS_accept4, -1, 0, 0, EBADF },
		{ "connect reaches the kernel", SYS_connect, -1, 0, 0, EBADF },
		{ "epoll_ctl reaches the kernel", SYS_epoll_ctl, -1, 1, -1,
		  EFAULT },
		{ "getpid allowed", SYS_getpid, 0, 0, 0, 0 },
		/* a guest's IPv6 address: dialled over IPv6 (no such type) */
		{ "socket(AF_INET6) reaches the kernel", SYS_socket, AF_INET6,
		  -1, 0, EINVAL },
		{ "socket(AF_UNIX) refused", SYS_socket, AF_UNIX, SOCK_STREAM,
		  0, ENOSYS },
		{ "socket(AF_PACKET) refused", SYS_socket, AF_PACKET,
		  SOCK_RAW, 0, ENOSYS },
		{ "openat refused", SYS_openat, AT_FDCWD, (long)"/", 0,
		  ENOSYS },
		/* harmless should they get through: no path, bad flags */
		{ "execve refused", SYS_execve, 0, 0, 0, ENOSYS },
		{ "clone refused", SYS_clone, -1, 0, 0, ENOSYS },
		{ "ptrace refused", SYS_ptrace, PTRACE_ATTACH, 1, 0, ENOSYS },
		{ "process_vm_writev refused", SYS_process_vm_writev, 1, 0, 0,
		  ENOSYS },
		{ "kill refused", SYS_kill, 1, 0, 0, ENOSYS },
		{ "keyctl refused", SYS_keyctl, 0, 0, 0, ENOSYS },
		{ "bpf refused", SYS_bpf, 0, 0, 0, ENOSYS },
		{ "perf_event_open refused", SYS_perf_event_open, 0, 0, 0,
		  ENOSYS },
		{ "io_uring_setup refused", SYS_io_uring_setup, 1, 0, 0,
		  ENOSYS },
		{ "userfaultfd refused", SYS_userfaultfd, 0, 0, 0, ENOSYS },
		{ "mprotect refused", SYS_mprotect, 0, 4096, 7, ENOSYS },
		{ "prlimit64 of another process refused", SYS_prlimit64, 1,
		  RLIMIT_NOFILE, 0, ENOSYS },
	};
	scmp_filter_ctx ctx;
	struct qerr e = { 0 };

	if (filter_worker(&ctx, &e) < 0) {
		CHECK(0, "the worker policy compiles: %s", e.msg);
		return;
	}
	check_calls("worker filter", ctx, calls,
		    sizeof(calls) / sizeof(calls[0]));
	seccomp_release(ctx);
}

/*
 * The stream relay's filter: frames between sockets and TAPs, nothing
 * that makes a socket or opens a file; and `qbox nc`'s: one IPv4
 * connection, nothing else of the network, no file.
 */
static void test_relay_nc_filters(void)
{
	static const struct call_case relay[] = {
		{ "relay: recvmsg reaches the kernel", SYS_recvmsg, -1, 0, 0,
		  EBADF },
		{ "relay: write reaches the kernel", SYS_write, -1, 0, 0,
		  EBADF },
		{ "relay: epoll_ctl reaches the kernel", SYS_epoll_ctl, -1, 1,
		  -1, EFAULT },
		{ "relay: accept4 refused (the hub accepts)", SYS_accept4, -1,
		  0, 0, ENOSYS },
		{ "relay: socket refused", SYS_socket, AF_INET, SOCK_STREAM,
		  0, ENOSYS },
		{ "relay: connect refused", SYS_connect, -1, 0, 0, ENOSYS },
		{ "relay: openat refused", SYS_openat, AT_FDCWD, (long)"/", 0,
		  ENOSYS },
		{ "relay: ioctl refused (no new TAP)", SYS_ioctl, -1, 0, 0,
		  ENOSYS },
		{ "relay: execve refused", SYS_execve, 0, 0, 0, ENOSYS },
		{ "relay: ptrace refused", SYS_ptrace, PTRACE_ATTACH, 1, 0,
		  ENOSYS },
	};
	static const struct call_case nc[] = {
		{ "nc: connect reaches the kernel", SYS_connect, -1, 0, 0,
		  EBADF },
		{ "nc: poll reaches the kernel", SYS_poll, 0, 0, 0, 0 },
		{ "nc: read reaches the kernel", SYS_read, -1, 0, 0, EBADF },
		{ "nc: socket(AF_UNIX) refused", SYS_socket, AF_UNIX,
		  SOCK_STREAM, 0, ENOSYS },
		{ "nc: socket(AF_PACKET) refused", SYS_socket, AF_PACKET,
		  SOCK_RAW, 0, ENOSYS },
		{ "nc: bind refused (it listens nowhere)", SYS_bind, -1, 0, 0,
		  ENOSYS },
		{ "nc: openat refused", SYS_openat, AT_FDCWD, (long)"/", 0,
		  ENOSYS },
		{ "nc: execve refused", SYS_execve, 0, 0, 0, ENOSYS },
		{ "nc: setns refused", SYS_setns, -1, 0, 0, ENOSYS },
	};
	scmp_filter_ctx ctx;
	struct qerr e = { 0 };

	if (filter_relay(&ctx, &e) < 0) {
		CHECK(0, "the relay policy compiles: %s", e.msg);
		return;
	}
	check_calls("relay filter", ctx, relay, sizeof(relay) / sizeof(relay[0]));
	seccomp_release(ctx);
	if (filter_nc(&ctx, &e) < 0) {
		CHECK(0, "the nc policy compiles: %s", e.msg);
		return;
	}
	check_calls("nc filter", ctx, nc, sizeof(nc) / sizeof(nc[0]));
	seccomp_release(ctx);
}

/* ---- the loader and the corpus ------------------------------------------- */

/* The first line's "# KEY: value", or "" */
static void first_line(const char *path, const char *key, char *out,
		       size_t size)
{
	FILE *f = fopen(path, "r");
	char line[512], head[64];

	*out = '\0';
	if (!f)
		return;
	snprintf(head, sizeof(head), "# %s: ", key);
	if (fgets(line, sizeof(line), f) &&
	    !strncmp(line, head, strlen(head))) {
		line[strcspn(line, "\n")] = '\0';
		snprintf(out, size, "%s", line + strlen(head));
	}
	fclose(f);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static void test_corpus(const char *dir, bool good)
{
	struct dirent **ents;
	int i, n = scandir(dir, &ents, NULL, by_name), tested = 0;

	CHECK(n > 0, "corpus %s is there", dir);
	for (i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		size_t len = strlen(name);
		char path[512], want[512];
		struct policy p;
		scmp_filter_ctx ctx;
		struct qerr e = { 0 };
		bool parsed;
		int r;

		if (len < 8 || strcmp(name + len - 7, ".policy"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		first_line(path, good ? "rules" : "expect", want,
			   sizeof(want));
		if (!good && !*want)	/* an empty file says nothing */
			snprintf(want, sizeof(want), "%s: empty policy", name);
		r = policy_load(path, &p, &e);
		parsed = r == 0;
		if (parsed) {
			r = filter_compile(&p, FILTER_PAYLOAD, &ctx, &e);
			if (r == 0)
				seccomp_release(ctx);
		}
		if (good)
			CHECK(r == 0 && p.n_rules == strtoul(want, NULL, 10),
			      "good/%s: %zu rules, want %s (%s)", name,
			      parsed ? p.n_rules : 0, want, r ? e.msg : "ok");
		else
			CHECK(r < 0 && e.usage && *want &&
				      strstr(e.msg, want),
			      "bad/%s: '%s' (got '%s')", name, want,
			      r ? e.msg : "accepted");
		if (parsed)
			policy_free(&p);
		tested++;
	}
	for (i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	CHECK(tested >= (good ? 3 : 30), "corpus %s: %d files", dir, tested);
}

/*
 * A FIFO named as a policy (or in an @include) is refused without
 * blocking in open() for a writer that never comes; in a child, so that
 * a hang is a failure rather than a stuck test.
 */
static bool fifo_refused(const char *dir)
{
	char path[256];
	int status;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/fifo.policy", dir);
	if (mkfifo(path, 0600) < 0)
		return false;
	pid = fork();
	if (pid == 0) {
		struct policy p;
		struct qerr e = { 0 };

		alarm(5);
		_exit(policy_load(path, &p, &e) < 0 && e.usage &&
				      strstr(e.msg, "not a regular file") ?
			      0 :
			      1);
	}
	status = -1;
	if (pid > 0)
		waitpid(pid, &status, 0);
	unlink(path);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void test_loader(void)
{
	char dir[] = "/tmp/qbox-policy-test.XXXXXX", path[256];
	struct policy p;
	struct qerr e = { 0 };
	FILE *f;
	int r;

	CHECK(policy_spec_is_file("a.policy") && policy_spec_is_file("./x") &&
		      policy_spec_is_file("/etc/x") &&
		      !policy_spec_is_file("qemu") &&
		      !policy_spec_is_file("policy"),
	      "FILE has a '/' or the .policy suffix; anything else is NAME");
	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	/* the directory comes before the compiled-in copy */
	setenv("QBOX_POLICY_DIR", dir, 1);
	snprintf(path, sizeof(path), "%s/default.policy", dir);
	f = fopen(path, "w");
	fputs("getitimer: 1\n@include common\n", f);
	fclose(f);
	r = policy_load("default", &p, &e);
	CHECK(r == 0 && !strcmp(p.files[0], path) &&
		      !strcmp(p.files[1], "<built-in>/common.policy"),
	      "NAME: the policy directory first, then compiled in");
	if (r == 0)
		policy_free(&p);
	/* a shipped policy's own includes stay among the compiled-in ones */
	unsetenv("QBOX_POLICY_DIR");
	setenv("QBOX_POLICY_DIR", "", 1);
	CHECK(policy_load("default", &p, &e) == 0 &&
		      !strcmp(p.files[0], "<built-in>/default.policy"),
	      "QBOX_POLICY_DIR='': only the compiled-in copies");
	policy_free(&p);
	CHECK(policy_load("frob", &p, &e) < 0 && e.usage &&
		      strstr(e.msg, "no policy named 'frob' (shipped: common, "
				    "default, dnsmasq, qemu, uplink;"),
	      "an unknown NAME lists the shipped ones");
	CHECK(policy_load("../etc", &p, &e) < 0 && e.usage &&
		      strstr(e.msg, "cannot read ../etc"),
	      "a FILE that is not there is named");
	CHECK(policy_load(dir, &p, &e) < 0 && e.usage &&
		      strstr(e.msg, "not a regular file"),
	      "a directory is not a policy");
	CHECK(fifo_refused(dir), "a FIFO is refused at once, not waited on");
	unlink(path);
	rmdir(dir);
	unsetenv("QBOX_POLICY_DIR");
}

int main(void)
{
	/* the corpus goes through the real loader: no installed policies */
	setenv("QBOX_POLICY_DIR", "", 1);
	test_good();
	test_defaults();
	test_bad();
	test_compile();
	test_semantics();
	test_worker_filter();
	test_relay_nc_filters();
	test_corpus("tests/unit/policies/good", true);
	test_corpus("tests/unit/policies/bad", false);
	test_loader();
	UNIT_END();
}
