/* SPDX-License-Identifier: MIT */
/* cli.h - command-line parsing of `qbox run`, pure and unit-tested */
#ifndef QBOX_CLI_H
#define QBOX_CLI_H

#include "plan/plan.h"

enum cli_result {
	CLI_RUN,	/* options parsed, run the payload */
	CLI_HELP,	/* --help was asked for */
};

/**
 * run_opts_parse() - parse the arguments after `qbox run`
 * @argc, @argv: argv[0] is "run"; the payload follows a literal "--"
 * @o:		options, zeroed first; o->argv points into @argv
 * @e:		usage error naming the flag and value
 *
 * Return: CLI_RUN, CLI_HELP, or -EINVAL
 */
int run_opts_parse(int argc, char **argv, struct run_opts *o, struct qerr *e);

extern const char run_usage[];
extern const char main_usage[];
extern const char ps_usage[];
extern const char fwd_usage[];
extern const char stop_usage[];
extern const char link_usage[];
extern const char capture_usage[];
extern const char wait_usage[];
extern const char exec_usage[];
extern const char net_usage[];
extern const char nc_usage[];
extern const char policy_usage[];

#endif /* QBOX_CLI_H */
