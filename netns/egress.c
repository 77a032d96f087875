// SPDX-License-Identifier: MIT
/*
 * egress.c - the kernel egress path's listener, queue and rules in this
 * network namespace (egress.h)
 *
 * Theory of operation. Per egress worker J (one per CPU: the supervisor
 * starts one for each pair handed over), a listener, a TCP socket on an
 * ephemeral port of every address here, to which the rules send the
 * connections worker J let through (at 127.H, H a hash of the original
 * destination: a bridge routes 127/8 for it, route_localnet), and a queue, a netfilter
 * netlink socket bound to queue J, copying each SYN's headers; its
 * configuration needs
 * CAP_NET_ADMIN over this namespace, which init has now and drops before
 * the payload runs. The worker that reads it lives in the host's user
 * namespace, whose user owns this one: the kernel checks its verdicts
 * against that ownership (a capability-less process of the owner's uid,
 * in the parent namespace, holds every capability here), so no
 * capability survives in any process of qbox's.
 *
 * A VM's frames reach this namespace's IPv4 hooks only through the
 * kernel's bridge netfilter (br_netfilter): without it, or without
 * nftables' NAT, conntrack, or xtables' NFQUEUE target, the path cannot
 * be made, and the NICs' TCP stays libslirp's (the supervisor says why,
 * once) unless egress=kernel asked for it.
 */
#include "netns/egress.h"

#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/sbmsg.h"
#include "common/util.h"
#include "dataplane/egress.h"
#include "dataplane/fwd_worker.h"

#define BRNF "/proc/sys/net/bridge/bridge-nf-call-iptables"
#define QUEUE_MAXLEN 16384	/* SYNs held at once, past which the
				   kernel drops them (the guest resends) */
#define QUEUE_COPY 128		/* a SYN's IP and TCP headers */
#define QUEUE_RCVBUF (4 << 20)

/* Bridged frames shown to the IPv4 hooks: on, in this namespace */
static int brnf_on(struct qerr *e)
{
	char v[8];
	ssize_t n = read_file(BRNF, v, sizeof(v));
	int r;

	if (n < 0)
		return qerr_set(e, (int)-n, "the kernel's bridge netfilter "
					   "(br_netfilter, %s)", BRNF);
	if (v[0] == '1')
		return 0;
	if ((r = write_file(BRNF, "1")) < 0)
		return qerr_set(e, -r, "turning on %s", BRNF);
	return 0;
}

/*
 * Bridge @dev routes 127/8: the rules send connections let through to a
 * listener at 127.H (netns/egress_nft.c), which a bridged frame may
 * otherwise not reach (a martian); the guard rule keeps anything else
 * from getting there
 */
static int localnet_set(const char *dev, const char *on, struct qerr *e)
{
	char path[96];
	int r;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/route_localnet",
		 dev);
	if ((r = write_file(path, on)) < 0)
		return qerr_set(e, -r, "setting %s", path);
	return 0;
}

/* The listener on an ephemeral port; its port in *@port */
static int listener_open(uint16_t *port, struct qerr *e)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return qerr_set(e, errno, "egress listener");
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(fd, SOMAXCONN) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
		int r = qerr_set(e, errno, "egress listener");

		close(fd);
		return r;
	}
	*port = ntohs(a.sin_port);
	return fd;
}

/* One configuration message, acknowledged */
static int queue_config(struct mnl_socket *nl, struct nlmsghdr *nlh)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	uint32_t seq = nlh->nlmsg_seq, portid = mnl_socket_get_portid(nl);
	ssize_t n;

	nlh->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	if ((n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) < 0)
		return -errno;
	if (mnl_cb_run(buf, (size_t)n, seq, portid, NULL, NULL) < 0)
		return -errno;
	return 0;
}

/* Queue @num bound, its SYNs' headers copied */
static int queue_open(uint16_t num, struct qerr *e)
{
	char buf[256];
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_NETFILTER,
						 SOCK_CLOEXEC);
	struct nlmsghdr *nlh;
	int one = 1, size = QUEUE_RCVBUF, r = 0, fd;

	if (!nl)
		return qerr_set(e, errno, "the egress queue");
	fd = mnl_socket_get_fd(nl);
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		r = -errno;
	if (!r) {
		nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, num);
		nfq_nlmsg_cfg_put_cmd(nlh, AF_INET, NFQNL_CFG_CMD_BIND);
		r = queue_config(nl, nlh);
	}
	if (!r) {
		nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, num);
		nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_PACKET, QUEUE_COPY);
		nfq_nlmsg_cfg_put_qmaxlen(nlh, QUEUE_MAXLEN);
		r = queue_config(nl, nlh);
	}
	if (r < 0) {
		mnl_socket_close(nl);
		return qerr_set(e, -r, "binding the egress queue (NFQUEUE)");
	}
	/* a burst of SYNs waits here, not in drops; a lost one is resent */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	setsockopt(fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, &one, sizeof(one));
	/* the fd outlives the library's handle: only its memory is freed */
	fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	r = fd < 0 ? qerr_set(e, errno, "the egress queue") : fd;
	mnl_socket_close(nl);
	return r;
}

static int hand_over(int sock, int what, unsigned int bits, int fd,
		     struct qerr *e)
{
	struct sbmsg m = { .type = SBMSG_EGRESS, .value = what,
			   .nic = (int32_t)bits };
	int r = sbmsg_send(sock, &m, fd);

	return r < 0 ? qerr_set(e, -r, "passing the egress path to the "
				       "supervisor") : 0;
}

/* @k workers' listeners and queues, in @fds (listener J at 2J, its queue
 * at 2J + 1), and the rules */
static int make(const struct egress_nic *nics, int n, int k, int *fds,
		struct qerr *e)
{
	uint16_t ports[EGRESS_WORKERS_MAX];
	int i, j, r;

	for (i = 0; i < n; i++)
		if (!nics[i].local && ((r = brnf_on(e)) < 0 ||
				       (r = localnet_set(nics[i].dev, "1", e)) < 0))
			return r;
	for (j = 0; j < k; j++) {
		if ((fds[2 * j] = listener_open(&ports[j], e)) < 0)
			return fds[2 * j];
		if ((fds[2 * j + 1] = queue_open((uint16_t)j, e)) < 0)
			return fds[2 * j + 1];
	}
	if ((r = egress_nft_install(nics, n, ports, k)) < 0)
		return qerr_set(e, -r, "its nftables rules (table ip %s: "
				       "NAT, conntrack, the NFQUEUE target)",
				EGRESS_TABLE);
	return 0;
}

/*
 * A path that could not be made, or handed over, leaves nothing behind:
 * no rules (a SYN queued to nobody would wait for ever), and the bridges
 * as init made them (br_netfilter's IPv4 call off, no 127/8)
 */
static void unmake(const struct egress_nic *nics, int n)
{
	struct qerr ignored;
	int i;

	egress_nft_remove();
	for (i = 0; i < n; i++) {
		if (nics[i].local)
			continue;
		localnet_set(nics[i].dev, "0", &ignored);
		write_file(BRNF, "0");
	}
}

int egress_open(const struct egress_nic *nics, int n, unsigned int bits,
		int sock, bool required, struct qerr *e)
{
	struct sbmsg off = { .type = SBMSG_EGRESS_OFF };
	int fds[2 * EGRESS_WORKERS_MAX], k = fwd_worker_count(), i, r;

	if (!n)
		return 0;
	if (k > EGRESS_WORKERS_MAX)
		k = EGRESS_WORKERS_MAX;
	for (i = 0; i < 2 * k; i++)
		fds[i] = -1;
	r = make(nics, n, k, fds, e);
	for (i = 0; r == 0 && i < 2 * k; i++)
		r = hand_over(sock, i, bits, fds[i], e);
	for (i = 0; i < 2 * k; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (r == 0)
		return 0;
	unmake(nics, n);
	qerr_prefix(e, "the kernel's egress path");
	if (required) {		/* the host's kernel is at fault: exit 2 */
		e->usage = true;
		return r;
	}
	off.nic = (int32_t)bits;
	off.err = *e;
	r = sbmsg_send(sock, &off, -1);
	return r < 0 ? qerr_set(e, -r, "talking to the supervisor") : 0;
}
