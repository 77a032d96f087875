// SPDX-License-Identifier: MIT
/* test_names.c - a named network's DNS names (plan/names.h) */
#include <arpa/inet.h>
#include <stdlib.h>

#include "common/util.h"
#include "plan/names.h"
#include "plan/plan.h"
#include "tests/unit/unit.h"

static struct in_addr ip(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return a;
}

int main(void)
{
	char label[NET_NAME_MAX + 1], domain[NAMES_DOMAIN_MAX];
	struct qerr e = { 0 };
	char long_name[NET_NAME_MAX + 2];
	struct names_host h[] = {
		{ ip("10.0.2.15"), "vm1" },
		{ ip("10.0.2.16"), "Web_Server.2" },
		{ ip("0.0.0.0"), "no-address" },
		{ ip("10.0.2.17"), "" },
		{ ip("10.0.2.18"), NULL },
	};
	struct strbuf b = { 0 };
	struct net_spec s;
	struct plan p;
	int r;

	names_label("vm1", label);
	CHECK(!strcmp(label, "vm1"), "a host name is its own label");
	names_label("Web_Server.2", label);
	CHECK(!strcmp(label, "web-server-2"),
	      "lower case, '_' and '.' as '-' (%s)", label);
	memset(long_name, 'A', NET_NAME_MAX + 1);
	long_name[NET_NAME_MAX + 1] = '\0';
	names_label(long_name, label);
	CHECK(strlen(label) == NET_NAME_MAX && label[0] == 'a',
	      "a label is cut at NET_NAME_MAX (a valid name never is)");

	CHECK(names_under_suffix("a.qbox.internal") &&
		      names_under_suffix("qbox.internal") &&
		      !names_under_suffix("xqbox.internal") &&
		      !names_under_suffix("lab.test"),
	      "what lies under qbox.internal");
	{
		struct net_spec sd;

		CHECK(net_spec_parse("natnet:Lab_0,domain=lab.test", &sd, &e) == 0,
		      "a network with domain=");
		names_net_domain(&sd, domain);
		CHECK(!strcmp(domain, "lab.test"), "its domain is domain='s");
		sd.domain[0] = '\0';
		names_net_domain(&sd, domain);
		CHECK(!strcmp(domain, "lab-0.qbox.internal"),
		      "without it, the name's (%s)", domain);
	}
	names_domain("Lab_0", domain);
	CHECK(!strcmp(domain, "lab-0.qbox.internal"), "domain of Lab_0 (%s)",
	      domain);
	memset(long_name, 'n', NET_NAME_MAX);
	long_name[NET_NAME_MAX] = '\0';
	names_domain(long_name, domain);
	CHECK(strlen(domain) == NET_NAME_MAX + strlen(".qbox.internal") &&
		      strlen(domain) < NAMES_DOMAIN_MAX,
	      "the longest network name's domain fits");

	r = names_hosts("lab0.qbox.internal", ip("10.0.2.2"), h, 5, &b);
	CHECK(r == 0 && !strcmp(b.s,
				"# qbox: this network's names (plan/names.h)\n"
				"10.0.2.15\tvm1.lab0.qbox.internal vm1\n"
				"10.0.2.16\tweb-server-2.lab0.qbox.internal "
				"web-server-2\n"
				"10.0.2.2\thost.qbox.internal\n"),
	      "hosts: members with an address and a name, then the host "
	      "alias:\n%s", b.s);
	sb_free(&b);
	b = (struct strbuf){ 0 };
	r = names_hosts("lab0.qbox.internal", ip("0.0.0.0"), h, 0, &b);
	CHECK(r == 0 && !strchr(strchr(b.s, '\n') + 1, '\n'),
	      "hosts: no members and no host alias: the comment alone");
	sb_free(&b);

	/* a hub's plan: a domain where the network has an address */
	{
		static char *argv[] = { "true", NULL };
		const char *nets[][3] = {
			{ "natnet:Lab_0", "10.0.2.1", "lab-0.qbox.internal" },
			{ "hostonly:h", "192.168.56.100", "h.qbox.internal" },
			{ "internal:i,dhcp=on", "192.168.100.1",
			  "i.qbox.internal" },
			{ "internal:i", "0.0.0.0", "" },
		};
		size_t i;

		for (i = 0; i < ARRAY_SIZE(nets); i++) {
			char a[INET_ADDRSTRLEN];

			r = net_spec_parse(nets[i][0], &s, &e);
			plan_hub(&s, argv, &p);
			CHECK(r == 0 && !strcmp(p.nics[0].domain, nets[i][2]),
			      "%s: the hub's domain is '%s' (%s)", nets[i][0],
			      nets[i][2], p.nics[0].domain);
			inet_ntop(AF_INET, &p.nics[0].layout.hub, a, sizeof(a));
			CHECK(!strcmp(a, nets[i][1]),
			      "%s: its DNS server listens at %s (%s)",
			      nets[i][0], nets[i][1], a);
		}
	}
	UNIT_END();
}
