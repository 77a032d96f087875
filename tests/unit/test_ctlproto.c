// SPDX-License-Identifier: MIT
/* test_ctlproto.c - control protocol lines, good and bad */
#include "control/ctl_proto.h"
#include "tests/unit/unit.h"

static int bad(const char *line, const char *needle)
{
	struct ctl_req r;
	struct qerr e = { 0 };

	return ctl_req_parse(line, &r, &e) == -EINVAL && e.usage &&
	       strstr(e.msg, needle);
}

int main(void)
{
	struct ctl_req r, q;
	struct qerr e = { 0 };
	char buf[CTL_LINE_MAX + 16], line[64];
	const char *text;
	int status;

	CHECK(ctl_req_parse("info\n", &r, &e) == 0 && r.verb == CTL_INFO,
	      "info");
	CHECK(ctl_req_parse("fwd-add udp:[::1]:53:53", &r, &e) == 0 &&
		      r.verb == CTL_FWD_ADD && !strcmp(r.arg, "udp:[::1]:53:53"),
	      "fwd-add with its spec, no newline");
	CHECK(ctl_req_parse("stop 10\n", &r, &e) == 0 && r.verb == CTL_STOP &&
		      r.seconds == 10,
	      "stop with seconds");
	CHECK(ctl_req_parse("stop 10\n", &r, &e) == 0 && !r.force,
	      "stop: the power button first");
	CHECK(ctl_req_parse("stop 3,force\n", &r, &e) == 0 &&
		      r.seconds == 3 && r.force && !strcmp(r.arg, "3,force"),
	      "stop 3,force: SIGTERM at once");
	CHECK(bad("stop 3,now\n", "only ',force'"), "stop: ',now'");
	CHECK(bad("stop soon,force\n", "'soon' is not a number"),
	      "stop: seconds before ,force");
	CHECK(ctl_req_parse("link down,nic1\n", &r, &e) == 0 &&
		      r.verb == CTL_LINK && !strcmp(r.arg, "down,nic1"),
	      "link with its one argument");
	CHECK(bad("link\n", "takes one argument"), "link without argument");
	CHECK(ctl_req_parse("fwd-remove 2222\n", &r, &e) == 0 &&
		      r.verb == CTL_FWD_REMOVE && !strcmp(r.arg, "2222"),
	      "fwd-remove");
	CHECK(ctl_req_parse("join natnet,-,vm1,52:54:00:12:34:56,vm\n", &r,
			    &e) == 0 && r.verb == CTL_JOIN &&
		      !strcmp(r.arg, "natnet,-,vm1,52:54:00:12:34:56,vm"),
	      "join with its one argument");
	CHECK(ctl_req_parse("net-info\n", &r, &e) == 0 &&
		      r.verb == CTL_NET_INFO, "net-info");
	CHECK(ctl_req_parse("net-inspect\n", &r, &e) == 0 &&
		      r.verb == CTL_NET_INSPECT, "net-inspect");
	CHECK(bad("net-inspect x\n", "takes no argument"),
	      "net-inspect with one");
	CHECK(ctl_req_parse("net-rm force\n", &r, &e) == 0 &&
		      r.verb == CTL_NET_RM && r.force, "net-rm force");
	CHECK(ctl_req_parse("net-rm idle\n", &r, &e) == 0 && !r.force,
	      "net-rm idle");
	CHECK(bad("net-rm now\n", "neither 'force' nor 'idle'"),
	      "net-rm with a bad argument");
	CHECK(bad("net-rm\n", "takes one argument"), "net-rm without argument");
	CHECK(bad("join\n", "takes one argument"), "join without argument");
	CHECK(ctl_req_parse("net-link cmd://ssh host vde_plug\n", &r, &e) ==
			      0 && r.verb == CTL_NET_LINK &&
		      !strcmp(r.arg, "cmd://ssh host vde_plug"),
	      "net-link: the rest of the line, spaces and all");
	CHECK(ctl_req_parse("net-unlink vde:///tmp/sw\n", &r, &e) == 0 &&
		      r.verb == CTL_NET_UNLINK && !strcmp(r.arg, "vde:///tmp/sw"),
	      "net-unlink");
	CHECK(bad("net-link\n", "takes one argument") &&
		      bad("net-link \n", "takes one argument"),
	      "net-link without a locator");
	CHECK(bad("fwd-add 1 2\n", "takes one argument"),
	      "a one-word verb still takes one word");
	CHECK(bad("net-info x\n", "takes no argument"), "net-info with one");
	r.verb = CTL_FWD_ADD;
	strcpy(r.arg, "2222:22");
	CHECK(ctl_req_format(&r, buf, sizeof(buf)) == 16 &&
		      !strcmp(buf, "fwd-add 2222:22\n") &&
		      ctl_req_parse(buf, &q, &e) == 0 && q.verb == CTL_FWD_ADD &&
		      !strcmp(q.arg, "2222:22"),
	      "format and parse round trip");
	CHECK(ctl_req_format(&r, buf, 8) == -ENOSPC, "format: too small");

	CHECK(bad("frob\n", "unknown control request 'frob'"), "unknown verb");
	CHECK(bad("\n", "unknown"), "empty line");
	CHECK(bad("info extra\n", "takes no argument"), "argument where none");
	CHECK(bad("fwd-add\n", "takes one argument"), "missing argument");
	CHECK(bad("fwd-add \n", "takes one argument"), "empty argument");
	CHECK(bad("fwd-add a b\n", "takes one argument"), "two arguments");
	CHECK(bad("stop soon\n", "'soon' is not a number"), "stop: not a number");
	CHECK(bad("stop 99999999\n", "not a number"), "stop: too many seconds");
	CHECK(bad("infox\n", "unknown"), "verb prefix is not the verb");
	memset(buf, 'a', sizeof(buf) - 1);
	buf[sizeof(buf) - 1] = '\0';
	CHECK(bad(buf, "too long"), "overlong line");

	strcpy(line, "ok {\"a\":1}");
	CHECK(ctl_answer_parse(line, &status, &text) == 0 && status == 0 &&
		      !strcmp(text, "{\"a\":1}"),
	      "answer ok with payload");
	strcpy(line, "ok");
	CHECK(ctl_answer_parse(line, &status, &text) == 0 && status == 0 &&
		      !*text,
	      "answer ok bare");
	strcpy(line, "err 2 no forward on 127.0.0.1:1/tcp");
	CHECK(ctl_answer_parse(line, &status, &text) == 0 && status == 2 &&
		      !strcmp(text, "no forward on 127.0.0.1:1/tcp"),
	      "answer err 2");
	strcpy(line, "err 7 x");
	CHECK(ctl_answer_parse(line, &status, &text) == -EPROTO,
	      "answer with a bad status");
	strcpy(line, "okay");
	CHECK(ctl_answer_parse(line, &status, &text) == -EPROTO,
	      "answer neither ok nor err");
	UNIT_END();
}
