// SPDX-License-Identifier: MIT
/*
 * udp-flows [-t SECONDS] [-b BATCH] [-x EXTRA] [-r ROUNDS] [-i MS | -g FILE]
 *           HOST PORT N
 *
 * A client for the UDP forwarding tests: N UDP sockets, each with a source
 * port of its own (so N peers for the forwarder), talking to HOST:PORT
 * (an IPv4 or IPv6 literal) through a UDP forward to `echo-server -u`,
 * which answers each datagram with the port it came from appended.
 *
 * In each round every socket sends "fI rK" (I its number, K the round)
 * and expects "fI rK GPORT" back: GPORT is the guest-side port of the
 * forwarder's flow for that peer. BATCH sockets (default 32) are in
 * flight at a time, and an unanswered one sends again every 200 ms (a
 * full socket buffer drops datagrams). One line per round:
 *
 *	round K: replied R of N in MS ms, wrong W, same S, ports P
 *
 * W counts answers that came to another socket than the one that asked
 * (flows mixed up); S the sockets whose answer came from the same GPORT
 * as in round 1 (their flow lived on; a new flow has a new port); P the
 * distinct GPORTs of the round (a flow, so a guest-side socket, per
 * peer: P = R).
 *
 * -x EXTRA: after round 1, EXTRA more sockets (new peers) send three
 * times each; then socket 0 asks once more and is answered, so the
 * forwarder has handled those datagrams (one process reads them in
 * order); 300 ms later
 *
 *	extra: answered A of EXTRA
 *
 * -r ROUNDS (default 1): between rounds wait -i MS, or until FILE exists
 * (-g FILE; it is removed), all sockets kept open meanwhile.
 * -t SECONDS bounds each round and each wait (default 20).
 * Exits 0 when every round was answered in full and W was 0.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/helpers/helpers.h"

#define RESEND_MS 200

struct peer {
	int fd;
	unsigned gport;		/* the guest-side port of round 1 */
	unsigned last;		/* ... of this round */
	bool answered;
	long sent_ms;
};

static struct sockaddr_storage to;
static socklen_t tolen;
static long timeout_ms = 20000;
static int wrong;

static int parse_addr(const char *host, const char *port)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)&to;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&to;
	int p = atoi(port);

	if (p < 1 || p > 65535)
		return -1;
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)p);
		tolen = sizeof(*s4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)p);
		tolen = sizeof(*s6);
		return 0;
	}
	return -1;
}

/* A socket of its own (so a source port of its own) talking to HOST:PORT */
static int peer_open(struct peer *p)
{
	p->fd = socket(to.ss_family, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	if (p->fd < 0 || connect(p->fd, (struct sockaddr *)&to, tolen) < 0) {
		perror("udp-flows: socket");
		return -1;
	}
	return 0;
}

static int cmp_uint(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? -1 : x > y;
}

/* How many distinct guest-side ports answered this round */
static int distinct_ports(const struct peer *ps, int n)
{
	unsigned *v = calloc((size_t)n, sizeof(*v));
	int i, k = 0, d = 0;

	if (!v)
		return -1;
	for (i = 0; i < n; i++)
		if (ps[i].answered)
			v[k++] = ps[i].last;
	qsort(v, (size_t)k, sizeof(*v), cmp_uint);
	for (i = 0; i < k; i++)
		if (!i || v[i] != v[i - 1])
			d++;
	free(v);
	return d;
}

static void say(struct peer *p, const char *msg)
{
	send(p->fd, msg, strlen(msg), 0);	/* lost ones are sent again */
	p->sent_ms = now_ms();
}

/*
 * Read what socket @i got. Returns the guest-side port of an answer to
 * its own question of @round, 0 if none came, and counts answers meant
 * for another socket. (Errors, e.g. ECONNREFUSED from an ICMP error, and
 * late answers to earlier questions are passed over.)
 */
static unsigned hear(struct peer *p, int i, int round)
{
	unsigned got = 0, gport;
	char buf[256];
	ssize_t n;
	int fi, fr;

	while ((n = recv(p->fd, buf, sizeof(buf) - 1, 0)) >= 0 ||
	       errno == ECONNREFUSED) {
		if (n < 0)
			continue;
		buf[n] = 0;
		if (sscanf(buf, "f%d r%d %u", &fi, &fr, &gport) != 3)
			continue;
		if (fi != i)
			wrong++;
		else if (fr == round)
			got = gport;
	}
	return got;
}

/*
 * One round: every socket asks, all answered; 0 when all were in time.
 * Printed unless @quiet.
 */
static int round_trip(struct peer *ps, int n, int batch, int round,
		      bool quiet)
{
	struct pollfd *pfd = calloc((size_t)batch, sizeof(*pfd));
	long t0 = now_ms(), deadline = t0 + timeout_ms;
	int start, i, replied = 0, same = 0, w0 = wrong;
	char msg[64];

	if (!pfd)
		return -1;
	for (i = 0; i < n; i++)
		ps[i].answered = false;
	for (start = 0; start < n; start += batch) {
		int end = start + batch < n ? start + batch : n, left;

		do {
			long now = now_ms();

			left = 0;
			for (i = start; i < end; i++) {
				pfd[i - start] = (struct pollfd){ ps[i].fd, POLLIN, 0 };
				if (ps[i].answered)
					continue;
				left++;
				if (now - ps[i].sent_ms >= RESEND_MS) {
					snprintf(msg, sizeof(msg), "f%d r%d", i, round);
					say(&ps[i], msg);
				}
			}
			if (!left)
				break;
			poll(pfd, (nfds_t)(end - start), 20);
			for (i = start; i < end; i++) {
				unsigned g = hear(&ps[i], i, round);

				if (!g || ps[i].answered)
					continue;
				ps[i].answered = true;
				ps[i].last = g;
				replied++;
				if (round == 1)
					ps[i].gport = g;
				if (g == ps[i].gport)
					same++;
			}
		} while (now_ms() < deadline);
		if (left)
			break;
	}
	if (!quiet)
		printf("round %d: replied %d of %d in %ld ms, wrong %d, "
		       "same %d, ports %d\n", round, replied, n,
		       (long)(now_ms() - t0), wrong - w0, same,
		       distinct_ports(ps, n));
	fflush(stdout);
	free(pfd);
	return replied == n ? 0 : -1;
}

/* New peers beyond what the forwarder may take: how many are answered */
static void extras(struct peer *ps, int n, int x)
{
	long until;
	int i, k, answered = 0;
	char msg[64];

	for (k = 0; k < 3; k++)
		for (i = n; i < n + x; i++) {
			snprintf(msg, sizeof(msg), "f%d r1", i);
			say(&ps[i], msg);
		}
	/* the forwarder reads in order: once this is answered, it saw those */
	if (round_trip(ps, 1, 1, 1000, true) < 0) {
		printf("extra: socket 0 got no answer\n");
		return;
	}
	for (until = now_ms() + 300; now_ms() < until;)
		poll(NULL, 0, 20);
	for (i = n; i < n + x; i++)
		if (hear(&ps[i], i, 1))
			answered++;
	printf("extra: answered %d of %d\n", answered, x);
	fflush(stdout);
}

/* Between rounds: -i MS, or until FILE exists */
static int pause_for(long ms, const char *go)
{
	long deadline = now_ms() + timeout_ms;

	if (!go) {
		poll(NULL, 0, (int)ms);
		return 0;
	}
	while (access(go, F_OK) < 0) {
		if (now_ms() >= deadline)
			return -1;
		poll(NULL, 0, 20);
	}
	unlink(go);
	return 0;
}

int main(int argc, char **argv)
{
	int batch = 32, x = 0, rounds = 1, n, i, r, rc = 0, opt;
	const char *go = NULL;
	struct rlimit rl;
	struct peer *ps;
	long ms = 0;

	while ((opt = getopt(argc, argv, "t:b:x:r:i:g:")) != -1) {
		switch (opt) {
		case 't': timeout_ms = atol(optarg) * 1000; break;
		case 'b': batch = atoi(optarg); break;
		case 'x': x = atoi(optarg); break;
		case 'r': rounds = atoi(optarg); break;
		case 'i': ms = atol(optarg); break;
		case 'g': go = optarg; break;
		default: goto usage;
		}
	}
	if (argc - optind != 3 || parse_addr(argv[optind], argv[optind + 1]) ||
	    (n = atoi(argv[optind + 2])) < 1 || batch < 1 || x < 0 ||
	    rounds < 1)
		goto usage;
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	if (!(ps = calloc((size_t)(n + x), sizeof(*ps))))
		return 1;
	for (i = 0; i < n + x; i++)
		if (peer_open(&ps[i]) < 0)
			return 1;
	for (r = 1; r <= rounds; r++) {
		if (r > 1 && pause_for(ms, go) < 0) {
			printf("round %d: never told to go\n", r);
			return 1;
		}
		if (round_trip(ps, n, batch, r, false) < 0)
			rc = 1;
		if (r == 1 && x)
			extras(ps, n, x);
	}
	return rc || wrong ? 1 : 0;
usage:
	fprintf(stderr, "usage: udp-flows [-t SECONDS] [-b BATCH] [-x EXTRA] "
			"[-r ROUNDS] [-i MS | -g FILE] HOST PORT N\n");
	return 2;
}
