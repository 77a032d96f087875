// SPDX-License-Identifier: MIT
/*
 * fuzz_names.c - what qbox writes for dnsmasq: names_hosts() (plan/names.h)
 *
 * The input is a list of members, each four bytes of address and a name
 * up to the next NUL, the first NUL-terminated string being the network's
 * name. Whatever the bytes, the hosts file must be lines dnsmasq reads as
 * intended: the comment, then one line per member with an address and a
 * non-empty name, "A.B.C.D<TAB>LABEL.DOMAIN LABEL", then the host alias's;
 * a label only of [a-z0-9-], 1 to NET_NAME_MAX bytes; nothing that could
 * start another line or another name.
 */
#include <arpa/inet.h>

#include "plan/names.h"
#include "tests/fuzz/fuzz.h"

#define MEMBERS_MAX 64

static int label_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > NET_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char names[MEMBERS_MAX][NET_NAME_MAX + 1], net[NET_NAME_MAX + 1];
	char domain[NAMES_DOMAIN_MAX], a[INET_ADDRSTRLEN];
	struct names_host h[MEMBERS_MAX];
	struct in_addr host = { 0 };
	struct strbuf b = { 0 };
	const char *p = (const char *)data, *end = p + size, *line, *nl;
	size_t len, dlen;
	int n = 0, expect = 0, lines = 0;

	len = strnlen(p, (size_t)(end - p));
	snprintf(net, sizeof(net), "%.*s", (int)len, p);
	p += len + (p + len < end);
	if (end - p >= 4) {
		memcpy(&host, p, 4);
		p += 4;
	}
	while (n < MEMBERS_MAX && end - p >= 4) {
		memcpy(&h[n].addr, p, 4);
		p += 4;
		len = strnlen(p, (size_t)(end - p));
		snprintf(names[n], sizeof(names[n]), "%.*s", (int)len, p);
		h[n].name = names[n];
		expect += h[n].addr.s_addr && names[n][0];
		p += len + (p + len < end);
		n++;
	}
	names_domain(net, domain);
	dlen = strlen(domain);
	FUZZ_ASSERT(dlen < NAMES_DOMAIN_MAX);
	FUZZ_ASSERT(!strcmp(domain + dlen - strlen(".qbox.internal"),
			    ".qbox.internal"));
	FUZZ_ASSERT(net[0] == '\0' ||
		    label_ok(domain, dlen - strlen(".qbox.internal")));
	FUZZ_ASSERT(names_hosts(domain, host, h, n, &b) == 0);
	FUZZ_ASSERT(b.s && b.s[b.len - 1] == '\n');
	/* the comment, the members' lines, the host alias's */
	line = strchr(b.s, '\n') + 1;
	for (; *line; line = nl + 1, lines++) {
		const char *tab = strchr(line, '\t'), *sp;

		nl = strchr(line, '\n');
		FUZZ_ASSERT(nl && tab && tab < nl);
		snprintf(a, sizeof(a), "%.*s", (int)(tab - line), line);
		FUZZ_ASSERT(inet_pton(AF_INET, a, &host) == 1 ||
			    !"an address");
		if (!strncmp(tab + 1, "host.qbox.internal\n", 19))
			continue;
		/* LABEL.DOMAIN LABEL: one space, the label after it, the
		   same label and a dot before the domain ahead of it */
		sp = memchr(tab + 1, ' ', (size_t)(nl - tab - 1));
		FUZZ_ASSERT(sp && !memchr(sp + 1, ' ', (size_t)(nl - sp - 1)));
		len = (size_t)(nl - sp - 1);
		FUZZ_ASSERT(label_ok(sp + 1, len));
		FUZZ_ASSERT((size_t)(sp - tab - 1) == len + 1 + dlen);
		FUZZ_ASSERT(!strncmp(tab + 1, sp + 1, len) && tab[1 + len] == '.' &&
			    !strncmp(tab + 2 + len, domain, dlen));
		expect--;
	}
	FUZZ_ASSERT(expect == 0);
	sb_free(&b);
	return 0;
}
