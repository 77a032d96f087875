// SPDX-License-Identifier: MIT
/*
 * capture.c - qbox capture: what crosses a sandbox's NIC, or a whole
 * network's segment, as pcap
 *
 * Theory of operation. The frames exist only inside the sandbox's network
 * namespace, so the capture starts there, the way `qbox nc` does: the
 * `ns` request (the same walls as every control request: the runtime
 * directory, SO_PEERCRED) yields a pidfd of the sandbox's or the hub's
 * init, and one setns() enters its user and network namespaces, where
 * this process, the user's own, may open a packet socket. libpcap does
 * the rest: tcpdump's filter language (compiled before anything is
 * entered, so a bad filter is exit 2 at once) and the pcap file format
 * that tcpdump and Wireshark read. The output file is opened before the
 * namespaces change, by the user, where the user asked.
 *
 * Where it listens: a VM's NIC N is its TAP qvmN (every frame the guest
 * sends or gets, nothing else); a command's, its bridge qbrN, which holds
 * its address; a network's segment, the hub's bridge in promiscuous mode
 * (a bridge in promiscuous mode passes up every frame it switches).
 *
 * It ends after -c COUNT frames, on SIGINT or SIGTERM, or when the
 * sandbox ends (its pidfd says so), with the file flushed frame by frame,
 * so a CI job that kills it keeps every frame it saw.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "control/ctl_client.h"
#include "netns/capture.h"
#include "plan/spec.h"
#include "seccomp/filter.h"
#include "runner/cli.h"
#include "runner/client.h"
#include "runner/dial.h"

struct capture_opts {
	const char *name;	/* a sandbox, or MODE:NETWORK */
	int nic;		/* N of nicN; 0 by default */
	const char *file;	/* -w FILE; NULL or "-": stdout */
	unsigned long count;	/* -c COUNT; 0: until stopped */
	char filter[1024];	/* tcpdump's words, joined */
	bool network;		/* the whole segment of a network */
};

static volatile sig_atomic_t stopped;

static void on_stop(int sig)
{
	(void)sig;
	stopped = 1;
}

#define cap_exit(...) dial_exit("capture", __VA_ARGS__)

/* -w and -c, up to the first word that is not one; returns its index */
static int options(int argc, char **argv, struct capture_opts *o)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:hw:c:", longopts, NULL)) != -1) {
		if (c == 'w') {
			o->file = optarg;
		} else if (c == 'c') {
			if (parse_uint(optarg, 1UL << 31, &o->count) < 0 ||
			    !o->count)
				die(2, "capture: -c %s: not a number of frames "
				       "(1 or more)", optarg);
		} else {
			client_bad_option(c, argv, capture_usage);
		}
	}
	return optind;
}

/* [OPTIONS] NAME [nicN] [OPTIONS] [FILTER...] */
static void parse(int argc, char **argv, struct capture_opts *o)
{
	unsigned long k;
	size_t at = 0;
	int i = options(argc, argv, o);

	if (i >= argc)
		die(2, "capture: give a sandbox NAME or a network MODE:NAME "
		       "(see qbox capture --help)");
	o->name = argv[i++];
	o->network = strchr(o->name, ':') != NULL;
	if (i < argc && !strncmp(argv[i], "nic", 3)) {
		if (o->network || parse_uint(argv[i] + 3, MAX_NICS - 1, &k) < 0)
			die(2, "capture: %s: %s", argv[i], o->network ?
			    "a network's segment has no NICs (capture a "
			    "member's by its sandbox's name)" :
			    "no such NIC (nic0 to nic7)");
		o->nic = (int)k;
		i++;
	}
	/* options may follow the name, as tcpdump's follow its own */
	i += options(argc - i + 1, argv + i - 1, o) - 1;
	for (; i < argc; i++) {
		if (at + strlen(argv[i]) + 2 > sizeof(o->filter))
			die(2, "capture: the filter is over %zu characters",
			    sizeof(o->filter) - 1);
		at += (size_t)snprintf(o->filter + at, sizeof(o->filter) - at,
				       "%s%s", at ? " " : "", argv[i]);
	}
}

/* Whether the frames go to stdout, which must then not be a terminal */
static bool to_stdout(const struct capture_opts *o)
{
	if (o->file && strcmp(o->file, "-"))
		return false;
	if (isatty(STDOUT_FILENO))
		die(2, "capture: pcap is binary: give -w FILE, or pipe it "
		       "(qbox capture %s | tcpdump -r -)", o->name);
	return true;
}

/* Where the frames go: stdout, or -w FILE (made for the user alone),
 * opened once the sandbox is known to run: a mistyped name truncates
 * nothing */
static FILE *output(const struct capture_opts *o)
{
	FILE *f;
	int fd;

	if (to_stdout(o))
		return stdout;
	fd = open(o->file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || !(f = fdopen(fd, "w")))
		die(2, "capture: -w %s: %s", o->file, strerror(errno));
	return f;
}

int cmd_capture(int argc, char **argv)
{
	struct capture_opts o = { 0 };
	scmp_filter_ctx baseline;
	struct bpf_program prog;
	struct capture c;
	struct qerr e = { 0 };
	char dev[16];
	int dirfd, pidfd, r;
	FILE *out;

	parse(argc, argv, &o);
	if (capture_compile(o.filter, &prog, &e) < 0 ||
	    filter_baseline(&baseline, &e) < 0) {
		qerr_prefix(&e, "capture");
		qerr_die(&e);
	}
	to_stdout(&o);
	if ((dirfd = ctl_rundir(&e)) < 0 ||
	    client_ns(dirfd, o.name, &pidfd, &e) < 0) {
		qerr_prefix(&e, "capture");
		qerr_die(&e);
	}
	close(dirfd);
	out = output(&o);
	if (setns(pidfd, CLONE_NEWUSER | CLONE_NEWNET) < 0)
		cap_exit(1, "entering '%s': %s", o.name, strerror(errno));
	if (capture_device(o.network, o.nic, dev, &e) < 0)
		cap_exit(2, "'%s' has %s", o.name, e.msg);
	if (capture_open(dev, o.network, &prog, out, &c, &e) < 0 ||
	    confine_self(baseline, &e) < 0)
		cap_exit(1, "%s", e.msg);
	pcap_freecode(&prog);
	signal(SIGINT, on_stop);
	signal(SIGTERM, on_stop);
	signal(SIGPIPE, on_stop);
	fprintf(stderr, "qbox: capture: listening on %s in '%s'\n", dev,
		o.name);
	r = capture_run(&c, o.count, pidfd, &stopped, &e);
	if (r < 0)
		fprintf(stderr, "qbox: %s\n", e.msg);
	else if (r == 1)
		fprintf(stderr, "qbox: capture: '%s' ended\n", o.name);
	capture_close(&c);
	/* confined: exit-time machinery that ptraces (LeakSanitizer) would
	   fail under the filter, as for qbox exec's parent */
	fflush(NULL);
	_exit(r < 0 ? 1 : 0);
}
