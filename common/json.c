// SPDX-License-Identifier: MIT
/* json.c - string buffer and JSON string escaping */
#include "common/json.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int grow(struct strbuf *b, size_t need)
{
	size_t cap;
	char *s;

	if (b->oom)
		return -1;
	if (b->len + need + 1 <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + need + 1)
		cap *= 2;
	s = realloc(b->s, cap);
	if (!s) {
		b->oom = 1;
		return -1;
	}
	b->s = s;
	b->cap = cap;
	return 0;
}

void sb_printf(struct strbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || grow(b, (size_t)n) < 0)
		return;
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void sb_puts(struct strbuf *b, const char *s)
{
	size_t n = strlen(s);

	if (grow(b, n) < 0)
		return;
	memcpy(b->s + b->len, s, n + 1);
	b->len += n;
}

void sb_json_str(struct strbuf *b, const char *s)
{
	sb_puts(b, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			sb_printf(b, "\\%c", c);
		else if (c == '\n')
			sb_puts(b, "\\n");
		else if (c == '\t')
			sb_puts(b, "\\t");
		else if (c < 0x20 || c == 0x7f)
			sb_printf(b, "\\u%04x", c);
		else
			sb_printf(b, "%c", c);
	}
	sb_puts(b, "\"");
}

void sb_free(struct strbuf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
	b->oom = 0;
}

/* The value of "KEY":"..." or "KEY":token after @from, into @buf */
const char *json_field(const char *from, const char *key, char *buf,
			    size_t size)
{
	char pat[40];
	const char *p;
	size_t n;

	buf[0] = '\0';
	snprintf(pat, sizeof(pat), "\"%s\":", key);
	if (!from || !(p = strstr(from, pat)))
		return buf;
	p += strlen(pat);
	if (*p == '"')
		n = strcspn(++p, "\"");
	else
		n = strcspn(p, ",}]");
	snprintf(buf, size, "%.*s", (int)(n < size ? n : size - 1), p);
	return buf;
}
