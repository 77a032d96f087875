// SPDX-License-Identifier: MIT
/*
 * compile.c - a parsed policy into a libseccomp filter
 *
 * Theory of operation: every rule becomes one libseccomp rule per clause
 * of its condition (libseccomp ORs a syscall's rules and ANDs the
 * comparisons inside one), all with the rule's action. Minijail's
 * operators map onto libseccomp's comparisons:
 *
 *   ==, !=, <, <=, >, >=   SCMP_CMP_EQ, _NE, _LT, _LE, _GT, _GE
 *   arg & V (any bit)      one MASKED_EQ(b, b) per bit b of V: the clause
 *                          is copied once per bit, as libseccomp cannot
 *                          test "(arg & V) != 0" in one comparison
 *   arg in V (subset)      MASKED_EQ(~V, 0)
 *
 * Comparisons are on 64 bits, except ioctl's request (arg1): the kernel
 * takes it as an unsigned int and ignores the upper half, and programs
 * pass it sign-extended as often as not (QEMU's KVM ioctls go through an
 * int), so it is compared on its low 32 bits with MASKED_EQ. For the same
 * reason !=, <, <=, > and >= are refused on it: with the upper half free,
 * "arg1 != TIOCSTI" would let TIOCSTI|1<<32 through.
 *
 * A rule whose action is the default's is left out (libseccomp refuses
 * it, and it changes nothing). A foreign architecture's syscalls (x32, or
 * i386 through int 0x80) kill the process: their numbers mean other calls.
 */
#include "seccomp/filter.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Rules one policy line may expand to (through "&" on several bits) */
#define RULES_PER_LINE_MAX 1024

uint32_t filter_action(const struct policy_action *a)
{
	switch (a->kind) {
	case PA_ALLOW:
		return SCMP_ACT_ALLOW;
	case PA_ERRNO:
		return SCMP_ACT_ERRNO((uint16_t)a->errnum);
	case PA_LOG:
		return SCMP_ACT_LOG;
	case PA_TRAP:
		return SCMP_ACT_TRAP;
	case PA_KILL_THREAD:
		return SCMP_ACT_KILL_THREAD;
	case PA_KILL_PROCESS:
		break;
	}
	return SCMP_ACT_KILL_PROCESS;
}

struct emit {
	scmp_filter_ctx ctx;
	const struct policy_rule *rule;
	uint32_t action;
	bool narrow;		/* compare on the low 32 bits (ioctl's arg1) */
	unsigned int count;
	struct qerr *e;
};

static bool narrow_arg(const struct policy_rule *r, unsigned int arg)
{
	return arg == 1 && !strcmp(r->name, "ioctl");
}

static int rule_err(struct emit *em, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* "FILE:LINE: 'NAME': message" about the rule being compiled */
static int rule_err(struct emit *em, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return qerr_usage(em->e, "%s:%d: '%s': %s", em->rule->file,
			  em->rule->line, em->rule->name, msg);
}

/* One comparison; -EINVAL when it cannot be expressed safely */
static int comparison(struct emit *em, const struct policy_cond *c,
		      struct scmp_arg_cmp *out)
{
	static const enum scmp_compare plain[] = {
		[PO_EQ] = SCMP_CMP_EQ, [PO_NE] = SCMP_CMP_NE,
		[PO_LT] = SCMP_CMP_LT, [PO_LE] = SCMP_CMP_LE,
		[PO_GT] = SCMP_CMP_GT, [PO_GE] = SCMP_CMP_GE,
	};
	bool narrow = narrow_arg(em->rule, c->arg);
	const uint64_t low = 0xffffffffu;

	*out = (struct scmp_arg_cmp){ .arg = c->arg };
	switch (c->op) {
	case PO_IN:
		out->op = SCMP_CMP_MASKED_EQ;
		out->datum_a = narrow ? ~c->value & low : ~c->value;
		out->datum_b = 0;
		return 0;
	case PO_ANY:	/* the caller splits the bits: here one bit */
		out->op = SCMP_CMP_MASKED_EQ;
		out->datum_a = out->datum_b = c->value;
		return 0;
	case PO_EQ:
		if (narrow) {
			if (c->value > low)
				return rule_err(em, "%s == a value wider than "
						"32 bits never matches",
						"arg1");
			out->op = SCMP_CMP_MASKED_EQ;
			out->datum_a = low;
			out->datum_b = c->value;
			return 0;
		}
		/* fall through */
	default:
		if (narrow)
			return rule_err(em, "%s is a 32-bit request: only ==, "
					"& and in are safe on it (the kernel "
					"ignores the upper bits)", "arg1");
		out->op = plain[c->op];
		out->datum_a = c->value;
		return 0;
	}
}

static int add(struct emit *em, struct scmp_arg_cmp *cmp, unsigned int n)
{
	int r;

	if (++em->count > RULES_PER_LINE_MAX)
		return rule_err(em, "expands to more than %d libseccomp rules "
				"(too many bits under '&')",
				RULES_PER_LINE_MAX);
	r = seccomp_rule_add_exact_array(em->ctx, em->action, em->rule->nr,
					 n, cmp);
	if (r < 0)
		return rule_err(em, "libseccomp refused the rule: %s",
				strerror(-r));
	return 0;
}

/* The comparisons of clause @c from its @i-th on; "&" branches per bit */
static int clause(struct emit *em, const struct policy_clause *c,
		  unsigned int i, struct scmp_arg_cmp *cmp)
{
	struct policy_cond one;
	int bit, r;

	if (i == c->n)
		return add(em, cmp, c->n);
	if (c->cond[i].op != PO_ANY) {
		if ((r = comparison(em, &c->cond[i], &cmp[i])) < 0)
			return r;
		return clause(em, c, i + 1, cmp);
	}
	one = c->cond[i];
	for (bit = 0; bit < 64; bit++) {
		one.value = 1ULL << bit;
		if (!(c->cond[i].value & one.value))
			continue;
		if (narrow_arg(em->rule, one.arg) && bit > 31)
			return rule_err(em, "%s & a bit above 31 never "
					"matches (a 32-bit request)", "arg1");
		if ((r = comparison(em, &one, &cmp[i])) < 0 ||
		    (r = clause(em, c, i + 1, cmp)) < 0)
			return r;
	}
	return 0;
}

static int compile_rule(scmp_filter_ctx ctx, const struct policy_rule *rule,
			uint32_t def, struct qerr *e)
{
	struct emit em = { .ctx = ctx, .rule = rule, .e = e,
			   .action = filter_action(&rule->action) };
	struct scmp_arg_cmp cmp[POLICY_ARGS];
	unsigned int i;
	int r;

	if (em.action == def)
		return 0;
	if (!rule->n_clauses)
		return add(&em, cmp, 0);
	for (i = 0; i < rule->n_clauses; i++)
		if ((r = clause(&em, &rule->clauses[i], 0, cmp)) < 0)
			return r;
	return 0;
}

/* A payload's policy must let it be executed: the filter is loaded first */
static int check_execve(const struct policy *p, uint32_t def,
			struct qerr *e)
{
	const struct policy_rule *r = policy_find(p, "execve");

	if (!r) {
		if (def == SCMP_ACT_ALLOW || def == SCMP_ACT_LOG)
			return 0;
		return qerr_usage(e, "%s: execve is not allowed, so the "
				     "payload could not even start (add "
				     "'execve: 1')", p->files[0]);
	}
	if (r->action.kind == PA_ALLOW || r->action.kind == PA_LOG)
		return 0;
	return qerr_usage(e, "%s:%d: execve must be allowed, or the payload "
			     "could not even start", r->file, r->line);
}

int filter_compile(const struct policy *p, unsigned int flags,
		   scmp_filter_ctx *out, struct qerr *e)
{
	uint32_t def = (flags & FILTER_LOG) ? SCMP_ACT_LOG :
					      filter_action(&p->def);
	scmp_filter_ctx ctx;
	size_t i;
	int r;

	if ((flags & FILTER_PAYLOAD) && (r = check_execve(p, def, e)) < 0)
		return r;
	ctx = seccomp_init(def);
	if (!ctx)
		return qerr_set(e, ENOMEM, "seccomp: creating a filter");
	r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
			     SCMP_ACT_KILL_PROCESS);
	/* a binary search over syscall numbers, not a linear chain */
	if (r == 0)
		r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	if (r < 0) {
		seccomp_release(ctx);
		return qerr_set(e, -r, "seccomp: setting filter attributes");
	}
	for (i = 0; i < p->n_rules; i++)
		if ((r = compile_rule(ctx, &p->rules[i], def, e)) < 0) {
			seccomp_release(ctx);
			return r;
		}
	*out = ctx;
	return 0;
}
