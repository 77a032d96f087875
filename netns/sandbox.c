// SPDX-License-Identifier: MIT
/*
 * sandbox.c - namespaces, links and the payload's start
 *
 * Theory of operation, in the order things happen:
 *
 *  1. spawn (supervisor): clone(CLONE_NEWUSER|CLONE_NEWNET|CLONE_NEWPID)
 *     as a fork. A failure here is almost always a host that forbids
 *     unprivileged user namespaces; the message names the sysctl. A member
 *     of named networks (and a hub other than the user's first) is cloned
 *     inside the user namespace the user's networks share instead
 *     (spawn_in_userns), and visits each hub's netns (init_join).
 *  2. init_user (sandbox init): PDEATHSIG, then the uid/gid maps: our own
 *     ids mapped to themselves, setgroups denied (required before an
 *     unprivileged gid_map). Init now holds every capability, but only over
 *     the new namespaces.
 *  3. init_links: lo up; per NIC a bridge qbrN with the uplink TAP qupN as
 *     a port, and for a VM the TAP qvmN as a second port (its fd stays here
 *     for QEMU). A command payload gets the address on qbrN instead. Each
 *     qupN fd goes to the supervisor, whose NAT engine runs libslirp on it.
 *     A bridged NIC has no link here at all: its TAP is the administrator's,
 *     in the host's network namespace, opened by the supervisor before the
 *     clone; init only passes the inherited fd on to QEMU, like a qvmN's.
 *  4. a hub's init forks the stream relay (dataplane/stream_relay.c), which
 *     confines itself (baseline filter, no capabilities), and later makes
 *     a TAP on the bridge for each client of the network's generic socket
 *     (init_stream_tap). The forward workers are not init's: the
 *     supervisor forks them with the first forward (sandbox_fork_worker()
 *     at the end of this file), into init's user and network namespaces.
 *  5. wait for SBMSG_GO: the supervisor has started the uplinks, bound
 *     the forwards and handed them to the workers, so the payload never
 *     races an unready network.
 *  6. confine: init drops every capability, sets no_new_privs and loads
 *     qbox's baseline filter; the payload inherits all three across fork
 *     and exec. (A hub's init has no payload; it keeps CAP_NET_ADMIN and
 *     nothing else, to make the TAPs of the network's socket members.)
 *  7. fork + exec the payload, which loads its own policy as the last step
 *     before execve (seccomp/filter.h says why there and not in init);
 *     init then loads the helper filter, forwards SIGINT/SIGTERM/SIGHUP to
 *     the payload, reaps orphans, and reports the payload's wait status
 *     (and a hub's stream relay's, should it die).
 *
 * Who notices a death: the payload gets SIGKILL when init dies
 * (PDEATHSIG, and anyway the PID namespace dies with its pid 1); the
 * forward workers die with the supervisor, whose children they are.
 * Init learns of the supervisor's death from EOF on the message socket,
 * with PDEATHSIG (SIGUSR1) as a wake-up; the socket is also the race
 * check, since in a new PID namespace getppid() is always 0. Init always
 * ends the same way (init_exit): it waits for that EOF, which a living
 * supervisor sends only after releasing the sandbox's name, removes the
 * name lock if the supervisor died holding it, and exits, taking the
 * payload along.
 */
#include "netns/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/json.h"
#include "common/util.h"
#include "plan/qemu_argv.h"
#include "common/rundir.h"
#include "dataplane/stream_relay.h"
#include "seccomp/child.h"
#include "seccomp/filter.h"
#include "netns/antispoof_nft.h"
#include "network/dhcp.h"
#include "common/sbmsg.h"
#include "netns/nl.h"
#include "netns/tap.h"

/* TAP queues longer than the default 1000 frames absorb bursts from QEMU */
#define TAP_TXQLEN 4096

void sandbox_link_names(int i, char bridge[16], char uplink[16], char vm[16])
{
	snprintf(bridge, 16, "qbr%d", i);
	snprintf(uplink, 16, "qup%d", i);
	snprintf(vm, 16, "qvm%d", i);
}

/* ---- init: the sandbox's pid 1 ---------------------------------------- */

struct init {
	const struct sandbox_cfg *cfg;
	int sock;
	struct qemu_nic nics[MAX_NICS];
	pid_t payload;
	/* named networks: what init keeps of each hub while linking to it */
	struct nl hubnl[MAX_NICS];	/* a netlink socket in the hub's netns */
	int hub_netns[MAX_NICS];	/* an fd of that netns */
	int hub_bridge[MAX_NICS];	/* ifindex of the hub's bridge there */
	pid_t relay;		/* a hub's stream relay, or 0 */
};

/*
 * The only way out of init. It waits for the supervisor to close the
 * message socket (its last act after releasing the sandbox's name), or to
 * die; in the second case the name lock is left, and init removes it. Init's
 * exit then ends the PID namespace and everything in it.
 */
static __attribute__((noreturn)) void init_exit(struct init *in, int code)
{
	struct sbmsg m;
	int fd, r;

	if (in->payload > 0)
		kill(in->payload, SIGKILL);
	while ((r = sbmsg_recv(in->sock, &m, &fd)) > 0)
		if (fd >= 0)
			close(fd);
	rundir_reap(in->cfg->rundir_fd, in->cfg->plan->name, 2000);
	_exit(code);
}

/* Report a setup failure to the supervisor and end the sandbox */
static __attribute__((noreturn)) void init_fail(struct init *in,
						struct qerr *e)
{
	struct sbmsg m = { .type = SBMSG_ERROR, .err = *e };

	sbmsg_send(in->sock, &m, -1);
	init_exit(in, 1);
}

/* The supervisor is gone */
static __attribute__((noreturn)) void init_orphaned(struct init *in)
{
	init_exit(in, 1);
}

static bool supervisor_gone(int sock)
{
	struct pollfd p = { sock, POLLIN, 0 };

	return poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR));
}

/* A fresh user namespace: our own ids mapped to themselves */
static int init_maps(struct init *in, struct qerr *e)
{
	char map[64];
	int r;

	if ((r = write_file("/proc/self/setgroups", "deny")) < 0)
		return qerr_set(e, -r, "writing /proc/self/setgroups");
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned int)in->cfg->uid,
		 (unsigned int)in->cfg->uid);
	if ((r = write_file("/proc/self/uid_map", map)) < 0)
		return qerr_set(e, -r, "writing /proc/self/uid_map");
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned int)in->cfg->gid,
		 (unsigned int)in->cfg->gid);
	if ((r = write_file("/proc/self/gid_map", map)) < 0)
		return qerr_set(e, -r, "writing /proc/self/gid_map");
	return 0;
}

/*
 * While inside hub @i's network namespace: keep a netlink socket there (to
 * enslave our veth's far end to the hub's bridge), the bridge's ifindex
 * and an fd of the namespace (where the far end is created).
 */
static int init_hub_open(struct init *in, int i, struct qerr *e)
{
	const char *net = in->cfg->plan->nics[i].spec->name;
	int r;

	if (setns(in->cfg->join[i].pidfd, CLONE_NEWNET) < 0) {
		if (errno == ESRCH)	/* the pidfd's process is gone */
			return qerr_set(e, 0, "network '%s': its hub ended "
					      "while this sandbox joined it",
					net);
		return qerr_set(e, errno, "entering network '%s'", net);
	}
	if ((r = nl_open(&in->hubnl[i], e)) < 0)
		return r;
	if (!(in->hub_bridge[i] = (int)if_nametoindex(HUB_BRIDGE)))
		return qerr_set(e, errno, "network '%s' has no bridge", net);
	in->hub_netns[i] = open("/proc/thread-self/ns/net",
				O_RDONLY | O_CLOEXEC);
	if (in->hub_netns[i] < 0)
		return qerr_set(e, errno, "opening network '%s'", net);
	return 0;
}

/*
 * A sandbox that shares the user namespace of the user's networks was
 * cloned inside it (spawn_in_userns), so it has power over the hubs'
 * network namespaces too: visit each, then come back to its own.
 */
static int init_join(struct init *in, struct qerr *e)
{
	const struct plan *p = in->cfg->plan;
	cleanup_fd int own = open("/proc/thread-self/ns/net",
				  O_RDONLY | O_CLOEXEC);
	int i, r;

	if (own < 0)
		return qerr_set(e, errno, "opening the sandbox's netns");
	for (i = 0; i < p->n_nics; i++)
		if (in->cfg->join[i].pidfd >= 0 &&
		    (r = init_hub_open(in, i, e)) < 0)
			return r;
	if (setns(own, CLONE_NEWNET) < 0)
		return qerr_set(e, errno, "returning to the sandbox's netns");
	return 0;
}

static int init_user(struct init *in, struct qerr *e)
{
	if (prctl(PR_SET_PDEATHSIG, SIGUSR1) < 0)
		return qerr_set(e, errno, "setting the parent-death signal");
	if (supervisor_gone(in->sock))
		init_orphaned(in);
	if (in->cfg->userns_pidfd >= 0)
		return init_join(in, e);
	return init_maps(in, e);
}

static int link_up(struct nl *nl, const char *name, int master,
		   unsigned int txqlen, unsigned int mtu, struct qerr *e)
{
	struct nl_link_change c = { .master = master, .txqlen = txqlen,
				    .mtu = mtu, .up = true };

	return nl_link_set(nl, name, &c, e);
}

/* The VM's NIC @i is TAP fd @fd: QEMU inherits it, with the plan's MAC */
static void vm_nic(struct init *in, int i, int fd)
{
	in->nics[i].fd = fd;
	memcpy(in->nics[i].mac, in->cfg->plan->nics[i].mac, 6);
}

/*
 * A VM's NIC @i: its TAP qvmN on bridge @brindex, the fd kept for QEMU.
 * Before the TAP is up, and so before the VM can send anything, its
 * ingress gets the anti-spoofing chain (antispoof.c): the NIC's MAC, and
 * @addr, the address the VM's DHCP will lease (INADDR_ANY: unknown).
 */
static int init_vm_tap(struct init *in, struct nl *nl, int i, int brindex,
		       struct in_addr addr, struct qerr *e)
{
	const uint8_t *mac = in->cfg->plan->nics[i].mac;
	char br[16], up[16], vm[16];
	struct antispoof as;
	int fd, r;

	sandbox_link_names(i, br, up, vm);
	if ((fd = tap_open(vm, true, e)) < 0)
		return fd;
	vm_nic(in, i, fd);
	antispoof_build(mac, addr, &as);
	if ((r = antispoof_install(vm, AS_INGRESS, &as, e)) < 0)
		return r;
	return link_up(nl, vm, brindex, TAP_TXQLEN, in->cfg->plan->nics[i].mtu,
		       e);
}

/* One NIC: bridge, uplink TAP (to the supervisor), VM TAP or address */
static int init_nic(struct init *in, struct nl *nl, int i, bool *routed,
		    struct qerr *e)
{
	const struct plan *p = in->cfg->plan;
	const struct nic_plan *n = &p->nics[i];
	char br[16], up[16], vm[16];
	cleanup_fd int upfd = -1;
	struct sbmsg m = { .type = SBMSG_UPLINK, .nic = i };
	int r, brindex;

	sandbox_link_names(i, br, up, vm);
	/* a command payload's NIC is the bridge: give it the plan's MAC */
	if ((r = nl_bridge_add(nl, br, p->vm ? NULL : n->mac, e)) < 0)
		return r;
	brindex = (int)if_nametoindex(br);
	if ((upfd = tap_open(up, false, e)) < 0)
		return upfd;
	if ((r = link_up(nl, up, brindex, TAP_TXQLEN, n->mtu, e)) < 0)
		return r;
	if (p->vm && (r = init_vm_tap(in, nl, i, brindex, n->guest, e)) < 0)
		return r;
	if ((r = link_up(nl, br, 0, 0, n->mtu, e)) < 0)
		return r;
	if (p->vm) {
		/* forwards reach the guest from here (see supervisor/forward.c) */
		r = nl_addr4_add(nl, br, subnet_host(n->net, HOST_SANDBOX),
				 n->prefix, e);
		if (r < 0)
			return r;
	} else {
		if ((r = nl_addr4_add(nl, br, n->guest, n->prefix, e)) < 0)
			return r;
		if (!*routed) {
			r = nl_route4_default(nl, br, n->gateway, e);
			if (r < 0)
				return r;
			*routed = true;
		}
	}
	if ((r = sbmsg_send(in->sock, &m, upfd)) < 0)
		return qerr_set(e, -r, "passing %s to the supervisor", up);
	return 0;
}

/*
 * A command's frames onto network NIC @i leave through @veth: its egress
 * gets the anti-spoofing chain a VM's TAP gets, for the command's MAC and
 * the address the hub reserved for it. A command has no capabilities, so
 * it cannot change its MAC or address, nor open a raw or packet socket,
 * but an ordinary UDP socket still sends a DHCP request naming any
 * chaddr (a pool drained), and IPV6_FREEBIND, which needs no capability,
 * sends IPv6 from any source address.
 */
static int init_cmd_guard(struct init *in, int i, const char *veth,
			  struct qerr *e)
{
	struct antispoof as;

	antispoof_build(in->cfg->plan->nics[i].mac, in->cfg->join[i].addr, &as);
	return antispoof_install(veth, AS_EGRESS, &as, e);
}

/*
 * A NIC on a named network: our bridge with a veth pair to the hub's
 * bridge, and the VM's TAP or the command's address. Frames between
 * members cross two bridges and a veth pair, all in the kernel.
 */
static int init_member_nic(struct init *in, struct nl *nl, int i,
			   bool *routed, struct qerr *e)
{
	const struct plan *p = in->cfg->plan;
	const struct nic_plan *n = &p->nics[i];
	const struct sandbox_join *j = &in->cfg->join[i];
	struct nl_link_change hub = { .master = in->hub_bridge[i], .up = true };
	char br[16], up[16], vm[16], veth[16];
	int r, brindex;

	sandbox_link_names(i, br, up, vm);
	snprintf(veth, sizeof(veth), "qnv%d", i);
	if ((r = nl_bridge_add(nl, br, p->vm ? NULL : n->mac, e)) < 0)
		return r;
	brindex = (int)if_nametoindex(br);
	if ((r = nl_veth_add(nl, veth, j->peer, in->hub_netns[i], e)) < 0 ||
	    (!p->vm && (r = init_cmd_guard(in, i, veth, e)) < 0) ||
	    (r = link_up(nl, veth, brindex, 0, 0, e)) < 0 ||
	    (r = nl_link_set(&in->hubnl[i], j->peer, &hub, e)) < 0)
		return r;
	if (p->vm && (r = init_vm_tap(in, nl, i, brindex, j->addr, e)) < 0)
		return r;
	if ((r = link_up(nl, br, 0, 0, 0, e)) < 0)
		return r;
	if (p->vm || !j->addr.s_addr)
		return 0;
	if ((r = nl_addr4_add(nl, br, j->addr, n->prefix, e)) < 0)
		return r;
	if (!*routed && n->gateway.s_addr) {
		if ((r = nl_route4_default(nl, br, n->gateway, e)) < 0)
			return r;
		*routed = true;
	}
	return 0;
}

/*
 * A hub's segment: the bridge, the uplink TAP when the network has a way
 * out (natnet, hostonly), and the hub's own address on the segment (its
 * DHCP server's, and where forwards and `qbox exec NETWORK` start from).
 */
static int init_hub_nic(struct init *in, struct nl *nl, struct qerr *e)
{
	const struct nic_plan *n = &in->cfg->plan->nics[0];
	struct sbmsg m = { .type = SBMSG_UPLINK, .nic = 0 };
	char br[16], up[16], vm[16];
	cleanup_fd int upfd = -1;
	int r, brindex;

	sandbox_link_names(0, br, up, vm);
	if ((r = nl_bridge_add(nl, br, NULL, e)) < 0)
		return r;
	brindex = (int)if_nametoindex(br);
	if (n->layout.uplink) {
		if ((upfd = tap_open(up, false, e)) < 0)
			return upfd;
		if ((r = link_up(nl, up, brindex, TAP_TXQLEN, 0, e)) < 0)
			return r;
	}
	if ((r = link_up(nl, br, 0, 0, 0, e)) < 0)
		return r;
	if (n->layout.hub.s_addr &&
	    (r = nl_addr4_add(nl, br, n->layout.hub, n->prefix, e)) < 0)
		return r;
	if (upfd >= 0 && (r = sbmsg_send(in->sock, &m, upfd)) < 0)
		return qerr_set(e, -r, "passing %s to the supervisor", up);
	if (n->layout.dhcp) {
		/* bound here, served by the supervisor (network/hub.c) */
		cleanup_fd int dfd = dhcp_socket(br, e);

		m.type = SBMSG_DHCP;
		if (dfd < 0)
			return dfd;
		if ((r = sbmsg_send(in->sock, &m, dfd)) < 0)
			return qerr_set(e, -r, "passing the DHCP socket to the "
					       "supervisor");
	}
	return 0;
}

/*
 * Where br_netfilter is loaded (Docker loads it, and this module's
 * sysctls are per network namespace), every IPv4 and IPv6 frame our
 * bridges pass is also handed to the iptables hooks, which this
 * namespace has no rule for: qbox filters with nftables' netdev family
 * (antispoof_nft.c), which needs none of it. Turning it off here bought
 * VM-to-VM on a natnet a quarter more throughput (three bridges on the
 * way). Best effort: without the module the files do not exist, and
 * before Linux 5.3 they are the host's and not ours to write.
 */
static void bridge_nf_off(void)
{
	static const char *const calls[] = { "iptables", "ip6tables",
					     "arptables" };
	char path[64];
	size_t i;

	for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		snprintf(path, sizeof(path),
			 "/proc/sys/net/bridge/bridge-nf-call-%s", calls[i]);
		write_file(path, "0");
	}
}

static int init_links(struct init *in, struct qerr *e)
{
	const struct plan *p = in->cfg->plan;
	struct nl nl = { 0 };
	bool routed = false;
	int i, r;

	if ((r = nl_open(&nl, e)) < 0)
		return r;
	bridge_nf_off();
	r = link_up(&nl, "lo", 0, 0, 0, e);
	if (r == 0 && p->hub)
		r = init_hub_nic(in, &nl, e);
	for (i = 0; r == 0 && !p->hub && i < p->n_nics; i++) {
		in->nics[i].fd = -1;
		if (p->nics[i].mode == NET_NAT)
			r = init_nic(in, &nl, i, &routed, e);
		else if (net_mode_named(p->nics[i].mode))
			r = init_member_nic(in, &nl, i, &routed, e);
		else if (p->nics[i].mode == NET_BRIDGED)
			vm_nic(in, i, in->cfg->tapfd[i]);
	}
	nl_close(&nl);
	/* the hubs' namespaces must not live on through us */
	for (i = 0; i < p->n_nics; i++) {
		nl_close(&in->hubnl[i]);
		if (in->hub_netns[i] >= 0)
			close(in->hub_netns[i]);
		in->hub_netns[i] = -1;
	}
	return r;
}

/*
 * A hub's stream relay (dataplane/stream_relay.c): the generic members'
 * frames, in a confined child of ours (seccomp/child.h) whose socket goes
 * to the supervisor. Its death is reported to the supervisor (init_reaped).
 */
static int init_relay(struct init *in, struct qerr *e)
{
	struct child_spec spec = { .name = "qbox-stream", .enter_pidfd = -1,
				   .main = stream_relay_main,
				   .arg = (void *)in->cfg->filters };
	struct sbmsg m = { .type = SBMSG_RELAY };
	struct child c;
	char how[256];
	int r;

	if (!in->cfg->plan->hub)
		return 0;
	r = child_start(&spec, &c, e);
	if (r == -ECHILD) {
		status_describe(c.status, how, sizeof(how));
		return qerr_set(e, 0, "the stream relay ended while starting "
				      "(%s)", how);
	}
	if (r < 0 && r != -EIO)
		return qerr_set(e, -r, "starting the stream relay");
	if (r < 0)
		return r;
	in->relay = c.pid;
	r = sbmsg_send(in->sock, &m, c.sock);
	close(c.sock);
	if (r < 0)
		return qerr_set(e, -r, "passing the stream relay to the "
				       "supervisor");
	return 0;
}

/*
 * A hub's socket member @id gets a TAP of its own on the bridge, made here
 * (init keeps CAP_NET_ADMIN; the relay has none) and handed to the relay.
 * It stays down, so nothing the client sends reaches the segment, until
 * the member's MAC (and lease) are known and its anti-spoofing chain is in
 * place (init_stream_guard), as a VM's is before its TAP comes up.
 */
static void init_stream_tap(struct init *in, int32_t id)
{
	struct sbmsg m = { .type = SBMSG_TAP, .value = id };
	struct nl_link_change port = {
		.master = (int)if_nametoindex(HUB_BRIDGE) };
	struct nl nl = { 0 };
	struct qerr e = { 0 };
	cleanup_fd int fd = -1;
	char name[16];

	snprintf(name, sizeof(name), "qs%d", (int)id);
	if (!port.master)
		m.errnum = ENODEV;
	else if (nl_open(&nl, &e) < 0 || (fd = tap_open(name, false, &e)) < 0 ||
		 nl_link_set(&nl, name, &port, &e) < 0)
		m.errnum = e.errnum > 0 ? e.errnum : EIO;
	if (m.errnum && fd >= 0)
		nl_link_del(&nl, name, &e);
	nl_close(&nl);
	sbmsg_send(in->sock, &m, m.errnum ? -1 : fd);
}

/* Socket member @r->value's rules (antispoof.c), then its TAP up */
static void init_stream_guard(struct init *in, const struct sbmsg *r)
{
	struct sbmsg m = { .type = SBMSG_GUARD, .value = r->value };
	struct in_addr addr = { r->addr };
	struct nl nl = { 0 };
	struct qerr e = { 0 };
	struct antispoof as;
	char name[16];

	snprintf(name, sizeof(name), "qs%d", (int)r->value);
	antispoof_build(r->mac, addr, &as);
	if (antispoof_install(name, AS_INGRESS, &as, &e) < 0 ||
	    nl_open(&nl, &e) < 0 ||
	    link_up(&nl, name, 0, 0, 0, &e) < 0)
		m.errnum = e.errnum > 0 ? e.errnum : EIO;
	nl_close(&nl);
	sbmsg_send(in->sock, &m, -1);
}

/*
 * Socket member @id left: its chain and its TAP go. TAPs are persistent
 * (tap.h) and a netdev chain outlives its device, so both are deleted
 * here, by name (a member that never sent a frame has no chain).
 */
static void init_stream_untap(int32_t id)
{
	struct nl nl = { 0 };
	struct qerr e = { 0 };
	char name[16];

	snprintf(name, sizeof(name), "qs%d", (int)id);
	antispoof_remove(name, &e);
	if (nl_open(&nl, &e) == 0)
		nl_link_del(&nl, name, &e);
	nl_close(&nl);
}

/*
 * A command payload reads the host's /etc/resolv.conf. When that names a
 * resolver on the host's loopback (systemd-resolved's 127.0.0.53, say),
 * the sandbox's own loopback has none: give the payload a private mount
 * namespace in which /etc/resolv.conf names the NIC's DNS forwarder
 * instead, keeping the host's search and options lines. The file is made
 * in the runtime directory, bind-mounted, and unlinked at once: the mount
 * keeps it alive, nothing is left to clean up.
 */
static int init_resolv(struct init *in, struct qerr *e)
{
	const struct plan *p = in->cfg->plan;
	char host[8192], name[96], proc[32], dns[INET_ADDRSTRLEN], src[4096];
	struct strbuf out = { 0 };
	const struct nic_plan *nat = NULL;
	bool loopback = false;
	char *line, *save;
	cleanup_fd int fd = -1;
	int i, r = 0;
	ssize_t n;

	for (i = 0; i < p->n_nics && !nat; i++)
		if (p->nics[i].mode != NET_NONE && p->nics[i].dns.s_addr)
			nat = &p->nics[i];
	if (p->vm || !nat || read_file("/etc/resolv.conf", host,
				       sizeof(host)) < 0)
		return 0;
	inet_ntop(AF_INET, &nat->dns, dns, sizeof(dns));
	sb_printf(&out, "# qbox: the host's resolver is on its loopback; "
			"DNS goes through the NAT's forwarder\nnameserver %s\n",
		  dns);
	for (line = strtok_r(host, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "nameserver", 10)) {
			sb_printf(&out, "%s\n", line);
			continue;
		}
		line += 10 + strspn(line + 10, " \t");
		if (!strncmp(line, "127.", 4) || !strncmp(line, "::1", 3))
			loopback = true;
	}
	if (!loopback || out.oom)
		goto done;
	snprintf(name, sizeof(name), "%s.resolv.conf", p->name);
	fd = openat(in->cfg->rundir_fd, name,
		    O_RDWR | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		r = qerr_set(e, errno, "creating %s", name);
		goto done;
	}
	/*
	 * By path, not through the fd: after unshare() the fd's mount belongs
	 * to the old namespace, and a bind mount from there is refused.
	 */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	n = readlink(proc, src, sizeof(src) - 1);
	if (n <= 0) {
		r = qerr_set(e, n < 0 ? errno : EIO, "locating %s", name);
	} else {
		src[n] = '\0';
		if (write_all(fd, out.s, out.len) < 0 ||
		    unshare(CLONE_NEWNS) < 0 ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
		    mount(src, "/etc/resolv.conf", NULL, MS_BIND, NULL) < 0)
			r = qerr_set(e, errno, "giving the sandbox its "
					       "resolv.conf");
	}
	unlinkat(in->cfg->rundir_fd, name, 0);
done:
	sb_free(&out);
	return r;
}

static void init_wait_go(struct init *in)
{
	struct sbmsg m;
	int fd, r;

	r = sbmsg_recv(in->sock, &m, &fd);
	if (fd >= 0)
		close(fd);
	if (r <= 0 || m.type != SBMSG_GO)
		init_orphaned(in);
}

/* Why the payload did not start: the errno, and of which step */
struct exec_failure {
	int err;
	bool policy;		/* loading the policy, else execve */
};

/* In the payload's process, between fork and exec */
static __attribute__((noreturn)) void payload_exec(struct init *in,
						   char **argv, int errpipe)
{
	struct exec_failure f = { 0 };
	struct qerr e;
	int i;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != 1)	/* init died before we set PDEATHSIG */
		_exit(1);
	/* the payload starts as qbox was started: same mask, same SIGPIPE */
	sigprocmask(SIG_SETMASK, &in->cfg->sigmask, NULL);
	sigaction(SIGPIPE, &in->cfg->sigpipe, NULL);
	setrlimit(RLIMIT_NOFILE, &in->cfg->nofile);
	for (i = 0; i < in->cfg->plan->n_nics; i++)
		if (in->nics[i].fd >= 0)
			fcntl(in->nics[i].fd, F_SETFD, 0);
	/* the last step: from here on, only what the policy allows */
	if (filter_load(in->cfg->filters->policy, &e) < 0) {
		f.err = e.errnum;
		f.policy = true;
	} else {
		execvp(argv[0], argv);
		f.err = errno;
	}
	if (write(errpipe, &f, sizeof(f)) < 0)
		_exit(127);
	_exit(127);
}

static int init_start_payload(struct init *in, struct qerr *e)
{
	const struct plan *p = in->cfg->plan;
	char **argv = p->argv, **qargv = NULL;
	cleanup_fd int rd = -1;
	cleanup_fd int wr = -1;
	struct exec_failure f;
	int pipefd[2], i;
	ssize_t n;

	if (p->vm) {
		int nn = p->n_nics;

		if (p->nics[0].mode == NET_NONE)
			in->nics[0].fd = -1;
		qargv = qemu_argv_build(argv, in->nics, nn);
		if (!qargv)
			return qerr_set(e, ENOMEM, "building QEMU's arguments");
		argv = qargv;
	}
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return qerr_set(e, errno, "creating exec status pipe");
	rd = pipefd[0];
	wr = pipefd[1];
	in->payload = fork();
	if (in->payload < 0)
		return qerr_set(e, errno, "forking the payload");
	if (in->payload == 0)
		payload_exec(in, argv, wr);
	close(steal_fd(&wr));
	qemu_argv_free(qargv);
	for (i = 0; i < p->n_nics; i++)
		if (in->nics[i].fd >= 0)
			close(in->nics[i].fd);
	do
		n = read(rd, &f, sizeof(f));
	while (n < 0 && errno == EINTR);
	if (n == sizeof(f)) {
		waitpid(in->payload, NULL, 0);
		in->payload = 0;
		if (f.policy)
			return qerr_set(e, f.err, "loading the seccomp policy "
						  "%s", p->policy);
		return qerr_set(e, f.err, "executing '%s'", p->argv[0]);
	}
	return 0;
}

/*
 * While the payload runs the supervisor sends nothing but its EOF; a
 * hub's asks for its socket members' TAPs, their rules, and their end.
 */
static void init_message(struct init *in)
{
	struct sbmsg m;
	int fd, r = sbmsg_recv(in->sock, &m, &fd);

	if (fd >= 0)
		close(fd);
	if (r <= 0)
		init_orphaned(in);
	if (!in->cfg->plan->hub)
		return;
	if (m.type == SBMSG_TAP_REQ)
		init_stream_tap(in, m.value);
	else if (m.type == SBMSG_GUARD_REQ)
		init_stream_guard(in, &m);
	else if (m.type == SBMSG_TAP_DEL)
		init_stream_untap(m.value);
}

/* A child other than the payload ended: a hub's stream relay's death
 * ends the hub (the supervisor decides; it has the relay's last words);
 * anything else was an orphan of the payload's */
static void init_reaped(struct init *in, pid_t pid, int status)
{
	struct sbmsg m = { .type = SBMSG_RELAY_EXIT, .value = status };

	if (pid != in->relay)
		return;
	in->relay = 0;
	sbmsg_send(in->sock, &m, -1);
}

/* Forward signals, reap orphans, report the payload's end */
static __attribute__((noreturn)) void init_loop(struct init *in)
{
	struct sbmsg m = { .type = SBMSG_STARTED };
	struct qerr e = { 0 };
	sigset_t set;
	int sfd;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sfd < 0) {
		kill(in->payload, SIGKILL);
		_exit(1);
	}
	/* at once: until the supervisor knows, a signal abandons the start */
	m.value = in->payload;
	sbmsg_send(in->sock, &m, -1);
	fault_point(in->cfg->plan->hub ? "hub-init" : "init", "running");
	/*
	 * From here on, init only does what the helper filter allows. Not a
	 * hub's: it still makes links (a TAP per socket member, see
	 * init_stream_tap), and the filter's reason does not apply to it. It
	 * keeps CAP_NET_ADMIN, and the kernel lets no process without it (its
	 * forward workers and stream relay) ptrace it or write its memory.
	 */
	if (!in->cfg->plan->hub &&
	    filter_load(in->cfg->filters->helper, &e) < 0)
		init_fail(in, &e);
	for (;;) {
		struct pollfd pfd[2] = { { sfd, POLLIN, 0 },
					 { in->sock, POLLIN, 0 } };
		struct signalfd_siginfo si;
		int status;
		pid_t pid;

		if (poll(pfd, 2, -1) < 0)
			continue;
		if (pfd[1].revents)
			init_message(in);
		if (!pfd[0].revents ||
		    read(sfd, &si, sizeof(si)) != sizeof(si))
			continue;
		switch (si.ssi_signo) {
		case SIGUSR1:
			if (supervisor_gone(in->sock))
				init_orphaned(in);
			break;
		case SIGCHLD:
			while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
				if (pid != in->payload) {
					init_reaped(in, pid, status);
					continue;
				}
				in->payload = 0;
				m.type = SBMSG_EXIT;
				m.value = status;
				sbmsg_send(in->sock, &m, -1);
				init_exit(in, 0);
			}
			break;
		default:
			if (in->payload > 0)
				kill(in->payload, (int)si.ssi_signo);
			else	/* a hub: told to end */
				init_exit(in, 0);
		}
	}
}

static __attribute__((noreturn)) void init_main(const struct sandbox_cfg *cfg,
						int sock)
{
	struct init in = { .cfg = cfg, .sock = sock };
	struct sbmsg ready = { .type = SBMSG_NET_READY };
	const char *role = cfg->plan->hub ? "hub-init" : "init";
	struct qerr e = { 0 };
	int i;

	for (i = 0; i < MAX_NICS; i++)
		in.hub_netns[i] = -1;

	/*
	 * The supervisor's own fds that a fork hands down: --ready-fd must
	 * reach EOF when the supervisor closes it. The user's other fds stay,
	 * for the payload.
	 */
	if (cfg->plan->ready_fd >= 0)
		close(cfg->plan->ready_fd);
	if (cfg->sup_sigfd >= 0)
		close(cfg->sup_sigfd);
	if (cfg->sup_lockfd >= 0)
		close(cfg->sup_lockfd);

	if (init_user(&in, &e) < 0 || init_links(&in, &e) < 0)
		init_fail(&in, &e);
	fault_point(role, "links");
	if (init_relay(&in, &e) < 0 || init_resolv(&in, &e) < 0)
		init_fail(&in, &e);
	fault_point(role, "net-ready");
	sbmsg_send(sock, &ready, -1);
	init_wait_go(&in);
	fault_point(role, "go");
	/*
	 * A hub's init has no payload, but makes and removes a TAP, its
	 * anti-spoofing chain and its bridge port for each client of the
	 * network's socket while the network runs (init_stream_tap): of its
	 * powers it keeps CAP_NET_ADMIN over the hub's own namespaces.
	 */
	if (cfg->plan->hub) {
		if (confine_keeping(cfg->filters->baseline, CAP_NET_ADMIN,
				    &e) < 0)
			init_fail(&in, &e);
	} else if (confine_self(cfg->filters->baseline, &e) < 0 ||
		   init_start_payload(&in, &e) < 0) {
		init_fail(&in, &e);
	}
	init_loop(&in);
}

/* ---- spawn: in the supervisor ----------------------------------------- */

/* Why clone(CLONE_NEWUSER) failed, with the sysctls that decide it */
static int userns_error(int err, struct qerr *e)
{
	static const char *const knobs[][2] = {
		{ "/proc/sys/kernel/unprivileged_userns_clone",
		  "kernel.unprivileged_userns_clone" },
		{ "/proc/sys/user/max_user_namespaces",
		  "user.max_user_namespaces" },
		{ "/proc/sys/kernel/apparmor_restrict_unprivileged_userns",
		  "kernel.apparmor_restrict_unprivileged_userns" },
	};
	char hint[512] = "", val[32];
	size_t i, len = 0;

	for (i = 0; i < ARRAY_SIZE(knobs); i++) {
		if (read_file(knobs[i][0], val, sizeof(val)) < 0)
			continue;
		val[strcspn(val, "\n")] = '\0';
		len += (size_t)snprintf(hint + len, sizeof(hint) - len,
					"%s%s = %s", len ? ", " : "",
					knobs[i][1], val);
		if (len >= sizeof(hint))
			break;
	}
	if (err != EPERM && err != ENOSPC && err != EUSERS && err != EINVAL)
		return qerr_set(e, err, "creating the sandbox's namespaces");
	qerr_usage(e, "cannot create a user namespace (%s): unprivileged user "
		      "namespaces are disabled or exhausted on this host. "
		      "Check the sysctls (%s): user.max_user_namespaces must be "
		      "above 0 and kernel.unprivileged_userns_clone (Debian) "
		      "must be 1; in a container, its seccomp profile may "
		      "forbid them", strerror(err), hint);
	return -err;
}

/*
 * Spawn init inside the user namespace of @cfg->userns_pidfd. Only a
 * process already in that namespace may create PID and network
 * namespaces owned by it, and the supervisor must stay where it is: a
 * short-lived child enters the namespace and clones init with
 * CLONE_PARENT, so init is still the supervisor's child (its SIGCHLD,
 * its waitpid, its PDEATHSIG). The child reports init's pid on a pipe.
 */
static pid_t spawn_in_userns(const struct sandbox_cfg *cfg, int sv[2],
			     struct qerr *e)
{
	int fds[2], status;
	pid_t mid, pid = -1;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return qerr_set(e, errno, "creating a pipe");
	mid = fork();
	if (mid == 0) {
		/* init must see EOF when the supervisor closes its end */
		close(sv[0]);
		close(fds[0]);
		if (setns(cfg->userns_pidfd, CLONE_NEWUSER) < 0) {
			pid = -errno;
		} else {
			pid = (pid_t)syscall(SYS_clone, CLONE_PARENT |
					     CLONE_NEWPID | CLONE_NEWNET |
					     SIGCHLD, NULL, NULL, NULL, NULL);
			if (pid == 0) {
				close(fds[1]);
				init_main(cfg, sv[1]);
			}
			if (pid < 0)
				pid = -errno;
		}
		_exit(write(fds[1], &pid, sizeof(pid)) != sizeof(pid));
	}
	close(fds[1]);
	if (mid < 0 || waitpid(mid, &status, 0) != mid ||
	    read(fds[0], &pid, sizeof(pid)) != sizeof(pid))
		pid = -EIO;
	close(fds[0]);
	if (pid == -ESRCH)	/* the pidfd's process is gone */
		return qerr_set(e, 0, "a network's hub ended while this "
				      "sandbox joined it");
	if (pid == -EPERM)	/* not ours to enter: we are not its parent's */
		return qerr_usage(e, "entering the user namespace of your "
				     "networks: %s (their hubs run in another "
				     "user namespace than this qbox, outside "
				     "a container, say: give this one a runtime "
				     "directory of its own, XDG_RUNTIME_DIR)",
				  strerror(EPERM));
	if (pid < 0)
		return qerr_set(e, -pid, "entering the user namespace of your "
					 "networks");
	return pid;
}

int sandbox_spawn(const struct sandbox_cfg *cfg, struct sandbox *sb,
		  struct qerr *e)
{
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return qerr_set(e, errno, "creating the sandbox socket");
	if (cfg->userns_pidfd >= 0) {
		pid = spawn_in_userns(cfg, sv, e);
		close(sv[1]);
		if (pid < 0) {
			close(sv[0]);
			return pid;
		}
		sb->pid = pid;
		sb->sock = sv[0];
		return 0;
	}
	/* A fork-like clone: no stack, the child continues here. */
	pid = (pid_t)syscall(SYS_clone, CLONE_NEWUSER | CLONE_NEWNET |
						CLONE_NEWPID | SIGCHLD,
			     NULL, NULL, NULL, NULL);
	if (pid < 0) {
		int err = errno;

		close(sv[0]);
		close(sv[1]);
		return userns_error(err, e);
	}
	if (pid == 0) {
		close(sv[0]);
		init_main(cfg, sv[1]);
	}
	close(sv[1]);
	sb->pid = pid;
	sb->sock = sv[0];
	return 0;
}
