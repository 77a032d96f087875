// SPDX-License-Identifier: MIT
/*
 * names.c - the DNS names of a named network and of its members (names.h)
 */
#include "plan/names.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

void names_label(const char *name, char *out)
{
	size_t i;

	for (i = 0; name[i] && i < NET_NAME_MAX; i++) {
		char c = name[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		else if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9'))
			c = '-';	/* '_' and '.'; nothing else is in a
					   valid name, and the hosts file is
					   never given a byte of another kind */
		out[i] = c;
	}
	out[i] = '\0';
}

void names_domain(const char *net, char out[NAMES_DOMAIN_MAX])
{
	char label[NET_NAME_MAX + 1];

	names_label(net, label);
	snprintf(out, NAMES_DOMAIN_MAX, "%s." NAMES_SUFFIX, label);
}

bool names_under_suffix(const char *domain)
{
	size_t n = strlen(domain), k = strlen("." NAMES_SUFFIX);

	return !strcmp(domain, NAMES_SUFFIX) ||
	       (n > k && !strcmp(domain + n - k, "." NAMES_SUFFIX));
}

void names_net_domain(const struct net_spec *s, char out[NAMES_DOMAIN_MAX])
{
	if (s->domain[0])
		snprintf(out, NAMES_DOMAIN_MAX, "%s", s->domain);
	else
		names_domain(s->name, out);
}

int names_hosts(const char *domain, struct in_addr host,
		const struct names_host *h, int n, struct strbuf *out)
{
	char a[INET_ADDRSTRLEN], label[NET_NAME_MAX + 1];
	int i;

	sb_puts(out, "# qbox: this network's names (plan/names.h)\n");
	for (i = 0; i < n; i++) {
		if (!h[i].addr.s_addr || !h[i].name || !h[i].name[0])
			continue;
		names_label(h[i].name, label);
		inet_ntop(AF_INET, &h[i].addr, a, sizeof(a));
		/* the long name first: it is the canonical one, what a
		   reverse lookup answers */
		sb_printf(out, "%s\t%s.%s %s\n", a, label, domain, label);
	}
	if (host.s_addr) {
		inet_ntop(AF_INET, &host, a, sizeof(a));
		sb_printf(out, "%s\t" NAMES_HOST "\n", a);
	}
	return out->oom ? -ENOMEM : 0;
}
