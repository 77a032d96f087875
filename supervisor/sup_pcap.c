// SPDX-License-Identifier: MIT
/*
 * sup_pcap.c - `--net ...,pcap=FILE`: a NIC's frames from the sandbox's
 * start (sup.h)
 *
 * At NET_READY, before GO and so before the payload's first frame, the
 * supervisor opens the file (created mode 0600, or truncated), as the
 * user, where the user's words put it (a path that cannot be written is
 * exit 2, and the run is undone; a run refused before, a name in use,
 * truncates nothing), and a child per such NIC enters the sandbox's user and network namespaces
 * (seccomp/child.h), opens its packet socket on the NIC's device
 * (netns/capture.h), confines itself as a forward worker does (no
 * capabilities, no_new_privs, baseline filter) and says it is ready; it
 * writes every frame as it comes, and ends when the supervisor hangs up
 * on it at the run's end, or when the NIC's device goes with the
 * sandbox's namespace.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "netns/capture.h"
#include "seccomp/child.h"
#include "supervisor/sup.h"

/* NIC @i's pcap= file, made (mode 0600) or truncated */
static int sup_pcap_file(const struct plan *p, int i, struct qerr *e)
{
	int fd = open(p->nics[i].pcap, O_WRONLY | O_CREAT | O_TRUNC |
		      O_CLOEXEC | O_NOCTTY, 0600);

	if (fd < 0)
		return qerr_usage(e, "--net %s: pcap=%s: %s", p->nics[i].text,
				  p->nics[i].pcap, strerror(errno));
	return fd;
}

struct pcap_job {
	int nic;
	int fd;
	const struct filters *filters;
};

/* In the child, inside the sandbox's namespaces */
static int pcap_main(void *arg, int sock, struct qerr *e)
{
	static volatile sig_atomic_t never;
	const struct pcap_job *j = arg;
	struct bpf_program prog;
	struct capture c;
	char dev[16];
	FILE *out;
	int r;

	if (!(out = fdopen(j->fd, "w")))
		return qerr_set(e, errno, "pcap: its file");
	if ((r = capture_device(false, j->nic, dev, e)) < 0 ||
	    (r = capture_compile("", &prog, e)) < 0 ||
	    (r = capture_open(dev, false, &prog, out, &c, e)) < 0)
		return r;
	pcap_freecode(&prog);
	if ((r = child_confine(j->filters, NULL, e)) < 0 ||
	    (r = child_ready(sock)) < 0) {
		capture_close(&c);
		return r;
	}
	r = capture_run(&c, 0, sock, &never, e);
	capture_close(&c);
	return r < 0 ? r : 0;
}

int sup_pcap_start(struct sup *s, struct qerr *e)
{
	const struct plan *p = s->plan;
	struct pcap_job job = { .filters = s->filters };
	struct child_spec spec = { .name = "qbox-pcap", .main = pcap_main,
				   .arg = &job, .n_keep = 1 };
	int i, r;

	for (i = 0; i < p->n_nics; i++) {
		if (!p->nics[i].pcap)
			continue;
		if ((s->pcap_fd[i] = sup_pcap_file(p, i, e)) < 0)
			return s->pcap_fd[i];
		job.nic = i;
		job.fd = s->pcap_fd[i];
		spec.keep = &job.fd;
		spec.enter_pidfd = (int)syscall(SYS_pidfd_open, s->sb.pid, 0);
		if (spec.enter_pidfd < 0)
			return qerr_set(e, errno, "pcap: entering the sandbox");
		r = child_start(&spec, &s->pcap[i], e);
		close(spec.enter_pidfd);
		close(s->pcap_fd[i]);
		s->pcap_fd[i] = -1;
		if (r == -ECHILD || r == -ETIMEDOUT || (r < 0 && r != -EIO))
			qerr_set(e, r == -ECHILD ? EIO : -r,
				 "pcap: the capture did not start");
		if (r < 0) {
			qerr_prefix(e, "--net %s", p->nics[i].text);
			return r;
		}
	}
	return 0;
}

void sup_pcap_stop(struct sup *s)
{
	int i;

	for (i = 0; i < MAX_NICS; i++) {
		if (s->pcap_fd[i] >= 0)
			close(s->pcap_fd[i]);
		s->pcap_fd[i] = -1;
		if (s->pcap[i].pid <= 0)
			continue;
		close(s->pcap[i].sock);	/* its cue: flush and go */
		waitpid(s->pcap[i].pid, NULL, 0);
		s->pcap[i].pid = 0;
	}
}
