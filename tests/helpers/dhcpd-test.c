// SPDX-License-Identifier: MIT
/*
 * dhcpd-test IFNAME SUBNET/PREFIX SERVER FIRST-LAST [router=A] [dns=A,B]
 *            [domain=D] [lease=SECONDS]
 *
 * The hub's DHCP server (network/dhcp.c, network/dhcp_sock.c) on its own, for
 * tests/integration/dhcp.sh: serves IFNAME in the current network namespace
 * from a poll loop like the hub's, prints "ready" once the socket is bound,
 * and on SIGTERM or SIGINT prints the lease table ("lease MAC ADDR STATE
 * HOSTNAME") and the counters ("stats name=value ..."), then exits 0.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "common/err.h"
#include "common/util.h"
#include "network/dhcp.h"

static struct in_addr addr_arg(const char *what, const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		die(2, "%s: not an IPv4 address: '%s'", what, s);
	return a;
}

/* "key=value" arguments after the four fixed ones */
static void option_arg(struct dhcp_config *c, char *arg)
{
	char *v = strchr(arg, '=');
	unsigned long n;

	if (!v)
		die(2, "bad option '%s'", arg);
	*v++ = '\0';
	if (!strcmp(arg, "router")) {
		c->router = addr_arg("router", v);
	} else if (!strcmp(arg, "dns")) {
		for (char *t = strtok(v, ","); t; t = strtok(NULL, ",")) {
			if (c->n_dns == DHCP_DNS_MAX)
				die(2, "dns: at most %d", DHCP_DNS_MAX);
			c->dns[c->n_dns++] = addr_arg("dns", t);
		}
	} else if (!strcmp(arg, "domain")) {
		c->domain = v;
	} else if (!strcmp(arg, "lease")) {
		if (parse_uint(v, UINT32_MAX, &n))
			die(2, "lease: bad number '%s'", v);
		c->lease_time = (uint32_t)n;
	} else {
		die(2, "unknown option '%s'", arg);
	}
}

static void print_leases(const struct dhcp_server *srv, int64_t now)
{
	struct dhcp_lease_info li;
	size_t cur = 0;
	char a[INET_ADDRSTRLEN];
	const struct dhcp_stats *st = dhcp_stats(srv);

	while (dhcp_lease_next(srv, now, &cur, &li))
		printf("lease %02x:%02x:%02x:%02x:%02x:%02x %s %s %s\n",
		       li.mac[0], li.mac[1], li.mac[2], li.mac[3], li.mac[4],
		       li.mac[5], inet_ntop(AF_INET, &li.addr, a, sizeof(a)),
		       dhcp_lease_state_name(li.state),
		       li.hostname[0] ? li.hostname : "-");
	printf("stats received=%llu malformed=%llu ignored=%llu offers=%llu "
	       "acks=%llu naks=%llu informs=%llu releases=%llu declines=%llu "
	       "exhausted=%llu send_errors=%llu\n",
	       (unsigned long long)st->received,
	       (unsigned long long)st->malformed,
	       (unsigned long long)st->ignored, (unsigned long long)st->offers,
	       (unsigned long long)st->acks, (unsigned long long)st->naks,
	       (unsigned long long)st->informs,
	       (unsigned long long)st->releases,
	       (unsigned long long)st->declines,
	       (unsigned long long)st->exhausted,
	       (unsigned long long)st->send_errors);
}

static int64_t now_s(void)
{
	return now_ns() / 1000000000;
}

int main(int argc, char **argv)
{
	struct dhcp_config c = { 0 };
	struct dhcp_server *srv;
	struct qerr e = { 0 };
	char *slash, *dash;
	unsigned long prefix;
	sigset_t set;
	int fd, sfd;

	if (argc < 5)
		die(2, "usage: dhcpd-test IFNAME SUBNET/PREFIX SERVER FIRST-LAST "
		       "[router=A] [dns=A,B] [domain=D] [lease=S]");
	slash = strchr(argv[2], '/');
	dash = strchr(argv[4], '-');
	if (!slash || !dash)
		die(2, "want SUBNET/PREFIX and FIRST-LAST");
	*slash = *dash = '\0';
	if (parse_uint(slash + 1, 32, &prefix))
		die(2, "bad prefix '%s'", slash + 1);
	c.net = addr_arg("subnet", argv[2]);
	c.prefix = (unsigned int)prefix;
	c.server = addr_arg("server", argv[3]);
	c.pool_first = addr_arg("pool", argv[4]);
	c.pool_last = addr_arg("pool", dash + 1);
	for (int i = 5; i < argc; i++)
		option_arg(&c, argv[i]);

	srv = dhcp_new(&c, &e);
	if (!srv)
		qerr_die(&e);
	fd = dhcp_socket(argv[1], &e);
	if (fd < 0)
		qerr_die(&e);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sfd < 0)
		die(1, "signalfd: %s", strerror(errno));
	printf("ready\n");
	fflush(stdout);

	for (;;) {
		struct pollfd p[2] = { { fd, POLLIN, 0 }, { sfd, POLLIN, 0 } };

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			die(1, "poll: %s", strerror(errno));
		}
		if (p[1].revents)
			break;
		if (p[0].revents && dhcp_serve(srv, fd, now_s(), &e) < 0)
			qerr_die(&e);
	}
	print_leases(srv, now_s());
	dhcp_free(srv);
	close(fd);
	close(sfd);
	return 0;
}
