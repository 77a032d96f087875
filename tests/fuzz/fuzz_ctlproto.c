// SPDX-License-Identifier: MIT
/*
 * fuzz_ctlproto.c - the control protocol's request and answer lines
 *
 * The input is what a client wrote to a control socket, as the server
 * hands it to ctl_req_parse() (control/ctl_server.c: at most CTL_LINE_MAX - 1
 * bytes, NUL-terminated, so an embedded NUL ends the line). A request
 * accepted keeps ctl_proto.h's promises and survives a round trip through
 * ctl_req_format(); its argument then goes where the supervisor sends it
 * (a forward spec, a forward's host side; a hub's "join" argument is
 * split in network/hub.c, whose parts, a subnet, a name and a MAC, are the
 * netspec target's; `link`'s words, parsed as the supervisor does). The whole input is also parsed as an answer line, of
 * any length, as the client does (control/ctl_client.c), with a field read
 * from its JSON the way member.c and netcmd.c read them; and written as a
 * JSON string by sb_json_str(), which must decode back to the input.
 */
#include <errno.h>

#include "common/json.h"
#include "control/ctl_proto.h"
#include "plan/spec.h"
#include "tests/fuzz/fuzz.h"

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
	/* an argument is one word, without the line's end; a locator's
	   (net-link, net-unlink) is the rest of the line, spaces and all */
	FUZZ_ASSERT(strlen(r.arg) < CTL_LINE_MAX);
	FUZZ_ASSERT(!strchr(r.arg, '\n'));
	FUZZ_ASSERT(r.verb == CTL_NET_LINK || r.verb == CTL_NET_UNLINK ||
		    !strchr(r.arg, ' '));
	FUZZ_ASSERT(r.verb != CTL_STOP || r.seconds <= 86400);
	if (r.verb == CTL_NET_RM)
		FUZZ_ASSERT(r.force ? !strcmp(r.arg, "force")
				    : !strcmp(r.arg, "idle"));
	else if (r.verb == CTL_STOP)
		FUZZ_ASSERT(r.force == !!strstr(r.arg, ",force"));
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
	if (r.verb == CTL_LINK) {
		struct link_change c;

		r.arg[strcspn(r.arg, ",")] = '\0';
		if (link_words_parse(r.arg, &c, &e) < 0)
			FUZZ_ASSERT(e.usage && e.msg[0]);
		else
			FUZZ_ASSERT(c.cable >= -1 && c.cable <= 1 &&
				    c.set.loss_bp <= 10000 &&
				    c.set.delay_ms <= 60000 &&
				    (!c.set.jitter_ms || c.set.delay_ms));
	}
}

static void fuzz_answer(char *line)
{
	const char *text;
	char field[64];
	int status;

	line[strcspn(line, "\n")] = '\0';
	if (ctl_answer_parse(line, &status, &text) < 0)
		return;
	FUZZ_ASSERT(status >= 0 && status <= 2);
	FUZZ_ASSERT(text && (!*text || (text > line &&
					text <= line + strlen(line))));
	json_field(text, "name", field, sizeof(field));
	FUZZ_ASSERT(strlen(field) < sizeof(field));
}

/* sb_json_str(@s) decodes back to @s: quotes, backslashes and control
 * characters escaped, nothing else changed */
static void fuzz_json_str(const char *s)
{
	struct strbuf b = { 0 };
	size_t i, n = 0;
	char *back;

	sb_json_str(&b, s);
	if (b.oom)
		return;
	back = malloc(b.len);
	FUZZ_ASSERT(back && b.len >= 2 && b.s[0] == '"' &&
		    b.s[b.len - 1] == '"');
	for (i = 1; i < b.len - 1; i++) {
		unsigned char c = (unsigned char)b.s[i];
		unsigned int u;

		FUZZ_ASSERT(c >= 0x20 && c != 0x7f && c != '"');
		if (c != '\\') {
			back[n++] = (char)c;
			continue;
		}
		c = (unsigned char)b.s[++i];
		if (c == 'u') {
			FUZZ_ASSERT(i + 4 < b.len - 1 &&
				    sscanf(b.s + i + 1, "%4x", &u) == 1);
			back[n++] = (char)u;
			i += 4;
		} else {
			FUZZ_ASSERT(strchr("\"\\nt", c));
			back[n++] = c == 'n' ? '\n' : c == 't' ? '\t' : (char)c;
		}
	}
	FUZZ_ASSERT(n == strlen(s) && !memcmp(back, s, n));
	free(back);
	sb_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the server's buffer: CTL_LINE_MAX - 1 bytes and a NUL */
	char *line = fuzz_cstr(data, size < CTL_LINE_MAX - 1 ?
					      size : CTL_LINE_MAX - 1);
	char *whole = fuzz_cstr(data, size);

	fuzz_request(line);
	fuzz_json_str(whole);
	fuzz_answer(whole);
	free(line);
	free(whole);
	return 0;
}
