/* SPDX-License-Identifier: MIT */
/*
 * json.h - a growing string buffer and the little JSON qbox writes
 *
 * qbox only writes JSON (for `ps --json`, `fwd --list --json` and the
 * control protocol's answers); it never parses it, so a writer is all
 * there is.
 */
#ifndef QBOX_JSON_H
#define QBOX_JSON_H

#include <stddef.h>

struct strbuf {
	char *s;
	size_t len, cap;
	int oom;	/* an allocation failed: the content is incomplete */
};

void sb_printf(struct strbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sb_puts(struct strbuf *b, const char *s);

/* Append @s as a JSON string, quoted and escaped */
void sb_json_str(struct strbuf *b, const char *s);

void sb_free(struct strbuf *b);

/*
 * The value of "KEY":"..." (or "KEY":token) at or after @from, into @buf
 * ("" when absent). For reading back qbox's own fixed JSON, not a parser.
 * Return: @buf
 */
const char *json_field(const char *from, const char *key, char *buf,
		       size_t size);

#endif /* QBOX_JSON_H */
