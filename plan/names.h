/* SPDX-License-Identifier: MIT */
/*
 * names.h - the DNS names of a named network and of its members
 *
 * A network with an address of its own (natnet, hostonly, internal with
 * dhcp=on) has a domain, LABEL.qbox.internal, and each member with an
 * address is known there by its name, short and long:
 *
 *     10.0.2.15   vm1.lab0.qbox.internal vm1
 *     10.0.2.2    host.qbox.internal            (the host alias)
 *
 * `domain=DOMAIN` (net create, or the member that starts the network)
 * replaces LABEL.qbox.internal; host.qbox.internal stays.
 *
 * A label is the name in lower case with '_' and '.' as '-' (a sandbox or
 * network name may hold both; a host name may not), so "Lab_0" is
 * lab-0.qbox.internal; any other byte but a letter or digit becomes '-'
 * too, though name_check() lets none through. qbox.internal lies under .internal, which ICANN
 * keeps for private use (2024): no public name can be shadowed.
 * network/dnsmasq.c serves the text made here.
 */
#ifndef QBOX_NAMES_H
#define QBOX_NAMES_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/json.h"
#include "plan/spec.h"

/* Every network's names end in this; the host alias is host.<it> */
#define NAMES_SUFFIX "qbox.internal"
#define NAMES_HOST "host." NAMES_SUFFIX

/* The longest domain, with its NUL: domain='s (a network's label, a dot
 * and the suffix are shorter) */
#define NAMES_DOMAIN_MAX (NET_DOMAIN_MAX + 1)

/* @name's label (see above) into @out, of NET_NAME_MAX + 1 bytes */
void names_label(const char *name, char *out);

/* Network @net's default domain, "LABEL.qbox.internal", into @out */
void names_domain(const char *net, char out[NAMES_DOMAIN_MAX]);

/* Whether @domain is qbox.internal or lies under it */
bool names_under_suffix(const char *domain);

/* The domain of network @s: its domain=, else names_domain() */
void names_net_domain(const struct net_spec *s, char out[NAMES_DOMAIN_MAX]);

struct names_host {
	struct in_addr addr;	/* 0: has none, left out */
	const char *name;	/* a sandbox's name; "" or NULL: left out */
};

/**
 * names_hosts() - a hosts file (hosts(5)) for a network's DNS server
 * @domain:	the network's, names_domain()
 * @host:	the host alias, or 0 for none (internal)
 * @h:		the members
 * @n:		how many
 * @out:	the text, appended
 *
 * One line per member with an address and a name, in @h's order, the long
 * name first (the canonical one, which a reverse lookup answers), then the
 * host alias's. Return: 0, or -ENOMEM when @out could not grow.
 */
int names_hosts(const char *domain, struct in_addr host,
		const struct names_host *h, int n, struct strbuf *out);

#endif /* QBOX_NAMES_H */
