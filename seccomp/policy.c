// SPDX-License-Identifier: MIT
/*
 * policy.c - the policy parser: Minijail's line format into rules
 *
 * Theory of operation: a file is read line by line. A '#' starts a
 * comment; a line that ends in '\' continues on the next one, so a long
 * ioctl list can be split and commented entry by entry. A line that starts
 * with '@' is a directive (@include, @default), read on its own; any other
 * non-empty line is a statement "SYSCALL: FILTER", tokenized with each
 * token's physical line kept for messages. The grammar, with Minijail's
 * meaning for each piece:
 *
 *   statement := NAME ':' filter
 *   filter    := action | expr [ ';' action ]
 *   action    := '1' | allow | return ERRNO | errno ERRNO | log | trap
 *                | kill | kill-process | kill-thread
 *   expr      := clause { '||' clause }
 *   clause    := atom { '&&' atom }
 *   atom      := argN op value            N in 0..5
 *   op        := == | != | < | <= | > | >= | & | in
 *   value     := term { '|' term }
 *   term      := NUMBER | CONSTANT | '~' term | '(' value ')'
 *
 * "arg & V" holds when any bit of V is set in arg; "arg in V" when arg has
 * no bit outside V. When the filter's expression does not hold, the
 * @default action applies, as in Minijail. Includes are expanded in place;
 * the include stack gives both cycle detection and the depth bound. A
 * syscall may appear on one line only, across all included files: a
 * second line is an error naming the first, so that reading one line
 * tells the whole truth about a syscall.
 *
 * One file, though long: the reader, the tokenizer and the recursive
 * descent share one parse state (the token stream with its physical lines,
 * the include stack, the rules seen so far), and every error message is
 * built from all three (FILE:LINE of the token, the include chain, the
 * first line of a repeated syscall).
 */
#include "seccomp/policy.h"

#include <ctype.h>
#include <errno.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seccomp/consts.h"

enum tok_type { T_END, T_WORD, T_NUM, T_OP, T_LPAREN, T_RPAREN, T_TILDE,
		T_COLON, T_SEMI };

struct tok {
	enum tok_type type;
	const char *s;
	size_t len;
	int line;
};

struct parser {
	policy_load_fn load;
	void *ctx;
	struct policy *p;
	struct qerr *e;
	/* the include stack: ids for cycles, names for messages */
	int depth;
	struct policy_text stack[POLICY_INCLUDE_DEPTH];	/* no text */
	/* every file read so far, and where it was included */
	struct seen { char *id; const char *file; int line; } *seen;
	size_t n_seen;
	/* @default: the current file's line, the winner's depth, a clash */
	int file_def_line;
	int def_depth;
	struct policy_action clash;
	const char *clash_file;
	int clash_line;
	size_t cap_rules;
	/* the statement being parsed */
	const char *file;
	struct tok *toks;
	size_t n_toks, cap_toks, pos;
	size_t stmt_len;
	int stmt_line;
};

static int perr(struct parser *ps, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "FILE:LINE: message"; always a usage error */
static int perr(struct parser *ps, int line, const char *fmt, ...)
{
	char msg[QERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return qerr_usage(ps->e, "%s:%d: %s", ps->file, line, msg);
}

/* ---- tokens ------------------------------------------------------------ */

static bool word_start(char c)
{
	return isalpha((unsigned char)c) || c == '_';
}

static bool word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-';
}

static bool op_char(char c)
{
	return c && strchr("=!<>&|", c);
}

static int push_tok(struct parser *ps, enum tok_type t, const char *s,
		    size_t len, int line)
{
	if (ps->n_toks == ps->cap_toks) {
		size_t cap = ps->cap_toks ? 2 * ps->cap_toks : 64;
		struct tok *n = realloc(ps->toks, cap * sizeof(*n));

		if (!n)
			return qerr_set(ps->e, ENOMEM, "reading %s", ps->file);
		ps->toks = n;
		ps->cap_toks = cap;
	}
	ps->toks[ps->n_toks++] = (struct tok){ t, s, len, line };
	return 0;
}

/* Split one physical line (comment already cut off) into tokens */
static int tokenize(struct parser *ps, const char *s, size_t len, int line)
{
	size_t i = 0, j;
	int r;

	while (i < len) {
		enum tok_type t;
		char c = s[i];

		if (isspace((unsigned char)c)) {
			i++;
			continue;
		}
		j = i + 1;
		if (word_start(c)) {
			while (j < len && word_char(s[j]))
				j++;
			t = T_WORD;
		} else if (isdigit((unsigned char)c) ||
			   (c == '-' && j < len &&
			    isdigit((unsigned char)s[j]))) {
			while (j < len && isalnum((unsigned char)s[j]))
				j++;
			t = T_NUM;
		} else if (op_char(c)) {
			while (j < len && op_char(s[j]))
				j++;
			t = T_OP;
		} else if (c == '(') {
			t = T_LPAREN;
		} else if (c == ')') {
			t = T_RPAREN;
		} else if (c == '~') {
			t = T_TILDE;
		} else if (c == ':') {
			t = T_COLON;
		} else if (c == ';') {
			t = T_SEMI;
		} else {
			return perr(ps, line, "unexpected character '%c'", c);
		}
		if ((r = push_tok(ps, t, s + i, j - i, line)) < 0)
			return r;
		i = j;
	}
	return 0;
}

static const struct tok *peek(struct parser *ps)
{
	static const struct tok end = { T_END, "", 0, 0 };

	return ps->pos < ps->n_toks ? &ps->toks[ps->pos] : &end;
}

static const struct tok *next(struct parser *ps)
{
	const struct tok *t = peek(ps);

	if (ps->pos < ps->n_toks)
		ps->pos++;
	return t;
}

static bool tok_is(const struct tok *t, enum tok_type type, const char *s)
{
	return t->type == type && (!s || (t->len == strlen(s) &&
					 !memcmp(t->s, s, t->len)));
}

/* The line of token @t; the statement's last line at the end */
static int tok_line(struct parser *ps, const struct tok *t)
{
	if (t->type != T_END)
		return t->line;
	return ps->n_toks ? ps->toks[ps->n_toks - 1].line : ps->stmt_line;
}

/*
 * An error about token @t: "WHAT 'TOKEN'"; at the end of the statement
 * "WHAT the end of the line" when WHAT ends in "found", else "WHAT at ...".
 */
static int tok_err(struct parser *ps, const struct tok *t, const char *what)
{
	size_t n = strlen(what);

	if (t->type == T_END)
		return perr(ps, tok_line(ps, t), "%s %sthe end of the line",
			    what, n >= 5 && !strcmp(what + n - 5, "found") ?
					  "" : "at ");
	return perr(ps, t->line, "%s '%.*s'", what, (int)t->len, t->s);
}

/* ---- values ------------------------------------------------------------ */

static int number(struct parser *ps, const struct tok *t, uint64_t *v)
{
	char buf[32], *end;
	bool neg = t->s[0] == '-';
	unsigned long long n;

	if (t->len >= sizeof(buf))
		return tok_err(ps, t, "bad number");
	memcpy(buf, t->s + neg, t->len - neg);
	buf[t->len - neg] = '\0';
	errno = 0;
	n = strtoull(buf, &end, 0);
	if (errno || *end || (neg && n > (1ULL << 63)))
		return tok_err(ps, t, "bad number");
	*v = neg ? -(uint64_t)n : n;
	return 0;
}

static int value(struct parser *ps, uint64_t *v);

static int term(struct parser *ps, uint64_t *v)
{
	const struct tok *t = next(ps);
	int r;

	switch (t->type) {
	case T_NUM:
		return number(ps, t, v);
	case T_WORD:
		if (policy_const(t->s, t->len, v) < 0)
			return tok_err(ps, t, "unknown constant");
		return 0;
	case T_TILDE:
		if ((r = term(ps, v)) < 0)
			return r;
		*v = ~*v;
		return 0;
	case T_LPAREN:
		if ((r = value(ps, v)) < 0)
			return r;
		t = next(ps);
		if (t->type != T_RPAREN)
			return tok_err(ps, t, "expected ')', found");
		return 0;
	default:
		return tok_err(ps, t, "expected a number or a constant, "
				      "found");
	}
}

/* Constants OR-ed together: O_WRONLY|O_CREAT */
static int value(struct parser *ps, uint64_t *v)
{
	uint64_t t;
	int r;

	if ((r = term(ps, v)) < 0)
		return r;
	while (tok_is(peek(ps), T_OP, "|")) {
		next(ps);
		if ((r = term(ps, &t)) < 0)
			return r;
		*v |= t;
	}
	return 0;
}

/* ---- actions ----------------------------------------------------------- */

static int errno_value(struct parser *ps, const struct tok *kw, int *err)
{
	const struct tok *t = next(ps);
	uint64_t v = 0;
	int r;

	if (t->type == T_NUM) {
		if ((r = number(ps, t, &v)) < 0)
			return r;
		if (v > 4095)
			return tok_err(ps, t, "errno out of range (0 to 4095)");
		*err = (int)v;
		return 0;
	}
	if (t->type == T_WORD) {
		if ((r = policy_errno(t->s, t->len)) < 0)
			return tok_err(ps, t, "unknown errno");
		*err = r;
		return 0;
	}
	return perr(ps, tok_line(ps, kw), "'%.*s' needs an errno (a number "
		    "or a name such as EPERM)", (int)kw->len, kw->s);
}

/*
 * An action; @dflt for @default, where "1" is not an action. Returns 1
 * when the token is no action at all, so the caller names what it wants.
 */
static int action(struct parser *ps, bool dflt, struct policy_action *a)
{
	static const struct {
		const char *word;
		enum policy_action_kind kind;
	} words[] = {
		{ "allow", PA_ALLOW }, { "log", PA_LOG }, { "trap", PA_TRAP },
		{ "kill", PA_KILL_PROCESS },
		{ "kill-process", PA_KILL_PROCESS },
		{ "kill-thread", PA_KILL_THREAD },
	};
	const struct tok *t = peek(ps);
	size_t i;

	a->errnum = 0;
	if (!dflt && tok_is(t, T_NUM, "1")) {
		next(ps);
		a->kind = PA_ALLOW;
		return 0;
	}
	if (tok_is(t, T_WORD, "return") || tok_is(t, T_WORD, "errno")) {
		next(ps);
		a->kind = PA_ERRNO;
		return errno_value(ps, t, &a->errnum);
	}
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (tok_is(t, T_WORD, words[i].word)) {
			next(ps);
			a->kind = words[i].kind;
			return 0;
		}
	return 1;
}

const char *policy_action_str(const struct policy_action *a, char *buf,
			      size_t size)
{
	static const char *const names[] = {
		[PA_ALLOW] = "allow", [PA_LOG] = "log", [PA_TRAP] = "trap",
		[PA_KILL_THREAD] = "kill-thread",
		[PA_KILL_PROCESS] = "kill-process",
	};
	const char *n;

	if (a->kind != PA_ERRNO) {
		snprintf(buf, size, "%s", names[a->kind]);
		return buf;
	}
	n = policy_errno_name(a->errnum);
	if (n)
		snprintf(buf, size, "errno %s", n);
	else
		snprintf(buf, size, "errno %d", a->errnum);
	return buf;
}

/* ---- expressions ------------------------------------------------------- */

static int atom(struct parser *ps, struct policy_clause *c)
{
	static const struct {
		const char *op;
		enum policy_op code;
	} ops[] = {
		{ "==", PO_EQ }, { "!=", PO_NE }, { "<", PO_LT },
		{ "<=", PO_LE }, { ">", PO_GT }, { ">=", PO_GE },
		{ "&", PO_ANY },
	};
	const struct tok *t = next(ps), *o;
	struct policy_cond cond;
	unsigned long idx;
	char *end;
	size_t i;
	int r;

	if (t->type != T_WORD || t->len < 4 || memcmp(t->s, "arg", 3) ||
	    !isdigit((unsigned char)t->s[3]))
		return tok_err(ps, t, "expected an argument (arg0 to arg5), "
				      "found");
	idx = strtoul(t->s + 3, &end, 10);
	if (end != t->s + t->len)
		return tok_err(ps, t, "expected an argument (arg0 to arg5), "
				      "found");
	if (idx >= POLICY_ARGS)
		return tok_err(ps, t, "unknown argument (arg0 to arg5)");
	for (i = 0; i < c->n; i++)
		if (c->cond[i].arg == idx)
			return perr(ps, t->line, "'%.*s' appears twice in one "
				    "&& clause (libseccomp takes one condition "
				    "per argument)", (int)t->len, t->s);
	cond.arg = (unsigned int)idx;
	o = next(ps);
	if (tok_is(o, T_WORD, "in")) {
		cond.op = PO_IN;
	} else {
		for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
			if (tok_is(o, T_OP, ops[i].op))
				break;
		if (i == sizeof(ops) / sizeof(ops[0]))
			return tok_err(ps, o, "bad operator (==, !=, <, <=, "
					      ">, >=, &, in)");
		cond.op = ops[i].code;
	}
	if ((r = value(ps, &cond.value)) < 0)
		return r;
	if (cond.op == PO_ANY && !cond.value)
		return perr(ps, o->line, "'%.*s & 0' never holds",
			    (int)t->len, t->s);
	c->cond[c->n++] = cond;
	return 0;
}

static int clause(struct parser *ps, struct policy_clause *c)
{
	int r;

	c->n = 0;
	if ((r = atom(ps, c)) < 0)
		return r;
	while (tok_is(peek(ps), T_OP, "&&")) {
		next(ps);
		if ((r = atom(ps, c)) < 0)
			return r;
	}
	return 0;
}

/* The tokens [from, to) as text, single-spaced, for `policy show` */
static char *tokens_text(struct parser *ps, size_t from, size_t to)
{
	size_t i, len = 0;
	char *s, *w;

	for (i = from; i < to; i++)
		len += ps->toks[i].len + 1;
	s = w = malloc(len + 1);
	if (!s)
		return NULL;
	for (i = from; i < to; i++) {
		const struct tok *t = &ps->toks[i];

		if (i > from && t->type != T_RPAREN &&
		    ps->toks[i - 1].type != T_LPAREN &&
		    ps->toks[i - 1].type != T_TILDE)
			*w++ = ' ';
		memcpy(w, t->s, t->len);
		w += t->len;
	}
	*w = '\0';
	return s;
}

static int expression(struct parser *ps, struct policy_rule *rule)
{
	size_t start = ps->pos;
	struct policy_clause *c;
	int r;

	for (;;) {
		if (rule->n_clauses == POLICY_CLAUSES_MAX)
			return perr(ps, tok_line(ps, peek(ps)), "more than %d "
				    "|| alternatives", POLICY_CLAUSES_MAX);
		c = realloc(rule->clauses,
			    (rule->n_clauses + 1) * sizeof(*c));
		if (!c)
			return qerr_set(ps->e, ENOMEM, "reading %s", ps->file);
		rule->clauses = c;
		if ((r = clause(ps, &c[rule->n_clauses])) < 0)
			return r;
		rule->n_clauses++;
		if (!tok_is(peek(ps), T_OP, "||"))
			break;
		next(ps);
	}
	rule->expr = tokens_text(ps, start, ps->pos);
	if (!rule->expr)
		return qerr_set(ps->e, ENOMEM, "reading %s", ps->file);
	return 0;
}

/* ---- statements -------------------------------------------------------- */

const struct policy_rule *policy_find(const struct policy *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->n_rules; i++)
		if (!strcmp(p->rules[i].name, name))
			return &p->rules[i];
	return NULL;
}

static void rule_free(struct policy_rule *r)
{
	free(r->name);
	free(r->clauses);
	free(r->expr);
}

static int syscall_number(struct parser *ps, const struct tok *t, char *name)
{
	int nr = seccomp_syscall_resolve_name_arch(SCMP_ARCH_NATIVE, name);

	if (nr == __NR_SCMP_ERROR)
		return tok_err(ps, t, "unknown syscall");
	if (nr < 0)	/* libseccomp knows it, for other architectures */
		return perr(ps, t->line, "syscall '%s' does not exist on this "
			    "architecture", name);
	return nr;
}

static int filter(struct parser *ps, struct policy_rule *rule)
{
	const struct tok *t = peek(ps);
	int r;

	if (t->type == T_END)
		return perr(ps, tok_line(ps, t), "missing filter after '%s:' "
			    "(1, an argument expression or an action)",
			    rule->name);
	rule->action.kind = PA_ALLOW;
	if (t->type == T_WORD && t->len > 3 && !memcmp(t->s, "arg", 3)) {
		if ((r = expression(ps, rule)) < 0)
			return r;
		if (!tok_is(peek(ps), T_SEMI, NULL))
			return 0;
		next(ps);
		r = action(ps, false, &rule->action);
		if (r > 0)
			return tok_err(ps, peek(ps), "expected an action after "
				       "';', found");
		return r;
	}
	r = action(ps, false, &rule->action);
	if (r > 0)
		return tok_err(ps, t, "bad filter (1, an argument expression "
				      "or an action), found");
	return r;
}

static int statement(struct parser *ps)
{
	const struct tok *t = next(ps);
	const struct policy_rule *prev;
	struct policy_rule rule = { 0 };
	int r;

	if (t->type != T_WORD)
		return tok_err(ps, t, "expected a syscall name, found");
	rule.name = strndup(t->s, t->len);
	if (!rule.name)
		return qerr_set(ps->e, ENOMEM, "reading %s", ps->file);
	rule.file = ps->file;
	rule.line = t->line;
	if ((r = rule.nr = syscall_number(ps, t, rule.name)) < 0)
		goto fail;
	if ((prev = policy_find(ps->p, rule.name))) {
		r = perr(ps, t->line, "'%s' is already listed at %s:%d",
			 rule.name, prev->file, prev->line);
		goto fail;
	}
	t = next(ps);
	if (t->type != T_COLON) {
		r = t->type == T_END ?
			    perr(ps, tok_line(ps, t), "missing ':' after '%s'",
				 rule.name) :
			    tok_err(ps, t, "missing ':' after the syscall "
					   "name, found");
		goto fail;
	}
	if ((r = filter(ps, &rule)) < 0)
		goto fail;
	if ((t = peek(ps))->type != T_END) {
		r = tok_err(ps, t, "unexpected");
		goto fail;
	}
	if (ps->p->n_rules == ps->cap_rules) {
		size_t cap = ps->cap_rules ? 2 * ps->cap_rules : 64;
		struct policy_rule *n = realloc(ps->p->rules,
						cap * sizeof(*n));

		if (!n) {
			r = qerr_set(ps->e, ENOMEM, "reading %s", ps->file);
			goto fail;
		}
		ps->p->rules = n;
		ps->cap_rules = cap;
	}
	ps->p->rules[ps->p->n_rules++] = rule;
	return 0;
fail:
	rule_free(&rule);
	return r;
}

/* ---- directives -------------------------------------------------------- */

static int parse_file(struct parser *ps, const char *what, int from_line);

/*
 * The outermost @default wins: the top-level policy's over any it
 * includes, an included file's over those it includes itself. Two at the
 * same depth (in files that do not include each other) must agree; that
 * is checked once all is read (policy_parse), as an outer one may still
 * come and settle it.
 */
static void default_found(struct parser *ps, const struct policy_action *a,
			  int line)
{
	struct policy *p = ps->p;

	if (!p->def_file || ps->depth < ps->def_depth) {
		p->def = *a;
		p->def_file = ps->file;
		p->def_line = line;
		ps->def_depth = ps->depth;
		ps->clash_file = NULL;
	} else if (ps->depth == ps->def_depth && !ps->clash_file &&
		   (a->kind != p->def.kind || a->errnum != p->def.errnum)) {
		ps->clash = *a;
		ps->clash_file = ps->file;
		ps->clash_line = line;
	}
}

static int directive_default(struct parser *ps, const char *rest, int line)
{
	struct policy_action a;
	const struct tok *t;
	int r;

	if (ps->file_def_line)
		return perr(ps, line, "@default given twice (first at %s:%d)",
			    ps->file, ps->file_def_line);
	ps->n_toks = ps->pos = 0;
	if ((r = tokenize(ps, rest, strlen(rest), line)) < 0)
		return r;
	t = peek(ps);
	r = action(ps, true, &a);
	if (r > 0)
		r = tok_err(ps, t, "bad @default action (kill-process, "
				   "kill-thread, kill, trap, log, errno N, "
				   "allow), found");
	else if (r == 0 && (t = peek(ps))->type != T_END)
		r = tok_err(ps, t, "unexpected");
	/* the tokens point into the caller's copy of the line */
	ps->n_toks = ps->pos = 0;
	if (r < 0)
		return r;
	ps->file_def_line = line;
	default_found(ps, &a, line);
	return 0;
}

/* @include PATH-OR-NAME, or @default ACTION: one line, comment cut off */
static int directive(struct parser *ps, const char *s, size_t len, int line)
{
	char buf[POLICY_LINE_MAX + 1], *word, *rest, *arg;

	memcpy(buf, s, len);
	buf[len] = '\0';
	word = buf;
	rest = word + strcspn(word, " \t");
	if (*rest)
		*rest++ = '\0';
	rest += strspn(rest, " \t");
	if (!strcmp(word, "@default"))
		return directive_default(ps, rest, line);
	if (strcmp(word, "@include"))
		return perr(ps, line, "unknown directive '%s' (@include or "
			    "@default)", word);
	if (!*rest)
		return perr(ps, line, "@include needs a file or a policy "
			    "name");
	arg = rest;
	rest = arg + strcspn(arg, " \t");
	if (*rest) {
		*rest++ = '\0';
		rest += strspn(rest, " \t");
		return perr(ps, line, "unexpected '%s' after '@include %s'",
			    rest, arg);
	}
	return parse_file(ps, arg, line);
}

/* ---- files ------------------------------------------------------------- */

static int statement_end(struct parser *ps)
{
	int r = 0;

	if (ps->n_toks) {
		ps->pos = 0;
		r = statement(ps);
	}
	ps->n_toks = ps->pos = 0;
	ps->stmt_len = 0;
	return r;
}

/* Every line of @text; returns how many statements and directives */
static int parse_lines(struct parser *ps, const char *text)
{
	const char *s = text;
	int line = 0, count = 0, r;
	bool cont = false;

	ps->n_toks = ps->pos = ps->stmt_len = 0;
	while (*s) {
		const char *eol = strchr(s, '\n'), *hash;
		size_t len = eol ? (size_t)(eol - s) : strlen(s);
		const char *next_line = eol ? eol + 1 : s + len;
		bool more = false;

		line++;
		if ((hash = memchr(s, '#', len)))
			len = (size_t)(hash - s);
		while (len && isspace((unsigned char)s[len - 1]))
			len--;
		while (len && isspace((unsigned char)*s)) {
			s++;
			len--;
		}
		if (len && s[len - 1] == '\\') {
			more = true;
			len--;
		}
		ps->stmt_len += len + 1;
		if (ps->stmt_len > POLICY_LINE_MAX)
			return perr(ps, line, "statement longer than %d "
				    "characters", POLICY_LINE_MAX);
		if (!cont)
			ps->stmt_line = line;
		if (!cont && len && *s == '@') {
			if (more)
				return perr(ps, line, "a directive cannot "
					    "continue on the next line");
			if ((r = directive(ps, s, len, line)) < 0)
				return r;
			count++;
			ps->stmt_len = 0;
		} else if ((r = tokenize(ps, s, len, line)) < 0) {
			return r;
		}
		cont = more;
		if (!cont) {
			count += ps->n_toks > 0;
			if ((r = statement_end(ps)) < 0)
				return r;
		}
		s = next_line;
	}
	if (cont)
		return perr(ps, line, "the last line ends in '\\' but nothing "
			    "follows");
	return count;
}

static int add_file_name(struct parser *ps, char *name)
{
	char **n = realloc(ps->p->files,
			   (ps->p->n_files + 1) * sizeof(*n));

	if (!n)
		return qerr_set(ps->e, ENOMEM, "reading %s", name);
	ps->p->files = n;
	n[ps->p->n_files++] = name;
	return 0;
}

/* A file including itself, directly or not: the chain of includes */
static int cycle_check(struct parser *ps, const struct policy_text *t,
		       int from_line)
{
	char chain[QERR_MSG_MAX] = "";
	int i, j;

	for (i = 0; i < ps->depth; i++)
		if (!strcmp(ps->stack[i].id, t->id)) {
			for (j = i; j < ps->depth; j++)
				snprintf(chain + strlen(chain),
					 sizeof(chain) - strlen(chain),
					 "%s -> ", ps->stack[j].name);
			return perr(ps, from_line, "@include cycle: %s%s",
				    chain, t->name);
		}
	return 0;
}

/*
 * A file read twice would repeat all its rules: say so once, naming where
 * it was first included. Otherwise remember it (taking over t->id).
 */
static int already_seen(struct parser *ps, struct policy_text *t,
			const char *what, int from_line)
{
	struct seen *n;
	size_t i;

	for (i = 0; i < ps->n_seen; i++)
		if (!strcmp(ps->seen[i].id, t->id)) {
			if (!ps->seen[i].file)
				return perr(ps, from_line, "@include %s: that "
					    "is the top-level policy", what);
			return perr(ps, from_line, "@include %s: already "
				    "included at %s:%d", what,
				    ps->seen[i].file, ps->seen[i].line);
		}
	n = realloc(ps->seen, (ps->n_seen + 1) * sizeof(*n));
	if (!n)
		return qerr_set(ps->e, ENOMEM, "reading %s", t->name);
	ps->seen = n;
	n[ps->n_seen++] = (struct seen){ t->id, ps->depth ? ps->file : NULL,
					 from_line };
	return 0;
}

static int parse_file(struct parser *ps, const char *what, int from_line)
{
	struct policy_text t = { 0 };
	const struct policy_text *from = ps->depth ? &ps->stack[ps->depth - 1] :
						      NULL;
	const char *saved_file = ps->file;
	struct qerr le = { 0 };
	int saved_def_line, r;

	if (ps->depth == POLICY_INCLUDE_DEPTH)
		return perr(ps, from_line, "@include %s: nested deeper than "
			    "%d files", what, POLICY_INCLUDE_DEPTH);
	r = ps->load(ps->ctx, from, what, &t, &le);
	if (r < 0) {
		if (!from) {
			*ps->e = le;
			return r;
		}
		return perr(ps, from_line, "@include %s: %s", what, le.msg);
	}
	if ((r = cycle_check(ps, &t, from_line)) < 0 ||
	    (r = already_seen(ps, &t, what, from_line)) < 0) {
		free(t.name);
		free(t.id);
		free(t.text);
		return r;
	}
	/* t.id belongs to ps->seen now, t.name to the policy's files */
	if ((r = add_file_name(ps, t.name)) < 0) {
		free(t.name);
		free(t.text);
		return r;
	}
	ps->stack[ps->depth] = (struct policy_text){ t.name, t.id, NULL };
	ps->depth++;
	ps->file = t.name;
	saved_def_line = ps->file_def_line;
	ps->file_def_line = 0;
	r = parse_lines(ps, t.text);
	if (r == 0)
		r = qerr_usage(ps->e, "%s: empty policy (no rule, no "
				      "@include)", t.name);
	ps->file_def_line = saved_def_line;
	ps->depth--;
	ps->file = saved_file;
	free(t.text);
	return r < 0 ? r : 0;
}

int policy_parse(const char *what, policy_load_fn load, void *ctx,
		 struct policy *p, struct qerr *e)
{
	struct parser ps = { .load = load, .ctx = ctx, .p = p, .e = e };
	int r;

	memset(p, 0, sizeof(*p));
	p->def.kind = PA_KILL_PROCESS;	/* Minijail's default */
	r = parse_file(&ps, what, 0);
	free(ps.toks);
	while (ps.n_seen)
		free(ps.seen[--ps.n_seen].id);
	free(ps.seen);
	if (r == 0 && !p->n_rules)
		r = qerr_usage(e, "%s: no syscall rules (the policy would "
				  "allow nothing)", p->files[0]);
	if (r == 0 && ps.clash_file) {
		char a[64], b[64];

		r = qerr_usage(e, "%s:%d: @default %s disagrees with %s:%d "
				  "(@default %s), and neither file includes "
				  "the other: say which in %s",
			       ps.clash_file, ps.clash_line,
			       policy_action_str(&ps.clash, a, sizeof(a)),
			       p->def_file, p->def_line,
			       policy_action_str(&p->def, b, sizeof(b)),
			       p->files[0]);
	}
	if (r < 0)
		policy_free(p);
	return r;
}

void policy_free(struct policy *p)
{
	size_t i;

	for (i = 0; i < p->n_rules; i++)
		rule_free(&p->rules[i]);
	free(p->rules);
	for (i = 0; i < p->n_files; i++)
		free(p->files[i]);
	free(p->files);
	memset(p, 0, sizeof(*p));
}
