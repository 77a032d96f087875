// SPDX-License-Identifier: MIT
/* capture.c - a sandbox's frames to pcap, with libpcap (capture.h) */
#include "netns/capture.h"

#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <string.h>

int capture_compile(const char *words, struct bpf_program *prog,
		    struct qerr *e)
{
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, CAPTURE_SNAPLEN);
	int r = 0;

	if (!dead)
		return qerr_set(e, ENOMEM, "libpcap");
	if (pcap_compile(dead, prog, words, 1, PCAP_NETMASK_UNKNOWN) < 0)
		r = qerr_usage(e, "filter '%s': %s", words, pcap_geterr(dead));
	pcap_close(dead);
	return r;
}

int capture_device(bool network, int nic, char dev[16], struct qerr *e)
{
	if (network) {
		snprintf(dev, 16, "qbr0");
		return 0;
	}
	snprintf(dev, 16, "qvm%d", nic);
	if (if_nametoindex(dev))
		return 0;
	snprintf(dev, 16, "qbr%d", nic);
	if (if_nametoindex(dev))
		return 0;
	qerr_usage(e, "no nic%d to capture on (none, or bridged: its TAP is "
		      "the administrator's, tcpdump -i TAPDEV there)", nic);
	return -ENODEV;
}

int capture_open(const char *dev, bool promisc, struct bpf_program *prog,
		 FILE *out, struct capture *c, struct qerr *e)
{
	char err[PCAP_ERRBUF_SIZE];

	*c = (struct capture){ 0 };
	if (!(c->pcap = pcap_create(dev, err)))
		return qerr_set(e, EIO, "%s: %s", dev, err);
	pcap_set_snaplen(c->pcap, CAPTURE_SNAPLEN);
	pcap_set_promisc(c->pcap, promisc);
	pcap_set_immediate_mode(c->pcap, 1);
	if (pcap_activate(c->pcap) < 0 || pcap_setfilter(c->pcap, prog) < 0 ||
	    pcap_setnonblock(c->pcap, 1, err) < 0 ||
	    !(c->dump = pcap_dump_fopen(c->pcap, out))) {
		qerr_set(e, EIO, "%s: %s", dev, pcap_geterr(c->pcap));
		pcap_close(c->pcap);
		c->pcap = NULL;
		return -EIO;
	}
	/* the file's header now: a capture that sees nothing is a valid,
	   empty file */
	pcap_dump_flush(c->dump);
	return 0;
}

static void frame_out(u_char *user, const struct pcap_pkthdr *h,
		      const u_char *bytes)
{
	pcap_dump(user, h, bytes);
	pcap_dump_flush((pcap_dumper_t *)user);
}

int capture_run(struct capture *c, unsigned long count, int watch,
		volatile sig_atomic_t *stop, struct qerr *e)
{
	struct pollfd fds[2] = { { pcap_get_selectable_fd(c->pcap), POLLIN, 0 },
				 { watch, POLLIN, 0 } };
	unsigned long seen = 0;
	int n;

	while (!*stop && (!count || seen < count)) {
		if (poll(fds, 2, 200) < 0 && errno != EINTR)
			return qerr_set(e, errno, "capture: poll");
		n = pcap_dispatch(c->pcap, count ? (int)(count - seen) : -1,
				  frame_out, (u_char *)c->dump);
		if (n < 0)
			return qerr_set(e, EIO, "capture: %s",
					pcap_geterr(c->pcap));
		seen += (unsigned long)n;
		if (fds[1].revents)
			return 1;
	}
	return 0;
}

void capture_close(struct capture *c)
{
	if (c->dump)
		pcap_dump_close(c->dump);
	if (c->pcap)
		pcap_close(c->pcap);
	*c = (struct capture){ 0 };
}
