/* SPDX-License-Identifier: MIT */
/*
 * plan.h - what one sandbox will look like, decided before anything exists
 *
 * The command line is parsed into run_opts (cli.c), then resolved here into
 * a plan: every NIC's addresses and MAC, every forward's target. All checks
 * that a user can fail happen while building the plan, so a bad invocation
 * exits 2 before a single namespace, socket or file is created.
 */
#ifndef QBOX_PLAN_H
#define QBOX_PLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "spec.h"

#define MAX_NICS 8
#define MAX_FWDS 64
#define SANDBOX_NAME_MAX 48

/* Host indexes inside a NAT subnet, as in QEMU/VirtualBox user networking */
#define HOST_GATEWAY 2		/* gateway and alias of the host's loopback */
#define HOST_DNS 3		/* DNS forwarder */
#define HOST_DHCP_FIRST 15	/* first DHCP lease: the VM's address */
#define HOST_COMMAND 100	/* static address of a non-VM payload */
#define HOST_SANDBOX 1		/* a VM sandbox's own address: forwards
				   dial the guest from it (libslirp leaves
				   .1 unused) */

/*
 * MTU of a NAT NIC's sandbox links and of its libslirp. A command payload
 * talks over the bridge itself, so it gets libslirp's largest (as
 * slirp4netns --mtu=65520): a bulk transfer then costs libslirp one frame,
 * one TAP read and one checksum pass per 64 KiB instead of per 1.5 KiB. A
 * VM's guest keeps Ethernet's 1500, which DHCP has no say in, and libslirp
 * must not send it frames larger than that.
 */
#define NAT_MTU_COMMAND 65520
#define NAT_MTU_VM 1500

struct run_opts {
	const char *name;		/* NULL: a unique default */
	const char *net_text[MAX_NICS];
	struct net_spec nets[MAX_NICS];
	int n_nets;
	const char *fwd_text[MAX_FWDS];
	struct fwd_spec fwds[MAX_FWDS];
	int n_fwds;
	const char *mac_text;		/* --mac: MAC of the first NIC */
	uint8_t mac[6];
	bool force_vm;			/* --vm */
	int ready_fd;			/* --ready-fd, -1 when absent */
	char **argv;			/* payload command, NULL-terminated */
	int argc;
};

struct nic_plan {
	enum net_mode mode;
	struct in_addr net;
	unsigned int prefix;
	struct in_addr gateway, dns, dhcp_start;
	struct in_addr guest;	/* the VM's lease, or the command's address */
	uint8_t mac[6];
	unsigned int mtu;	/* NAT_MTU_COMMAND or NAT_MTU_VM */
};

struct fwd_plan {
	const char *text;	/* as the user wrote it, for messages */
	struct fwd_spec spec;
	int nic;		/* index into plan.nics */
	struct in_addr guest;
};

struct plan {
	char name[SANDBOX_NAME_MAX + 1];
	bool vm;		/* payload is qemu-system-* (or --vm) */
	int n_nics;
	struct nic_plan nics[MAX_NICS];
	int n_fwds;
	struct fwd_plan fwds[MAX_FWDS];
	int ready_fd;		/* written "ready\n" and closed when ready */
	char **argv;
};

/**
 * plan_build() - resolve parsed options into a complete plan
 * @o:		options from run_opts_parse()
 * @default_name: name to use when --name is absent (e.g. "qbox-1234")
 * @p:		plan to fill
 * @e:		usage error naming the flag and value at fault
 *
 * Return: 0 or -EINVAL
 */
int plan_build(const struct run_opts *o, const char *default_name,
	       struct plan *p, struct qerr *e);

/**
 * fwd_resolve() - which NIC and guest address a forward goes to
 * @p:		the sandbox's plan
 * @spec:	the forward
 * @f:		filled: spec, nic, guest (text is left alone)
 * @e:		usage error (no NAT NIC; guest address in no NAT subnet)
 *
 * Without a guest address: the first NAT NIC's VM lease or command
 * address; with one: the NAT NIC whose subnet holds it.
 * Return: 0 or -EINVAL
 */
int fwd_resolve(const struct plan *p, const struct fwd_spec *spec,
		struct fwd_plan *f, struct qerr *e);

/* Same protocol, host address and host port */
bool fwd_same_host_side(const struct fwd_spec *a, const struct fwd_spec *b);

/* Whether @name is a valid sandbox name: [A-Za-z0-9][A-Za-z0-9_.-]*;
 * @what names it in the message ("--name", "NAME") */
int name_check(const char *name, const char *what, struct qerr *e);

/*
 * The MAC of NIC @index of sandbox @name: 52:54:00 (QEMU's prefix) and three
 * bytes of a hash, so a sandbox keeps its MACs across restarts.
 */
void mac_derive(const char *name, int index, uint8_t mac[6]);

/* Whether @argv0 names a QEMU system emulator (basename qemu-system-*) */
bool argv_is_qemu(const char *argv0);

#endif /* QBOX_PLAN_H */
