/* SPDX-License-Identifier: MIT */
/*
 * capture.h - frames of a sandbox's NIC, or of a network's segment, to a
 * pcap file, from inside its network namespace (libpcap)
 *
 * Used by `qbox capture` (runner/capture.c), which enters the namespaces
 * itself, and by `--net ...,pcap=FILE` (supervisor/sup_pcap.c), whose
 * capture is a child started in them (seccomp/child.h). Where it
 * listens: a VM's NIC N is its TAP qvmN (every frame the guest sends or
 * gets, and nothing else); a command's, its bridge qbrN, which holds its
 * address; a network's segment, the hub's bridge qbr0 in promiscuous
 * mode (a bridge in promiscuous mode passes up every frame it switches).
 * Every frame is flushed as it is written, so a capture that is killed
 * keeps every frame it saw.
 */
#ifndef QBOX_CAPTURE_H
#define QBOX_CAPTURE_H

#include <pcap/pcap.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include "common/err.h"

#define CAPTURE_SNAPLEN 262144

struct capture {
	pcap_t *pcap;
	pcap_dumper_t *dump;
};

/* tcpdump's filter @words, compiled for Ethernet; a bad one is a usage
 * error naming it. 0 or -EINVAL. */
int capture_compile(const char *words, struct bpf_program *prog,
		    struct qerr *e);

/*
 * Inside the namespaces: the device of NIC @nic (qvmN, else qbrN), or of
 * the segment (@network: qbr0) into @dev; -ENODEV (a usage error) when
 * there is none
 */
int capture_device(bool network, int nic, char dev[16], struct qerr *e);

/* Listen on @dev (promiscuous for a segment) through @prog, writing pcap
 * to @out. 0 or -errno with @e. */
int capture_open(const char *dev, bool promisc, struct bpf_program *prog,
		 FILE *out, struct capture *c, struct qerr *e);

/*
 * Write frames until @count of them (0: no end), until *@stop, or until
 * @watch is readable or hung up (the sandbox's pidfd, or a parent's
 * socket). 0 (@count, *@stop), 1 (@watch), or -EIO with @e.
 */
int capture_run(struct capture *c, unsigned long count, int watch,
		volatile sig_atomic_t *stop, struct qerr *e);

/* Flush and close (the output too) */
void capture_close(struct capture *c);

#endif /* QBOX_CAPTURE_H */
