// SPDX-License-Identifier: MIT
/*
 * fuzz_ctlproto.c - the control protocol's request and answer lines
 *
 * The input is what a client wrote to a control socket, as the server
 * hands it to ctl_req_parse() (runner/control.c: at most CTL_LINE_MAX - 1
 * bytes, NUL-terminated, so an embedded NUL ends the line). A request
 * accepted keeps ctlproto.h's promises and survives a round trip through
 * ctl_req_format(); its argument then goes where the supervisor sends it
 * (a forward spec, a forward's host side; a hub's "join" argument is
 * split in runner/hub.c, whose parts, a subnet, a name and a MAC, are the
 * netspec target's). The same bytes are also parsed as an answer line, as
 * the client does.
 */
#include <errno.h>

#include "../../runner/ctlproto.h"
#include "../../runner/spec.h"
#include "fuzz.h"

static void fuzz_request(const char *line)
{
	struct ctl_req r, r2;
	struct qerr e = { 0 };
	struct fwd_spec f;
	char buf[CTL_LINE_MAX + 32];
	int n;

	if (ctl_req_parse(line, &r, &e) < 0) {
		FUZZ_ASSERT(e.usage && e.msg[0]);
		return;
	}
	/* an argument is one word, without the line's end */
	FUZZ_ASSERT(strlen(r.arg) < CTL_LINE_MAX);
	FUZZ_ASSERT(!strpbrk(r.arg, " \n"));
	FUZZ_ASSERT(r.verb != CTL_STOP || r.seconds <= 86400);
	if (r.verb == CTL_NET_RM)
		FUZZ_ASSERT(r.force ? !strcmp(r.arg, "force")
				    : !strcmp(r.arg, "idle"));
	else
		FUZZ_ASSERT(!r.force);
	n = ctl_req_format(&r, buf, sizeof(buf));
	FUZZ_ASSERT(n > 0 && buf[n - 1] == '\n');
	FUZZ_ASSERT(ctl_req_parse(buf, &r2, &e) == 0);
	FUZZ_ASSERT(r2.verb == r.verb && !strcmp(r2.arg, r.arg) &&
		    r2.seconds == r.seconds && r2.force == r.force);
	/* what the supervisor does with the argument */
	if (r.verb == CTL_FWD_ADD && fwd_spec_parse(r.arg, &f, &e) < 0)
		FUZZ_ASSERT(e.usage);
	if (r.verb == CTL_FWD_REMOVE && fwd_host_parse(r.arg, &f, &e) < 0)
		FUZZ_ASSERT(e.usage);
}

static void fuzz_answer(char *line)
{
	const char *text;
	int status;

	line[strcspn(line, "\n")] = '\0';
	if (ctl_answer_parse(line, &status, &text) < 0)
		return;
	FUZZ_ASSERT(status >= 0 && status <= 2);
	FUZZ_ASSERT(text && (!*text || (text > line &&
					text <= line + strlen(line))));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the server's buffer: CTL_LINE_MAX - 1 bytes and a NUL */
	char *line = fuzz_cstr(data, size < CTL_LINE_MAX - 1 ?
					      size : CTL_LINE_MAX - 1);

	fuzz_request(line);
	fuzz_answer(line);
	free(line);
	return 0;
}
