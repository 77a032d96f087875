// SPDX-License-Identifier: MIT
/* ctl_proto.c - control protocol lines (see ctl_proto.h) */
#include "control/ctl_proto.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/util.h"

/* A verb's argument: none, one word, or the rest of the line (a VDE
 * locator may hold spaces: cmd://ssh host vde_plug) */
enum { ARG_NONE, ARG_WORD, ARG_LINE };

static const struct {
	const char *word;
	enum ctl_verb verb;
	int arg;
} verbs[] = {
	{ "info", CTL_INFO, ARG_NONE },
	{ "summary", CTL_SUMMARY, ARG_NONE },
	{ "fwd-add", CTL_FWD_ADD, ARG_WORD },
	{ "fwd-list", CTL_FWD_LIST, ARG_NONE },
	{ "fwd-remove", CTL_FWD_REMOVE, ARG_WORD },
	{ "stop", CTL_STOP, ARG_WORD },
	{ "wait", CTL_WAIT, ARG_NONE },
	{ "ns", CTL_NS, ARG_NONE },
	{ "join", CTL_JOIN, ARG_WORD },
	{ "net-info", CTL_NET_INFO, ARG_NONE },
	{ "net-inspect", CTL_NET_INSPECT, ARG_NONE },
	{ "net-rm", CTL_NET_RM, ARG_WORD },
	{ "link", CTL_LINK, ARG_WORD },
	{ "net-link", CTL_NET_LINK, ARG_LINE },
	{ "net-unlink", CTL_NET_UNLINK, ARG_LINE },
};

/* stop's "SECONDS" or "SECONDS,force" */
static int stop_arg(struct ctl_req *r, struct qerr *e)
{
	char *comma = strchr(r->arg, ',');
	unsigned long s;

	if (comma) {
		if (strcmp(comma, ",force"))
			return qerr_usage(e, "stop: '%s': only ',force' may "
					     "follow the seconds", r->arg);
		*comma = '\0';
		r->force = true;
	}
	if (parse_uint(r->arg, 86400, &s) < 0)
		return qerr_usage(e, "stop: '%s' is not a number of seconds "
				     "(0-86400)", r->arg);
	r->seconds = (unsigned int)s;
	if (comma)
		*comma = ',';
	return 0;
}

int ctl_req_parse(const char *line, struct ctl_req *r, struct qerr *e)
{
	size_t len = strcspn(line, "\n"), wlen = strcspn(line, " \n");
	const char *arg = line + wlen;
	size_t i;

	memset(r, 0, sizeof(*r));
	if (len >= CTL_LINE_MAX)
		return qerr_usage(e, "control request too long");
	for (i = 0; i < ARRAY_SIZE(verbs); i++) {
		if (strlen(verbs[i].word) != wlen ||
		    strncmp(line, verbs[i].word, wlen))
			continue;
		r->verb = verbs[i].verb;
		if (!verbs[i].arg) {
			if (*arg == ' ')
				return qerr_usage(e, "'%s' takes no argument",
						  verbs[i].word);
			return 0;
		}
		if (*arg != ' ' || arg[1] == '\n' || !arg[1] ||
		    (verbs[i].arg == ARG_WORD &&
		     memchr(arg + 1, ' ', len - wlen - 1)))
			return qerr_usage(e, "'%s' takes one argument",
					  verbs[i].word);
		memcpy(r->arg, arg + 1, len - wlen - 1);
		r->arg[len - wlen - 1] = '\0';
		if (r->verb == CTL_STOP)
			return stop_arg(r, e);
		if (r->verb == CTL_NET_RM) {
			if (strcmp(r->arg, "force") && strcmp(r->arg, "idle"))
				return qerr_usage(e, "net-rm: '%s' is neither "
						     "'force' nor 'idle'", r->arg);
			r->force = !strcmp(r->arg, "force");
		}
		return 0;
	}
	return qerr_usage(e, "unknown control request '%.*s'", (int)wlen,
			  line);
}

int ctl_req_format(const struct ctl_req *r, char *buf, size_t size)
{
	size_t i;
	int n;

	for (i = 0; i < ARRAY_SIZE(verbs); i++)
		if (verbs[i].verb == r->verb)
			break;
	if (i == ARRAY_SIZE(verbs))
		return -EINVAL;
	if (verbs[i].arg)
		n = snprintf(buf, size, "%s %s\n", verbs[i].word, r->arg);
	else
		n = snprintf(buf, size, "%s\n", verbs[i].word);
	return n < 0 || (size_t)n >= size ? -ENOSPC : n;
}

int ctl_answer_parse(char *line, int *status, const char **text)
{
	if (!strcmp(line, "ok")) {
		*status = 0;
		*text = "";
		return 0;
	}
	if (!strncmp(line, "ok ", 3)) {
		*status = 0;
		*text = line + 3;
		return 0;
	}
	if (!strncmp(line, "err ", 4) && (line[4] == '1' || line[4] == '2') &&
	    line[5] == ' ') {
		*status = line[4] - '0';
		*text = line + 6;
		return 0;
	}
	return -EPROTO;
}
